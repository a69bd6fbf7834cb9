"""Turn what Graph and the local machine said about a token into problems and warnings with fixes."""

from __future__ import annotations

import re
import shlex
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from wizard.core.codes import ExitCode, ProblemCode, Source, WarningCode
from wizard.core.errors import GraphApiError, GraphBadResponse, GraphError, GraphUnreachable
from wizard.core.exits import GRAPH_SIDE, exit_code_for
from wizard.core.graph import (
    WHATSAPP_SCOPES,
    BusinessAccount,
    DebugError,
    Me,
    PhoneNumber,
    TokenInfo,
)
from wizard.core.profiles import DEFAULT, Profile
from wizard.core.versions import version_end

SYSTEM_USERS_URL = "https://business.facebook.com/settings/system-users"
WHATSAPP_ACCOUNTS_URL = "https://business.facebook.com/settings/whatsapp-business-accounts"
API_SETUP_URL = "https://developers.facebook.com/apps"
PHONE_NUMBERS_URL = "https://business.facebook.com/wa/manage/phone-numbers/"

STEP_CREATE = f"Business Settings → Users → System Users → Add ({SYSTEM_USERS_URL})"
STEP_ASSIGN = (
    "Business Settings → Users → System Users → your system user → Assign Assets: your app, and "
    "your WhatsApp account with Full control"
)
STEP_GENERATE = (
    "Business Settings → Users → System Users → your system user → Generate New Token: your app, "
    "tick whatsapp_business_messaging and whatsapp_business_management, expiry Never"
)
SAVE_AND_RESTART = "then `wa-token save` it and restart your backend server"
STEP_GENERATE_EXPIRING = (
    "Business Settings → Users → System Users → your system user → Generate New Token: your "
    "app, tick whatsapp_business_messaging and whatsapp_business_management, expiry Never or "
    "60 days"
)
PERMANENT_ROUTE = (
    "run `wa-token setup` (it walks you through it), or by hand (Meta's guide, Method 1): "
    f"1) {STEP_CREATE}; 2) Assign Assets: your app, and your WhatsApp account with Full control; "
    "3) Generate New Token: your app, tick whatsapp_business_messaging and "
    f"whatsapp_business_management, expiry Never; {SAVE_AND_RESTART}"
)

ROTATE_AFTER = timedelta(days=180)
HARMLESS_SCOPES = frozenset({"public_profile"})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, 80007, 80008, 130429, 131056})
SERVER_TROUBLE_CODES = frozenset({1, 2, 131000})

GRAPH_ERROR_PROBLEMS: dict[tuple[int, int | None], str] = {
    (190, None): ProblemCode.TOKEN_INVALID,
    (190, 463): ProblemCode.TOKEN_EXPIRED,
    (190, 467): ProblemCode.TOKEN_INVALID,
    (190, 458): ProblemCode.TOKEN_REVOKED,
    (190, 459): ProblemCode.TOKEN_REVOKED,
    (190, 460): ProblemCode.TOKEN_REVOKED,
    (190, 464): ProblemCode.TOKEN_REVOKED,
    (190, 466): ProblemCode.TOKEN_REVOKED,
    (190, 492): ProblemCode.TOKEN_REVOKED,
    (102, None): ProblemCode.TOKEN_INVALID,
    (10, None): ProblemCode.MISSING_PERMISSION,
    (131005, None): ProblemCode.MISSING_PERMISSION,
    (200, None): ProblemCode.NO_WHATSAPP_ACCOUNT,
    (100, 33): ProblemCode.NO_WHATSAPP_ACCOUNT,
    (100, None): ProblemCode.GRAPH_ERROR,
    (368, None): ProblemCode.GRAPH_ERROR,
    (131031, None): ProblemCode.GRAPH_ERROR,
    **{(code, None): ProblemCode.RATE_LIMITED for code in RATE_LIMIT_CODES},
    **{(code, None): ProblemCode.GRAPH_ERROR for code in SERVER_TROUBLE_CODES},
}
"""Graph (code, subcode) → problem code; (code, None) covers every other subcode of that code.
A subcode in this table wins; else ERROR_MESSAGE_PATTERNS is tried before the (code, None) row."""


@dataclass(frozen=True)
class MessagePattern:
    """A Graph error that only its message tells apart (real Graph often sends no subcode)."""

    code: int
    pattern: re.Pattern[str]
    problem: ProblemCode
    reason: str
    """Why, in words, for the finding's title."""


def _pattern(code: int, regex: str, problem: ProblemCode, reason: str) -> MessagePattern:
    return MessagePattern(code, re.compile(regex, re.IGNORECASE), problem, reason)


ERROR_MESSAGE_PATTERNS: tuple[MessagePattern, ...] = (
    _pattern(190, r"session has expired", ProblemCode.TOKEN_EXPIRED, "its session expired"),
    _pattern(190, r"changed (?:their|the|his|her) password", ProblemCode.TOKEN_REVOKED,
             "the session was invalidated: the password was changed, or Meta reset the session"),
    _pattern(190, r"session (?:has been|was) invalidated", ProblemCode.TOKEN_REVOKED,
             "the session was invalidated (a logout, a password change, or an explicit revoke)"),
    _pattern(190, r"logged out|has not authorized application", ProblemCode.TOKEN_REVOKED,
             "the person who made it logged out or removed the app"),
    _pattern(100, r"did not match the viewing app", ProblemCode.WRONG_APP,
             "the token belongs to another app than the app credentials used to inspect it"),
    _pattern(100, r"must provide an app access token", ProblemCode.APP_TOKEN_REQUIRED,
             "Graph inspects this token only with its app's credentials"),
)
"""Every Graph message wa-token reads, in one place (graph-payloads.json has the real texts)."""


