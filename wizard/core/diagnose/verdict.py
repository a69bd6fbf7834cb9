"""diagnose(): the problems of one token (the first kind that applies), then its warnings."""

from __future__ import annotations

from wizard.core.codes import ProblemCode
from wizard.core.diagnose.accounts import _account_problems
from wizard.core.diagnose.findings import Diagnosis, Finding, GraphFindings, LocalFacts
from wizard.core.diagnose.problems import (
    NOT_USER_TYPES,
    _app_problems,
    _expired,
    _invalid_token_problem,
    _permission_problems,
    _wrong_token_type,
    problem_for_error,
)
from wizard.core.diagnose.warnings import _warnings
from wizard.core.diagnose.wording import _where, command
from wizard.core.graph import (
    WHATSAPP_SCOPES,
)


def diagnose(graph: GraphFindings, local: LocalFacts) -> Diagnosis:
    """The whole diagnosis of one token; problems first, then warnings."""
    problems = _local_problems(local) or _graph_problems(graph, local)
    return Diagnosis(problems=tuple(problems), warnings=tuple(_warnings(graph, local)))


# -- problems ------------------------------------------------------------------------------------


def _local_problems(local: LocalFacts) -> list[Finding]:
    if not local.token_found:
        return [
            Finding(
                ProblemCode.TOKEN_MISSING,
                f"No token found: not on stdin, not in {local.profile.token_key}, not in "
                f"{local.location or '.env'}, not in the OS keyring.",
                f"Run `{command(local, 'setup')}` to create a permanent System User token, or paste "
                f"one with `{command(local, 'save')}` (it reads the token from standard input).",
            )
        ]
    if local.format_problem:
        where = _where(local)
        return [
            Finding(
                ProblemCode.TOKEN_MALFORMED,
                f"The token {where} cannot be an access token: {local.format_problem}.",
                f"Correct the value {where}: it must be the token alone, starting with EAA, with no "
                "quotes, spaces, `Bearer ` or `KEY=` around it. Or paste it again with "
                "`wa-token save`, which cleans such wrapping.",
            )
        ]
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
