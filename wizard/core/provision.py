"""`provision`: from a business admin's token to a stored, checked System User token, by API.

The use case is a plan of steps. Each step names its Graph call, how wa-token finds out that it
was already done (so a second run reuses instead of duplicating), and the wizard's manual step it
replaces, which is where the user continues by hand when Meta refuses the call.

    find the business and its WhatsApp accounts       (reads only)
    plan: System User → app → MANAGE on each account → token → check → store
    carry out after a yes; stop at the first refusal and say what was already done

The admin token is used for these calls and then forgotten: it is never stored anywhere.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

import httpx

from wizard.core import keyring_store
from wizard.core.business_api import (
    ROLE_ADMIN,
    ROLE_EMPLOYEE,
    BusinessApi,
    NamedNode,
    SystemUser,
    graph_id,
)
from wizard.core.check import CheckReport, check_found_token
from wizard.core.codes import ExitCode, ProblemCode, StoreTarget
from wizard.core.errors import (
    GraphApiError,
    GraphError,
    StoreError,
    WaTokenError,
)
from wizard.core.flow import STEP_TEXTS, Step
from wizard.core.graph import WHATSAPP_SCOPES, GraphClient
from wizard.core.save import SaveOutcome, store_token, stored_token
from wizard.core.settings import Settings
from wizard.core.sources import FoundToken
from wizard.core.token import SecretToken

PROVISIONED = "provisioned"
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
        Step.CREATE),
    ProvisionProblem.ADMIN_TOKEN_EXPIRED: ProblemText(
        "The admin token has expired",
        "Explorer tokens last about an hour: generate a new one (Graph API Explorer → your app "
        "→ the three permissions → Generate Access Token) and run this again.",
        Step.CREATE),
    ProvisionProblem.NO_BUSINESS_MANAGEMENT: ProblemText(
        "The admin token lacks business_management",
        "In Graph API Explorer tick business_management (besides the two WhatsApp permissions), "
        "click Generate Access Token again, and run this again.",
        Step.CREATE),
    ProvisionProblem.NOT_BUSINESS_ADMIN: ProblemText(
        "The admin token's person is not an admin of the business",
        "Only a business admin can create System Users and assign assets. Ask an admin of the "
        "business (Business Settings → Users → People) to run this, or to make you an admin.",
        Step.CREATE),
    ProvisionProblem.TWO_FACTOR_REQUIRED: ProblemText(
        "The business requires two-factor authentication",
        "Open Business Settings in a browser and pass the two-factor check when asked (turn it "
        "on for your Facebook account first if needed), then generate a new admin token and "
        "run this again, or finish this step by hand below.",
        None),
    ProvisionProblem.SYSTEM_USER_LIMIT: ProblemText(
        "The business has reached its limit of System Users",
        "Reuse an existing System User (`--system-user NAME`) or remove one you no longer use "
        "(Business Settings → Users → System Users).",
        Step.CREATE),
    ProvisionProblem.APP_NOT_INSTALLABLE: ProblemText(
        "Meta does not allow this app to be installed for a System User",
        "Meta installs only apps with at least standard access; assign the app by hand below "
        "(Assign Assets → Apps), or check the app's access level in the App Dashboard.",
        Step.ASSIGN),
    ProvisionProblem.BUSINESS_NOT_APP_OWNER: ProblemText(
        "The business does not own this app",
        "A System User can be given an app only when the app belongs to the same business: "
        "App Dashboard → your app → App settings → Advanced → Business (or Business Settings → "
        "Accounts → Apps → Add), then run this again.",
        Step.ASSIGN),
    ProvisionProblem.NO_BUSINESS: ProblemText(
        "The admin token sees no business",
        "The person behind the admin token must be in a business portfolio that owns the "
        "WhatsApp account (Business Settings → Business info).",
        Step.CREATE),
    ProvisionProblem.NO_WHATSAPP_ACCOUNT: ProblemText(
        "The business has no WhatsApp Business Account",
        "Add WhatsApp to your app (App Dashboard → Add product → WhatsApp), or choose the "
        "business that owns the account with --business-id.",
        Step.ASSIGN),
    ProvisionProblem.REFUSED: ProblemText(
        "Meta refused the call",
        "Meta's message above says why; finish this step by hand below.", None),
    ProvisionProblem.GRAPH_UNAVAILABLE: ProblemText(
        "The Graph API could not be used",
        "This is not your token's fault: run the same command again in a minute; what is done "
        "is found and reused.", None),
    ProvisionProblem.CHECK_FAILED: ProblemText(
        "The generated token did not pass the check, so it was not stored",
        "The check above says what is wrong; fix it by hand below and paste the token with "
        "`wa-token save`.", None),
    ProvisionProblem.STORE_FAILED: ProblemText(
        "The token could not be stored",
        "Fix the storage problem above and run this again (`--to env` writes the .env file).",
        None),
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
        """"Never" or "60 days"."""
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
        meta = {StepKind.CREATE_SYSTEM_USER, StepKind.INSTALL_APP, StepKind.ASSIGN_ACCOUNT,
                StepKind.GENERATE_TOKEN}
        return sum(1 for s in self.steps if s.kind in meta and s.state is StepState.TO_DO)


@dataclass(frozen=True)
class StepResult:
    """A step as it ended."""

    step: PlannedStep
    state: StepState
    detail: str = ""


@dataclass(frozen=True)
class Refusal:
    """Why provisioning stopped: which call, what Meta said, and the manual step."""

    problem: ProvisionProblem
    call: str
    reason: str
    """What Graph said (code, subcode, message, support id), or why wa-token stopped."""
    manual_step: Step | None

    @property
    def title(self) -> str:
        """A few words naming the problem."""
        return PROBLEM_TEXTS[self.problem].title

    @property
    def fix(self) -> str:
        """The next thing to do."""
        return PROBLEM_TEXTS[self.problem].fix

    @property
    def manual_text(self) -> str:
        """The wizard's instructions for the manual step (markdown), or ""."""
        text = STEP_TEXTS.get(self.manual_step) if self.manual_step else None
        return f"{text.title}\n\n{text.body}" if text else ""

    @property
    def exit_code(self) -> int:
        """1 for what the user must fix, 4 when Graph was unavailable, 5 when storing failed."""
        if self.problem is ProvisionProblem.GRAPH_UNAVAILABLE:
            return ExitCode.GRAPH
        if self.problem is ProvisionProblem.STORE_FAILED:
            return ExitCode.STORE
        return ExitCode.PROBLEM