def message_pattern(code: int, message: str) -> MessagePattern | None:
    """The first pattern of ERROR_MESSAGE_PATTERNS for this code that the message matches."""
    return next((p for p in ERROR_MESSAGE_PATTERNS
                 if p.code == code and p.pattern.search(message)), None)

# Aliases for wizard.ui and the CLI until they import ExitCode (issue 11: the lead removes them).
EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = ExitCode.OK, ExitCode.PROBLEM, ExitCode.USAGE
EXIT_NO_TOKEN, EXIT_GRAPH, EXIT_STORE = ExitCode.NO_TOKEN, ExitCode.GRAPH, ExitCode.STORE

REVOKED_REASONS = {
    458: "the app was removed from the Facebook account that made it",
    459: "the Facebook account that made it is checkpointed (log in at facebook.com to clear it)",
    460: "the session was invalidated: the password was changed, or Meta reset the session",
    464: "the Facebook account that made it is unconfirmed",
    466: "the session was invalidated explicitly (an API call revoked it)",
    492: "the person's role on the business or asset changed",
}


@dataclass(frozen=True)
class Finding:
    """One problem or warning: a stable code, what is wrong, and the concrete fix."""

    code: str
    title: str
    fix: str
    detail: str | None = None
    """What Graph said, with its support id, when Graph said something."""


@dataclass(frozen=True)
class Diagnosis:
    """Every problem (the token does not work) and warning (it works, but...) found."""

    problems: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the token works: no problem, warnings allowed."""
        return not self.problems

    @property
    def exit_code(self) -> ExitCode:
        """The contract's exit code: 0 ok, 3 no token, 1 the token's fault, 4 Graph's."""
        return exit_code_for(p.code for p in self.problems)


@dataclass(frozen=True)
class GraphFindings:
    """What the Graph API said about one token."""

    token_info: TokenInfo | None = None
    me: Me | None = None
    accounts: tuple[BusinessAccount, ...] = ()
    error: GraphError | None = None
    """The failure that stopped the check, if one did."""
    account_errors: tuple[tuple[str, GraphError], ...] = ()
    """Accounts that could not be read, with why."""
    listing_refused: GraphError | None = None
    """Graph refused to list the businesses' accounts (the token has no business_management)."""


@dataclass(frozen=True)
class LocalFacts:
    """What wa-token knows without Graph: where the token is, how it is stored, what is expected."""

    now: datetime
    token_found: bool = True
    format_problem: str | None = None
    source: str | None = None
    location: str | None = None
    warn_days: int = 7
    expected_app_id: str | None = None
    expected_account_id: str | None = None
    expected_phone_number_id: str | None = None
    shadowed: tuple[str, ...] = ()
    """Lower sources that hold a different token than the winning one."""
    env_in_git_work_tree: bool = False
    env_git_ignored: bool = False
    env_tracked_by_git: bool = False
    env_world_readable: bool = False
    keyring_available: bool = False
    profile: Profile = DEFAULT
    """The profile checked: its names appear in the texts (WHATSAPP_APP_ID_ACME, --profile)."""
    graph_version: str | None = None
    """The Graph API version in use, to warn when Meta retires it soon."""


def diagnose(graph: GraphFindings, local: LocalFacts) -> Diagnosis:
    """The whole diagnosis of one token; problems first, then warnings."""
    problems = _local_problems(local) or _graph_problems(graph, local)
    return Diagnosis(problems=tuple(problems), warnings=tuple(_warnings(graph, local)))


# -- problems ------------------------------------------------------------------------------------

def _local_problems(local: LocalFacts) -> list[Finding]:
    if not local.token_found:
        return [Finding(
            ProblemCode.TOKEN_MISSING,
            f"No token found: not on stdin, not in {local.profile.token_key}, not in "
            f"{local.location or '.env'}, not in the OS keyring.",
            f"Run `{command(local, 'setup')}` to create a permanent System User token, or paste "
            f"one with `{command(local, 'save')}` (it reads the token from standard input).",
        )]
    if local.format_problem:
        where = _where(local)
        return [Finding(
            ProblemCode.TOKEN_MALFORMED,
            f"The token {where} cannot be an access token: {local.format_problem}.",
            f"Correct the value {where}: it must be the token alone, starting with EAA, with no "
            "quotes, spaces, `Bearer ` or `KEY=` around it. Or paste it again with "
            "`wa-token save`, which cleans such wrapping.",
        )]
    return []


def _graph_problems(graph: GraphFindings, local: LocalFacts) -> list[Finding]:
    if graph.error is not None:
        return [problem_for_error(graph.error, local)]
    info = graph.token_info
    if info is None:
        return []
    if not info.is_valid:
        return [_invalid_token_problem(info.error, local)]
    if info.expires_at is not None and info.expires_at <= local.now:
        return [_expired(info.expires_at, None, info.type)]
    if info.type in NOT_USER_TYPES:
        return [_wrong_token_type(info)]
    problems = _permission_problems(info) + _app_problems(info, local)
    if WHATSAPP_SCOPES[0] in info.scopes:  # without management, no account can be read anyway
        problems += _account_problems(graph, local)
    return problems


