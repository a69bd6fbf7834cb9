"""The Business Management calls `wa-token provision` makes, on top of GraphClient's request helper.

Sources (Meta's pages, read for issue 14):
- "Create, Retrieve and Update a System User": `GET/POST /{business-id}/system_users`.
- "Install Apps, Generate, Refresh, and Revoke Tokens": `POST /{system-user-id}/applications`
  (`business_app`), `POST /{system-user-id}/access_tokens` (`business_app`, `scope`,
  `appsecret_proof`, `set_token_expires_in_60_days`).
- WhatsApp "Manage System Users": `POST /{waba-id}/assigned_users` (`user`, `tasks=['MANAGE']`);
  the WABA "Assigned Users" reference: `GET /{waba-id}/assigned_users?business=…`.

Every id is checked to be digits before it reaches a path; the admin token travels in the
Authorization header; the app secret never leaves this machine (only its HMAC does, in a form body).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

from wizard.core.errors import GraphBadResponse
from wizard.core.graph import GraphClient, models
from wizard.core.token import SecretToken, format_problem

MANAGE_TASK = "MANAGE"
"""The WhatsApp account task that gives full control (messaging and management)."""

ROLE_EMPLOYEE, ROLE_ADMIN = "EMPLOYEE", "ADMIN"
"""The two base roles a System User can have."""

NamedNode = models.NamedNode
"""An app or a WhatsApp Business Account: its id and name."""

_GRAPH_ID = re.compile(r"[0-9]{1,32}")  # ASCII only: \d also matches other scripts


@dataclass(frozen=True)
class SystemUser:
    """A System User of a business."""

    id: str
    name: str | None
    role: str | None


@dataclass(frozen=True)
class Assignment:
    """A user assigned to a WhatsApp Business Account, with its tasks."""

    user_id: str
    tasks: tuple[str, ...]


def graph_id(value: str, what: str) -> str:
    """`value` when it is a Graph id (digits only), else ValueError (never part of a URL)."""
    if not isinstance(value, str) or not _GRAPH_ID.fullmatch(value):
        raise ValueError(f"{what} must be digits only")
    return value


def appsecret_proof(app_secret: SecretToken, token: SecretToken) -> str:
    """HMAC-SHA256 of the calling token keyed with the app secret, as hex (Meta's Login Security)."""
    key, message = app_secret.reveal().encode(), token.reveal().encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


class BusinessApi:
    """The business-management questions and writes, asked with an admin's token."""

    def __init__(self, client: GraphClient) -> None:
        self.client = client
        """The Graph client whose request helper sends every call."""

    def system_users(self, admin: SecretToken, business_id: str) -> tuple[SystemUser, ...]:
        """`GET /{business-id}/system_users`: every System User with its role."""
        path = f"{graph_id(business_id, 'business id')}/system_users"
        rows = self.client._collect(path, admin, {"fields": "id,name,role"})
        return tuple(
            SystemUser(str(r["id"]), _text(r.get("name")), _text(r.get("role")))
            for r in rows
            if _is_id(r.get("id"))
        )

    def create_system_user(self, admin: SecretToken, business_id: str, name: str, role: str) -> str:
        """`POST /{business-id}/system_users` with `name` and `role`; returns the new id."""
        path = f"{graph_id(business_id, 'business id')}/system_users"
        body = self._post(path, admin, {"name": name, "role": role})
        return _id_of(body, "system_users")

    def owned_apps(self, admin: SecretToken, business_id: str) -> tuple[NamedNode, ...]:
        """`GET /{business-id}/owned_apps`: the apps the business owns (for the app's name)."""
        path = f"{graph_id(business_id, 'business id')}/owned_apps"
        rows = self.client._collect(path, admin, {"fields": "id,name"})
        return tuple(
            NamedNode(str(r["id"]), _text(r.get("name"))) for r in rows if _is_id(r.get("id"))
        )

    def installed_apps(self, admin: SecretToken, system_user_id: str) -> tuple[str, ...]:
        """`GET /{system-user-id}/applications`: the ids of the apps installed for it."""
        path = f"{graph_id(system_user_id, 'system user id')}/applications"
        rows = self.client._collect(path, admin, {"fields": "id,name"})
        return tuple(str(r["id"]) for r in rows if _is_id(r.get("id")))

    def install_app(self, admin: SecretToken, system_user_id: str, app_id: str) -> None:
        """`POST /{system-user-id}/applications` with `business_app`; Meta answers true."""
        path = f"{graph_id(system_user_id, 'system user id')}/applications"
        body = self._post(path, admin, {"business_app": graph_id(app_id, "app id")})
        _require_success(body, "applications")

    def whatsapp_accounts(self, admin: SecretToken, business_id: str) -> tuple[NamedNode, ...]:
        """Owned, then client WhatsApp Business Accounts of the business, each once."""
        business = graph_id(business_id, "business id")
        found: dict[str, NamedNode] = {}
        for edge in ("owned_whatsapp_business_accounts", "client_whatsapp_business_accounts"):
            rows = self.client._collect(f"{business}/{edge}", admin, {"fields": "id,name"})
            for row in rows:
                if _is_id(row.get("id")):
                    found.setdefault(
                        str(row["id"]), NamedNode(str(row["id"]), _text(row.get("name")))
                    )
        return tuple(found.values())

    def assigned_users(
        self, admin: SecretToken, waba_id: str, business_id: str
    ) -> tuple[Assignment, ...]:
        """`GET /{waba-id}/assigned_users?business=…`: who may act on the account, with tasks."""
        path = f"{graph_id(waba_id, 'WhatsApp account id')}/assigned_users"
        params = {"business": graph_id(business_id, "business id"), "fields": "id,name,tasks"}
        rows = self.client._collect(path, admin, params)
        return tuple(
            Assignment(str(r["id"]), tuple(str(t) for t in _list(r.get("tasks"))))
            for r in rows
            if _is_id(r.get("id"))
        )

    def assign_user(self, admin: SecretToken, waba_id: str, user_id: str) -> None:
        """`POST /{waba-id}/assigned_users` with `user` and `tasks=['MANAGE']`."""
        path = f"{graph_id(waba_id, 'WhatsApp account id')}/assigned_users"
        form = {"user": graph_id(user_id, "system user id"), "tasks": json.dumps([MANAGE_TASK])}
        _require_success(self._post(path, admin, form), "assigned_users")

    def generate_token(
        self,
        admin: SecretToken,
        system_user_id: str,
        *,
        app_id: str,
        app_secret: SecretToken,
        scopes: tuple[str, ...],
        expires_in_60_days: bool,
    ) -> SecretToken:
        """`POST /{system-user-id}/access_tokens`; never retried (each call mints a token)."""
        path = f"{graph_id(system_user_id, 'system user id')}/access_tokens"
        form = {
            "business_app": graph_id(app_id, "app id"),
            "scope": ",".join(scopes),
            "appsecret_proof": appsecret_proof(app_secret, admin),
        }
        if expires_in_60_days:
            form["set_token_expires_in_60_days"] = "true"
        body = self.client._call(
            "POST", path, admin, form=form, scrub=(app_secret,), retryable=_never
        )
        value = body.get("access_token")
        if not isinstance(value, str) or format_problem(value):
            raise GraphBadResponse(
                "The Graph API sent an answer without a usable token (HTTP 200) for access_tokens.",
                status=200,
                fix="Try again in a minute, or generate it by hand.",
            )
        return SecretToken(value)

    def _post(self, path: str, admin: SecretToken, form: dict[str, str]) -> dict[str, Any]:
        """A write: a form body, never retried (a lost answer must not make a duplicate)."""
        return self.client._call("POST", path, admin, form=form, retryable=_never)


def _never(err: object) -> bool:
    return False


def _require_success(body: dict[str, Any], edge: str) -> None:
    if body.get("success") is True or body.get("result") is True:
        return
    raise GraphBadResponse(
        f"The Graph API did not confirm the change (HTTP 200) for {edge}.",
        status=200,
        fix="Check in Business Settings, then run it again.",
    )


def _id_of(body: dict[str, Any], edge: str) -> str:
    value = body.get("id")
    if not _is_id(value):
        raise GraphBadResponse(
            f"The Graph API sent no usable id (HTTP 200) for {edge}.",
            status=200,
            fix="Check in Business Settings, then run it again.",
        )
    return str(value)


def _is_id(value: object) -> bool:
    return (
        isinstance(value, (str, int))
        and not isinstance(value, bool)
        and bool(_GRAPH_ID.fullmatch(str(value)))
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []
