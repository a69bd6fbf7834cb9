"""provision's vocabulary: the step kinds and states, the problems and their texts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wizard.core.business_api import (
    ROLE_ADMIN,
    ROLE_EMPLOYEE,
)
from wizard.core.codes import ProblemCode, Source
from wizard.core.flow import Step

PROVISIONED = Source.PROVISIONED
"""The check's `source` for a token wa-token has just generated."""

DEFAULT_SYSTEM_USER = "wa-token"
"""The System User's name unless `--system-user` says otherwise."""

BUSINESS_MANAGEMENT = "business_management"
"""The permission the admin token needs for every call of the plan."""

ADMIN_NOT_STORED = "The admin token was used only for these calls; it was not stored anywhere."

TWO_FACTOR = (415, 2859009)
"""Graph's code and subcode for "two-factor authentication required" on a business."""

MAX_NAME_LENGTH = 100
"""A System User name longer than this is refused before anything is sent."""


class Expiry(StrEnum):
    """How long the generated token lives."""

    NEVER = "never"
    """Never expires: nothing to renew; if it leaks it works until revoked."""
    SIXTY_DAYS = "60d"
    """Expires after 60 days (`set_token_expires_in_60_days`): generate a new one before then."""


EXPIRY_WORDS = {
    Expiry.NEVER: "Never (nothing to renew; if it leaks, it works until you revoke it)",
    Expiry.SIXTY_DAYS: "60 days (safer if it leaks; generate a new one before it expires: "
    "`wa-token check` warns 7 days ahead)",
}


class Role(StrEnum):
    """The System User's role in the business; Employee unless asked."""

    EMPLOYEE = "employee"
    ADMIN = "admin"

    @property
    def graph_value(self) -> str:
        """The value Graph's `role` parameter takes."""
        return ROLE_ADMIN if self is Role.ADMIN else ROLE_EMPLOYEE


class StepKind(StrEnum):
    """The steps of the plan, in order."""

    CREATE_SYSTEM_USER = "create_system_user"
    INSTALL_APP = "install_app"
    ASSIGN_ACCOUNT = "assign_account"
    GENERATE_TOKEN = "generate_token"
    CHECK_TOKEN = "check_token"
    STORE_TOKEN = "store_token"

    @property
    def changes_meta(self) -> bool:
        """True for the steps whose call changes something at Meta (check and store are local)."""
        return self in _CHANGES_META


_CHANGES_META = frozenset(
    {
        StepKind.CREATE_SYSTEM_USER,
        StepKind.INSTALL_APP,
        StepKind.ASSIGN_ACCOUNT,
        StepKind.GENERATE_TOKEN,
    }
)


class StepState(StrEnum):
    """Where a step stands."""

    TO_DO = "to_do"
    """Planned: it will change something at Meta or locally."""
    ALREADY_DONE = "already_done"
    """Found already done: reused, nothing is sent."""
    DONE = "done"
    FAILED = "failed"
    NOT_RUN = "not_run"
    """Not reached because an earlier step failed."""


class ProvisionProblem(StrEnum):
    """Why provisioning stopped; each ends at a manual step of the wizard."""

    ADMIN_TOKEN_INVALID = "admin_token_invalid"
    ADMIN_TOKEN_EXPIRED = "admin_token_expired"
    NO_BUSINESS_MANAGEMENT = "no_business_management"
    NOT_BUSINESS_ADMIN = "not_business_admin"
    TWO_FACTOR_REQUIRED = "two_factor_required"
    SYSTEM_USER_LIMIT = "system_user_limit"
    APP_NOT_INSTALLABLE = "app_not_installable"
    BUSINESS_NOT_APP_OWNER = "business_not_app_owner"
    NO_BUSINESS = "no_business"
    NO_WHATSAPP_ACCOUNT = ProblemCode.NO_WHATSAPP_ACCOUNT
    REFUSED = "refused"
    """Another refusal by Meta: its message is shown."""
    GRAPH_UNAVAILABLE = "graph_unavailable"
    """Network, timeout, 5xx or rate limit: not the user's fault, try again (exit 4)."""
    CHECK_FAILED = "check_failed"
    """The generated token failed the check, so it was not stored."""
    STORE_FAILED = "store_failed"
    """The token could not be stored (exit 5)."""


@dataclass(frozen=True)
class ProblemText:
    """What a refusal means and what to do."""

    title: str
    fix: str
    manual_step: Step | None
    """The wizard's instruction step to finish by hand (None: nothing to do by hand)."""