def problem_for_error(err: GraphError, local: LocalFacts) -> Finding:
    """The finding for a Graph failure, through the one code table."""
    retry = "Check your connection and try again in a minute; this is not the token's fault."
    if isinstance(err, GraphUnreachable):
        return Finding(ProblemCode.GRAPH_UNREACHABLE, err.message, err.fix or retry)
    if isinstance(err, GraphBadResponse) or not isinstance(err, GraphApiError):
        return Finding(ProblemCode.GRAPH_ERROR, err.message, err.fix or retry)
    code = graph_error_code(err.code, err.subcode, err.status, err.message)
    detail = _graph_detail(err)
    if code == ProblemCode.RATE_LIMITED:
        return _rate_limited(err, detail)
    if code in (ProblemCode.TOKEN_INVALID, ProblemCode.TOKEN_EXPIRED, ProblemCode.TOKEN_REVOKED):
        found = _invalid_token_problem(DebugError(err.code, err.subcode, err.message), local)
        return Finding(found.code, found.title, found.fix, detail)
    if code == ProblemCode.WRONG_APP:
        return _inspected_by_other_app(local, detail)
    if code == ProblemCode.APP_TOKEN_REQUIRED:
        return _app_token_required(local, detail)
    if code == ProblemCode.MISSING_PERMISSION:
        return Finding(code, "Graph refused the call: the token lacks a permission it needs.",
                       _permission_fix(WHATSAPP_SCOPES), detail)
    if code == ProblemCode.NO_WHATSAPP_ACCOUNT:
        return _no_account("Graph refused to show the WhatsApp Business Account to this token.",
                           detail)
    if err.code in SERVER_TROUBLE_CODES or err.status >= 500:
        return Finding(ProblemCode.GRAPH_ERROR,
                       f"The Graph API had a temporary server error (HTTP {err.status}).",
                       "Try again in a minute; this is not the token's fault. If it persists, "
                       "check https://metastatus.com and quote the fbtrace_id to Meta.", detail)
    return Finding(ProblemCode.GRAPH_ERROR, "The Graph API refused the request.",
                   "Check Business Support Home "
                   "(https://business.facebook.com/business-support-home) for restrictions on "
                   "the account; quote the fbtrace_id to Meta if it is unclear.", detail)


def graph_error_code(code: int, subcode: int | None, status: int = 400, message: str = "") -> str:
    """Map a Graph error to a problem code: GRAPH_ERROR_PROBLEMS, then ERROR_MESSAGE_PATTERNS."""
    exact = GRAPH_ERROR_PROBLEMS.get((code, subcode)) if subcode is not None else None
    if exact:
        return exact
    pattern = message_pattern(code, message)
    if pattern is not None:
        return pattern.problem
    found = GRAPH_ERROR_PROBLEMS.get((code, None))
    if found:
        return found
    if 200 <= code < 300:
        return ProblemCode.MISSING_PERMISSION
    return ProblemCode.GRAPH_ERROR


def _invalid_token_problem(error: DebugError | None, local: LocalFacts) -> Finding:
    code = (graph_error_code(error.code, error.subcode, message=error.message) if error
            else ProblemCode.TOKEN_INVALID)
    if code == ProblemCode.TOKEN_EXPIRED:
        return _expired(None, error.message if error else None)
    reason = _revoked_reason(error) if code == ProblemCode.TOKEN_REVOKED and error else None
    if reason:
        return Finding(
            ProblemCode.TOKEN_REVOKED,
            f"The token was revoked: {reason}.",
            "Generate a new token. A System User token is not tied to a person's password or "
            f"session, so this cannot happen to it: {PERMANENT_ROUTE}.",
            error.message,
        )
    return Finding(
        ProblemCode.TOKEN_INVALID,
        f"Graph rejects the token {_where(local)} (\"Invalid OAuth access token\").",
        "Check that the whole token was copied (it starts with EAA, has no extra spaces) and "
        "that it has not expired. If it still fails, generate a new one (Step 3 of Meta's "
        f"guide: {STEP_GENERATE}); {SAVE_AND_RESTART}.",
        error.message if error else None,
    )


def _revoked_reason(error: DebugError) -> str | None:
    if error.subcode in REVOKED_REASONS:
        return REVOKED_REASONS[error.subcode]
    pattern = message_pattern(error.code, error.message)
    return pattern.reason if pattern else None


def _expired(expires_at: datetime | None, graph_message: str | None,
             token_type: str | None = None) -> Finding:
    when = f" on {format_time(expires_at)}" if expires_at else ""
    if token_type == "SYSTEM_USER":
        return Finding(
            ProblemCode.TOKEN_EXPIRED,
            f"The System User token expired{when}; an expired token cannot be refreshed.",
            f"Generate a new one ({STEP_GENERATE_EXPIRING}); {SAVE_AND_RESTART}. If it expires "
            "in 60 days again, schedule `wa-token refresh` (`wa-token schedule --print`) so "
            "it is renewed before the end.",
            graph_message,
        )
    return Finding(
        ProblemCode.TOKEN_EXPIRED,
        f"The token expired{when}.",
        f"Temporary tokens from API Setup last 24 hours. Make a permanent one: {PERMANENT_ROUTE}.",
        graph_message,
    )


NOT_USER_TYPES = frozenset({"APP", "PAGE"})
"""debug_token types that can never send WhatsApp messages for a business."""


def _wrong_token_type(info: TokenInfo) -> Finding:
    kind = "an app" if info.type == "APP" else "a Page"
    return Finding(
        ProblemCode.WRONG_TOKEN_TYPE,
        f"This is {kind} access token, not a user or System User token: WhatsApp does not "
        "accept it.",
        f"Generate a System User token in Business Settings: {PERMANENT_ROUTE}.",
    )


