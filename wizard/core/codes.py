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
    # --all-profiles only: a profile that could not be checked as configured
    SETTING_INVALID = "setting_invalid"
    """A profile's setting (such as WHATSAPP_BUSINESS_ACCOUNT_ID_ACME) is not valid (exit 2)."""
    STORE_UNREADABLE = "store_unreadable"
    """A store above any token of the profile could not be read (exit 5)."""
    # register only (Meta's registration errors)
    PIN_MISMATCH = "pin_mismatch"
    """133005: the two-step verification PIN is not this number's."""
    REGISTRATION_LIMIT = "registration_limit"
    """133016: 10 registration attempts for this number in 72 hours."""
    TOO_MANY_PIN_GUESSES = "too_many_pin_guesses"
    """133007, 133008, 133009: too many (or too fast) PIN guesses; wait."""
    NUMBER_NEEDS_VERIFICATION = "number_needs_verification"
    """133006: the number must be verified again (SMS or voice code) before registering."""
    NUMBER_NOT_OWNED = "number_not_owned"
    """The number id is unknown to this token: another business owns it, or the id is wrong."""
    REGISTRATION_REFUSED = "registration_refused"
    """Any other refusal of the registration; Meta's words are shown."""
    # webhook-test only
    WEBHOOK_VERIFICATION_FAILED = "webhook_verification_failed"
    """The verification GET did not answer 200 with exactly the challenge."""
    WEBHOOK_NOTIFICATION_REFUSED = "webhook_notification_refused"
    """The correctly signed notification did not get a 2xx."""
    WEBHOOK_UNREACHABLE = "webhook_unreachable"
    """The endpoint could not be reached or did not answer in time (exit 4)."""


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
    # webhook-test only: the endpoint accepts forged calls
    WEBHOOK_ACCEPTS_WRONG_VERIFY_TOKEN = "webhook_accepts_wrong_verify_token"
    """The verification GET with a wrong verify token got the challenge back."""
    WEBHOOK_ACCEPTS_BAD_SIGNATURE = "webhook_accepts_bad_signature"
    """A notification with a wrong X-Hub-Signature-256 got a 2xx."""
    # ready to send and receive (issue 19): Meta's health verdict, webhooks, registration
    NUMBER_LIMITED = "number_limited"
    """Meta's health verdict for the number is LIMITED: it sends, with a limitation."""
    NUMBER_BLOCKED = "number_blocked"
    """Meta's health verdict for the number is BLOCKED: it cannot send."""
    ACCOUNT_LIMITED = "account_limited"
    ACCOUNT_BLOCKED = "account_blocked"
    """The account's health verdict, when no number's verdict already said it."""
    NUMBER_UNREGISTERED = "number_unregistered"
    """The number is not registered for the Cloud API (health error 141000, NOT_APPLICABLE)."""
    APP_NOT_SUBSCRIBED = "app_not_subscribed"
    """The token's app is not subscribed to the account's webhooks: nothing arrives."""
    WEBHOOK_CALLBACK_MISSING = "webhook_callback_missing"
    """The app has no whatsapp_business_account callback URL."""
    WEBHOOK_MESSAGES_MISSING = "webhook_messages_missing"
    """The app's whatsapp_business_account webhooks lack the `messages` field."""


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
    INTERNAL = 70
    """A bug in wa-token (EX_SOFTWARE): never 1, which tells a cron job the token is bad."""
    HUNG_UP = 129
    """Stopped by SIGHUP (128 + 1, the shell's convention) while a --then hook ran."""
    TERMINATED = 143
    """Stopped by SIGTERM (128 + 15) while a --then hook ran."""


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
