"""The frozen dataclasses that Graph answers are parsed into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from wizard.core.errors import GraphApiError
from wizard.core.token import SecretToken

_Model = TypeVar("_Model")


def assembled(model: type[_Model], fields: dict[str, Any]) -> _Model:
    """An instance of the frozen dataclass `model` from all its fields at once. Its __init__
    sets them one object.__setattr__ call at a time, which is most of the cost of reading 600
    phone numbers; this sets them in one update. `fields` names every field, and only those
    (the parsers that use it are tested equal to the __init__ they stand for)."""
    instance = object.__new__(model)
    instance.__dict__.update(fields)
    return instance


@dataclass(frozen=True)
class GranularScope:
    """One permission and the assets it is limited to."""

    scope: str
    """The permission, such as whatsapp_business_messaging."""
    target_ids: tuple[str, ...] | None
    """The asset ids the grant is limited to; None when it is not limited to particular assets."""


@dataclass(frozen=True)
class DebugError:
    """Why debug_token says a token is not valid (its `data.error`)."""

    code: int
    subcode: int | None
    message: str


@dataclass(frozen=True)
class TokenInfo:
    """What `debug_token` says about a token."""

    is_valid: bool
    type: str | None
    """USER, PAGE, APP or SYSTEM_USER."""
    app_id: str | None
    application: str | None
    user_id: str | None
    expires_at: datetime | None
    """None when the token never expires (Graph sends 0)."""
    issued_at: datetime | None
    data_access_expires_at: datetime | None
    scopes: tuple[str, ...]
    granular_scopes: tuple[GranularScope, ...]
    error: DebugError | None = None


@dataclass(frozen=True)
class NamedNode:
    """A Graph object known by its id and name: who the token acts as, a business portfolio,
    an app, a WhatsApp Business Account."""

    id: str
    name: str | None


Me = NamedNode
"""Who the token acts as (`/me`; for a System User token, the system user)."""
Business = NamedNode
"""A business portfolio the token can see."""


@dataclass(frozen=True)
class HealthError:
    """One reason Meta's health verdict gives for LIMITED or BLOCKED, on one entity."""

    entity_type: str | None
    """PHONE_NUMBER, WABA, BUSINESS, APP or MESSAGE_TEMPLATE."""
    entity_id: str | None
    code: str | None
    """Meta's `error_code`, such as 141000 (a number not registered)."""
    description: str | None
    solution: str | None
    """Meta's `possible_solution`."""


@dataclass(frozen=True)
class Health:
    """Meta's messaging health verdict (`health_status`) of an account or a phone number."""

    can_send_message: str | None
    """AVAILABLE, LIMITED or BLOCKED (the overall verdict of every entity involved)."""
    errors: tuple[HealthError, ...] = ()

    @property
    def blocked(self) -> bool:
        """Meta says nothing can be sent through this entity."""
        return (self.can_send_message or "").upper() == "BLOCKED"

    @property
    def limited(self) -> bool:
        """Meta says sending works with a limitation."""
        return (self.can_send_message or "").upper() == "LIMITED"


@dataclass(frozen=True)
class WebhookConfiguration:
    """A phone number's `webhook_configuration`: the callback URLs set at each level."""

    phone_number: str | None = None
    """The number's own override (the first Meta tries)."""
    whatsapp_business_account: str | None = None
    """The account's override (`override_callback_uri` of the subscription)."""
    application: str | None = None
    """The app's callback URL (App Dashboard → WhatsApp → Configuration)."""
    computed: bool = False
    """Graph left the field out: built from the account's subscription of the app (its
    `override_callback_uri`) and the app's `/subscriptions` callback; the number's own
    override cannot be seen that way."""

    @property
    def effective(self) -> tuple[str, str] | None:
        """The URL Meta calls for this number's messages, and the level it is set on."""
        for level in ("phone_number", "whatsapp_business_account", "application"):
            url = getattr(self, level)
            if url:
                return url, level
        return None


@dataclass(frozen=True)
class SubscribedApp:
    """An app subscribed to a WABA's webhooks (`subscribed_apps`), with its override if any."""

    id: str | None
    name: str | None = None
    override_callback_uri: str | None = None


@dataclass(frozen=True)
class AppSubscription:
    """One object of an app's webhook configuration (`GET /{app-id}/subscriptions`)."""

    object: str | None
    callback_url: str | None
    active: bool
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class PhoneNumber:
    """A WhatsApp phone number of a business account; Graph omits fields that do not apply."""

    id: str
    display_phone_number: str | None = None
    verified_name: str | None = None
    quality_rating: str | None = None
    code_verification_status: str | None = None
    platform_type: str | None = None
    throughput_level: str | None = None
    name_status: str | None = None
    status: str | None = None
    health: Health | None = None
    """Meta's health verdict for sending through this number; None when Graph sent none."""
    webhook: WebhookConfiguration | None = None
    messaging_limit: str | None = None
    """whatsapp_business_manager_messaging_limit (v24 on), else messaging_limit_tier."""


@dataclass(frozen=True)
class BusinessAccount:
    """A WhatsApp Business Account (WABA) and its phone numbers."""

    id: str
    name: str | None = None
    currency: str | None = None
    timezone_id: str | None = None
    account_review_status: str | None = None
    phone_numbers: tuple[PhoneNumber, ...] = ()
    health: Health | None = None
    subscribed_apps: tuple[SubscribedApp, ...] | None = None
    """Apps subscribed to its webhooks; None when Graph did not say (not read, or refused)."""


@dataclass(frozen=True)
class SentMessage:
    """Graph accepted a message (accepted is not delivered: delivery is reported by webhook)."""

    message_id: str
    """The `wamid.…` id of the message."""
    wa_id: str | None
    """The recipient's WhatsApp id, as Graph resolved the number."""
    message_status: str | None
    """`accepted` on newer Graph versions; often absent."""


@dataclass(frozen=True)
class AccountDiscovery:
    """The WABA ids a token reaches, and why the business listing was refused, if it was."""

    ids: tuple[str, ...]
    listing_refused: GraphApiError | None = None
    """Graph's refusal to list the businesses or their accounts (no business_management)."""


@dataclass(frozen=True)
class ExchangedToken:
    """The long-lived token `oauth/access_token` gave for a short-lived one."""

    token: SecretToken
    token_type: str | None
    expires_in: int | None
    """Seconds until it expires (about 60 days); Graph may leave it out."""