PROBLEM_TEXTS: dict[ProvisionProblem, ProblemText] = {
    ProvisionProblem.ADMIN_TOKEN_INVALID: ProblemText(
        "The admin token is not valid",
        "Get a fresh one in Graph API Explorer (https://developers.facebook.com/tools/explorer/): "
        "choose your app, tick business_management, whatsapp_business_management and "
        "whatsapp_business_messaging, click Generate Access Token; then run this again.",
        Step.CREATE,
    ),
    ProvisionProblem.ADMIN_TOKEN_EXPIRED: ProblemText(
        "The admin token has expired",
        "Explorer tokens last about an hour: generate a new one (Graph API Explorer → your app "
        "→ the three permissions → Generate Access Token) and run this again.",
        Step.CREATE,
    ),
    ProvisionProblem.NO_BUSINESS_MANAGEMENT: ProblemText(
        "The admin token lacks business_management",
        "In Graph API Explorer tick business_management (besides the two WhatsApp permissions), "
        "click Generate Access Token again, and run this again.",
        Step.CREATE,
    ),
    ProvisionProblem.NOT_BUSINESS_ADMIN: ProblemText(
        "The admin token's person is not an admin of the business",
        "Only a business admin can create System Users and assign assets. Ask an admin of the "
        "business (Business Settings → Users → People) to run this, or to make you an admin.",
        Step.CREATE,
    ),
    ProvisionProblem.TWO_FACTOR_REQUIRED: ProblemText(
        "The business requires two-factor authentication",
        "Open Business Settings in a browser and pass the two-factor check when asked (turn it "
        "on for your Facebook account first if needed), then generate a new admin token and "
        "run this again, or finish this step by hand below.",
        None,
    ),
    ProvisionProblem.SYSTEM_USER_LIMIT: ProblemText(
        "The business has reached its limit of System Users",
        "Reuse an existing System User (`--system-user NAME`) or remove one you no longer use "
        "(Business Settings → Users → System Users).",
        Step.CREATE,
    ),
    ProvisionProblem.APP_NOT_INSTALLABLE: ProblemText(
        "Meta does not allow this app to be installed for a System User",
        "Meta installs only apps with at least standard access; assign the app by hand below "
        "(Assign Assets → Apps), or check the app's access level in the App Dashboard.",
        Step.ASSIGN,
    ),
    ProvisionProblem.BUSINESS_NOT_APP_OWNER: ProblemText(
        "The business does not own this app",
        "A System User can be given an app only when the app belongs to the same business: "
        "App Dashboard → your app → App settings → Advanced → Business (or Business Settings → "
        "Accounts → Apps → Add), then run this again.",
        Step.ASSIGN,
    ),
    ProvisionProblem.NO_BUSINESS: ProblemText(
        "The admin token sees no business",
        "The person behind the admin token must be in a business portfolio that owns the "
        "WhatsApp account (Business Settings → Business info).",
        Step.CREATE,
    ),
    ProvisionProblem.NO_WHATSAPP_ACCOUNT: ProblemText(
        "The business has no WhatsApp Business Account",
        "Add WhatsApp to your app (App Dashboard → Add product → WhatsApp), or choose the "
        "business that owns the account with --business-id.",
        Step.ASSIGN,
    ),
    ProvisionProblem.REFUSED: ProblemText(
        "Meta refused the call",
        "Meta's message above says why; finish this step by hand below.",
        None,
    ),
    ProvisionProblem.GRAPH_UNAVAILABLE: ProblemText(
        "The Graph API could not be used",
        "This is not your token's fault: run the same command again in a minute; what is done "
        "is found and reused.",
        None,
    ),
    ProvisionProblem.CHECK_FAILED: ProblemText(
        "The generated token did not pass the check, so it was not stored",
        "The check above says what is wrong; fix it by hand below and paste the token with "
        "`wa-token save`.",
        None,
    ),
    ProvisionProblem.STORE_FAILED: ProblemText(
        "The token could not be stored",
        "Fix the storage problem above and run this again (`--to env` writes the .env file).",
        None,
    ),
}

STEP_MANUAL: dict[StepKind, Step] = {
    StepKind.CREATE_SYSTEM_USER: Step.CREATE,
    StepKind.INSTALL_APP: Step.ASSIGN,
    StepKind.ASSIGN_ACCOUNT: Step.ASSIGN,
    StepKind.GENERATE_TOKEN: Step.GENERATE,
    StepKind.CHECK_TOKEN: Step.CHECK,
    StepKind.STORE_TOKEN: Step.STORE,
}
"""The wizard's instruction step each automated step replaces."""
