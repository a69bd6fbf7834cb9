""" "Do it for me": the admin token, the plan, the progress, a refusal turned into the manual step."""

from wizard.ui.navigation import BACK
from wizard.ui.steps.provision.admin import AdminTokenStep
from wizard.ui.steps.provision.plan import PickStep, PlanStep
from wizard.ui.steps.provision.progress import FailureStep, ProgressStep
from wizard.ui.steps.provision.route import run_provision
from wizard.ui.steps.provision.why import PROVISION, WhyStep

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