class ProvisionRefused(WaTokenError):
    """Raised before any write (finding the business, planning): nothing was done at Meta."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.reason, fix=refusal.fix, title=refusal.title)
        self.refusal = refusal


@dataclass(frozen=True)
class Outcome:
    """What `provision` did: each step's end, the check of the new token, where it went."""

    plan: Plan
    results: tuple[StepResult, ...]
    refusal: Refusal | None = None
    check: CheckReport | None = None
    saved: SaveOutcome | None = None
    token: SecretToken | None = dataclasses.field(default=None, repr=False)
    """The generated (or reused) token; only its mask is ever shown."""

    @property
    def ok(self) -> bool:
        """True when a checked token is stored."""
        return self.refusal is None and self.saved is not None

    @property
    def changed_at_meta(self) -> int:
        """How many calls changed something at Meta."""
        meta = {StepKind.CREATE_SYSTEM_USER, StepKind.INSTALL_APP, StepKind.ASSIGN_ACCOUNT,
                StepKind.GENERATE_TOKEN}
        return sum(1 for r in self.results if r.step.kind in meta and r.state is StepState.DONE)

    @property
    def done(self) -> tuple[StepResult, ...]:
        """The steps done or found done."""
        return tuple(r for r in self.results
                     if r.state in (StepState.DONE, StepState.ALREADY_DONE))

    @property
    def exit_code(self) -> int:
        """The contract's exit code."""
        if self.refusal is None:
            return ExitCode.OK
        if self.refusal.problem is ProvisionProblem.CHECK_FAILED and self.check is not None:
            return self.check.exit_code
        return self.refusal.exit_code


