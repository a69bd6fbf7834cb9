"""provision's plan: the request, finding the business and accounts, the steps to take."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import httpx

from wizard.core.business_api import (
    BusinessApi,
    NamedNode,
    SystemUser,
    graph_id,
)
from wizard.core.codes import StoreTarget
from wizard.core.errors import (
    GraphError,
)
from wizard.core.flow import Step
from wizard.core.graph import WHATSAPP_SCOPES, GraphClient
from wizard.core.provision.refusals import ProvisionRefused, _digits, _stop, clean, refusal_for
from wizard.core.provision.steps import (
    BUSINESS_MANAGEMENT,
    DEFAULT_SYSTEM_USER,
    MAX_NAME_LENGTH,
    STEP_MANUAL,
    Expiry,
    ProvisionProblem,
    Role,
    StepKind,
    StepState,
)
from wizard.core.settings import Settings
from wizard.core.token import SecretToken


@dataclass(frozen=True)
class Request:
    """What the user asked for."""

    app_id: str
    app_secret: SecretToken | None = dataclasses.field(default=None, repr=False)
    """Needed only to carry the plan out (the token call's appsecret_proof); never sent."""
    system_user: str = DEFAULT_SYSTEM_USER
    role: Role = Role.EMPLOYEE
    expires: Expiry = Expiry.NEVER
    target: StoreTarget = StoreTarget.ENV
    """Where to store the token: env or keyring."""

    @property
    def expires_label(self) -> str:
        """ "Never" or "60 days"."""
        return "Never" if self.expires is Expiry.NEVER else "60 days"


@dataclass(frozen=True)
class PlannedStep:
    """One step of the plan, in words, with its call and the manual step it replaces."""

    kind: StepKind
    words: str
    """E.g. "create System User 'wa-token' (Employee) in Acme Ltd"."""
    call: str
    """The Graph call, ids filled in, no secret: "POST /506914307656634/system_users"."""
    state: StepState
    target_id: str | None = None
    """The WhatsApp account of an assign step."""

    @property
    def manual_step(self) -> Step:
        """The wizard's instruction step that does this by hand."""
        return STEP_MANUAL[self.kind]


@dataclass(frozen=True)
class Plan:
    """Everything that will happen, decided from reads only."""

    business: NamedNode
    accounts: tuple[NamedNode, ...]
    app: NamedNode
    app_owned: bool
    """The business lists the app among its owned apps."""
    system_user: SystemUser | None
    """The existing System User of that name, or None when it will be created."""
    request: Request
    steps: tuple[PlannedStep, ...]

    @property
    def writes_at_meta(self) -> int:
        """How many calls will change something at Meta."""
        return sum(1 for s in self.steps if s.kind.changes_meta and s.state is StepState.TO_DO)


@dataclass(frozen=True)
class StepResult:
    """A step as it ended."""

    step: PlannedStep
    state: StepState
    detail: str = ""


# -- finding the business and its accounts --------------------------------------------------------


def _client(settings: Settings, transport: httpx.BaseTransport | None) -> GraphClient:
    return GraphClient(
        settings.graph_url, settings.graph_version, transport=transport, timeout=settings.timeout
    )


def find_businesses(
    settings: Settings,
    admin: SecretToken,
    *,
    transport: httpx.BaseTransport | None = None,
) -> tuple[NamedNode, ...]:
    """Check the admin token (alive, business_management), then the businesses it sees.

    `/me/permissions` rather than debug_token: the admin token then never appears in a URL.
    """
    with _client(settings, transport) as client:
        call = "GET /me/permissions"
        try:
            granted = client.granted_permissions(admin)
        except GraphError as err:
            raise ProvisionRefused(refusal_for(err, call, None)) from None
        if BUSINESS_MANAGEMENT not in granted:
            raise ProvisionRefused(
                _stop(
                    ProvisionProblem.NO_BUSINESS_MANAGEMENT,
                    call,
                    "business_management is not among the admin token's granted permissions.",
                )
            )
        call = "GET /me/businesses"
        try:
            found = client.businesses(admin)
        except GraphError as err:
            raise ProvisionRefused(refusal_for(err, call, None, reading_business=True)) from None
    rows = tuple(NamedNode(b.id, b.name) for b in found if _digits(b.id))
    if not rows:
        raise ProvisionRefused(
            _stop(ProvisionProblem.NO_BUSINESS, call, "GET /me/businesses listed no business.")
        )
    return rows


def find_accounts(
    settings: Settings,
    admin: SecretToken,
    business_id: str,
    *,
    transport: httpx.BaseTransport | None = None,
) -> tuple[NamedNode, ...]:
    """The business's owned and client WhatsApp Business Accounts."""
    graph_id(business_id, "--business-id")
    call = f"GET /{business_id}/owned_whatsapp_business_accounts"
    with _client(settings, transport) as client:
        try:
            accounts = BusinessApi(client).whatsapp_accounts(admin, business_id)
        except GraphError as err:
            raise ProvisionRefused(refusal_for(err, call, None, reading_business=True)) from None
    if not accounts:
        raise ProvisionRefused(
            _stop(
                ProvisionProblem.NO_WHATSAPP_ACCOUNT,
                call,
                "The business lists no WhatsApp Business Account.",
            )
        )
    return accounts


# -- the plan -------------------------------------------------------------------------------------


def make_plan(
    settings: Settings,
    admin: SecretToken,
    request: Request,
    business: NamedNode,
    accounts: tuple[NamedNode, ...],
    *,
    existing: SecretToken | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Plan:
    """Read what exists (System User, installed app, assignments, the stored token): no writes."""
    check_request(request)
    with _client(settings, transport) as client:
        api = BusinessApi(client)
        call = f"GET /{business.id}/system_users"
        try:
            users = api.system_users(admin, business.id)
            call = f"GET /{business.id}/owned_apps"
            apps = api.owned_apps(admin, business.id)
            user = next((u for u in users if u.name == request.system_user), None)
            installed: tuple[str, ...] = ()
            assigned: set[str] = set()
            if user is not None:
                call = f"GET /{user.id}/applications"
                installed = api.installed_apps(admin, user.id)
                for account in accounts:
                    call = f"GET /{account.id}/assigned_users"
                    rows = api.assigned_users(admin, account.id, business.id)
                    if any(r.user_id == user.id and "MANAGE" in r.tasks for r in rows):
                        assigned.add(account.id)
            reusable = False
            if user is not None and existing is not None:
                reusable = _token_still_fits(client, existing, user.id, request, accounts)
        except GraphError as err:
            raise ProvisionRefused(refusal_for(err, call, None)) from None
    app = next((a for a in apps if a.id == request.app_id), NamedNode(request.app_id, None))
    steps = _steps(business, accounts, app, user, request, installed, assigned, reusable)
    return Plan(
        business, accounts, app, any(a.id == request.app_id for a in apps), user, request, steps
    )


def check_request(request: Request) -> None:
    """Refuse a request that cannot be right before anything is sent (ValueError)."""
    graph_id(request.app_id, "the app id")
    name = request.system_user
    if not name.strip() or len(name) > MAX_NAME_LENGTH or not name.isprintable():
        raise ValueError(
            f"the System User name must be 1 to {MAX_NAME_LENGTH} printable characters"
        )
    if request.target not in tuple(StoreTarget):
        raise ValueError("the store must be env or keyring")


def _token_still_fits(
    client: GraphClient,
    token: SecretToken,
    user_id: str,
    request: Request,
    accounts: tuple[NamedNode, ...],
) -> bool:
    """The stored token already is this System User's, for this app, both scopes, these accounts."""
    try:
        info = client.debug_token(token)
    except GraphError:
        return False
    if not info.is_valid or info.user_id != user_id or info.app_id != request.app_id:
        return False
    if not set(WHATSAPP_SCOPES) <= set(info.scopes):
        return False
    if (info.expires_at is None) != (request.expires is Expiry.NEVER):
        return False
    wanted = {a.id for a in accounts}
    for grant in info.granular_scopes:
        if (
            grant.scope in WHATSAPP_SCOPES
            and grant.target_ids is not None
            and not wanted <= set(grant.target_ids)
        ):
            return False
    return True


def _steps(
    business: NamedNode,
    accounts: tuple[NamedNode, ...],
    app: NamedNode,
    user: SystemUser | None,
    request: Request,
    installed: tuple[str, ...],
    assigned: set[str],
    reusable: bool,
) -> tuple[PlannedStep, ...]:
    todo, already = StepState.TO_DO, StepState.ALREADY_DONE
    name, role = request.system_user, request.role.value.capitalize()
    su_ref = user.id if user else "{new-system-user-id}"
    steps = [
        PlannedStep(
            StepKind.CREATE_SYSTEM_USER,
            f"create System User '{name}' ({role}) in {describe(business)}"
            if user is None
            else f"reuse System User '{name}' ({(user.role or role).capitalize()}) in {describe(business)}",
            f"POST /{business.id}/system_users",
            todo if user is None else already,
        )
    ]
    steps.append(
        PlannedStep(
            StepKind.INSTALL_APP,
            f"install app {describe(app, quoted=True)} for it",
            f"POST /{su_ref}/applications",
            already if request.app_id in installed else todo,
        )
    )
    for account in accounts:
        steps.append(
            PlannedStep(
                StepKind.ASSIGN_ACCOUNT,
                f"give it MANAGE on WhatsApp account {describe(account, quoted=True, short=True)}",
                f"POST /{account.id}/assigned_users",
                already if account.id in assigned else todo,
                target_id=account.id,
            )
        )
    scopes = " and ".join(sorted(WHATSAPP_SCOPES, reverse=True))
    steps.append(
        PlannedStep(
            StepKind.GENERATE_TOKEN,
            f"generate a token with {scopes}, expiry {request.expires_label}"
            if not reusable
            else "keep the stored token: it already is this System User's, with both permissions",
            f"POST /{su_ref}/access_tokens",
            already if reusable else todo,
        )
    )
    steps.append(
        PlannedStep(
            StepKind.CHECK_TOKEN,
            "check the token (the full `wa-token check`)",
            "GET /debug_token, /me, the accounts and numbers",
            todo,
        )
    )
    where = "the OS keyring" if request.target == StoreTarget.KEYRING else "the .env file"
    steps.append(
        PlannedStep(
            StepKind.STORE_TOKEN,
            f"store it in {where} if the check passes",
            "(local)",
            already if reusable else todo,
        )
    )
    return tuple(steps)


def describe(node: NamedNode, *, quoted: bool = False, short: bool = False) -> str:
    """ "Acme Ltd", "'Acme' (1029…)" or the bare id when the name is unknown."""
    shown_id = f"{node.id[:4]}…" if short and len(node.id) > 6 else node.id
    if not node.name:
        return shown_id
    name = clean(node.name)
    name = f"'{name}'" if quoted else name
    return f"{name} ({shown_id})" if short else name
