"""The problems of the token itself: dead, expired, the wrong type, app or permissions."""

from __future__ import annotations

from datetime import datetime

from wizard.core.codes import ProblemCode
from wizard.core.diagnose.findings import Finding, LocalFacts
from wizard.core.diagnose.graph_errors import (
    REVOKED_REASONS,
    SERVER_TROUBLE_CODES,
    graph_error_code,
    message_pattern,
)
from wizard.core.diagnose.meta_texts import (
    PERMANENT_ROUTE,
    SAVE_AND_RESTART,
    STEP_ASSIGN,
    STEP_GENERATE,
    STEP_GENERATE_EXPIRING,
    WHATSAPP_ACCOUNTS_URL,
)
from wizard.core.diagnose.timefmt import format_time
from wizard.core.diagnose.wording import _where
from wizard.core.errors import GraphApiError, GraphBadResponse, GraphError, GraphUnreachable
from wizard.core.graph import (
    WHATSAPP_SCOPES,
    DebugError,
    TokenInfo,
)
from wizard.core.variables import APP_ID_VAR, APP_SECRET_VAR


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
        return Finding(
            code,
            "Graph refused the call: the token lacks a permission it needs.",
            _permission_fix(WHATSAPP_SCOPES),
            detail,
        )
    if code == ProblemCode.NO_WHATSAPP_ACCOUNT:
        return _no_account(
            "Graph refused to show the WhatsApp Business Account to this token.", detail
        )
    if err.code in SERVER_TROUBLE_CODES or err.status >= 500:
        return Finding(
            ProblemCode.GRAPH_ERROR,
            f"The Graph API had a temporary server error (HTTP {err.status}).",
            "Try again in a minute; this is not the token's fault. If it persists, "
            "check https://metastatus.com and quote the fbtrace_id to Meta.",
            detail,
        )
    return Finding(
        ProblemCode.GRAPH_ERROR,
        "The Graph API refused the request.",
        "Check Business Support Home "
        "(https://business.facebook.com/business-support-home) for restrictions on "
        "the account; quote the fbtrace_id to Meta if it is unclear.",
        detail,
    )


def _invalid_token_problem(error: DebugError | None, local: LocalFacts) -> Finding:
    code = (
        graph_error_code(error.code, error.subcode, message=error.message)
        if error
        else ProblemCode.TOKEN_INVALID
    )
    if code == ProblemCode.TOKEN_EXPIRED:
        return _expired(None, error.message if error else None)
    reason = _revoked_reason(error) if code == ProblemCode.TOKEN_REVOKED and error else None
    if reason and error is not None:
        return Finding(
            ProblemCode.TOKEN_REVOKED,
            f"The token was revoked: {reason}.",
            "Generate a new token. A System User token is not tied to a person's password or "
            f"session, so this cannot happen to it: {PERMANENT_ROUTE}.",
            error.message,
        )
    return Finding(
        ProblemCode.TOKEN_INVALID,
        f'Graph rejects the token {_where(local)} ("Invalid OAuth access token").',
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


def _expired(
    expires_at: datetime | None, graph_message: str | None, token_type: str | None = None
) -> Finding:
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
    app_var = local.profile.var(APP_ID_VAR)
    secret_var = local.profile.var(APP_SECRET_VAR)
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
    app_var = local.profile.var(APP_ID_VAR)
    secret_var = local.profile.var(APP_SECRET_VAR)
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
    return [
        Finding(
            ProblemCode.MISSING_PERMISSION,
            f"The token lacks {names}.",
            _permission_fix(missing),
        )
    ]


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
    variable = local.profile.var(APP_ID_VAR)
    return [
        Finding(
            ProblemCode.WRONG_APP,
            f"The token belongs to app {info.app_id}{name}, but {variable} is {expected}.",
            "Generate the token for the app your server uses (Step 3 of Meta's guide: Generate New "
            f"Token → select that app), or correct {variable}.",
        )
    ]


def _rate_limited(err: GraphApiError, detail: str | None) -> Finding:
    wait = (
        f"in {err.retry_after_minutes} minutes" if err.retry_after_minutes else "in a few minutes"
    )
    return Finding(
        ProblemCode.RATE_LIMITED,
        f"Graph is rate limiting these calls (code {err.code}); this is not the token's fault.",
        f"Try again {wait}. If you run `wa-token check` from cron, run it less often.",
        detail,
    )


def _graph_detail(err: GraphApiError) -> str:
    trace = f" (fbtrace_id {err.fbtrace_id})" if err.fbtrace_id else ""
    sub = f"/{err.subcode}" if err.subcode else ""
    details = f" ({err.details})" if err.details and err.details not in err.message else ""
    return f"Graph error {err.code}{sub}: {err.message}{details}{trace}"


def _no_account(title: str, detail: str | None) -> Finding:
    return Finding(
        ProblemCode.NO_WHATSAPP_ACCOUNT,
        title,
        f"Assign the WhatsApp account to the system user (Step 2 of Meta's guide: {STEP_ASSIGN}; "
        f"{WHATSAPP_ACCOUNTS_URL}), then generate a new token (Step 3); {SAVE_AND_RESTART}.",
        detail,
    )
