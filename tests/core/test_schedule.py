"""The cron line and systemd units `wa-token schedule --print` shows."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from wizard.core.errors import SettingsError
from wizard.core.profiles import DEFAULT, Profile
from wizard.core.schedule import refresh_command, schedule_texts, systemd_join


def test_default_profile_texts() -> None:
    command = refresh_command(["/opt/venv/bin/wa-token"], Path("/srv/app/.env"), DEFAULT, 10)
    assert command == (
        "/opt/venv/bin/wa-token",
        "refresh",
        "--if-expiring-within",
        "10",
        "--env-file",
        "/srv/app/.env",
        "--profile",
        "default",
    )
    texts = schedule_texts(command, DEFAULT)
    [line] = [x for x in texts.crontab.splitlines() if not x.startswith("#")]
    assert line == (
        "17 4 * * * /opt/venv/bin/wa-token refresh --if-expiring-within 10 "
        "--env-file /srv/app/.env --profile default >/dev/null"
    )
    assert texts.unit_name == "wa-token-refresh"
    assert "ExecStart=/opt/venv/bin/wa-token refresh" in texts.service
    assert "Type=oneshot" in texts.service
    for expected in (
        "OnCalendar=daily",
        "Persistent=true",
        "WantedBy=timers.target",
        "enable --now wa-token-refresh.timer",
    ):
        assert expected in texts.timer


def test_awkward_paths_are_quoted_for_cron_and_systemd() -> None:
    command = refresh_command(
        ["/home/me/my tools/wa-token"],
        Path("/srv/50%/a $b.env"),
        Profile("acme"),
        3,
        ["--graph-url", "http://127.0.0.1:9"],
    )
    texts = schedule_texts(command, Profile("acme"))
    [line] = [x for x in texts.crontab.splitlines() if not x.startswith("#")]
    cron_command = line.removeprefix("17 4 * * * ").removesuffix(" >/dev/null")
    assert shlex.split(cron_command.replace("\\%", "%")) == list(command)
    assert "'/srv/50\\%/a $b.env'" in line
    assert (
        '"/home/me/my tools/wa-token" refresh --if-expiring-within 3 --env-file '
        '"/srv/50%%/a $$b.env" --profile acme --graph-url http://127.0.0.1:9'
    ) in texts.service
    assert texts.unit_name == "wa-token-refresh-acme"


def test_systemd_join_escapes_quotes_and_backslashes() -> None:
    assert systemd_join(["/bin/x", 'a"b', "c\\d", "plain"]) == '/bin/x "a\\"b" "c\\\\d" plain'


HOSTILE = [
    "/srv/$(touch PWNED)/.env",
    "/srv/`touch PWNED`/.env",
    "/srv/a;touch PWNED/.env",
    "/srv/it's here/.env",
    "/srv/a b\tc/.env",
    "/srv/~user/*.env",
    "/srv/100%/$HOME/.env",
]


def _sh_words(line: str, cwd: Path) -> list[str]:
    """The words a POSIX shell makes of `line` (run with printf in place of the program)."""
    done = subprocess.run(
        ["sh", "-c", "printf '%s\\0' " + line], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout.split("\0")[:-1]


@pytest.mark.parametrize("env_file", HOSTILE)
def test_every_command_line_is_quoted_for_the_shell(env_file: str, tmp_path: Path) -> None:
    """The "check it once by hand" line was `' '.join(command)`: `$(…)` ran when pasted."""
    command = refresh_command(["/opt/my tools/wa-token"], Path(env_file), Profile("acme"), 3)
    texts = schedule_texts(command, Profile("acme"))
    assert _sh_words(texts.shell, tmp_path) == list(command)
    [line] = [x for x in texts.crontab.splitlines() if not x.startswith("#")]
    cron_command = line.removeprefix("17 4 * * * ").removesuffix(" >/dev/null")
    assert _sh_words(cron_command.replace("\\%", "%"), tmp_path) == list(command)
    assert "%" not in cron_command.replace("\\%", "")  # cron turns a bare % into a line break
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    ("word", "written"),
    [
        ("/srv/$(touch x)/.env", '"/srv/$$(touch x)/.env"'),
        ("/srv/100%/a", "/srv/100%%/a"),
        ("/srv/a;b", '"/srv/a;b"'),
        (";", '";"'),
        ("it's", '"it\'s"'),
        ("", '""'),
        ("${HOME}", '"$${HOME}"'),
    ],
)
def test_systemd_words_follow_systemds_own_quoting(word: str, written: str) -> None:
    assert systemd_join([word]) == written


@pytest.mark.parametrize(
    "bad", ["/srv/a\nb/.env", "/srv/a\rb/.env", "/srv/\x1b[2J/.env", "/srv/a\x00b"]
)
def test_a_path_with_a_control_character_is_refused(bad: str) -> None:
    command = refresh_command(["/opt/wa-token"], Path("/srv/.env"), DEFAULT, 3)
    with pytest.raises(SettingsError, match="control character"):
        schedule_texts((*command, bad), DEFAULT)