def _inspected_by_other_app(local: LocalFacts, detail: str | None) -> Finding:
    app_var = local.profile.var("WHATSAPP_APP_ID")
    secret_var = local.profile.var("WHATSAPP_APP_SECRET")
    expected = f" ({local.expected_app_id})" if local.expected_app_id else ""
    return Finding(
        ProblemCode.WRONG_APP,
        f"The token was made for another app than {app_var}{expected}: Graph will not let that "
        "app inspect it.",
        "Generate the token for the app your server uses (Business Settings → System Users → "
        f"Generate New Token → choose that app), or set {app_var} and {secret_var} to the id "
        "and secret of the token's own app (App Dashboard → that app → App settings → Basic).",
        detail,
    )


def _app_token_required(local: LocalFacts, detail: str | None) -> Finding:
    app_var = local.profile.var("WHATSAPP_APP_ID")
    secret_var = local.profile.var("WHATSAPP_APP_SECRET")
    return Finding(
        ProblemCode.APP_TOKEN_REQUIRED,
        "Graph will not describe this token to itself: debug_token needs the app's own "
        "credentials (or a developer of the app).",
        f"Set {app_var} and {secret_var} (in the environment or .env; never on the command "
        "line) to the id and secret of the app the token was made for: App Dashboard → your "
        "app → App settings → Basic. wa-token then inspects the token with the app token.",
        detail,
    )


def _permission_problems(info: TokenInfo) -> list[Finding]:
    missing = tuple(s for s in WHATSAPP_SCOPES if s not in info.scopes)
    if not missing:
        return []
    names = " and ".join(missing)
    return [Finding(
        ProblemCode.MISSING_PERMISSION,
        f"The token lacks {names}.",
        _permission_fix(missing),
    )]


def _permission_fix(missing: tuple[str, ...]) -> str:
    ticks = " and ".join(missing)
    return (
        f"In Business Settings → Users → System Users → your system user → Generate New Token, "
        f"choose your app and tick {ticks} (Step 3 of Meta's guide). Adding a permission never "
        f"changes an existing token: generate a new one, {SAVE_AND_RESTART}."
    )


def _app_problems(info: TokenInfo, local: LocalFacts) -> list[Finding]:
    expected = local.expected_app_id
    if not expected or not info.app_id or info.app_id == expected:
        return []
    name = f" ({info.application})" if info.application else ""
    variable = local.profile.var("WHATSAPP_APP_ID")
    return [Finding(
        ProblemCode.WRONG_APP,
        f"The token belongs to app {info.app_id}{name}, but {variable} is {expected}.",
        "Generate the token for the app your server uses (Step 3 of Meta's guide: Generate New "
        f"Token → select that app), or correct {variable}.",
    )]


def _account_problems(graph: GraphFindings, local: LocalFacts) -> list[Finding]:
    errors = [problem_for_error(err, local) for _, err in graph.account_errors]
    graph_side = [f for f in errors if f.code in GRAPH_SIDE]
    if graph_side and not graph.accounts:
        return graph_side[:1]
    expected = local.expected_account_id
    reached = {a.id for a in graph.accounts}
    denied = _read_denied(graph, expected if expected not in reached else None)
    if denied is not None and (not graph.accounts or (expected and expected not in reached)):
        return [denied]
    if not graph.accounts and not expected and graph.listing_refused is not None:
        return [_accounts_not_listable(graph, local)]
    if expected and expected not in reached:
        return [_no_account(
            f"The token does not reach {local.profile.var('WHATSAPP_BUSINESS_ACCOUNT_ID')}="
            f"{expected}.",
            _first_detail(graph, expected),
        )]
    if not graph.accounts:
        return [_no_account("The token is valid but reaches no WhatsApp Business Account.",
                            _first_detail(graph, None))]
    return _phone_problems(graph.accounts, local)


def _read_denied(graph: GraphFindings, account_id: str | None) -> Finding | None:
    """Code 10 or 200–299 on reading an account: a permission problem, not "no account"."""
    for found_id, err in graph.account_errors:
        if account_id not in (None, found_id) or not isinstance(err, GraphApiError):
            continue
        if err.code == 10 or 200 <= err.code < 300:
            return Finding(
                ProblemCode.MISSING_PERMISSION,
                f"Graph refused to read WhatsApp Business Account {found_id}: the token may not "
                "manage it.",
                "The system user needs that account assigned with Full control, and the token "
                "needs whatsapp_business_management for it: "
                f"{STEP_ASSIGN}; then {STEP_GENERATE}. A token never gains access later: "
                f"generate a new one, {SAVE_AND_RESTART}.",
                _graph_detail(err),
            )
    return None


def _accounts_not_listable(graph: GraphFindings, local: LocalFacts) -> Finding:
    info = graph.token_info
    has_business = info is not None and "business_management" in info.scopes
    err = graph.listing_refused
    detail = _graph_detail(err) if isinstance(err, GraphApiError) else None
    waba_var = local.profile.var("WHATSAPP_BUSINESS_ACCOUNT_ID")
    why = ("the token's WhatsApp permissions name no account (no target_ids), and Graph "
           "refused to list the business's accounts")
    missing = ("" if has_business else
               ", because the token lacks business_management")
    return Finding(
        ProblemCode.ACCOUNTS_NOT_LISTABLE,
        f"wa-token cannot find your WhatsApp Business Account: {why}{missing}.",
        f"Either set {waba_var} to your account's id (WhatsApp Manager → Account tools, or "
        f"Business Settings → Accounts → WhatsApp accounts; {WHATSAPP_ACCOUNTS_URL}) in the "
        "environment or .env: wa-token then reads that account directly; or generate a new "
        "token with business_management ticked as well (Business Settings → System Users → "
        "Generate New Token), so the business's accounts can be listed.",
        detail,
    )


