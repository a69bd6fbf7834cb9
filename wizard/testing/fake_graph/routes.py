"""The fake Graph's endpoints: debug_token, token exchange, businesses, nodes, ids, numbers, messages."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any

from wizard.testing.fake_graph.base import FakeGraphBase
from wizard.testing.fake_graph.calls import (
    Call,
    FieldRequest,
    _encode_cursor,
    pick,
    requested_field_tree,
    requested_fields,
)
from wizard.testing.fake_graph.checks import (
    _check_account_read,
    _check_recipient_and_template,
    _edge_page,
    _json_object,
)
from wizard.testing.fake_graph.data import (
    ACCOUNTS,
    APP_ID,
    APP_NAME,
    APP_SECRET,
    APP_TOKEN,
    BUSINESS_ID,
    BUSINESS_NAME,
    DAY,
    DEFAULT_PAGE_SIZE,
    EXCHANGED_EXPIRES_IN,
    MALFORMED_MESSAGE,
    MAX_IDS,
    MESSAGING,
    PHONE_FIELDS,
    WABA_A,
    WABA_FIELDS,
    WHATSAPP_SCOPES,
)
from wizard.testing.fake_graph.readiness import account_extras, number_extras, subscribed_apps
from wizard.testing.fake_graph.replies import (
    Reply,
    _now,
    _per_request,
    bad_parameter,
    business_usage,
    dead_token_error,
    dead_token_failure,
    fail,
    json_reply,
    no_such_object,
    permissions_error,
)
from wizard.testing.fake_graph.scenarios import TOKENS, Scenario


class GraphRoutes(FakeGraphBase):
    """One method per Graph endpoint the fake answers."""

    def _debug_token(self, call: Call) -> Reply:
        self._caller(call)
        input_token = call.params.get("input_token")
        if not input_token:
            raise bad_parameter("The parameter input_token is required")
        if input_token == APP_TOKEN:
            return json_reply(
                {
                    "data": {
                        "app_id": APP_ID,
                        "type": "APP",
                        "application": APP_NAME,
                        "is_valid": True,
                        "scopes": [],
                    }
                }
            )
        scenario = self.scenario_of(input_token)
        if "viewing_app_mismatch" in scenario.quirks and call.token == APP_TOKEN:
            raise bad_parameter("The App_id in the input_token did not match the Viewing App")
        if "app_token_required" in scenario.quirks and call.token != APP_TOKEN:
            raise bad_parameter(
                "You must provide an app access token, or a user access token "
                "that is an owner or developer of the app"
            )
        return json_reply({"data": self._token_data(scenario)})

    def _token_data(self, scenario: Scenario) -> dict[str, Any]:
        """The `data` object debug_token returns for a scenario."""
        now = _now()
        if scenario.dead == "malformed":
            error = {"code": 190, "message": MALFORMED_MESSAGE}
            return {"error": error, "is_valid": False, "scopes": []}

        def from_now(seconds: int) -> int:
            return now + seconds if seconds else 0  # 0 means "never"

        data: dict[str, Any] = {
            "app_id": APP_ID,
            "type": scenario.token_type,
            "application": APP_NAME,
            "data_access_expires_at": from_now(scenario.data_access_in),
            "expires_at": from_now(scenario.expires_in),
            "is_valid": not scenario.dead,
            "issued_at": now - scenario.issued_ago,
            "scopes": list(scenario.scopes),
            "user_id": scenario.user_id,
        }
        if scenario.dead:
            subcode, message = dead_token_error(scenario, now)
            data["error"] = {"code": 190, "message": message, "subcode": subcode}
            if "no_subcode" in scenario.quirks:
                del data["error"]["subcode"]
            data["scopes"] = []
            if "dead_keeps_scopes" in scenario.quirks:
                data["scopes"] = list(scenario.scopes)
                data["granular_scopes"] = self._granular_scopes(scenario)
        else:
            data["granular_scopes"] = self._granular_scopes(scenario)
        if "sparse_debug" in scenario.quirks:
            for name in ("granular_scopes", "issued_at", "user_id", "data_access_expires_at"):
                data.pop(name, None)
        return data

    def _granular_scopes(self, scenario: Scenario) -> list[dict[str, Any]]:
        targets = None if scenario.target_ids is None else list(self._reachable(scenario))
        grants = [{"scope": scope} for scope in scenario.scopes if scope in WHATSAPP_SCOPES]
        granted = [
            grant if targets is None else {**grant, "target_ids": targets} for grant in grants
        ]
        if "all_granular" in scenario.quirks:  # as embedded signup grants them
            others = {"business_management": [BUSINESS_ID]}
            granted += [
                {"scope": s, "target_ids": others.get(s, targets or [])}
                for s in scenario.scopes
                if s not in WHATSAPP_SCOPES
            ]
        return granted

    def _exchange_token(self, call: Call) -> Reply:
        params = call.params
        if params.get("client_id") != APP_ID:
            raise fail(400, 101, "Invalid Client ID")
        if params.get("client_secret") != APP_SECRET:
            raise fail(400, 1, "Error validating client secret.")
        if params.get("grant_type") != "fb_exchange_token":
            raise bad_parameter("Invalid grant_type")
        old_token = self.scenario_of(params.get("fb_exchange_token", ""))
        if old_token.dead:
            raise dead_token_failure(old_token, 400)
        if old_token.exchange_refused:  # [Unverified] wording: a test hook for a refusal
            raise bad_parameter("fb_exchange_token is not a short-lived user access token")
        if old_token.token_type == "SYSTEM_USER":
            # Meta's system-user refresh: the same call with set_token_expires_in_60_days=true.
            if params.get("set_token_expires_in_60_days") != "true":  # [Unverified] wording
                raise bad_parameter(
                    "set_token_expires_in_60_days is required to refresh a system user access token"
                )
            if not old_token.expires_in:  # [Unverified]: a never-expiring one has nothing to do
                raise bad_parameter("This system user access token does not expire")
            return json_reply(
                {"access_token": TOKENS["expiring"], "token_type": "bearer", "expires_in": 60 * DAY}
            )
        return json_reply(
            {
                "access_token": TOKENS["exchanged"],
                "token_type": "bearer",
                "expires_in": EXCHANGED_EXPIRES_IN,
            }
        )

    def _businesses(self, call: Call) -> Reply:
        scenario = self._caller(call)
        if "business_refused" in scenario.quirks:
            raise bad_parameter("Missing permissions")
        if not self._sees_business(scenario):
            raise permissions_error()
        return json_reply(self._page([{"id": BUSINESS_ID, "name": BUSINESS_NAME}], call))

    def _business_accounts(self, call: Call, business_id: str, *, owned: bool) -> Reply:
        scenario = self._caller(call)
        if business_id != BUSINESS_ID:
            raise no_such_object("GET", business_id)
        if not self._sees_business(scenario):
            raise permissions_error()
        names = requested_fields(call, "WhatsAppBusinessAccount", WABA_FIELDS)
        rows = [pick(ACCOUNTS[waba_id], names) for waba_id in ACCOUNTS] if owned else []
        return json_reply(self._page(rows, call))

    def _node(self, call: Call, node_id: str) -> Reply:
        """`GET /{id}` for a WABA or a phone number the token can see."""
        scenario = self._caller(call)
        account = self._account(node_id)
        if account is not None and node_id in self._reachable(scenario):
            fields = requested_field_tree(call, "WhatsAppBusinessAccount")
            self._check_waba_rate_limit(scenario, node_id)
            _check_account_read(scenario)
            usage = {"X-Business-Use-Case-Usage": business_usage(node_id, 3, 0)}
            return json_reply(self._account_view(call, scenario, node_id, fields), headers=usage)
        number = self._phone(scenario, node_id)
        if number is None:
            raise no_such_object("GET", node_id)
        names = requested_fields(call, "WhatsAppBusinessPhoneNumber", PHONE_FIELDS)
        return json_reply(
            pick(self._number_as_listed(scenario, call.token, node_id), names or [*number])
        )

    def _number_as_listed(
        self, scenario: Scenario, token: str | None, phone_id: str
    ) -> dict[str, Any]:
        """A number with its readiness fields, as its account's phone_numbers edge shows it."""
        for waba_id in self._reachable(scenario):
            rows = self._number_rows(scenario, waba_id, None, token)
            number = next((row for row in rows if row["id"] == phone_id), None)
            if number is not None:
                return number
        raise no_such_object("GET", phone_id)

    def _ids(self, call: Call) -> Reply:
        """`GET /?ids=A,B&fields=…`: `{id: object}` for up to 50 WABAs, each as `GET /{id}`
        answers it. One id the token cannot read fails the whole request, as Graph does."""
        scenario = self._caller(call)
        ids = list(dict.fromkeys(i.strip() for i in call.params["ids"].split(",")))
        if not all(ids):  # [Unverified] wording
            raise bad_parameter("ids must be a comma-separated list of ids")
        if len(ids) > MAX_IDS:  # [Unverified] wording
            raise bad_parameter(f"Too many IDs. Maximum: {MAX_IDS}. Provided: {len(ids)}.")
        missing = [i for i in ids if self._account(i) is None]
        if missing:  # [Unverified]: Graph's answer for ids it cannot resolve
            raise fail(
                404,
                803,
                "(#803) Some of the aliases you requested do not exist: " + ",".join(missing),
            )
        hidden = [i for i in ids if i not in self._reachable(scenario)]
        if hidden:
            raise no_such_object("GET", hidden[0])
        fields = requested_field_tree(call, "WhatsAppBusinessAccount")
        for waba_id in ids:
            self._check_waba_rate_limit(scenario, waba_id)
        _check_account_read(scenario)
        usage = {waba_id: json.loads(business_usage(waba_id, 3, 0))[waba_id] for waba_id in ids}
        return json_reply(
            {waba_id: self._account_view(call, scenario, waba_id, fields) for waba_id in ids},
            headers={"X-Business-Use-Case-Usage": json.dumps(usage)},
        )

    def _account_view(
        self, call: Call, scenario: Scenario, waba_id: str, fields: tuple[FieldRequest, ...] | None
    ) -> dict[str, Any]:
        """A WABA with the requested fields; a phone_numbers edge comes as its first page
        (`.limit(n)`, paging.next to the edge), and is left out when it has no numbers."""
        account = self._account(waba_id)
        assert account is not None
        if fields is None:
            return dict(account)
        extras = account_extras(scenario, waba_id)
        view = pick({**account, **extras}, [f.name for f in fields if f.name in WABA_FIELDS])
        for edge in (f for f in fields if f.name == "subscribed_apps"):
            names = None if edge.nested is None else [f.name for f in edge.nested]
            apps = [pick(app, names) for app in self.subscribed_apps_of(call, scenario, waba_id)]
            if apps:  # an empty edge is left out, like phone_numbers
                view["subscribed_apps"] = {"data": apps}
        for edge in (f for f in fields if f.name == "phone_numbers"):
            names = None if edge.nested is None else [f.name for f in edge.nested]
            rows = self._number_rows(scenario, waba_id, names, call.token)
            paged = waba_id == WABA_A and scenario.pages in ("paged", "loop")
            size = 2 if paged else edge.limit or DEFAULT_PAGE_SIZE
            params = {"limit": str(size)} | ({"fields": edge.nested_text} if edge.nested else {})
            page = _edge_page(
                rows,
                0,
                size,
                paged and scenario.pages == "loop",
                self._edge_linker(call, waba_id, params),
            )
            if page["data"]:
                view["phone_numbers"] = page
        return view

    def _edge_linker(
        self, call: Call, waba_id: str, params: dict[str, str]
    ) -> Callable[[int], str]:
        """The link to the phone_numbers page that starts at an offset."""

        def link(at: int) -> str:
            return self._link(
                call, (waba_id, "phone_numbers"), {**params, "after": _encode_cursor(at)}
            )

        return link

    def _phone_numbers(self, call: Call, waba_id: str) -> Reply:
        scenario = self._caller(call)
        if waba_id not in self._reachable(scenario):
            exists = self._account(waba_id) is not None
            raise permissions_error() if exists else no_such_object("GET", waba_id)
        self._check_waba_rate_limit(scenario, waba_id)
        _check_account_read(scenario)
        names = requested_fields(call, "WhatsAppBusinessPhoneNumber", PHONE_FIELDS)
        rows = self._number_rows(scenario, waba_id, names, call.token)
        paged = waba_id == WABA_A and scenario.pages in ("paged", "loop")
        return json_reply(
            self._page(
                rows, call, page_size=2 if paged else None, loop=paged and scenario.pages == "loop"
            )
        )

    def _number_rows(
        self, scenario: Scenario, waba_id: str, names: list[str] | None, token: str | None = None
    ) -> list[dict[str, Any]]:
        """A WABA's numbers with the requested fields, readiness fields included (as the
        caller's token left them: a number it registered reads as registered)."""
        numbers = self._numbers(scenario, waba_id)
        return [
            pick(
                {
                    **number,
                    **number_extras(
                        scenario,
                        waba_id,
                        number,
                        i == 0,
                        registered=self.is_registered(token, number["id"]),
                    ),
                },
                names,
            )
            for i, number in enumerate(numbers)
        ]

    def subscribed_apps_of(
        self, call: Call, scenario: Scenario, waba_id: str
    ) -> list[dict[str, Any]]:
        """The apps subscribed to a WABA's webhooks, as this caller's token left them."""
        key = (call.token or "", waba_id)
        with self._lock:
            return self.webhook_subscriptions.setdefault(key, subscribed_apps(scenario, waba_id))

    def _subscribed_apps(self, call: Call, waba_id: str) -> Reply:
        """`GET|POST /{waba-id}/subscribed_apps`. A POST without override_callback_uri drops the
        caller's override, as users report Graph does (so wa-token must never send one)."""
        scenario = self._caller(call)
        if waba_id not in self._reachable(scenario):
            exists = self._account(waba_id) is not None
            raise permissions_error() if exists else no_such_object(call.method, waba_id)
        _check_account_read(scenario)
        apps = self.subscribed_apps_of(call, scenario, waba_id)
        if call.method == "GET":
            return json_reply({"data": apps})
        with self._lock:
            apps[:] = [a for a in apps if a["whatsapp_business_api_data"]["id"] != APP_ID]
            apps.append({"whatsapp_business_api_data": {"id": APP_ID, "name": APP_NAME}})
        return json_reply({"success": True})

    def _app_subscriptions(self, call: Call, app_id: str) -> Reply:
        """`GET /{app-id}/subscriptions`, with the app token only ([Unverified] wording)."""
        if call.token != APP_TOKEN:
            raise fail(400, 15, "(#15) This method must be called with an app access_token.")
        if app_id != APP_ID:
            raise no_such_object("GET", app_id)
        return json_reply({"data": self.app_subscriptions})

    @staticmethod
    def _check_waba_rate_limit(scenario: Scenario, waba_id: str) -> None:
        if scenario.failure == "rate_limited_waba":
            usage = {"X-Business-Use-Case-Usage": business_usage(waba_id, 100, 15)}
            raise fail(400, 80007, "(#80007) Rate limit hit", transient=True, headers=usage)

    def _send_message(self, call: Call, phone_id: str) -> Reply:
        scenario = self._caller(call, status=401)
        if self._phone(scenario, phone_id) is None:
            raise no_such_object("POST", phone_id)
        if MESSAGING not in scenario.scopes:
            raise permissions_error()
        message = _json_object(call.body)
        if message.get("messaging_product") != "whatsapp":
            raise bad_parameter("The parameter messaging_product is required.")
        recipient = str(message.get("to") or "")
        if not recipient:
            raise bad_parameter("The parameter to is required.")
        _check_recipient_and_template(recipient, message)
        wa_id = recipient.lstrip("+")
        fixed = getattr(_per_request, "trace_id", None)  # snapshot runs want the same id
        message_id = "wamid.HBgL" + (fixed.upper() if fixed else secrets.token_hex(24).upper())
        return json_reply(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": recipient, "wa_id": wa_id}],
                "messages": [{"id": message_id, "message_status": "accepted"}],
            }
        )
