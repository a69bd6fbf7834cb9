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
CORE_FILES = sorted(CORE.rglob("*.py"))
"""Every core module, those of its packages (diagnose/, provision/) included."""
DOORS = ("wizard.cli", "wizard.ui", "wizard.commands", "wizard.console", "wizard.text_report")
"""The CLI and the wizard (and the CLI modules still at the top level): core imports none of them."""


def core_module_names() -> list[str]:
    return [
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in CORE_FILES
    ]


def is_door(module: str) -> bool:
    """wizard.cli, wizard.cli_fix, wizard.cli.render, wizard.ui.app, ... (not wizard.core)."""
    return any(module == d or module.startswith((d + ".", d + "_")) for d in DOORS)


def modules_loaded_by(code: str) -> list[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return json.loads(out.stdout.splitlines()[-1])


def ui_modules(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in UI_PACKAGES]


def test_version_loads_no_command_module() -> None:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "wizard", "--version"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert out.stdout.startswith("wa-token ")
    assert "wizard.cli.run" not in out.stderr and "wizard.cli.commands" not in out.stderr
    assert "httpx" not in out.stderr


def test_core_imports_no_ui() -> None:
    names = core_module_names()
    imports = "\n".join(f"import {name}" for name in names)
    assert "wizard.core.diagnose.findings" in names, "core's packages are not all found"
    assert ui_modules(modules_loaded_by(imports)) == []


def test_core_loads_neither_cli_nor_wizard_ui() -> None:
    imports = "\n".join(f"import {name}" for name in core_module_names())
    loaded = modules_loaded_by(imports)
    assert "wizard.core.provision.run" in loaded
    assert [m for m in loaded if is_door(m)] == []


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_names_neither_cli_nor_wizard_ui(path: Path) -> None:
    """Also an import that only runs later (inside a function, under TYPE_CHECKING)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = [module, *(f"{module}.{a.name}" for a in node.names)]
        else:
            continue
        assert not any(is_door(n) for n in names), f"{path.name} imports {names}"


@pytest.mark.parametrize(
    "module",
    [
        "wizard.cli",
        "wizard.cli_fix",
        "wizard.cli.render",
        "wizard.ui.app",
        "wizard.commands",
        "wizard.text_report",
    ],
)
def test_the_doors_are_recognised(module: str) -> None:
    assert is_door(module)
    assert not is_door("wizard.core.check") and not is_door("wizard.client")


def test_cli_path_imports_no_textual() -> None:
    loaded = modules_loaded_by("import wizard.cli.main, wizard.cli.run, wizard.testing.fake_graph")
    assert "wizard.cli.commands.tokens" in loaded
    assert ui_modules(loaded) == []


CLI_RUN = """
import io, json, sys
from wizard.cli.main import main
job = json.loads(sys.stdin.read())
out, err = io.StringIO(), io.StringIO()
code = main(job["argv"], environ=job["environ"], stdin=io.StringIO(job["stdin"]), stdout=out,
            stderr=err)
print(json.dumps({"code": code, "err": err.getvalue(), "modules": sorted(sys.modules)}))
"""
"""Runs one CLI command in a fresh interpreter (the job on stdin: no token on a command line)
and prints the modules loaded by the time it returned."""


@pytest.mark.parametrize("command", ["check", "status"])
def test_check_and_status_load_no_event_loop(command: str, tmp_path: Path) -> None:
    """The Graph client is synchronous, as a bare `httpx.get` is: asyncio and anyio's asyncio
    backend (~100 ms of imports) are never loaded by a check. (httpcore itself imports anyio's
    top-level package, lazily built, whatever the client: the bare baseline loads it too.)
    Nor is provision's plan and run: only its vocabulary, for the parser."""
    from wizard.testing.fake_graph import TOKENS, FakeGraphServer

    with FakeGraphServer() as graph:
        environ = {
            "WHATSAPP_GRAPH_URL": graph.url,
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            **({"WHATSAPP_CLOUD_API_TOKEN": TOKENS["valid"]} if command == "status" else {}),
        }
        job = {
            "argv": [command, "--json", *(["-"] if command == "check" else [])],
            "environ": environ,
            "stdin": TOKENS["valid"] if command == "check" else "",
        }
        out = subprocess.run(
            [sys.executable, "-c", CLI_RUN],
            input=json.dumps(job),
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
        )
    ran = json.loads(out.stdout.splitlines()[-1])
    assert ran["code"] == 0, ran["err"]
    loaded = ran["modules"]
    assert "wizard.core.check" in loaded and "httpcore" in loaded
    event_loop = [
        m
        for m in loaded
        if m.split(".")[0] == "asyncio" or (m.startswith("anyio.") and m != "anyio._lazyimport")
    ]
    assert event_loop == []
    assert "wizard.core.provision.steps" in loaded
    assert "wizard.core.provision.plan" not in loaded and "wizard.core.provision.run" not in loaded


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(CORE)))
def test_core_module_is_pure(path: Path) -> None:
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree), f"{path.name} needs a one-line module docstring"
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            assert node.func.id not in ("print", "input"), f"{path.name} calls {node.func.id}()"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            assert (node.value.id, node.attr) != ("sys", "exit"), f"{path.name} calls sys.exit"
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            assert not any(n.split(".")[0] in UI_PACKAGES for n in names), path.name


# -- import contracts between the packages -------------------------------------------------------

WIZARD = ROOT / "wizard"
WIZARD_STARTER = ("wizard/cli/commands/tokens.py", "cmd_setup")
"""The one function of the CLI that may import the UI: it starts the wizard."""


def imports_of(path: Path) -> list[tuple[str, str | None]]:
    """Every module `path` imports, with the function the import sits in (None: module level)."""
    tree = ast.parse(path.read_text())
    found: list[tuple[str, str | None]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module, function))
                found.extend((f"{child.module}.{alias.name}", function) for alias in child.names)
            visit(child, function)

    visit(tree, None)
    return found


def package_files(package: str) -> list[Path]:
    files = sorted((WIZARD / package).rglob("*.py"))
    assert files, f"no modules found in wizard/{package}"
    return files


def crossings(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}: {name} (in {function or 'module'})"
        for path in package_files(package)
        for name, function in imports_of(path)
        if any(name == f or name.startswith(f + ".") for f in forbidden)
    ]


def test_core_imports_neither_cli_nor_ui() -> None:
    assert crossings("core", ("wizard.cli", "wizard.ui", "textual", "rich")) == []


def test_testing_imports_neither_ui_nor_cli() -> None:
    assert crossings("testing", ("wizard.cli", "wizard.ui", "textual", "rich")) == []


def test_cli_imports_the_ui_only_to_start_the_wizard() -> None:
    path, function = WIZARD_STARTER
    allowed = f"{path}: wizard.ui."
    found = crossings("cli", ("wizard.ui", "textual", "rich"))
    assert [
        line
        for line in found
        if not (line.startswith(allowed) and line.endswith(f"(in {function})"))
    ] == []
    assert found, "the wizard's starter moved: update WIZARD_STARTER"


def test_the_contract_checker_sees_a_crossing(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("import os\n\ndef start():\n    from wizard.ui.app import make_app\n")
    assert ("wizard.ui.app", "start") in imports_of(module)
    assert ("os", None) in imports_of(module)


def test_every_cli_module_loads_without_textual() -> None:
    names = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in package_files("cli")]
    loaded = modules_loaded_by(
        "\n".join(f"import {n}" for n in names if not n.endswith("__main__"))
    )
    assert ui_modules(loaded) == [] and "wizard.ui" not in loaded