CANNOT_SEND_STATUSES = frozenset({"DISCONNECTED", "PENDING", "BANNED", "DELETED", "UNVERIFIED"})
"""Phone number `status` values with which the number sends nothing [Unverified enum]."""


def can_send(number: PhoneNumber) -> bool:
    """Whether Graph's description of the number leaves it able to send on the Cloud API."""
    on_cloud = number.platform_type in (None, "CLOUD_API")
    return on_cloud and (number.status or "CONNECTED").upper() not in CANNOT_SEND_STATUSES


def _phone_problems(accounts: tuple[BusinessAccount, ...], local: LocalFacts) -> list[Finding]:
    numbers = {n.id for a in accounts for n in a.phone_numbers}
    if not numbers:
        return [Finding(
            ProblemCode.NO_PHONE_NUMBER,
            "The WhatsApp Business Account has no phone number."
            if len(accounts) == 1 else "None of the WhatsApp Business Accounts has a phone number.",
            f"Add a phone number in WhatsApp Manager ({PHONE_NUMBERS_URL}), or use the test "
            f"number from App Dashboard → WhatsApp → API Setup ({API_SETUP_URL}).",
        )]
    expected = local.expected_phone_number_id
    if expected and expected not in numbers:
        return [Finding(
            ProblemCode.NO_PHONE_NUMBER,
            f"{local.profile.var('WHATSAPP_PHONE_NUMBER_ID')}={expected} is not a number of the "
            "accounts this token reaches.",
            "Use one of the phone number ids listed by `wa-token check`, or assign the account "
            f"that owns it to the system user (Step 2 of Meta's guide: {STEP_ASSIGN}) and generate "
            "a new token.",
        )]
    return _sending_problems(accounts, local)


def _sending_problems(accounts: tuple[BusinessAccount, ...], local: LocalFacts) -> list[Finding]:
    """Exit 1 when nothing can send: a check that passes must mean messages can go out."""
    numbers = [n for a in accounts for n in a.phone_numbers]
    expected = local.expected_phone_number_id
    if expected:
        chosen = [n for n in numbers if n.id == expected]
        if chosen and not can_send(chosen[0]):
            return [Finding(
                ProblemCode.NO_SENDING_NUMBER,
                f"{local.profile.var('WHATSAPP_PHONE_NUMBER_ID')}={expected} "
                f"({_number_label(chosen[0])}) cannot send: {_why_not_sending(chosen[0])}.",
                "Fix that number (the warnings below say how), or point "
                f"{local.profile.var('WHATSAPP_PHONE_NUMBER_ID')} at a number that is CONNECTED "
                "on the Cloud API; then run `wa-token check` again.",
            )]
        return []
    if any(can_send(n) for n in numbers):
        return []
    return [Finding(
        ProblemCode.NO_SENDING_NUMBER,
        "Nothing can be sent: no phone number this token reaches can send ("
        + "; ".join(f"{_number_label(n)}: {_why_not_sending(n)}" for n in numbers[:5]) + ").",
        "Fix one of the numbers (the warnings below say how: usually register it with "
        "POST /{phone-number-id}/register), then run `wa-token check` again.",
    )]


def _why_not_sending(number: PhoneNumber) -> str:
    if number.platform_type not in (None, "CLOUD_API"):
        return f"it is on {graph_text(number.platform_type)}, not the Cloud API"
    return f"its status is {graph_text(number.status or '')}"


def _number_label(number: PhoneNumber) -> str:
    shown = graph_text(number.display_phone_number or "") or "phone number"
    return f"{shown} (id {graph_text(number.id)})"


def graph_text(value: str, limit: int = 64) -> str:
    """A short field from Graph, safe to print: no control or format characters, bounded."""
    clean = "".join(c for c in value if not unicodedata.category(c).startswith("C"))
    return clean if len(clean) <= limit else clean[:limit - 1] + "…"


def _no_account(title: str, detail: str | None) -> Finding:
    return Finding(
        ProblemCode.NO_WHATSAPP_ACCOUNT,
        title,
        f"Assign the WhatsApp account to the system user (Step 2 of Meta's guide: {STEP_ASSIGN}; "
        f"{WHATSAPP_ACCOUNTS_URL}), then generate a new token (Step 3); {SAVE_AND_RESTART}.",
        detail,
    )


def _rate_limited(err: GraphApiError, detail: str | None) -> Finding:
    wait = (f"in {err.retry_after_minutes} minutes" if err.retry_after_minutes
            else "in a few minutes")
    return Finding(
        ProblemCode.RATE_LIMITED,
        f"Graph is rate limiting these calls (code {err.code}); this is not the token's fault.",
        f"Try again {wait}. If you run `wa-token check` from cron, run it less often.",
        detail,
    )


def _first_detail(graph: GraphFindings, account_id: str | None) -> str | None:
    for found_id, err in graph.account_errors:
        if account_id in (None, found_id) and isinstance(err, GraphApiError):
            return _graph_detail(err)
    return None


def _graph_detail(err: GraphApiError) -> str:
    trace = f" (fbtrace_id {err.fbtrace_id})" if err.fbtrace_id else ""
    sub = f"/{err.subcode}" if err.subcode else ""
    details = f" ({err.details})" if err.details and err.details not in err.message else ""
    return f"Graph error {err.code}{sub}: {err.message}{details}{trace}"


# -- send-test and token exchange failures -------------------------------------------------------

@dataclass(frozen=True)
class FailureText:
    """A problem code with its title and fix; `{to}` and `{phone}` are filled in per send."""

    code: str
    title: str
    fix: str


