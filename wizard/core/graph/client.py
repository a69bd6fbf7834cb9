"""The Graph client: one method per question wa-token asks Graph."""

from __future__ import annotations

from wizard.core.graph.accounts import AccountReads
from wizard.core.graph.constants import HELLO_WORLD, HELLO_WORLD_LANGUAGE
from wizard.core.graph.models import AppSubscription, ExchangedToken, Me, SentMessage, TokenInfo
from wizard.core.graph.parsing import (
    _int,
    _is_retryable_exchange,
    _never_retry,
    _opt_str,
    _unexpected,
    parse_token_info,
)
from wizard.core.graph.readiness import parse_app_subscriptions
from wizard.core.token import SecretToken, format_problem
from wizard.core.untrusted import (
    require_graph_id,
)


class GraphClient(AccountReads):
    """One method per question wa-token asks Graph; the token goes in the Authorization header."""

    def debug_token(self, token: SecretToken, *, app_token: SecretToken | None = None) -> TokenInfo:
        """Inspect `token`, as itself or, when given, with the app token `APP_ID|APP_SECRET`."""
        body = self._call(
            "GET",
            "debug_token",
            app_token or token,
            params={"input_token": token.reveal()},
            scrub=(token,),
        )
        data = body.get("data")
        if not isinstance(data, dict):
            raise _unexpected("debug_token", 200)
        return parse_token_info(data)

    def me(self, token: SecretToken) -> Me:
        """The user or system user the token acts as."""
        body = self._call("GET", "me", token, params={"fields": "id,name"})
        return Me(id=str(body.get("id", "")), name=_opt_str(body.get("name")))

    def app_subscriptions(self, app_token: SecretToken, app_id: str) -> tuple[AppSubscription, ...]:
        """The app's webhook configuration (`GET /{app-id}/subscriptions`, with the app token)."""
        app_id = require_graph_id(app_id, "app id")
        return parse_app_subscriptions(self._call("GET", f"{app_id}/subscriptions", app_token))

    def granted_permissions(self, token: SecretToken) -> tuple[str, ...]:
        """Permissions from `/me/permissions` with status granted (a fallback to debug_token)."""
        rows = self._collect("me/permissions", token, {})
        return tuple(
            str(r["permission"]) for r in rows if r.get("status") == "granted" and "permission" in r
        )

    def send_template(
        self,
        token: SecretToken,
        phone_number_id: str,
        to: str,
        *,
        template: str = HELLO_WORLD,
        language: str = HELLO_WORLD_LANGUAGE,
    ) -> SentMessage:
        """Send a template message; never retried, so one call can never send it twice."""
        phone_number_id = require_graph_id(phone_number_id, "phone number id")
        message = {
            "messaging_product": "whatsapp",
            "to": to,
            "type": "template",
            "template": {"name": template, "language": {"code": language}},
        }
        body = self._call(
            "POST", f"{phone_number_id}/messages", token, json_body=message, retryable=_never_retry
        )
        messages, contacts = body.get("messages"), body.get("contacts")
        first = messages[0] if isinstance(messages, list) and messages else None
        if not isinstance(first, dict) or not first.get("id"):
            raise _unexpected("messages", 200)
        contact = contacts[0] if isinstance(contacts, list) and contacts else {}
        return SentMessage(
            message_id=str(first["id"]),
            wa_id=_opt_str(contact.get("wa_id")) if isinstance(contact, dict) else None,
            message_status=_opt_str(first.get("message_status")),
        )

    def exchange_token(
        self, token: SecretToken, *, app_id: str, app_secret: SecretToken
    ) -> ExchangedToken:
        """Trade a short-lived user token for a ~60-day one (graph-api.md §6a).

        A POST with a form body, so neither the token nor the app secret is in any URL, and
        no Authorization header: the app credentials are the caller.
        """
        return self._exchange(token, app_id, app_secret, {})

    def refresh_system_user_token(
        self, token: SecretToken, *, app_id: str, app_secret: SecretToken
    ) -> ExchangedToken:
        """Renew an expiring System User token for another 60 days.

        Meta's "Install Apps, Generate, Refresh, and Revoke Tokens" page: `oauth/access_token`
        with grant_type=fb_exchange_token, the app's id and secret, the current token and
        set_token_expires_in_60_days=true. Sent as a POST form, like exchange_token, so no
        secret is in any URL.
        """
        return self._exchange(token, app_id, app_secret, {"set_token_expires_in_60_days": "true"})

    def _exchange(
        self, token: SecretToken, app_id: str, app_secret: SecretToken, extra: dict[str, str]
    ) -> ExchangedToken:
        """One `oauth/access_token` exchange (POST form, no secret in a URL), `extra` fields added."""
        form = {
            "grant_type": "fb_exchange_token",
            "client_id": require_graph_id(app_id, "app_id"),
            "client_secret": app_secret.reveal(),
            "fb_exchange_token": token.reveal(),
            **extra,
        }
        body = self._call(
            "POST",
            "oauth/access_token",
            None,
            form=form,
            scrub=(token, app_secret),
            retryable=_is_retryable_exchange,
        )
        value = body.get("access_token")
        if not isinstance(value, str) or format_problem(value):
            raise _unexpected("access_token", 200)
        expires_in = _int(body.get("expires_in"), default=None)
        return ExchangedToken(
            SecretToken(value),
            _opt_str(body.get("token_type")),
            expires_in if expires_in and expires_in > 0 else None,
        )
