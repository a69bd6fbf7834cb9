"""One place per use case (issue 25): the CLI and the wizard call one core function per use case
and never assemble one from its steps (refresh was assembled in the CLI while extend was core)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOORS = sorted([*(ROOT / "wizard" / "cli").rglob("*.py"), *(ROOT / "wizard" / "ui").rglob("*.py")])

USE_CASES = {
    "check": ("wizard.core.check", "check_found_token"),
    "save": ("wizard.core.stores.save", "store_token"),
    "extend": ("wizard.core.extend", "extend"),
    "refresh": ("wizard.core.refresh", "refresh"),
    "fix": ("wizard.core.repair", "ignore_in_git"),
    "send-test": ("wizard.core.messaging", "send_hello_world"),
    "provision": ("wizard.core.provision.run", "provision"),
    "register": ("wizard.core.registration", "register_number"),
    "webhook-test": ("wizard.core.webhook_test", "run_webhook_test"),
    "fix webhooks": ("wizard.core.webhooks", "subscribe_missing"),
    "push": ("wizard.core.push.deliver", "push_token"),
}
"""Each use case's core module and the function both doors call."""

STEPS_OF_A_USE_CASE = {
    ("lifecycle", "inspect_current"),
    ("lifecycle", "plan_refresh"),
    ("lifecycle", "plan_extend"),
    ("lifecycle", "renew"),
    ("lifecycle", "app_mismatch"),
}
"""The core's building blocks of extend and refresh: only their use case calls them."""


@pytest.mark.parametrize("name", sorted(USE_CASES))
def test_each_use_case_is_one_core_function(name: str) -> None:
    module, function = USE_CASES[name]
    assert callable(getattr(importlib.import_module(module), function))


@pytest.mark.parametrize("path", DOORS, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_door_assembles_a_use_case_from_its_steps(path: Path) -> None:
    calls = {
        (node.func.value.id, node.func.attr)
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
    }
    assert calls & STEPS_OF_A_USE_CASE == set()
