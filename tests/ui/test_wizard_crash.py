"""A bug inside the wizard ends `wa-token` with the documented unexpected-error line and a
non-zero exit: no Rich traceback, no local variables (they hold the token), no "nothing was
changed" with exit 0. Run through the real entry point in a pseudo-terminal."""

from __future__ import annotations

import os
import subprocess
import textwrap
import time
from pathlib import Path

from tests.conftest import NO_KEYRING, WA_TOKEN
from tests.support.terminal import TerminalOutput, open_terminal
from wizard.core.codes import ExitCode

TOKEN = "EAAGuard0Crash0" + "f" * 100 + "wxyz"
BUG = """
import os
import wizard.ui.app as app

def on_mount(self):
    token = os.environ["WHATSAPP_CLOUD_API_TOKEN"]  # a local that Rich would print
    raise RuntimeError("a bug in the wizard")

app.WizardApp.on_mount = on_mount
"""


def run_in_terminal(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 60
) -> tuple[int, str]:
    """Run with stdin, stdout and stderr on a pseudo-terminal; its exit code and all it wrote."""
    master, slave = open_terminal(120, 40)
    proc = subprocess.Popen(
        args, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, start_new_session=True
    )
    os.close(slave)
    output = TerminalOutput(master)
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    if proc.poll() is None:
        proc.kill()
    code = proc.wait()
    return code, output.close()


def test_a_wizard_crash_exits_non_zero_without_a_traceback(isolated: Path, tmp_path: Path) -> None:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent(BUG))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WHATSAPP_", "WA_TOKEN_DEBUG"))}
    env.update(
        {
            "PYTHONPATH": str(hook),
            "TERM": "xterm-256color",
            "PYTHON_KEYRING_BACKEND": NO_KEYRING,
            "WHATSAPP_CLOUD_API_TOKEN": TOKEN,
            "WHATSAPP_GRAPH_URL": "http://127.0.0.1:9",
        }
    )
    code, output = run_in_terminal([str(WA_TOKEN)], env, isolated)
    assert code == ExitCode.INTERNAL == 70, output
    assert "unexpected error (RuntimeError)" in output
    assert "Traceback" not in output and "locals" not in output
    assert TOKEN not in output and TOKEN[-20:] not in output
    assert "nothing was changed" not in output
