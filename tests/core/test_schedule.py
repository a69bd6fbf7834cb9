"""The cron line and systemd units `wa-token schedule --print` shows."""

from __future__ import annotations

import shlex
from pathlib import Path

from wizard.core.profiles import DEFAULT, Profile
from wizard.core.schedule import refresh_command, schedule_texts, systemd_join


def test_default_profile_texts() -> None:
    command = refresh_command(["/opt/venv/bin/wa-token"], Path("/srv/app/.env"), DEFAULT, 10)
    assert command == ("/opt/venv/bin/wa-token", "refresh", "--if-expiring-within", "10",
                       "--env-file", "/srv/app/.env", "--profile", "default")
    texts = schedule_texts(command, DEFAULT)
    [line] = [x for x in texts.crontab.splitlines() if not x.startswith("#")]
    assert line == ("17 4 * * * /opt/venv/bin/wa-token refresh --if-expiring-within 10 "
                    "--env-file /srv/app/.env --profile default >/dev/null")
    assert texts.unit_name == "wa-token-refresh"
    assert "ExecStart=/opt/venv/bin/wa-token refresh" in texts.service
    assert "Type=oneshot" in texts.service
    for expected in ("OnCalendar=daily", "Persistent=true", "WantedBy=timers.target",
                     "enable --now wa-token-refresh.timer"):
        assert expected in texts.timer


def test_awkward_paths_are_quoted_for_cron_and_systemd() -> None:
    command = refresh_command(["/home/me/my tools/wa-token"], Path("/srv/50%/a $b.env"),
                              Profile("acme"), 3, ["--graph-url", "http://127.0.0.1:9"])
    texts = schedule_texts(command, Profile("acme"))
    [line] = [x for x in texts.crontab.splitlines() if not x.startswith("#")]
    cron_command = line.removeprefix("17 4 * * * ").removesuffix(" >/dev/null")
    assert shlex.split(cron_command.replace("\\%", "%")) == list(command)
    assert "'/srv/50\\%/a $b.env'" in line
    assert ('"/home/me/my tools/wa-token" refresh --if-expiring-within 3 --env-file '
            '"/srv/50%%/a $$b.env" --profile acme --graph-url http://127.0.0.1:9') in texts.service
    assert texts.unit_name == "wa-token-refresh-acme"


def test_systemd_join_escapes_quotes_and_backslashes() -> None:
    assert systemd_join(["/bin/x", 'a"b', "c\\d", "plain"]) == '/bin/x "a\\"b" "c\\\\d" plain'
