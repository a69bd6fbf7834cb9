""" "Do it for me": the admin token, the plan, the progress, a refusal turned into the manual step."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from wizard.ui.navigation import BACK
    from wizard.ui.steps.provision.admin import AdminTokenStep
    from wizard.ui.steps.provision.plan import PickStep, PlanStep
    from wizard.ui.steps.provision.progress import FailureStep, ProgressStep
    from wizard.ui.steps.provision.route import run_provision
    from wizard.ui.steps.provision.why import PROVISION, WhyStep

_HOMES = {
    "BACK": "wizard.ui.navigation",
    "PROVISION": f"{__name__}.why",
    "AdminTokenStep": f"{__name__}.admin",
    "FailureStep": f"{__name__}.progress",
    "PickStep": f"{__name__}.plan",
    "PlanStep": f"{__name__}.plan",
    "ProgressStep": f"{__name__}.progress",
    "WhyStep": f"{__name__}.why",
    "run_provision": f"{__name__}.route",
}
"""Where each name lives: the first onboarding screen (why) loads without the admin token, the
plan, the progress and the Business Management calls, which load when "Do it for me" starts."""

__all__ = [
    "BACK",
    "PROVISION",
    "AdminTokenStep",
    "FailureStep",
    "PickStep",
    "PlanStep",
    "ProgressStep",
    "WhyStep",
    "run_provision",
]


def __getattr__(name: str) -> Any:
    """Import a name's module on first use."""
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