_MESSAGING_FIX = (
    "Generate a new token with whatsapp_business_messaging ticked, for a system user that has "
    f"the WhatsApp account assigned with Full control ({STEP_ASSIGN}; then {STEP_GENERATE}); "
    f"{SAVE_AND_RESTART}."
)
_NO_MESSAGING = FailureText(
    ProblemCode.MISSING_PERMISSION, "Graph refused to send: the token may not send messages.",
    _MESSAGING_FIX,
)

SEND_ERROR_PROBLEMS: dict[tuple[int, int | None], FailureText] = {
    (131030, None): FailureText(
        ProblemCode.RECIPIENT_NOT_ALLOWED,
        "+{to} is not an allowed recipient of this sending number.",
        "A test number sends only to the numbers listed for it (up to 5): App Dashboard → "
        f"WhatsApp → API Setup ({API_SETUP_URL}) → To → Manage phone number list → add +{{to}} "
        "and enter the code WhatsApp sends to it; then send the test message again.",
    ),
    (132001, None): FailureText(
        ProblemCode.TEMPLATE_MISSING,
        "The hello_world template (en_US) does not exist for this WhatsApp account.",
        "Every new WhatsApp app gets hello_world; if it was deleted or this is another account, "
        "check WhatsApp Manager → Message templates (https://business.facebook.com/wa/manage/"
        "message-templates/) for an approved template in en_US, or create hello_world again.",
    ),
    (133010, None): FailureText(
        ProblemCode.NUMBER_NOT_REGISTERED,
        "Phone number {phone} is not registered with the Cloud API.",
        "Register it: POST /{phone}/register with messaging_product=whatsapp and your 6-digit "
        f"two-step verification pin, or finish its setup in WhatsApp Manager ({PHONE_NUMBERS_URL});"
        " then send the test message again.",
    ),
    (131031, None): FailureText(
        ProblemCode.ACCOUNT_LOCKED,
        "The WhatsApp Business Account is locked.",
        "Meta locked the account (a policy restriction, or a mismatch such as a wrong two-step "
        "pin). Check its status in WhatsApp Manager and Business Support Home "
        "(https://business.facebook.com/business-support-home); no token change fixes this.",
    ),
    (131047, None): FailureText(
        ProblemCode.REENGAGEMENT_REQUIRED,
        "More than 24 hours have passed since +{to} last wrote to this number.",
        "Send a template (hello_world is one) instead of free text.",
    ),
    (131026, None): FailureText(
        ProblemCode.MESSAGE_UNDELIVERABLE,
        "WhatsApp cannot deliver to +{to}.",
        "Check the number (country code, no leading 0) and that it uses WhatsApp.",
    ),
    (100, 33): FailureText(
        ProblemCode.NO_PHONE_NUMBER,
        "Phone number id {phone} does not exist or this token cannot send from it.",
        "Use a phone number id listed by `wa-token check`, or assign the WhatsApp account that "
        f"owns it to the system user ({STEP_ASSIGN}) and generate a new token.",
    ),
    (131005, None): _NO_MESSAGING,
    (10, None): _NO_MESSAGING,
    (200, None): _NO_MESSAGING,
}
"""WhatsApp send errors (graph-api.md §5) → problem; token, rate and server errors fall through
to GRAPH_ERROR_PROBLEMS."""

_EXCHANGE_AGAIN = (
    "Copy a fresh temporary token from App Dashboard → WhatsApp → API Setup "
    f"({API_SETUP_URL}), store it with `{{save}}`, and run `{{extend}}` at once. Better: a System "
    f"User token never needs this: {PERMANENT_ROUTE}."
)

EXCHANGE_ERROR_PROBLEMS: dict[tuple[int, int | None], FailureText] = {
    (1, None): FailureText(
        ProblemCode.WRONG_APP_SECRET,
        "Graph rejected the app secret (\"Error validating client secret\").",
        "Copy the App Secret again from App Dashboard → your app → App settings → Basic → App "
        "secret → Show, and put it in {secret_var} (environment or .env), or paste it at the "
        "prompt. It must belong to the app in {app_id_var}.",
    ),
    (101, None): FailureText(
        ProblemCode.WRONG_APP,
        "Graph does not know this app id (\"Invalid Client ID\").",
        "Use the App ID from App Dashboard → your app → App settings → Basic, in {app_id_var} or "
        "--app-id.",
    ),
    (190, 463): FailureText(
        ProblemCode.TOKEN_EXPIRED,
        "The token has expired, and an expired token cannot be exchanged.",
        _EXCHANGE_AGAIN,
    ),
}
"""Token exchange errors (graph-api.md §6a) → problem; others fall through to
GRAPH_ERROR_PROBLEMS, and what is left is `exchange_refused`."""


def send_problem(err: GraphError, local: LocalFacts, *, to: str, phone: str) -> Finding:
    """Why Graph would not send the test message, and the fix, through SEND_ERROR_PROBLEMS."""
    entry = _lookup(SEND_ERROR_PROBLEMS, err)
    if entry is None and isinstance(err, GraphApiError) and 200 <= err.code < 300:
        entry = _NO_MESSAGING
    if entry is None or not isinstance(err, GraphApiError):
        return problem_for_error(err, local)
    return Finding(entry.code, entry.title.format(to=to, phone=phone),
                   entry.fix.format(to=to, phone=phone), _graph_detail(err))


