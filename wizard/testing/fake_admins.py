"""The fake business's admins: one scenario per admin token, and Meta's 2FA answer. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.testing import fake_graph as fg

ADMIN_USER_ID = "10215241773839999"
ADMIN_NAME = "Demo Admin"
BUSINESS_MANAGEMENT = "business_management"
ADMIN_SCOPES = (BUSINESS_MANAGEMENT, *fg.WHATSAPP_SCOPES)
ALLOWED_SCOPES = frozenset(
    {
        BUSINESS_MANAGEMENT,
        *fg.WHATSAPP_SCOPES,
        "ads_management",
        "ads_read",
        "catalog_management",
        "whatsapp_business_manage_events",
    }
)
"""Permissions a System User token may carry (an excerpt of Meta's supported list)."""
WRITE_EDGES = frozenset({"system_users", "applications", "assigned_users", "access_tokens"})
BUSINESS_EDGES = WRITE_EDGES | {"owned_apps"}
MINTED_PREFIX = "EAAFake0Minted0"

TWO_FACTOR_BODY = {
    "message": "Two factor authentication required. User have to enter a code from SMS or TOTP "
    "code generator to pass 2fac. This could happen when accessing a 2fac-protected "
    "asset like a page that is owned by a 2fac-protected business manager.",
    "type": "OAuthException",
    "code": 415,
    "error_subcode": 2859009,
    "is_transient": False,
    "error_user_title": "Two-factor authentication required",
    "error_user_msg": "To continue working in your account, please refresh this page to "
    "authenticate. Or navigate to the business settings page and authenticate "
    "when prompted.",
}
"""The body of facebook/facebook-java-business-sdk issue #437 (a real answer)."""


@dataclass(frozen=True)
class AdminScenario:
    """The person behind an admin token, and how Meta treats the business for them."""

    role: str = "ADMIN"
    scopes: tuple[str, ...] = ADMIN_SCOPES
    expired: bool = False
    two_factor: bool = False
    """The business requires 2FA and the session has not passed it: every write is 415."""
    user_limit: bool = False
    """The business has as many System Users as Meta allows."""
    app_installable: bool = True
    owns_app: bool = True
    accounts: tuple[str, ...] = (fg.WABA_A,)
    """The WhatsApp Business Accounts the business owns."""
    businesses: int = 1
    """How many businesses the person is in (the second one owns no WhatsApp account)."""


ADMIN_SCENARIOS: dict[str, AdminScenario] = {
    "admin": AdminScenario(),
    "employee": AdminScenario(role="EMPLOYEE"),
    "no_business_management": AdminScenario(scopes=fg.WHATSAPP_SCOPES),
    "two_factor": AdminScenario(two_factor=True),
    "user_limit": AdminScenario(user_limit=True),
    "app_not_installable": AdminScenario(app_installable=False),
    "not_app_owner": AdminScenario(owns_app=False),
    "expired": AdminScenario(expired=True),
    "two_accounts": AdminScenario(accounts=(fg.WABA_A, fg.WABA_B)),
    "two_businesses": AdminScenario(businesses=2),
}
SECOND_BUSINESS = {"id": "506914307656635", "name": "Acme Labs"}


def _admin_token(name: str, index: int) -> str:
    camel = "".join(part.capitalize() for part in name.split("_"))
    return f"EAAFake0Admin0{camel}0WaTokenDemo".ljust(56, "0") + f"Ad{index:02d}"


ADMIN_TOKENS = {name: _admin_token(name, i) for i, name in enumerate(ADMIN_SCENARIOS, 1)}
_ADMIN_BY_TOKEN = {token: ADMIN_SCENARIOS[name] for name, token in ADMIN_TOKENS.items()}