ProgressCallback = Callable[[PlannedStep, StepState], None]
"""Told when a step starts (TO_DO) and when it ends (DONE, ALREADY_DONE, FAILED)."""


# -- finding the business and its accounts --------------------------------------------------------

def _client(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> GraphClient:
    return GraphClient(settings.graph_url, settings.graph_version, transport=transport,
                       timeout=settings.timeout)


async def find_businesses(settings: Settings, admin: SecretToken, *,
                          transport: httpx.AsyncBaseTransport | None = None,
                          ) -> tuple[NamedNode, ...]:
    """Check the admin token (alive, business_management), then the businesses it sees.

    `/me/permissions` rather than debug_token: the admin token then never appears in a URL.
    """
    async with _client(settings, transport) as client:
        call = "GET /me/permissions"
        try:
            granted = await client.granted_permissions(admin)
        except GraphError as err:
            raise ProvisionRefused(refusal_for(err, call, None)) from None
        if BUSINESS_MANAGEMENT not in granted:
            raise ProvisionRefused(_stop(ProvisionProblem.NO_BUSINESS_MANAGEMENT, call,
                                         "business_management is not among the admin token's "
                                         "granted permissions."))
        call = "GET /me/businesses"
        try:
            found = await client.businesses(admin)
        except GraphError as err:
            raise ProvisionRefused(refusal_for(err, call, None, reading_business=True)) from None
    rows = tuple(NamedNode(b.id, b.name) for b in found if _digits(b.id))
    if not rows:
        raise ProvisionRefused(_stop(ProvisionProblem.NO_BUSINESS, call,
                                     "GET /me/businesses listed no business."))
    return rows


async def find_accounts(settings: Settings, admin: SecretToken, business_id: str, *,
                        transport: httpx.AsyncBaseTransport | None = None,
                        ) -> tuple[NamedNode, ...]:
    """The business's owned and client WhatsApp Business Accounts."""
    graph_id(business_id, "--business-id")
    call = f"GET /{business_id}/owned_whatsapp_business_accounts"
    async with _client(settings, transport) as client:
        try:
            accounts = await BusinessApi(client).whatsapp_accounts(admin, business_id)
        except GraphError as err:
            raise ProvisionRefused(refusal_for(err, call, None, reading_business=True)) from None
    if not accounts:
        raise ProvisionRefused(_stop(ProvisionProblem.NO_WHATSAPP_ACCOUNT, call,
                                     "The business lists no WhatsApp Business Account."))
    return accounts


# -- the plan -------------------------------------------------------------------------------------

async def make_plan(
    settings: Settings,
    admin: SecretToken,
    request: Request,
    business: NamedNode,
    accounts: tuple[NamedNode, ...],
    *,
    existing: SecretToken | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Plan:
    """Read what exists (System User, installed app, assignments, the stored token): no writes."""
    check_request(request)
    async with _client(settings, transport) as client:
        api = BusinessApi(client)
        call = f"GET /{business.id}/system_users"
        try:
            users = await api.system_users(admin, business.id)
            call = f"GET /{business.id}/owned_apps"
            apps = await api.owned_apps(admin, business.id)
            user = next((u for u in users if u.name == request.system_user), None)
            installed: tuple[str, ...] = ()
            assigned: set[str] = set()
            if user is not None:
                call = f"GET /{user.id}/applications"
                installed = await api.installed_apps(admin, user.id)
                for account in accounts:
                    call = f"GET /{account.id}/assigned_users"
                    rows = await api.assigned_users(admin, account.id, business.id)
                    if any(r.user_id == user.id and "MANAGE" in r.tasks for r in rows):
                        assigned.add(account.id)
            reusable = False
            if user is not None and existing is not None:
                reusable = await _token_still_fits(client, existing, user.id, request, accounts)
        except GraphError as err:
            raise ProvisionRefused(refusal_for(err, call, None)) from None
    app = next((a for a in apps if a.id == request.app_id), NamedNode(request.app_id, None))
    steps = _steps(business, accounts, app, user, request, installed, assigned, reusable)
    return Plan(business, accounts, app, any(a.id == request.app_id for a in apps), user,
                request, steps)


def check_request(request: Request) -> None:
    """Refuse a request that cannot be right before anything is sent (ValueError)."""
    graph_id(request.app_id, "the app id")
    name = request.system_user
    if not name.strip() or len(name) > MAX_NAME_LENGTH or not name.isprintable():
        raise ValueError(f"the System User name must be 1 to {MAX_NAME_LENGTH} printable "
                         "characters")
    if request.target not in tuple(StoreTarget):
        raise ValueError("the store must be env or keyring")


async def _token_still_fits(client: GraphClient, token: SecretToken, user_id: str,
                            request: Request, accounts: tuple[NamedNode, ...]) -> bool:
    """The stored token already is this System User's, for this app, both scopes, these accounts."""
    try:
        info = await client.debug_token(token)
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
        if grant.scope in WHATSAPP_SCOPES and grant.target_ids is not None \
                and not wanted <= set(grant.target_ids):
            return False
    return True


def _steps(business: NamedNode, accounts: tuple[NamedNode, ...], app: NamedNode,
           user: SystemUser | None, request: Request, installed: tuple[str, ...],
           assigned: set[str], reusable: bool) -> tuple[PlannedStep, ...]:
    todo, already = StepState.TO_DO, StepState.ALREADY_DONE
    name, role = request.system_user, request.role.value.capitalize()
    su_ref = user.id if user else "{new-system-user-id}"
    steps = [PlannedStep(
        StepKind.CREATE_SYSTEM_USER,
        f"create System User '{name}' ({role}) in {describe(business)}" if user is None else
        f"reuse System User '{name}' ({(user.role or role).capitalize()}) in {describe(business)}",
        f"POST /{business.id}/system_users", todo if user is None else already)]
    steps.append(PlannedStep(
        StepKind.INSTALL_APP, f"install app {describe(app, quoted=True)} for it",
        f"POST /{su_ref}/applications", already if request.app_id in installed else todo))
    for account in accounts:
        steps.append(PlannedStep(
            StepKind.ASSIGN_ACCOUNT,
            f"give it MANAGE on WhatsApp account {describe(account, quoted=True, short=True)}",
            f"POST /{account.id}/assigned_users",
            already if account.id in assigned else todo, target_id=account.id))
    scopes = " and ".join(sorted(WHATSAPP_SCOPES, reverse=True))
    steps.append(PlannedStep(
        StepKind.GENERATE_TOKEN,
        f"generate a token with {scopes}, expiry {request.expires_label}" if not reusable else
        "keep the stored token: it already is this System User's, with both permissions",
        f"POST /{su_ref}/access_tokens", already if reusable else todo))
    steps.append(PlannedStep(StepKind.CHECK_TOKEN, "check the token (the full `wa-token check`)",
                             "GET /debug_token, /me, the accounts and numbers", todo))
    where = "the OS keyring" if request.target == StoreTarget.KEYRING else "the .env file"
    steps.append(PlannedStep(StepKind.STORE_TOKEN, f"store it in {where} if the check passes",
                             "(local)", already if reusable else todo))
    return tuple(steps)


def describe(node: NamedNode, *, quoted: bool = False, short: bool = False) -> str:
    """"Acme Ltd", "'Acme' (1029…)" or the bare id when the name is unknown."""
    shown_id = f"{node.id[:4]}…" if short and len(node.id) > 6 else node.id
    if not node.name:
        return shown_id
    name = clean(node.name)
    name = f"'{name}'" if quoted else name
    return f"{name} ({shown_id})" if short else name


def clean(text: str, limit: int = 80) -> str:
    """Network text without control characters, at most `limit` characters."""
    return "".join(c for c in text if c.isprintable())[:limit]


# -- carrying it out ------------------------------------------------------------------------------

async def carry_out(
    settings: Settings,
    environ: Mapping[str, str],
    admin: SecretToken,
    plan: Plan,
    *,
    existing: SecretToken | None = None,
    on_progress: ProgressCallback | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Outcome:
    """Run the plan after the user's yes; stop at the first refusal."""
    run = _Run(settings, environ, admin, plan, existing, on_progress or _quiet, transport)
    return await run.go()


async def provision(
    settings: Settings,
    environ: Mapping[str, str],
    admin: SecretToken,
    request: Request,
    *,
    business_id: str | None = None,
    waba_id: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> Outcome:
    """The whole use case without questions: one business, its accounts (or the one asked for)."""
    businesses = await find_businesses(settings, admin, transport=transport)
    business = pick(businesses, business_id, "--business-id")
    accounts = await find_accounts(settings, admin, business.id, transport=transport)
    chosen = accounts if waba_id is None else (pick(accounts, waba_id, "--waba-id"),)
    existing = existing_token(settings, request.target)
    plan = await make_plan(settings, admin, request, business, chosen, existing=existing,
                           transport=transport)
    return await carry_out(settings, environ, admin, plan, existing=existing, transport=transport)


def pick(nodes: tuple[NamedNode, ...], wanted: str | None, flag: str) -> NamedNode:
    """The node with that id; or the only one; else ValueError naming the flag."""
    if wanted is not None:
        for node in nodes:
            if node.id == wanted:
                return node
        raise ValueError(f"{flag} {wanted} is not among those the admin token sees: "
                         + ", ".join(describe(n, short=False) + f" ({n.id})" for n in nodes))
    if len(nodes) == 1:
        return nodes[0]
    raise ValueError(f"there are {len(nodes)} to choose from; name one with {flag}")


def existing_token(settings: Settings, target: str) -> SecretToken | None:
    """The token already in the chosen store, if it can be read (else None: generate anew)."""
    try:
        return stored_token(target, settings.env_file, settings.profile)
    except StoreError:
        return None


def check_store_usable(target: str) -> None:
    """Raise StoreError before any write at Meta when the keyring cannot take the token."""
    if target == StoreTarget.KEYRING:
        status = keyring_store.keyring_status()
        if not status.available:
            raise StoreError("No working OS keyring here, so the token could not be kept.",
                             fix="Use `--to env`, or unlock/install a keyring, then run this "
                             "again.")


def _quiet(step: PlannedStep, state: StepState) -> None:
    """No progress to show."""


class _Run:
    """One execution of a plan."""

    def __init__(self, settings: Settings, environ: Mapping[str, str], admin: SecretToken,
                 plan: Plan, existing: SecretToken | None, on_progress: ProgressCallback,
                 transport: httpx.AsyncBaseTransport | None) -> None:
        # The check verifies the app id; the app secret travels only as appsecret_proof.
        self.settings = dataclasses.replace(settings, app_id=plan.request.app_id,
                                            app_secret=None)
        self.environ = environ
        self.admin = admin
        self.plan = plan
        self.existing = existing
        self.tell = on_progress
        self.transport = transport
        self.results: list[StepResult] = []
        self.user_id = plan.system_user.id if plan.system_user else None
        self.token: SecretToken | None = existing if self._reusing else None

    @property
    def _reusing(self) -> bool:
        return any(s.kind is StepKind.GENERATE_TOKEN and s.state is StepState.ALREADY_DONE
                   for s in self.plan.steps)

    async def go(self) -> Outcome:
        async with _client(self.settings, self.transport) as client:
            api = BusinessApi(client)
            for step in self.plan.steps:
                if step.kind in (StepKind.CHECK_TOKEN, StepKind.STORE_TOKEN):
                    break
                refusal = await self._meta_step(api, step)
                if refusal is not None:
                    return self._stopped(refusal)
        return await self._check_and_store()

    async def _meta_step(self, api: BusinessApi, step: PlannedStep) -> Refusal | None:
        if step.state is StepState.ALREADY_DONE:
            self._record(step, StepState.ALREADY_DONE)
            return None
        self.tell(step, StepState.TO_DO)
        call = self._call_of(step)
        try:
            await self._send(api, step)
        except GraphError as err:
            self._record(step, StepState.FAILED)
            return refusal_for(err, call, step.kind, app_owned=self.plan.app_owned)
        self._record(step, StepState.DONE)
        return None

    def _call_of(self, step: PlannedStep) -> str:
        return step.call.replace("{new-system-user-id}", self.user_id or "{new-system-user-id}")

    async def _send(self, api: BusinessApi, step: PlannedStep) -> None:
        request, admin = self.plan.request, self.admin
        if step.kind is StepKind.CREATE_SYSTEM_USER:
            self.user_id = await api.create_system_user(
                admin, self.plan.business.id, request.system_user, request.role.graph_value)
            return
        user_id = self.user_id or ""
        if step.kind is StepKind.INSTALL_APP:
            await api.install_app(admin, user_id, request.app_id)
        elif step.kind is StepKind.ASSIGN_ACCOUNT:
            await api.assign_user(admin, step.target_id or "", user_id)
        elif step.kind is StepKind.GENERATE_TOKEN:
            if request.app_secret is None:
                raise ValueError("the app secret is needed to generate the token")
            self.token = await api.generate_token(
                admin, user_id, app_id=request.app_id, app_secret=request.app_secret,
                scopes=WHATSAPP_SCOPES, expires_in_60_days=request.expires is Expiry.SIXTY_DAYS)

    async def _check_and_store(self) -> Outcome:
        check_step, store_step = self.plan.steps[-2], self.plan.steps[-1]
        token = self.token
        if token is None:  # pragma: no cover - the generate step always sets or reuses one
            raise AssertionError("no token after the generate step")
        self.tell(check_step, StepState.TO_DO)
        found = FoundToken(PROVISIONED, f"System User {self.user_id}", token)
        report = await check_found_token(found, self.settings, self.environ,
                                         transport=self.transport)
        if not report.ok:
            self._record(check_step, StepState.FAILED)
            reason = "; ".join(p.title for p in report.diagnosis.problems)
            refusal = Refusal(ProvisionProblem.CHECK_FAILED, "wa-token check", reason,
                              _manual_for_check(report))
            return self._stopped(refusal, report)
        self._record(check_step, StepState.DONE)
        if store_step.state is StepState.ALREADY_DONE:
            self._record(store_step, StepState.ALREADY_DONE)
            target = self.plan.request.target
            where = "the OS keyring" if target == StoreTarget.KEYRING else str(self.settings.env_file)
            saved = SaveOutcome(target, where, unchanged=True)
            return Outcome(self.plan, tuple(self.results), None, report, saved, token)
        self.tell(store_step, StepState.TO_DO)
        try:
            saved = await asyncio.to_thread(store_token, self.plan.request.target, token,
                                            self.settings.env_file, self.settings.profile)
        except StoreError as err:
            self._record(store_step, StepState.FAILED)
            refusal = Refusal(ProvisionProblem.STORE_FAILED, "store", err.message, None)
            return self._stopped(refusal, report)
        self._record(store_step, StepState.DONE)
        return Outcome(self.plan, tuple(self.results), None, report, saved, token)

    def _record(self, step: PlannedStep, state: StepState) -> None:
        self.results.append(StepResult(step, state))
        self.tell(step, state)

    def _stopped(self, refusal: Refusal, report: CheckReport | None = None) -> Outcome:
        ran = {id(r.step) for r in self.results}
        rest = [StepResult(s, StepState.NOT_RUN) for s in self.plan.steps if id(s) not in ran]
        return Outcome(self.plan, (*self.results, *rest), refusal, report, None, self.token)


def _manual_for_check(report: CheckReport) -> Step:
    from wizard.core.flow import STEP_FOR_PROBLEM

    for problem in report.diagnosis.problems:
        if problem.code in STEP_FOR_PROBLEM:
            return STEP_FOR_PROBLEM[problem.code]
    return Step.GENERATE


# -- refusals -------------------------------------------------------------------------------------

def refusal_for(err: GraphError, call: str, kind: StepKind | None, *, app_owned: bool = True,
                reading_business: bool = False) -> Refusal:
    """What a failed call means for the user, and where they continue by hand."""
    problem = classify(err, kind, app_owned=app_owned, reading_business=reading_business)
    manual = PROBLEM_TEXTS[problem].manual_step
    if kind is not None and (manual is None or problem in _STEP_DECIDES):
        manual = STEP_MANUAL[kind]
    return Refusal(problem, call, graph_reason(err), manual)


_STEP_DECIDES = frozenset({ProvisionProblem.NOT_BUSINESS_ADMIN,
                           ProvisionProblem.TWO_FACTOR_REQUIRED, ProvisionProblem.REFUSED,
                           ProvisionProblem.ADMIN_TOKEN_EXPIRED,
                           ProvisionProblem.ADMIN_TOKEN_INVALID})
"""Refusals whose manual step is the step that failed, not a fixed one."""


def classify(err: GraphError, kind: StepKind | None, *, app_owned: bool = True,
             reading_business: bool = False) -> ProvisionProblem:
    """A Graph failure of one step → the problem code (table in the README)."""
    if not isinstance(err, GraphApiError) or err.code in (1, 2, 4, 17, 32, 613, 80007) \
            or err.status >= 500 or err.is_transient:
        return ProvisionProblem.GRAPH_UNAVAILABLE
    if err.code == 190 or err.code == 102:
        return (ProvisionProblem.ADMIN_TOKEN_EXPIRED if err.subcode == 463
                else ProvisionProblem.ADMIN_TOKEN_INVALID)
    if (err.code, err.subcode) == TWO_FACTOR or err.code == TWO_FACTOR[0]:
        return ProvisionProblem.TWO_FACTOR_REQUIRED
    if reading_business and (err.code in (10, 200) or 200 < err.code < 300):
        return ProvisionProblem.NO_BUSINESS_MANAGEMENT
    if kind is StepKind.CREATE_SYSTEM_USER and err.code == 100 and err.subcode != 33:
        return ProvisionProblem.SYSTEM_USER_LIMIT
    if kind in (StepKind.INSTALL_APP, StepKind.GENERATE_TOKEN) and not app_owned \
            and err.code in (3, 10, 100, 200):
        return ProvisionProblem.BUSINESS_NOT_APP_OWNER
    if kind is StepKind.INSTALL_APP and err.code in (3, 100):
        return ProvisionProblem.APP_NOT_INSTALLABLE
    if err.code in (10, 200):
        return ProvisionProblem.NOT_BUSINESS_ADMIN
    return ProvisionProblem.REFUSED


def graph_reason(err: GraphError) -> str:
    """Graph's own words, stripped of control characters, with code and support id."""
    if isinstance(err, GraphApiError):
        code = f"code {err.code}" + (f"/{err.subcode}" if err.subcode else "")
        trace = f", support id {clean(err.fbtrace_id)}" if err.fbtrace_id else ""
        return f"{clean(err.message, 300)} ({code}{trace})"
    return clean(err.message, 300)


def _stop(problem: ProvisionProblem, call: str, reason: str) -> Refusal:
    return Refusal(problem, call, reason, PROBLEM_TEXTS[problem].manual_step)


def _digits(value: str) -> bool:
    try:
        graph_id(value, "id")
    except ValueError:
        return False
    return True


__all__ = [
    "ADMIN_NOT_STORED", "EXPIRY_WORDS", "Expiry", "Outcome", "Plan", "PlannedStep",
    "ProvisionProblem", "ProvisionRefused", "Refusal", "Request", "Role", "StepKind", "StepResult",
    "StepState", "carry_out", "check_store_usable", "existing_token", "find_accounts",
    "find_businesses", "make_plan", "pick", "provision",
]