def exchange_problem(err: GraphError, local: LocalFacts) -> Finding:
    """Why Graph would not exchange the token, and the fix, through EXCHANGE_ERROR_PROBLEMS."""
    server_side = isinstance(err, GraphApiError) and (err.is_transient or err.status >= 500)
    entry = None if server_side else _lookup(EXCHANGE_ERROR_PROBLEMS, err)
    names = {"app_id_var": local.profile.var("WHATSAPP_APP_ID"),
             "secret_var": local.profile.var("WHATSAPP_APP_SECRET"),
             "save": command(local, "save"), "extend": command(local, "extend")}
    if entry is not None and isinstance(err, GraphApiError):
        return Finding(entry.code, entry.title, entry.fix.format(**names), _graph_detail(err))
    found = problem_for_error(err, local)
    if found.code != ProblemCode.GRAPH_ERROR or not isinstance(err, GraphApiError) or server_side:
        return found
    return Finding(ProblemCode.EXCHANGE_REFUSED, "Graph refused to exchange the token.",
                   _EXCHANGE_AGAIN.format(**names), found.detail)


def _lookup(table: dict[tuple[int, int | None], FailureText],
            err: GraphError) -> FailureText | None:
    if not isinstance(err, GraphApiError):
        return None
    return table.get((err.code, err.subcode)) or table.get((err.code, None))


# -- warnings ------------------------------------------------------------------------------------

def _warnings(graph: GraphFindings, local: LocalFacts) -> list[Finding]:
    info = graph.token_info
    found: list[Finding] = []
    alive = info is not None and (info.expires_at is None or info.expires_at > local.now)
    if info is not None and info.is_valid and alive and info.type not in NOT_USER_TYPES:
        found += _lifetime_warnings(info, local)
        found += _extra_permission_warnings(info)
        found += [w for a in graph.accounts for n in a.phone_numbers for w in number_warnings(n)]
    found += _version_warnings(local)
    found += _storage_warnings(local)
    return found


REGISTER_FIX = (
    "Register it with the Cloud API: POST /{id}/register with "
    "messaging_product=whatsapp and the number's 6-digit two-step verification pin (or finish "
    f"its setup in WhatsApp Manager → Phone numbers, {PHONE_NUMBERS_URL}); then run "
    "`wa-token check` again."
)


def number_warnings(number: PhoneNumber) -> list[Finding]:
    """What keeps one phone number from sending, or may soon, with the concrete fix."""
    label = _number_label(number)
    register = REGISTER_FIX.format(id=graph_text(number.id))
    found: list[Finding] = []
    status = (number.status or "CONNECTED").upper()
    if status != "CONNECTED":
        blocked = status in CANNOT_SEND_STATUSES
        fix = register if status in ("DISCONNECTED", "PENDING", "UNVERIFIED") else (
            "Check the number in WhatsApp Manager → Phone numbers and Business Support Home "
            "(https://business.facebook.com/business-support-home): Meta restricts it; no token "
            "change fixes this.")
        found.append(Finding(
            WarningCode.NUMBER_NOT_CONNECTED,
            f"{label} is {graph_text(status)}: " + ("it cannot send messages." if blocked
                                        else "sending may be limited."),
            fix,
        ))
    if number.platform_type not in (None, "CLOUD_API"):
        found.append(Finding(
            WarningCode.NUMBER_NOT_ON_CLOUD_API,
            f"{label} is not registered for the Cloud API (platform "
            f"{graph_text(number.platform_type or '')}).",
            register + " A number still on the On-Premises API must be migrated first.",
        ))
    if (number.code_verification_status or "").upper() == "EXPIRED":
        found.append(Finding(
            WarningCode.NUMBER_VERIFICATION_EXPIRED,
            f"The verification of {label} has expired.",
            "Verify the number again: WhatsApp Manager → Phone numbers → the number → verify "
            f"(a code by SMS or voice call), or POST /{graph_text(number.id)}/request_code then "
            f"POST /{graph_text(number.id)}/verify_code.",
        ))
    name = (number.name_status or "").upper()
    if name in ("PENDING_REVIEW", "DECLINED", "EXPIRED", "NONE"):
        pending = name == "PENDING_REVIEW"
        found.append(Finding(
            WarningCode.NUMBER_NAME_NOT_APPROVED,
            f"The display name of {label} is " + ("waiting for Meta's review." if pending
                                                  else f"not approved ({graph_text(name)})."),
            "Wait for the review (WhatsApp Manager → Phone numbers shows it); until the name is "
            "approved the number may send only limited messages." if pending else
            "Edit the display name in WhatsApp Manager → Phone numbers so that it follows "
            "Meta's display name guidelines, and submit it again.",
        ))
    return found


def _version_warnings(local: LocalFacts) -> list[Finding]:
    if not local.graph_version:
        return []
    end = version_end(local.graph_version, local.now)
    if end is None:
        return []
    when = (f"Meta retired it on {end.ends:%Y-%m-%d}" if end.past and end.ends
            else "Meta has retired it" if end.past else f"Meta retires it on {end.ends:%Y-%m-%d}")
    return [Finding(
        WarningCode.GRAPH_VERSION_ENDING,
        f"Graph API version {end.version} is configured, and {when}.",
        f"Set WHATSAPP_GRAPH_API_VERSION (or --graph-version) to {end.newest}, test your "
        "server's calls against it, and keep it there.",
    )]


