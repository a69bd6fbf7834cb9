"""Parsing what Graph says about sending and receiving: health, webhook subscriptions, callbacks
(and the callback chain computed from them when Graph leaves a number's out)."""

from __future__ import annotations

import dataclasses
from typing import Any

from wizard.core.graph.models import (
    AppSubscription,
    BusinessAccount,
    Health,
    HealthError,
    SubscribedApp,
    WebhookConfiguration,
    assembled,
)

TEXT_LIMIT = 1000
"""Meta's health texts are a sentence or two; anything longer is cut here (a 100 kB answer)."""
MAX_ROWS = 100
"""At most this many health errors, subscribed apps or subscriptions are kept per object."""


def parse_health(value: object) -> Health | None:
    """A `health_status` object: the overall verdict and every entity's errors (most entities
    have none: only those with `errors` or `additional_info` are read further)."""
    if not isinstance(value, dict):
        return None
    entities = value.get("entities")
    errors: list[HealthError] = []
    for entity in entities[:MAX_ROWS] if type(entities) is list else ():
        if type(entity) is dict and ("errors" in entity or "additional_info" in entity):
            errors += _entity_errors(entity)
    verdict = value.get("can_send_message")
    verdict = verdict if type(verdict) is str and len(verdict) < TEXT_LIMIT else _text(verdict)
    return assembled(Health, {"can_send_message": verdict, "errors": tuple(errors[:MAX_ROWS])})


def _entity_errors(entity: dict[str, Any]) -> list[HealthError]:
    """One entity's errors, then its additional_info as errors without a code."""
    infos = _list(entity.get("additional_info"))[:MAX_ROWS]
    rows = [*_rows(entity.get("errors")), *({"error_description": i} for i in infos)]
    return [_health_error(entity, row) for row in rows]


def _health_error(entity: dict[str, Any], error: dict[str, Any]) -> HealthError:
    return HealthError(
        entity_type=_text(entity.get("entity_type")),
        entity_id=_text(entity.get("id")),
        code=_text(error.get("error_code")),
        description=_text(error.get("error_description")),
        solution=_text(error.get("possible_solution")),
    )


def parse_webhook_configuration(value: object) -> WebhookConfiguration | None:
    """A phone number's `webhook_configuration` (each level's callback URL, when set)."""
    if not isinstance(value, dict):
        return None
    return WebhookConfiguration(
        phone_number=_text(value.get("phone_number")),
        whatsapp_business_account=_text(value.get("whatsapp_business_account")),
        application=_text(value.get("application")),
    )


def parse_subscribed_apps(value: object) -> tuple[SubscribedApp, ...] | None:
    """The `subscribed_apps` edge (expanded, `{data: [...]}`), or None when absent."""
    if isinstance(value, dict):
        value = value.get("data")
    if not isinstance(value, list):
        return None
    apps = []
    for row in _rows(value):
        data = row.get("whatsapp_business_api_data")
        data = data if isinstance(data, dict) else {}
        apps.append(
            SubscribedApp(
                id=_text(data.get("id")),
                name=_text(data.get("name")),
                override_callback_uri=_text(row.get("override_callback_uri")),
            )
        )
    return tuple(apps)


def parse_app_subscriptions(body: dict[str, Any]) -> tuple[AppSubscription, ...]:
    """`GET /{app-id}/subscriptions`: each object's callback URL, state and fields."""
    subscriptions = []
    for row in _rows(body.get("data")):
        names = [
            _text(f.get("name")) if isinstance(f, dict) else _text(f)
            for f in _list(row.get("fields"))
        ]
        subscriptions.append(
            AppSubscription(
                object=_text(row.get("object")),
                callback_url=_text(row.get("callback_url")),
                active=row.get("active") is not False,
                fields=tuple(n for n in names[:MAX_ROWS] if n),
            )
        )
    return tuple(subscriptions)


def messaging_limit(row: dict[str, Any]) -> str | None:
    """The number's messaging limit: the v24 field, else the older tier (a string either way)."""
    for name in ("whatsapp_business_manager_messaging_limit", "messaging_limit_tier"):
        value = row.get(name)
        if isinstance(value, dict):  # [Unverified] shape: an object with a tier or a limit
            value = value.get("current_limit", value.get("tier", value.get("limit")))
        if value is not None and not isinstance(value, (list, dict, bool)):
            return _text(value)
    return None


def _rows(value: object) -> list[dict[str, Any]]:
    return [row for row in _list(value)[:MAX_ROWS] if isinstance(row, dict)]


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: object) -> str | None:
    """A Graph string or number as text, bounded; None for anything else."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    text = str(value)
    return text if len(text) <= TEXT_LIMIT else text[: TEXT_LIMIT - 1] + "…"


WHATSAPP_OBJECT = "whatsapp_business_account"
"""The object of an app's WhatsApp webhooks in `GET /{app-id}/subscriptions`."""


def with_computed_chains(
    accounts: tuple[BusinessAccount, ...],
    app_id: str | None,
    app_subscriptions: tuple[AppSubscription, ...] | None,
) -> tuple[BusinessAccount, ...]:
    """The accounts, each number Graph sent no `webhook_configuration` for given the chain
    computed from what is known (`computed_chain`); Graph's own chains are kept."""
    return tuple(_with_chains(account, app_id, app_subscriptions) for account in accounts)


def _with_chains(
    account: BusinessAccount,
    app_id: str | None,
    app_subscriptions: tuple[AppSubscription, ...] | None,
) -> BusinessAccount:
    if all(number.webhook is not None for number in account.phone_numbers):
        return account
    chain = computed_chain(account, app_id, app_subscriptions)
    if chain is None:
        return account
    numbers = tuple(
        number if number.webhook is not None else dataclasses.replace(number, webhook=chain)
        for number in account.phone_numbers
    )
    return dataclasses.replace(account, phone_numbers=numbers)


def computed_chain(
    account: BusinessAccount,
    app_id: str | None,
    app_subscriptions: tuple[AppSubscription, ...] | None,
) -> WebhookConfiguration | None:
    """Where Meta sends an account's numbers' `messages` webhooks, as far as the account's
    subscription of the token's app (its `override_callback_uri`) and the app's active
    WhatsApp callback say; None when the app is not known to be subscribed (Meta then sends
    it nothing) or neither level is known."""
    ours = next((a for a in account.subscribed_apps or () if app_id and a.id == app_id), None)
    if ours is None:
        return None
    callbacks = (
        s.callback_url
        for s in app_subscriptions or ()
        if s.object == WHATSAPP_OBJECT and s.active and s.callback_url
    )
    application = next(callbacks, None)
    if not (ours.override_callback_uri or application):
        return None
    return WebhookConfiguration(
        whatsapp_business_account=ours.override_callback_uri,
        application=application,
        computed=True,
    )
