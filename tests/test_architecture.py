"""The layering rules: core imports no UI, the CLI path imports no Textual, core never prints."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "wizard" / "core"
UI_PACKAGES = ("textual", "rich")


def modules_loaded_by(code: str) -> list[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return json.loads(out.stdout.splitlines()[-1])


def ui_modules(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in UI_PACKAGES]


def test_version_loads_no_command_module() -> None:
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "wizard", "--version"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.startswith("wa-token ")
    assert "wizard.cli.run" not in out.stderr and "wizard.cli.commands" not in out.stderr
    assert "httpx" not in out.stderr


def test_core_imports_no_ui() -> None:
    names = sorted(p.stem for p in CORE.glob("*.py") if p.stem != "__init__")
    imports = "\n".join(f"import wizard.core.{name}" for name in names)
    assert names, "no core modules found"
    assert ui_modules(modules_loaded_by(imports)) == []


def test_cli_path_imports_no_textual() -> None:
    loaded = modules_loaded_by("import wizard.cli.main, wizard.cli.run, wizard.testing.fake_graph")
    assert "wizard.cli.commands.tokens" in loaded
    assert ui_modules(loaded) == []


@pytest.mark.parametrize("path", sorted(CORE.glob("*.py")), ids=lambda p: p.name)
def test_core_module_is_pure(path: Path) -> None:
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree), f"{path.name} needs a one-line module docstring"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("print", "input"), f"{path.name} calls {node.func.id}()"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert (node.value.id, node.attr) != ("sys", "exit"), f"{path.name} calls sys.exit"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            assert not any(n.split(".")[0] in UI_PACKAGES for n in names), path.name
