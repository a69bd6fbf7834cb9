"""The fake Graph server's business: admin tokens, System Users, app installs, WABA assignments.

Standard library only. It answers the Business Management calls of `wa-token provision` the way
Meta's pages describe them, and enforces what Meta enforces:

- writes (create a System User, install the app, assign an account, generate a token) need a
  business admin's token with `business_management`; an Employee gets `(#200)`;
- `POST /{system-user-id}/access_tokens` needs `appsecret_proof` = HMAC-SHA256(app secret, token);
- the app must be installed for the System User before a token is generated;
- a generated token reaches only the accounts assigned to the System User *when it was
  generated* (assign later and the token lacks them), and the same server then recognises it for
  `debug_token`, `/me` and the account and number reads, so `wa-token check` can prove it.

Each admin token below is a scenario; one business state per server counts every write.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from wizard.testing import fake_graph as fg
from wizard.testing.fake_admins import (
    _ADMIN_BY_TOKEN,
    ADMIN_NAME,
    ADMIN_USER_ID,
    ALLOWED_SCOPES,
    BUSINESS_EDGES,
    BUSINESS_MANAGEMENT,
    MINTED_PREFIX,
    SECOND_BUSINESS,
    TWO_FACTOR_BODY,
    AdminScenario,
)

if TYPE_CHECKING:
    from wizard.testing.fake_graph import Call, FakeGraphServer, Reply

_EXPIRED = fg.Scenario(token_type="USER", expires_in=-fg.HOUR, dead="expired")


@dataclass
class BusinessState:
    """What the fake business holds; every change is counted in `writes`."""

    system_users: dict[str, dict[str, str]] = field(default_factory=dict)
    installed: dict[str, set[str]] = field(default_factory=dict)
    assigned: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    writes: list[str] = field(default_factory=list)
    minted: list[str] = field(default_factory=list)
    next_id: int = 61570785030000
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_id(self) -> str:
        self.next_id += 1
        return str(self.next_id)


_STATES: weakref.WeakKeyDictionary[Any, BusinessState] = weakref.WeakKeyDictionary()
_STATES_LOCK = threading.Lock()


def state_of(server: FakeGraphServer) -> BusinessState:
    """The business of one fake server (created on first use)."""
    with _STATES_LOCK:
        if server not in _STATES:
            _STATES[server] = BusinessState()
        return _STATES[server]


def reset(server: FakeGraphServer) -> BusinessState:
    """Start the server's business from nothing (no System Users, no writes)."""
    with _STATES_LOCK:
        _STATES[server] = BusinessState()
        return _STATES[server]


def writes(server: FakeGraphServer) -> list[str]:
    """Every write the business received, as "POST /path"."""
    return list(state_of(server).writes)


def admin_scenario(token: str | None) -> AdminScenario | None:
    """The scenario of an admin demo token, or None."""
    return _ADMIN_BY_TOKEN.get(token or "")


# -- routing ---------------------------------------------------------------------------------------


def answer(server: FakeGraphServer, call: Call) -> Reply | None:
    """The reply for a business call or an admin token's call; None lets fake_graph answer."""
    admin = admin_scenario(call.token)
    inspected = admin_scenario(call.params.get("input_token"))
    edge = call.segments[-1] if call.segments else ""
    if call.segments == ("debug_token",) and inspected is not None:
        if admin is None and call.token != fg.APP_TOKEN:
            return None  # any other caller: fake_graph's own rules
        return fg.json_reply({"data": _admin_token_data(inspected)})
    if admin is None:
        if len(call.segments) == 2 and edge in BUSINESS_EDGES and call.token:
            raise fg.permissions_error()  # a WhatsApp token cannot manage the business
        return None
    if admin.expired:
        raise fg.dead_token_failure(_EXPIRED, 400)
    return _Business(server, state_of(server), admin, call).route()


def _admin_token_data(admin: AdminScenario) -> dict[str, Any]:
    now = fg._now()
    if admin.expired:
        subcode, message = fg.dead_token_error(_EXPIRED, now)
        return {
            "app_id": fg.APP_ID,
            "type": "USER",
            "application": fg.APP_NAME,
            "expires_at": now - fg.HOUR,
            "is_valid": False,
            "scopes": [],
            "user_id": ADMIN_USER_ID,
            "error": {"code": 190, "message": message, "subcode": subcode},
        }
    return {
        "app_id": fg.APP_ID,
        "type": "USER",
        "application": fg.APP_NAME,
        "data_access_expires_at": now + 90 * fg.DAY,
        "expires_at": now + fg.HOUR,
        "is_valid": True,
        "issued_at": now,
        "scopes": list(admin.scopes),
        "user_id": ADMIN_USER_ID,
        "granular_scopes": [
            {"scope": s, **({"target_ids": [fg.BUSINESS_ID]} if s == BUSINESS_MANAGEMENT else {})}
            for s in admin.scopes
        ],
    }


