"""The problem and warning codes of `wa-token check`, one enum each (the README tables list them)."""

from __future__ import annotations

from enum import StrEnum


class ProblemCode(StrEnum):
    """Codes that make `ok` false; each is a row of README's troubleshooting table."""

    TOKEN_MISSING = "token_missing"
    TOKEN_MALFORMED = "token_malformed"
    TOKEN_INVALID = "token_invalid"
    TOKEN_EXPIRED = "token_expired"
    TOKEN_REVOKED = "token_revoked"
    WRONG_TOKEN_TYPE = "wrong_token_type"
    """An app or page token: not a user or System User token."""
    MISSING_PERMISSION = "missing_permission"
    NO_WHATSAPP_ACCOUNT = "no_whatsapp_account"
    ACCOUNTS_NOT_LISTABLE = "accounts_not_listable"
    """WhatsApp grants not limited to accounts, and Graph refuses to list the business's accounts."""
    NO_PHONE_NUMBER = "no_phone_number"
    NO_SENDING_NUMBER = "no_sending_number"
    """Phone numbers exist, but none of them (or not the configured one) can send."""
    WRONG_APP = "wrong_app"
    APP_TOKEN_REQUIRED = "app_token_required"
    """debug_token wants an app token (or a developer of the app): the app credentials are missing."""
    GRAPH_UNREACHABLE = "graph_unreachable"
    GRAPH_ERROR = "graph_error"
    RATE_LIMITED = "rate_limited"


class WarningCode(StrEnum):
    """Codes that leave `ok` as it is."""

    TEMPORARY_TOKEN = "temporary_token"
    EXPIRES_SOON = "expires_soon"
    NUMBER_NOT_CONNECTED = "number_not_connected"
    """The number's status is DISCONNECTED, PENDING, BANNED, … (not CONNECTED)."""
    NUMBER_NOT_ON_CLOUD_API = "number_not_on_cloud_api"
    NUMBER_VERIFICATION_EXPIRED = "number_verification_expired"
    NUMBER_NAME_NOT_APPROVED = "number_name_not_approved"
    GRAPH_VERSION_ENDING = "graph_version_ending"
