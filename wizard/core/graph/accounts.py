"""GraphClient's business-account and phone-number reads, batched fifty ids a request."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import Any, TypeVar

from wizard.core.errors import GraphApiError, GraphError
from wizard.core.graph.constants import (
    ACCOUNT_FIELDS,
    ACCOUNT_WITH_NUMBERS_FIELDS,
    IDS_PER_REQUEST,
    NO_APPS,
    PHONE_FIELDS,
    WHATSAPP_SCOPES,
    account_with_numbers_fields,
)
from wizard.core.graph.models import (
    AccountDiscovery,
    Business,
    BusinessAccount,
    PhoneNumber,
    SubscribedApp,
    TokenInfo,
    assembled,
)
from wizard.core.graph.parsing import (
    _never_retry,
    _one_id_may_be_to_blame,
    _opt_str,
    _outcome,
    _unexpected,
    _unique,
    parse_phone_number,
    texts,
)
from wizard.core.graph.readiness import parse_health, parse_subscribed_apps
from wizard.core.graph.threads import Background, gather_all, outcome_of, run_all
from wizard.core.graph.transport import GraphTransport
from wizard.core.token import SecretToken
from wizard.core.untrusted import (
    require_graph_id,
)

_T = TypeVar("_T")
_ACCOUNT_TEXTS = ("id", "name", "currency", "timezone_id", "account_review_status")
"""BusinessAccount's fields that Graph sends under the same name (phone_numbers aside)."""


