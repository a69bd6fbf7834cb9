""" "Do it for me": the admin token, the plan, the progress, a refusal turned into the manual step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wizard.core.lazy import lazy_names
from wizard.ui.navigation import BACK  # light, and the first step's module loads it anyway

if TYPE_CHECKING:
    from wizard.ui.steps.provision.admin import AdminTokenStep
    from wizard.ui.steps.provision.plan import PickStep, PlanStep
    from wizard.ui.steps.provision.progress import FailureStep, ProgressStep
    from wizard.ui.steps.provision.route import run_provision
    from wizard.ui.steps.provision.why import WhyStep

__all__ = [
    "BACK",
    "AdminTokenStep",
    "FailureStep",
    "PickStep",
    "PlanStep",
    "ProgressStep",
    "WhyStep",
    "run_provision",
]

__getattr__ = lazy_names(__name__, ("why", "admin", "plan", "progress", "route"), __all__)
"""The first onboarding screen (why) loads without the admin token, the plan, the progress and
the Business Management calls, which load when "Do it for me" starts."""
