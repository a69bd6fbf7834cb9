"""The layering rules: core imports no UI, the CLI path imports no Textual, core never prints."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "wizard" / "core"
UI_PACKAGES = ("textual", "rich")
CORE_FILES = sorted(CORE.rglob("*.py"))
"""Every core module, those of its packages (graph/, diagnose/, stores/, provision/) included."""
CORE_PACKAGES = ("graph", "diagnose", "stores", "provision")
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
    assert "wizard.core.stores.env_store" in names and "wizard.core.graph.client" in names
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
    """Every command module (loaded on demand: the whole parser, then each command) too."""
    loaded = modules_loaded_by(
        "import wizard.cli.main, wizard.cli.run, wizard.testing.fake_graph\n"
        "from wizard.cli.run import COMMANDS, build_parser\n"
        "build_parser()\n"
        "commands = [COMMANDS[name] for name in COMMANDS]"
    )
    assert "wizard.cli.commands.tokens" in loaded and "wizard.cli.commands.provision" in loaded
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


def run_cli_job(job: dict[str, object], folder: Path) -> dict[str, Any]:
    """CLI_RUN's report (exit code, stderr, modules) of one job, in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-c", CLI_RUN],
        input=json.dumps(job),
        capture_output=True,
        text=True,
        check=True,
        cwd=folder,
    )
    report: dict[str, Any] = json.loads(out.stdout.splitlines()[-1])
    return report


def modules_loaded_by_command(command: str, folder: Path) -> list[str]:
    """The modules a fresh interpreter holds after `wa-token check -` (a valid token on stdin)
    or `wa-token status` (a valid token in the environment) ran against the fake Graph."""
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
        ran = run_cli_job(job, folder)
    assert ran["code"] == 0, ran["err"]
    loaded: list[str] = ran["modules"]
    assert "wizard.core.check" in loaded and "httpcore" in loaded
    return loaded


@pytest.mark.parametrize("command", ["check", "status"])
def test_check_and_status_load_no_event_loop(command: str, tmp_path: Path) -> None:
    """The Graph client is synchronous, as a bare `httpx.get` is: asyncio and anyio's asyncio
    backend (~100 ms of imports) are never loaded by a check. (httpcore itself imports anyio's
    top-level package, lazily built, whatever the client: the bare baseline loads it too.)"""
    loaded = modules_loaded_by_command(command, tmp_path)
    event_loop = [
        m
        for m in loaded
        if m.split(".")[0] == "asyncio" or (m.startswith("anyio.") and m != "anyio._lazyimport")
    ]
    assert event_loop == []


OTHER_COMMANDS_MODULES = (
    "wizard.cli.commands.fix",
    "wizard.cli.commands.lifecycle",
    "wizard.cli.commands.provision",
    "wizard.cli.commands.provision_prompts",
    "wizard.cli.commands.provision_render",
    "wizard.cli.commands.register",
    "wizard.cli.commands.schedule",
    "wizard.cli.commands.send_test",
    "wizard.cli.commands.webhook_test",
    "wizard.core.business_api",
    "wizard.core.diagnose.exchange",
    "wizard.core.diagnose.send",
    "wizard.core.flow",
    "wizard.core.lifecycle",
    "wizard.core.messaging",
    "wizard.core.provision",
    "wizard.core.provision.steps",
    "wizard.core.registration",
    "wizard.core.repair",
    "wizard.core.schedule",
    "wizard.core.stores.save",
    "wizard.core.stores.outcome",
    "wizard.core.webhook_test",
    "wizard.core.extend",
    "wizard.core.refresh",
    "getpass",
)
"""What only other commands use (send-test, extend, refresh, schedule, fix, provision, save's
writing, a hidden prompt): each command loads its own module when it runs, and its parser."""


@pytest.mark.parametrize("command", ["check", "status"])
def test_check_and_status_load_no_other_command(command: str, tmp_path: Path) -> None:
    """Start-up time: `check` and `status` import neither the modules of the other commands
    nor the core they call (each ~1-7 ms of imports)."""
    loaded = modules_loaded_by_command(command, tmp_path)
    assert [m for m in OTHER_COMMANDS_MODULES if m in loaded] == []
    assert "wizard.cli.commands.tokens" in loaded