def _lifetime_warnings(info: TokenInfo, local: LocalFacts) -> list[Finding]:
    found: list[Finding] = []
    left = info.expires_at - local.now if info.expires_at else None
    if info.type != "SYSTEM_USER":
        kind = ("a user token" if info.type == "USER"
                else f"a token of type {info.type}" if info.type else "a token of unknown type")
        life = f", expiring in {_format_delta(left)}" if left is not None else ""
        found.append(Finding(
            WarningCode.TEMPORARY_TOKEN,
            f"This is {kind}{life}, not a System User token.",
            f"Make a System User token: {PERMANENT_ROUTE}.",
        ))
    elif left is not None and left <= timedelta(days=local.warn_days):
        found.append(Finding(
            WarningCode.EXPIRES_SOON,
            f"The System User token expires in {_format_delta(left)} "
            f"({format_time(info.expires_at)}).",
            f"Renew it now: `{command(local, 'refresh')}` (needs "
            f"{local.profile.var('WHATSAPP_APP_ID')} and "
            f"{local.profile.var('WHATSAPP_APP_SECRET')}; `wa-token schedule --print` runs it "
            f"daily), or generate a new one ({STEP_GENERATE}); {SAVE_AND_RESTART}.",
        ))
    if info.issued_at and local.now - info.issued_at > ROTATE_AFTER:
        found.append(Finding(
            WarningCode.ROTATION_DUE,
            f"The token was issued on {format_time(info.issued_at)}, over 180 days ago.",
            rotation_steps(local),
        ))
    return found


def rotation_steps(local: LocalFacts) -> str:
    """The numbered steps that replace a token at Meta and everywhere it is used."""
    return (
        f"Rotate it: 1) {STEP_GENERATE}; 2) store it with "
        f"`{command(local, 'save')}` (it checks the token first) and restart your backend "
        f"server; 3) prove it sends: `{command(local, 'send-test --to +NUMBER')}`; 4) revoke "
        "the old one: Business Settings → Users → System Users → your system user → Revoke "
        "tokens. Revoking there may revoke every token of that system user for the app, the new "
        "one too: revoke first and generate at once (a minute of downtime), or generate the new "
        "token with a second system user."
    )


def _extra_permission_warnings(info: TokenInfo) -> list[Finding]:
    extra = sorted(set(info.scopes) - set(WHATSAPP_SCOPES) - HARMLESS_SCOPES)
    if not extra:
        return []
    return [Finding(
        WarningCode.EXTRA_PERMISSIONS,
        f"The token also carries {', '.join(extra)}, which WhatsApp messaging does not need.",
        "Least privilege: generate a token with only whatsapp_business_messaging and "
        "whatsapp_business_management ticked, save it, and revoke this one.",
    )]


def _storage_warnings(local: LocalFacts) -> list[Finding]:
    key = local.profile.token_key
    found = [Finding(
        WarningCode.SHADOWED,
        f"The token from {_where(local, bare=True)} is used, but {other} holds a different one.",
        f"Remove the one you do not want (`{command(local, 'forget --from ...')}`, or unset "
        f"{key}), so your server and wa-token agree.",
    ) for other in local.shadowed]
    if local.source != Source.DOTENV:
        return found
    path = local.location or ".env"
    if local.env_tracked_by_git:
        found.append(Finding(
            WarningCode.ENV_TRACKED_BY_GIT,
            f"{path} is tracked by git: the token may already be in the history.",
            f"Run `{command(local, 'fix tracked')}`: it searches the history for this token and "
            f"lists the steps. In short: untrack it (`git rm --cached {shlex.quote(path)}`, add it "
            "to .gitignore, commit), and treat the token as leaked: revoke it (Business Settings "
            "→ System Users → Revoke tokens) and generate a new one.",
        ))
    elif local.env_in_git_work_tree and not local.env_git_ignored:
        found.append(Finding(
            WarningCode.ENV_NOT_GITIGNORED,
            f"{path} is inside a git work tree and not ignored: one `git add .` commits the token.",
            f"Run `{command(local, 'fix gitignore')}` (it adds {path} to the .gitignore of its "
            "work tree).",
        ))
    if local.env_world_readable:
        found.append(Finding(
            WarningCode.ENV_WORLD_READABLE,
            f"{path} is readable by every user of this machine.",
            f"Run `{command(local, 'fix permissions')}` (the same as `chmod 600 "
            f"{shlex.quote(path)}`).",
        ))
    if local.keyring_available:
        found.append(Finding(
            WarningCode.PLAINTEXT_STORAGE,
            f"The token is stored in plain text in {path}, although an OS keyring works here.",
            f"Run `{command(local, 'fix keyring')}`: it moves the token into the keyring and "
            f"removes it from {path} once the keyring gives it back. Your server then reads it "
            f"with `export {key}=\"$({command(local, 'token')})\"`.",
        ))
    return found


def command(local: LocalFacts, words: str) -> str:
    """A wa-token command line for the user, with --profile and --env-file when they matter."""
    flags = [local.profile.flag] if local.profile.flag else []
    if local.source == Source.DOTENV and local.location not in (None, ".env"):
        flags.append(f"--env-file {shlex.quote(local.location or '.env')}")
    return " ".join(["wa-token", words, *flags])


# -- wording helpers -----------------------------------------------------------------------------

def _where(local: LocalFacts, *, bare: bool = False) -> str:
    names = {Source.STDIN: "standard input",
             Source.ENVIRONMENT: f"the {local.profile.token_key} variable",
             Source.KEYRING: "the OS keyring"}
    if local.source == Source.DOTENV:
        place = local.location or ".env"
    else:
        place = names.get(local.source or "", "given")
    if bare or local.source is None:
        return place
    return f"in {place}" if local.source in (Source.DOTENV, Source.KEYRING) else f"from {place}"


def format_time(moment: datetime | None) -> str:
    """A moment as users read it everywhere: `2026-11-25 09:00 UTC`."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "an unknown time"


def _format_delta(delta: timedelta | None) -> str:
    if delta is None:
        return "never"
    hours = max(0, int(delta.total_seconds() // 3600))
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"
