"""Every code wa-token prints or returns: problems, warnings, sources, store targets, exit codes."""

from __future__ import annotations

from enum import IntEnum, StrEnum


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
    WRONG_APP_SECRET = "wrong_app_secret"
    """extend and refresh only: Graph rejected the app secret of the exchange."""
    GRAPH_UNREACHABLE = "graph_unreachable"
    GRAPH_ERROR = "graph_error"
    RATE_LIMITED = "rate_limited"
    # send-test only (graph-api.md §5)
    RECIPIENT_NOT_ALLOWED = "recipient_not_allowed"
    TEMPLATE_MISSING = "template_missing"
    NUMBER_NOT_REGISTERED = "number_not_registered"
    ACCOUNT_LOCKED = "account_locked"
    REENGAGEMENT_REQUIRED = "reengagement_required"
    MESSAGE_UNDELIVERABLE = "message_undeliverable"
    # extend and refresh only
    EXCHANGE_REFUSED = "exchange_refused"
    CANNOT_EXCHANGE = "cannot_exchange"


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
    # what wa-token sees on this machine
    ROTATION_DUE = "rotation_due"
    EXTRA_PERMISSIONS = "extra_permissions"
    SHADOWED = "shadowed"
    ENV_TRACKED_BY_GIT = "env_tracked_by_git"
    ENV_NOT_GITIGNORED = "env_not_gitignored"
    ENV_WORLD_READABLE = "env_world_readable"
    PLAINTEXT_STORAGE = "plaintext_storage"


class Source(StrEnum):
    """Where a token was found, in the contract's order (the JSON `source` values)."""

    STDIN = "stdin"
    ENVIRONMENT = "environment"
    DOTENV = "dotenv"
    KEYRING = "keyring"
    PROVISIONED = "provisioned"
    """A token `provision` has just generated, checked before it is stored."""
    PASTED = "pasted"
    """A token pasted into the wizard, checked before it is stored."""


class StoreTarget(StrEnum):
    """Where a token can be saved (`--store env|keyring`)."""

    ENV = "env"
    KEYRING = "keyring"


class ExitCode(IntEnum):
    """The contract's exit codes, the one definition."""

    OK = 0
    PROBLEM = 1
    """The token's fault: a problem found, or a refusal."""
    USAGE = 2
    NO_TOKEN = 3
    GRAPH = 4
    """Graph's side: unreachable, a server error, rate limited."""
    STORE = 5
    INTERRUPTED = 130


class DestinationKind(StrEnum):
    """Where `--push`, `--then` and `wa-token push` send a stored token (issue 21)."""

    GITHUB = "github"
    """A GitHub Actions secret, set through GitHub's REST API (a libsodium sealed box)."""
    HOOK = "hook"
    """A command of the user's (`--then CMD`), given the token on its standard input."""
    ENV = "env"
    KEYRING = "keyring"


class PushState(StrEnum):
    """How a push to one destination ended (`status` shows the last one)."""

    OK = "ok"
    FAILED = "failed"
    PENDING = "pending"
    """Started and not finished (the process was killed): `wa-token push` finishes it."""