def test_setup_reaches_the_wizard_without_the_check_or_httpx(tmp_path: Path) -> None:
    """First paint: `wa-token setup` gets to the wizard (here: refused, no terminal) through the
    parser, the settings and its own module only. Failed before: the setup command lived with
    check, and the console's renderer imported the check, the Graph client and httpx."""
    job = {
        "argv": ["setup", "--mode", "onboard"],
        "environ": {"PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"},
        "stdin": "",
    }
    ran = run_cli_job(job, tmp_path)
    assert ran["code"] == 2 and "needs an interactive terminal" in ran["err"]
    assert "wizard.cli.commands.setup" in ran["modules"]
    heavy = ("httpx", "wizard.core.check", "wizard.core.graph.client", "wizard.cli.commands.tokens")
    assert [m for m in heavy if m in ran["modules"]] == []


def test_the_other_commands_modules_exist() -> None:
    """A module renamed away would make the test above pass for nothing."""
    loaded = modules_loaded_by(
        "from wizard.cli.run import COMMANDS, build_parser\n"
        "import wizard.core.diagnose as diagnose, wizard.core.provision as provision\n"
        "build_parser()\n"
        "commands = [COMMANDS[name] for name in COMMANDS]\n"
        "later = diagnose.send_problem, diagnose.exchange_problem, provision.make_plan\n"
        "import wizard.core.repair, wizard.core.stores.save, wizard.cli.console, getpass"
    )
    assert [m for m in OTHER_COMMANDS_MODULES if m not in loaded] == []


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
WIZARD_STARTER = ("wizard/cli/commands/setup.py", "cmd_setup")
"""The one function of the CLI that may import the UI: it starts the wizard."""


