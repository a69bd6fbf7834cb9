"""provision's refusals: which Graph error stops which step, and why in words."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.business_api import (
    graph_id,
)
from wizard.core.codes import ExitCode
from wizard.core.errors import (
    GraphApiError,
    GraphError,
    WaTokenError,
)
from wizard.core.flow import STEP_TEXTS, Step
from wizard.core.provision.steps import (
    PROBLEM_TEXTS,
    STEP_MANUAL,
    TWO_FACTOR,
    ProvisionProblem,
    StepKind,
)


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


def clean(text: str, limit: int = 80) -> str:
    """Network text without control characters, at most `limit` characters."""
    return "".join(c for c in text if c.isprintable())[:limit]


# -- refusals -------------------------------------------------------------------------------------


def refusal_for(
    err: GraphError,
    call: str,
    kind: StepKind | None,
    *,
    app_owned: bool = True,
    reading_business: bool = False,
) -> Refusal:
    """What a failed call means for the user, and where they continue by hand."""
    problem = classify(err, kind, app_owned=app_owned, reading_business=reading_business)
    manual = PROBLEM_TEXTS[problem].manual_step
    if kind is not None and (manual is None or problem in _STEP_DECIDES):
        manual = STEP_MANUAL[kind]
    return Refusal(problem, call, graph_reason(err), manual)


_STEP_DECIDES = frozenset(
    {
        ProvisionProblem.NOT_BUSINESS_ADMIN,
        ProvisionProblem.TWO_FACTOR_REQUIRED,
        ProvisionProblem.REFUSED,
        ProvisionProblem.ADMIN_TOKEN_EXPIRED,
        ProvisionProblem.ADMIN_TOKEN_INVALID,
    }
)
"""Refusals whose manual step is the step that failed, not a fixed one."""


def classify(
    err: GraphError,
    kind: StepKind | None,
    *,
    app_owned: bool = True,
    reading_business: bool = False,
) -> ProvisionProblem:
    """A Graph failure of one step → the problem code (table in the README)."""
    if (
        not isinstance(err, GraphApiError)
        or err.code in (1, 2, 4, 17, 32, 613, 80007)
        or err.status >= 500
        or err.is_transient
    ):
        return ProvisionProblem.GRAPH_UNAVAILABLE
    if err.code == 190 or err.code == 102:
        return (
            ProvisionProblem.ADMIN_TOKEN_EXPIRED
            if err.subcode == 463
            else ProvisionProblem.ADMIN_TOKEN_INVALID
        )
    if (err.code, err.subcode) == TWO_FACTOR or err.code == TWO_FACTOR[0]:
        return ProvisionProblem.TWO_FACTOR_REQUIRED
    if reading_business and (err.code in (10, 200) or 200 < err.code < 300):
        return ProvisionProblem.NO_BUSINESS_MANAGEMENT
    if kind is StepKind.CREATE_SYSTEM_USER and err.code == 100 and err.subcode != 33:
        return ProvisionProblem.SYSTEM_USER_LIMIT
    if (
        kind in (StepKind.INSTALL_APP, StepKind.GENERATE_TOKEN)
        and not app_owned
        and err.code in (3, 10, 100, 200)
    ):
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
