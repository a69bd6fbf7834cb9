"""The wizard's last lines on the terminal: wrapped between words to the terminal's width (the
message that no D-Bus leaves the keyring out of reach is one long sentence)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import WA_TOKEN
from tests.support.terminal import TerminalOutput, open_terminal
from tests.support.waiting import wait_until

ESCAPES = re.compile(r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def quit_at_width(columns: int, cwd: Path, env: dict[str, str]) -> tuple[int, list[str]]:
    """Start the wizard on a terminal `columns` wide, press Ctrl+Q at its first screen; its exit
    code and the lines it wrote after leaving the full screen."""
    master, slave = open_terminal(columns, 30)
    proc = subprocess.Popen(
        [str(WA_TOKEN)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=cwd,
        start_new_session=True,
    )
    os.close(slave)
    output = TerminalOutput(master)
    try:
        wait_until(lambda: output.has(b"Quit"), "the wizard's first screen")
        os.write(master, b"\x11")  # Ctrl+Q
        code = proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = output.close()
    after = text.rsplit("\x1b[?1049l", 1)[-1]
    lines = [ESCAPES.sub("", line).rstrip() for line in re.split(r"\r?\n|\r", after)]
    return code, [line for line in lines if line.strip()]


@pytest.mark.parametrize("columns", [60, 120])
def test_the_no_keyring_quit_message_wraps_between_words_at_the_terminal_width(
    isolated: Path, columns: int
) -> None:
    """Failed before: one 400-character line, cut by the terminal in the middle of words."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("WHATSAPP_", "DBUS_", "XDG_RUNTIME", "PYTHON_KEYRING", "COLUMNS"))
    }
    env.update(HOME=str(isolated), XDG_CONFIG_HOME=str(isolated / ".config"), TERM="xterm")
    code, lines = quit_at_width(columns, isolated, env)
    assert code == 5, lines
    start = next(i for i, line in enumerate(lines) if line.startswith("No token in"))
    message = lines[start:]
    assert len(message) > 1 and all(len(line) <= columns for line in message), message
    words = " ".join(message).split()
    assert "keyring" in words and "session):" in words and "timer," in words
    assert len(message[0]) > columns - 25, "the lines use the terminal's width"