def imports_of(path: Path, root: Path = ROOT) -> list[tuple[str, str | None]]:
    """Every module `path` imports, with the function the import sits in (None: module level).

    Relative imports are made absolute (`from ..ui import x` in wizard/core/a.py is wizard.ui),
    and `importlib.import_module("...")` or `__import__("...")` of a literal name counts too.
    """
    tree = ast.parse(path.read_text())
    package = path.parent.relative_to(root).parts
    found: list[tuple[str, str | None]] = []

    def absolute(node: ast.ImportFrom) -> str:
        if node.level == 0:
            return node.module or ""
        base = package[: len(package) - (node.level - 1)]
        return ".".join((*base, *([node.module] if node.module else [])))

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name)
                continue
            if isinstance(child, ast.Import):
                found.extend((alias.name, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                module = absolute(child)
                found.append((module, function))
                found.extend((f"{module}.{alias.name}", function) for alias in child.names)
            elif dynamic := dynamic_import(child):
                found.append((dynamic, function))
            visit(child, function)

    visit(tree, None)
    return found


def dynamic_import(node: ast.AST) -> str | None:
    """The literal module name of `import_module("x")`, `importlib.import_module("x")`, `__import__("x")`."""
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    first = node.args[0]
    if name in ("import_module", "__import__") and isinstance(first, ast.Constant):
        return str(first.value)
    return None


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
    module = tmp_path / "wizard" / "core" / "stores" / "bad.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "import os\n"
        "from ...ui import app\n"
        "from .. import cli\n"
        "from . import env_store\n"
        "\ndef start():\n"
        "    from wizard.ui.app import make_app\n"
        "    importlib.import_module('wizard.cli.run')\n"
        "    __import__('textual')\n"
    )
    found = imports_of(module, root=tmp_path)
    assert ("wizard.ui.app", "start") in found and ("os", None) in found
    assert ("wizard.ui", None) in found and ("wizard.ui.app", None) in found
    assert ("wizard.core.cli", None) in found and ("wizard.core.stores.env_store", None) in found
    assert ("wizard.cli.run", "start") in found and ("textual", "start") in found


@pytest.mark.parametrize("package", CORE_PACKAGES)
def test_each_core_package_is_under_the_contract(package: str) -> None:
    """The contract reads every module of core's packages (a new one is covered by rglob)."""
    files = package_files(f"core/{package}")
    assert set(files) <= set(package_files("core")) and set(files) <= set(CORE_FILES)


FAKE_SERVER = (
    "testing/fake_graph",
    "testing/fake_business.py",
    "testing/fake_admins.py",
    "testing/fake_register.py",
)
"""The fake Graph server and what it loads (its business routes): standard library only."""


def module_name(path: Path, root: Path = ROOT) -> str:
    return ".".join(path.relative_to(root).with_suffix("").parts).removesuffix(".__init__")


def foreign_imports(files: list[Path], root: Path = ROOT) -> list[str]:
    """Imports in `files` of anything but the standard library and `files` themselves."""
    own = {module_name(path, root) for path in files}
    packages = {name.rsplit(".", n)[0] for name in own for n in range(1, name.count(".") + 1)}
    return [
        f"{path.relative_to(root)}: {name}"
        for path in files
        for name, _ in imports_of(path, root)
        if name.split(".")[0] not in (*sys.stdlib_module_names, "__future__")
        and name not in own | packages
        and name.rsplit(".", 1)[0] not in own  # `from own.module import NAME`
    ]


def fake_server_files() -> list[Path]:
    return [
        path
        for part in FAKE_SERVER
        for path in ([WIZARD / part] if part.endswith(".py") else package_files(part))
    ]


def test_the_fake_graph_server_imports_only_the_standard_library() -> None:
    """`python -m wizard.testing.fake_graph` runs with no dependency installed (demos, CI)."""
    assert foreign_imports(fake_server_files()) == []


def test_the_fake_graph_server_loads_only_the_standard_library() -> None:
    at_start = set(modules_loaded_by(""))  # what site and .pth files load anyway
    loaded = modules_loaded_by(
        "import wizard.testing.fake_graph, wizard.testing.fake_business, wizard.testing.fake_admins"
    )
    foreign = [
        m
        for m in loaded
        if m not in at_start
        and m.split(".")[0] not in sys.stdlib_module_names
        and m not in ("wizard", "wizard.testing")
        and not m.startswith("wizard.testing.")
    ]
    assert "wizard.testing.fake_business" in loaded and foreign == []


def test_the_standard_library_check_sees_a_dependency(tmp_path: Path) -> None:
    server = tmp_path / "wizard" / "testing" / "fake"
    server.mkdir(parents=True)
    (server / "__init__.py").write_text("from wizard.testing.fake.data import APP_ID\n")
    (server / "data.py").write_text("import json\nfrom . import __name__ as me\nAPP_ID = '1'\n")
    (server / "routes.py").write_text(
        "def reply():\n    import httpx\n    from wizard.core.token import SecretToken\n"
    )
    files = sorted(server.glob("*.py"))
    assert foreign_imports(files, tmp_path) == [
        "wizard/testing/fake/routes.py: httpx",
        "wizard/testing/fake/routes.py: wizard.core.token",
        "wizard/testing/fake/routes.py: wizard.core.token.SecretToken",
    ]


def test_every_cli_module_loads_without_textual() -> None:
    names = [".".join(p.relative_to(ROOT).with_suffix("").parts) for p in package_files("cli")]
    loaded = modules_loaded_by(
        "\n".join(f"import {n}" for n in names if not n.endswith("__main__"))
    )
    assert ui_modules(loaded) == [] and "wizard.ui" not in loaded


# -- the flow's rules live in core/flow.py and core/outcome.py, not in the app (issue 25) ------

APP = WIZARD / "ui" / "app.py"
ROUTE_RULES = frozenset(
    {
        "ONBOARD_STEPS",
        "PERMANENT_ROUTE",
        "TEMPORARY_ROUTE",
        "COMPARE_ROUTE",
        "REPLACE_PROBLEMS",
        "STEP_FOR_PROBLEM",
        "ExitCode",
        "Choice",
    }
)
"""Names that hold a route rule or an exit code: the app reaches them only through core's
functions (opening_route, route_for, Walk, outcome_of)."""


def test_no_step_screen_imports_the_app() -> None:
    """The steps drive the app through a protocol (provision's route: ProvisionHost), so the
    app -> steps -> app circle is gone, even under TYPE_CHECKING."""
    assert crossings("ui/steps", ("wizard.ui.app",)) == []


def test_only_the_scenes_import_the_app_within_the_ui() -> None:
    """The widgets, modals, state and background helpers do not either: the app imports them.
    The scenes build the app to walk it (scripts and screenshots), which is why they may."""
    below = [
        line
        for line in crossings("ui", ("wizard.ui.app",))
        if not line.startswith(("wizard/ui/app.py", "wizard/ui/scenes/"))
    ]
    assert below == []


def names_used(path: Path) -> set[str]:
    """Every name and attribute `path` reads or binds, imported names included."""
    tree = ast.parse(path.read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.alias):
            found |= {node.name.rsplit(".", 1)[-1], node.asname or ""}
    return found


def test_the_app_holds_no_route_rule_and_no_exit_code() -> None:
    assert sorted(names_used(APP) & ROUTE_RULES) == []


def test_the_route_rule_check_sees_a_rule(tmp_path: Path) -> None:
    module = tmp_path / "app.py"
    module.write_text(
        "from wizard.core.codes import ExitCode as Codes\n"
        "from wizard.core import flow\n"
        "def walk(mode):\n"
        "    COMPARE_ROUTE = ()\n"
        "    return flow.PERMANENT_ROUTE, Codes.OK\n"
    )
    assert names_used(module) & ROUTE_RULES == {"ExitCode", "COMPARE_ROUTE", "PERMANENT_ROUTE"}
