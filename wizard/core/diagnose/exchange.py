"""Why Graph would not exchange the token: the exchange error table."""

from __future__ import annotations

from wizard.core.codes import ProblemCode
from wizard.core.diagnose.findings import Finding, LocalFacts
from wizard.core.diagnose.meta_texts import API_SETUP_URL, PERMANENT_ROUTE
from wizard.core.diagnose.problems import _graph_detail, problem_for_error
from wizard.core.diagnose.send import FailureText, _lookup
from wizard.core.diagnose.wording import command
from wizard.core.errors import GraphApiError, GraphError
from wizard.core.variables import APP_ID_VAR, APP_SECRET_VAR

_EXCHANGE_AGAIN = (
    "Copy a fresh temporary token from App Dashboard → WhatsApp → API Setup "
    f"({API_SETUP_URL}), store it with `{{save}}`, and run `{{extend}}` at once. Better: a System "
    f"User token never needs this: {PERMANENT_ROUTE}."
)

EXCHANGE_ERROR_PROBLEMS: dict[tuple[int, int | None], FailureText] = {
    (1, None): FailureText(
        ProblemCode.WRONG_APP_SECRET,
        'Graph rejected the app secret ("Error validating client secret").',
        "Copy the App Secret again from App Dashboard → your app → App settings → Basic → App "
        "secret → Show, and put it in {secret_var} (environment or .env), or paste it at the "
        "prompt. It must belong to the app in {app_id_var}.",
    ),
    (101, None): FailureText(
        ProblemCode.WRONG_APP,
        'Graph does not know this app id ("Invalid Client ID").',
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


def exchange_problem(err: GraphError, local: LocalFacts) -> Finding:
    """Why Graph would not exchange the token, and the fix, through EXCHANGE_ERROR_PROBLEMS."""
    server_side = isinstance(err, GraphApiError) and (err.is_transient or err.status >= 500)
    entry = None if server_side else _lookup(EXCHANGE_ERROR_PROBLEMS, err)
    names = {
        "app_id_var": local.profile.var(APP_ID_VAR),
        "secret_var": local.profile.var(APP_SECRET_VAR),
        "save": command(local, "save"),
        "extend": command(local, "extend"),
    }
    if entry is not None and isinstance(err, GraphApiError):
        return Finding(entry.code, entry.title, entry.fix.format(**names), _graph_detail(err))
    found = problem_for_error(err, local)
    if found.code != ProblemCode.GRAPH_ERROR or not isinstance(err, GraphApiError) or server_side:
        return found
    return Finding(
        ProblemCode.EXCHANGE_REFUSED,
        "Graph refused to exchange the token.",
        _EXCHANGE_AGAIN.format(**names),
        found.detail,
    )
