"""The one mapping from what went wrong (an error, or the problems found) to the exit code."""

from __future__ import annotations

from collections.abc import Iterable

from wizard.core.codes import ExitCode, ProblemCode
from wizard.core.errors import WaTokenError

GRAPH_SIDE = frozenset(
    {ProblemCode.GRAPH_UNREACHABLE, ProblemCode.GRAPH_ERROR, ProblemCode.RATE_LIMITED}
)
"""Problems that are Graph's fault, not the token's: exit 4 when they are the only ones."""


def exit_code_for(cause: WaTokenError | Iterable[str] | None) -> ExitCode:
    """An error's own exit code; for problem codes 0 none, 3 no token, 4 Graph's side, else 1."""
    if cause is None:
        return ExitCode.OK
    if isinstance(cause, WaTokenError):
        return cause.exit_code
    codes = set(cause)
    if not codes:
        return ExitCode.OK
    if ProblemCode.TOKEN_MISSING in codes:
        return ExitCode.NO_TOKEN
    return ExitCode.GRAPH if codes <= GRAPH_SIDE else ExitCode.PROBLEM