class AccountReads(GraphTransport):
    """GraphClient's reads of WhatsApp Business Accounts and their phone numbers."""

    def businesses(self, token: SecretToken) -> tuple[Business, ...]:
        """Business portfolios the token sees (needs business_management)."""
        rows = self._collect("me/businesses", token, {"fields": "id,name"})
        return tuple(Business(str(r["id"]), _opt_str(r.get("name"))) for r in rows if "id" in r)

    def business_account_ids_of(self, token: SecretToken, business_id: str) -> tuple[str, ...]:
        """WABA ids a business owns or has been given by clients, fetched concurrently."""
        edges = ("owned_whatsapp_business_accounts", "client_whatsapp_business_accounts")
        business_id = require_graph_id(business_id, "business id")
        pages = gather_all(
            partial(self._collect, f"{business_id}/{edge}", token, {"fields": "id,name"})
            for edge in edges
        )
        return _unique(str(row["id"]) for rows in pages for row in rows if "id" in row)

    def discover_account_ids(self, token: SecretToken, info: TokenInfo) -> tuple[str, ...]:
        """The WABAs a token reaches: granular_scopes target_ids, else through its businesses.

        Follows graph-api.md §3: target_ids are authoritative when present (even when empty).
        When the WhatsApp grants are not limited to assets, ask the businesses; a token without
        business_management gets code 200/100 there, which means "nothing found", not "broken".
        """
        return (self.discover_accounts(token, info)).ids

    def discover_accounts(self, token: SecretToken, info: TokenInfo) -> AccountDiscovery:
        """As discover_account_ids, keeping Graph's refusal to list the businesses (100/200)."""
        targeted = [
            g.target_ids
            for g in info.granular_scopes
            if g.scope in WHATSAPP_SCOPES and g.target_ids is not None
        ]
        if targeted:
            return AccountDiscovery(
                _unique(
                    require_graph_id(i, "granular_scopes target_ids entry")
                    for ids in targeted
                    for i in ids
                )
            )
        try:
            businesses = self.businesses(token)
            found = gather_all(
                partial(self.business_account_ids_of, token, b.id) for b in businesses
            )
        except GraphApiError as err:
            if err.code in (100, 200) or 200 <= err.code < 300:
                return AccountDiscovery((), listing_refused=err)
            raise
        return AccountDiscovery(_unique(i for ids in found for i in ids))

    def business_account(self, token: SecretToken, account_id: str) -> BusinessAccount:
        """One WABA's details, without its phone numbers."""
        account_id = require_graph_id(account_id, "WhatsApp Business Account id")
        body = self._call("GET", account_id, token, params={"fields": ACCOUNT_FIELDS})
        return BusinessAccount(
            id=str(body.get("id", account_id)),
            name=_opt_str(body.get("name")),
            currency=_opt_str(body.get("currency")),
            timezone_id=_opt_str(body.get("timezone_id")),
            account_review_status=_opt_str(body.get("account_review_status")),
        )

    def phone_numbers(self, token: SecretToken, account_id: str) -> tuple[PhoneNumber, ...]:
        """Every phone number of a WABA, following paging."""
        account_id = require_graph_id(account_id, "WhatsApp Business Account id")
        rows = self._collect(f"{account_id}/phone_numbers", token, {"fields": PHONE_FIELDS})
        return tuple(parse_phone_number(r) for r in rows if "id" in r)

    def account_with_numbers(self, token: SecretToken, account_id: str) -> BusinessAccount:
        """A WABA's details and its phone numbers, asked for at the same time."""
        numbers = Background(partial(self.phone_numbers, token, account_id))
        account = outcome_of(partial(self.business_account, token, account_id))
        rows = numbers.result()  # both end before this returns, whichever fails
        if isinstance(account, Exception):
            raise account
        return BusinessAccount(**{**account.__dict__, "phone_numbers": rows})

    def accounts_with_numbers(
        self, token: SecretToken, account_ids: Iterable[str], alone: Iterable[str] = ()
    ) -> list[BusinessAccount | GraphError]:
        """WABAs with their numbers, in the order asked (`account_ids`, then `alone`): one
        multiple-id lookup with field expansion per 50 ids, and each id of `alone` read on its
        own, all at once; an id that is not digits fails alone, unsent."""
        asked, solo = list(account_ids), list(alone)
        outcomes: dict[str, BusinessAccount | GraphError] = {}
        valid, single = _valid_ids(asked, outcomes), _valid_ids(solo, outcomes)
        chunks = [valid[i : i + IDS_PER_REQUEST] for i in range(0, len(valid), IDS_PER_REQUEST)]
        reads = [partial(self._account_chunk, token, c) for c in [*chunks, *([i] for i in single)]]
        for found in gather_all(reads):
            outcomes.update(found)
        return [outcomes[account_id] for account_id in (*asked, *solo)]

    def account_expanded(self, token: SecretToken, account_id: str) -> BusinessAccount:
        """One WABA with its numbers in one read (`GET /{id}?fields=…,phone_numbers{…}`)."""
        account_id = require_graph_id(account_id, "WhatsApp Business Account id")
        return self._account_from(token, account_id, self._read_accounts(account_id, token, {}))

    asks_readiness = True
    """Whether account reads ask for health, subscriptions and callbacks; False once Graph
    refused one of those fields, so that the check still works without them."""

    def _read_accounts(
        self, path: str, token: SecretToken, params: dict[str, str]
    ) -> dict[str, Any]:
        """An expanded account read; when Graph refuses a readiness field (an edge it cannot
        expand on this version), the same read once more without them [Unverified fields]."""
        asked = self.asks_readiness
        fields = account_with_numbers_fields(self.version) if asked else ACCOUNT_WITH_NUMBERS_FIELDS
        try:
            return self._call("GET", path, token, params={**params, "fields": fields})
        except GraphApiError as err:
            if not (asked and _field_refused(err)):
                raise
        self.asks_readiness = False
        return self._call(
            "GET", path, token, params={**params, "fields": ACCOUNT_WITH_NUMBERS_FIELDS}
        )

    def subscribed_apps(self, token: SecretToken, account_id: str) -> tuple[SubscribedApp, ...]:
        """The apps subscribed to a WABA's webhooks, with their callback overrides."""
        account_id = require_graph_id(account_id, "WhatsApp Business Account id")
        rows = self._collect(f"{account_id}/subscribed_apps", token, {})
        return parse_subscribed_apps(rows) or ()

    def subscribe_app(self, token: SecretToken, account_id: str) -> None:
        """Subscribe the token's app to a WABA's webhooks (`POST /{waba-id}/subscribed_apps`).
        Never retried (a write), and sent without a body: wa-token sets no override."""
        account_id = require_graph_id(account_id, "WhatsApp Business Account id")
        body = self._call("POST", f"{account_id}/subscribed_apps", token, retryable=_never_retry)
        if body.get("success") is not True:
            raise _unexpected("subscribed_apps", 200)

    def _account_chunk(
        self, token: SecretToken, ids: list[str]
    ) -> dict[str, BusinessAccount | GraphError]:
        """Up to 50 validated ids in one `?ids=` request. Graph fails the whole request when
        one id cannot be read; then, and only for errors one id can cause, each id is read
        alone, so every account gets its own answer or error, as before."""
        if len(ids) == 1:
            return {ids[0]: _outcome(partial(self.account_expanded, token, ids[0]))}
        try:
            body = self._read_accounts("", token, {"ids": ",".join(ids)})
        except GraphApiError as err:
            if not _one_id_may_be_to_blame(err):
                return dict.fromkeys(ids, err)
            alone = _each([partial(self.account_expanded, token, i) for i in ids])
            return dict(zip(ids, alone, strict=True))
        except GraphError as err:
            return dict.fromkeys(ids, err)
        reads = {i: partial(self._account_from, token, i, body.get(i)) for i in ids}
        paged = [i for i in ids if self._numbers_go_on(body.get(i))]  # read side by side
        found = {i: _outcome(read) for i, read in reads.items() if i not in paged}
        found.update(zip(paged, _each([reads[i] for i in paged]), strict=True))
        return found

    def _numbers_go_on(self, account: object) -> bool:
        """Whether an expanded account's phone_numbers edge links to a page this client reads."""
        edge = account.get("phone_numbers") if isinstance(account, dict) else None
        return isinstance(edge, dict) and self._next_page(edge, set()) is not None

    def _account_from(self, token: SecretToken, account_id: str, body: object) -> BusinessAccount:
        """An account object of an expanded read; its phone_numbers edge is followed past the
        first page (on the Graph host only). Graph leaves an empty edge out."""
        if not isinstance(body, dict):
            raise _unexpected("ids", 200)
        edge = body.get("phone_numbers")
        rows = [] if edge is None else self._edge_rows(edge, token, "phone_numbers")
        fields: dict[str, Any] = dict(zip(_ACCOUNT_TEXTS, texts(body, _ACCOUNT_TEXTS), strict=True))
        fields["id"] = fields["id"] or account_id  # as Graph names it (shown, never sent)
        fields["phone_numbers"] = tuple([parse_phone_number(r) for r in rows if "id" in r])
        fields["health"] = parse_health(body.get("health_status"))
        apps = body.get("subscribed_apps", NO_APPS if self.asks_readiness else None)
        fields["subscribed_apps"] = parse_subscribed_apps(apps)
        return assembled(BusinessAccount, fields)


def _field_refused(err: GraphApiError) -> bool:
    """Graph's answer to a field or an edge it does not know on this node type or version."""
    message = err.message.lower()
    return err.code in (100, 2500) and ("nonexisting field" in message or "syntax" in message)


def _valid_ids(ids: Iterable[str], failures: dict[str, BusinessAccount | GraphError]) -> list[str]:
    """The ids that may go into a URL, each once; the others' errors go into `failures`."""
    valid: list[str] = []
    for account_id in _unique(ids):
        try:
            valid.append(require_graph_id(account_id, "WhatsApp Business Account id"))
        except GraphError as err:
            failures[account_id] = err
    return valid


def _each(calls: Sequence[Callable[[], _T]]) -> list[_T | GraphError]:
    """Each call's result or Graph error, side by side; any other exception is a bug: raised."""
    results = run_all(calls)
    for result in results:
        if isinstance(result, Exception) and not isinstance(result, GraphError):
            raise result
    return results  # type: ignore[return-value]