class _Business:
    """One call by an admin token."""

    def __init__(
        self, server: FakeGraphServer, state: BusinessState, admin: AdminScenario, call: Call
    ) -> None:
        self.server, self.state, self.admin, self.call = server, state, admin, call

    def route(self) -> Reply:
        call = self.call
        match call.method, call.segments:
            case "GET", ("me",):
                return fg.json_reply({"id": ADMIN_USER_ID, "name": ADMIN_NAME})
            case "GET", ("me", "permissions"):
                return fg.json_reply(
                    {"data": [{"permission": p, "status": "granted"} for p in self.admin.scopes]}
                )
            case "GET", ("me", "businesses"):
                self._need_business_management()
                rows = [{"id": fg.BUSINESS_ID, "name": fg.BUSINESS_NAME}, SECOND_BUSINESS]
                return fg.json_reply({"data": rows[: self.admin.businesses]})
            case "GET", (business, "owned_whatsapp_business_accounts"):
                self._business(business)
                rows = [fg.pick(fg.ACCOUNTS[w], ["name"]) for w in self.admin.accounts]
                return fg.json_reply({"data": rows})
            case "GET", (business, "client_whatsapp_business_accounts"):
                self._business(business)
                return fg.json_reply({"data": []})
            case "GET", (business, "system_users"):
                self._business(business)
                with self.state.lock:
                    rows = [{"id": i, **u} for i, u in self.state.system_users.items()]
                return fg.json_reply({"data": rows})
            case "POST", (business, "system_users"):
                return self._create_system_user(business)
            case "GET", (business, "owned_apps"):
                self._business(business)
                apps = [{"id": fg.APP_ID, "name": fg.APP_NAME}] if self.admin.owns_app else []
                return fg.json_reply({"data": apps})
            case "GET", (user_id, "applications"):
                self._system_user(user_id)
                with self.state.lock:
                    installed = sorted(self.state.installed.get(user_id, set()))
                return fg.json_reply({"data": [{"id": a, "name": fg.APP_NAME} for a in installed]})
            case "POST", (user_id, "applications"):
                return self._install(user_id)
            case "GET", (waba_id, "assigned_users"):
                return self._assigned_users(waba_id)
            case "POST", (waba_id, "assigned_users"):
                return self._assign(waba_id)
            case "POST", (user_id, "access_tokens"):
                return self._generate(user_id)
        raise fg.permissions_error()

    # -- checks -----------------------------------------------------------------------------------

    def _need_business_management(self) -> None:
        if BUSINESS_MANAGEMENT not in self.admin.scopes:
            raise fg.fail(
                403, 200, "(#200) Requires business_management permission to manage the object"
            )

    def _business(self, business_id: str) -> None:
        if business_id == SECOND_BUSINESS["id"] and self.admin.businesses > 1:
            raise fg.GraphFailure(fg.json_reply({"data": []}))  # a business without WhatsApp
        if business_id != fg.BUSINESS_ID:
            raise fg.no_such_object(self.call.method, business_id)
        self._need_business_management()

    def _write(self) -> None:
        """Every write: business_management, admin role, the 2FA gate."""
        self._need_business_management()
        if self.admin.two_factor:
            raise fg.GraphFailure(
                fg.error_reply(
                    400,
                    415,
                    str(TWO_FACTOR_BODY["message"]),
                    subcode=2859009,
                    error_data={"hash": "8874359819718335175"},
                )
            )
        if self.admin.role != "ADMIN":
            raise fg.fail(
                403,
                200,
                "(#200) You do not have permission to perform this action: "
                "only business admins can manage system users and assets",
            )

    def _system_user(self, user_id: str) -> dict[str, str]:
        with self.state.lock:
            user = self.state.system_users.get(user_id)
        if user is None:
            raise fg.no_such_object(self.call.method, user_id)
        self._need_business_management()
        return user

    def _count(self) -> None:
        with self.state.lock:
            self.state.writes.append(f"POST /{'/'.join(self.call.segments)}")

    # -- writes -----------------------------------------------------------------------------------

    def _create_system_user(self, business_id: str) -> Reply:
        self._business(business_id)
        self._write()
        name, role = self.call.params.get("name", "").strip(), self.call.params.get("role", "")
        if not name:
            raise fg.bad_parameter("The parameter name is required")
        if role not in ("EMPLOYEE", "ADMIN"):
            raise fg.bad_parameter("Param role must be one of {EMPLOYEE, ADMIN}")
        if self.admin.user_limit:  # [Unverified] wording and code: Meta's pages name no code
            raise fg.bad_parameter("The business has reached the maximum number of system users")
        with self.state.lock:
            user_id = self.state.new_id()
            self.state.system_users[user_id] = {"name": name, "role": role}
        self._count()
        return fg.json_reply({"id": user_id})

    def _install(self, user_id: str) -> Reply:
        self._system_user(user_id)
        self._write()
        if self.call.params.get("business_app") != fg.APP_ID:
            raise fg.bad_parameter("Param business_app must be a valid app id")
        if not self.admin.owns_app:  # [Unverified] wording
            raise fg.bad_parameter("The system user and the app must belong to the same business")
        if not self.admin.app_installable:  # [Unverified] wording
            raise fg.fail(
                400,
                3,
                "(#3) Application does not have the capability to make this "
                "API call: only apps with standard access can be installed",
            )
        with self.state.lock:
            self.state.installed.setdefault(user_id, set()).add(fg.APP_ID)
        self._count()
        return fg.json_reply({"success": True})

    def _assigned_users(self, waba_id: str) -> Reply:
        if waba_id not in self.admin.accounts:
            raise fg.no_such_object("GET", waba_id)
        if not self.call.params.get("business"):
            raise fg.bad_parameter("The parameter business is required")
        self._business(self.call.params["business"])
        with self.state.lock:
            users = dict(self.state.assigned.get(waba_id, {}))
            names = {i: u["name"] for i, u in self.state.system_users.items()}
        rows = [{"id": ADMIN_USER_ID, "name": ADMIN_NAME, "tasks": ["MANAGE"]}]
        rows += [{"id": i, "name": names.get(i, ""), "tasks": list(t)} for i, t in users.items()]
        return fg.json_reply({"data": rows})

    def _assign(self, waba_id: str) -> Reply:
        if waba_id not in self.admin.accounts:
            raise fg.no_such_object("POST", waba_id)
        self._need_business_management()
        self._write()
        user_id = self.call.params.get("user", "")
        self._system_user(user_id)
        tasks = _tasks(self.call.params.get("tasks", ""))
        if not tasks or not set(tasks) <= {
            "MANAGE",
            "DEVELOP",
            "MANAGE_TEMPLATES",
            "MANAGE_PHONE",
            "VIEW_COST",
            "MANAGE_EXTENSIONS",
            "VIEW_PHONE_ASSETS",
            "MANAGE_PHONE_ASSETS",
            "VIEW_TEMPLATES",
            "MESSAGING",
            "VIEW_INSIGHTS",
        }:
            raise fg.bad_parameter("Param tasks must be a non-empty list of valid tasks")
        with self.state.lock:
            self.state.assigned.setdefault(waba_id, {})[user_id] = tasks
        self._count()
        return fg.json_reply({"success": True})

    def _generate(self, user_id: str) -> Reply:
        self._system_user(user_id)
        self._write()
        params = self.call.params
        expected = hmac.new(
            fg.APP_SECRET.encode(), (self.call.token or "").encode(), hashlib.sha256
        ).hexdigest()
        if not hmac.compare_digest(params.get("appsecret_proof", ""), expected):
            raise fg.GraphFailure(
                fg.error_reply(
                    400,
                    100,
                    "Invalid appsecret_proof provided in the API argument",
                    kind="GraphMethodException",
                )
            )
        if params.get("business_app") != fg.APP_ID:
            raise fg.bad_parameter("Param business_app must be a valid app id")
        with self.state.lock:
            installed = fg.APP_ID in self.state.installed.get(user_id, set())
        if not installed:  # [Unverified] wording; Meta's page: the app must be installed first
            raise fg.bad_parameter("The system user has not installed the app")
        scopes = tuple(s.strip() for s in params.get("scope", "").split(",") if s.strip())
        if not scopes or not set(scopes) <= ALLOWED_SCOPES:
            raise fg.fail(
                400,
                3962,
                "(#3962) Provided permission is not valid. Check your spelling and syntax.",
            )
        return fg.json_reply(
            {
                "access_token": self._mint(
                    user_id, scopes, params.get("set_token_expires_in_60_days") == "true"
                )
            }
        )

    def _mint(self, user_id: str, scopes: tuple[str, ...], sixty_days: bool) -> str:
        """A new token that reaches what is assigned now, registered with fake_graph."""
        with self.state.lock:
            reach = tuple(
                w for w, users in self.state.assigned.items() if "MANAGE" in users.get(user_id, ())
            )
            seed = f"{user_id}:{len(self.state.minted)}:{','.join(scopes)}:{reach}"
            token = MINTED_PREFIX + hashlib.sha256(seed.encode()).hexdigest()[:48]
            self.state.minted.append(token)
        self._count()
        scenario = fg.Scenario(
            token_type="SYSTEM_USER",
            user_id=user_id,
            scopes=scopes,
            target_ids=reach,
            issued_ago=0,
            expires_in=60 * fg.DAY if sixty_days else 0,
        )
        self.server.mint(token, scenario)  # the same server, and no other, now recognises it
        return token


def _tasks(raw: str) -> tuple[str, ...]:
    """`['MANAGE']` (Meta's example), a JSON list, or a comma-separated list."""
    text = raw.strip()
    try:
        value = json.loads(text.replace("'", '"')) if text.startswith("[") else text.split(",")
    except ValueError:
        return ()
    return tuple(str(t).strip() for t in value if str(t).strip()) if isinstance(value, list) else ()
