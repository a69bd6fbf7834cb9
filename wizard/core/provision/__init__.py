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

from typing import TYPE_CHECKING

from wizard.core.lazy import lazy_names
from wizard.core.provision.steps import (
    ADMIN_NOT_STORED,
    BUSINESS_MANAGEMENT,
    DEFAULT_SYSTEM_USER,
    EXPIRY_WORDS,
    MAX_NAME_LENGTH,
    PROBLEM_TEXTS,
    PROVISIONED,
    STEP_MANUAL,
    TWO_FACTOR,
    Expiry,
    ProblemText,
    ProvisionProblem,
    Role,
    StepKind,
    StepState,
)

if TYPE_CHECKING:
    from wizard.core.provision.plan import (
        Plan,
        PlannedStep,
        Request,
        StepResult,
        check_request,
        describe,
        find_accounts,
        find_businesses,
        make_plan,
    )
    from wizard.core.provision.refusals import (
        ProvisionRefused,
        Refusal,
        classify,
        clean,
        graph_reason,
        refusal_for,
    )
    from wizard.core.provision.run import (
        Outcome,
        ProgressCallback,
        carry_out,
        check_store_usable,
        existing_token,
        pick,
        provision,
    )

__all__ = [
    "ADMIN_NOT_STORED",
    "BUSINESS_MANAGEMENT",
    "DEFAULT_SYSTEM_USER",
    "EXPIRY_WORDS",
    "MAX_NAME_LENGTH",
    "PROBLEM_TEXTS",
    "PROVISIONED",
    "STEP_MANUAL",
    "TWO_FACTOR",
    "Expiry",
    "Outcome",
    "Plan",
    "PlannedStep",
    "ProblemText",
    "ProgressCallback",
    "ProvisionProblem",
    "ProvisionRefused",
    "Refusal",
    "Request",
    "Role",
    "StepKind",
    "StepResult",
    "StepState",
    "carry_out",
    "check_request",
    "check_store_usable",
    "classify",
    "clean",
    "describe",
    "existing_token",
    "find_accounts",
    "find_businesses",
    "graph_reason",
    "make_plan",
    "pick",
    "provision",
    "refusal_for",
]

__getattr__ = lazy_names(__name__, ("plan", "refusals", "run"), __all__)
