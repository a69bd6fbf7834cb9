"""Ready-to-paste cron and systemd entries that run `wa-token refresh` once a day."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from wizard.core.errors import SettingsError
from wizard.core.profiles import Profile

_SYSTEMD_PLAIN = re.compile(r"[A-Za-z0-9_@%+=:,./-]+")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
"""Control characters but the tab: a line break would end the crontab line or unit setting."""


@dataclass(frozen=True)
class ScheduleTexts:
    """One crontab line and a systemd user service + timer pair, with how to install them."""

    unit_name: str
    """wa-token-refresh, or wa-token-refresh-NAME for another profile."""
    command: tuple[str, ...]
    """The refresh command line both run."""
    shell: str
    """That command line quoted for a POSIX shell, to run once by hand (safe to paste)."""
    crontab: str
    service: str
    timer: str


def refresh_command(
    program: Sequence[str],
    env_file: Path,
    profile: Profile,
    within_days: int,
    extra_flags: Sequence[str] = (),
) -> tuple[str, ...]:
    """`/abs/wa-token refresh --if-expiring-within N --env-file /abs/.env --profile NAME`."""
    return (
        *program,
        "refresh",
        "--if-expiring-within",
        str(within_days),
        "--env-file",
        str(env_file),
        "--profile",
        profile.name,
        *extra_flags,
    )


def schedule_texts(command: Sequence[str], profile: Profile) -> ScheduleTexts:
    """The texts for one profile's daily refresh; paths must already be absolute.

    Every word is quoted for where it goes (sh for cron and the by-hand line, systemd's own
    rules for ExecStart=); a word with a line break or another control character cannot be
    written into either, so it is refused (SettingsError)."""
    _refuse_control_characters(command)
    unit = "wa-token-refresh" + ("" if profile.is_default else f"-{profile.name}")
    cron_command = shlex.join(command).replace("%", "\\%")  # cron turns a bare % into a newline
    crontab = "\n".join(
        [
            "# crontab -e, then paste (daily at 04:17; only failures print, so cron mails only them).",
            "# The app id and secret must be in the .env file: cron does not see your shell's",
            "# variables. A token in the OS keyring is usually out of cron's reach: use the timer.",
            f"17 4 * * * {cron_command} >/dev/null",
        ]
    )
    service = "\n".join(
        [
            f"# ~/.config/systemd/user/{unit}.service",
            "[Unit]",
            (
                f"Description=Refresh the WhatsApp Cloud API token before it expires (profile "
                f"{profile.name})"
            ),
            "",
            "[Service]",
            "Type=oneshot",
            f"ExecStart={systemd_join(command)}",
            "# Your server must read the new token: restart it from here if it only reads at start,",
            "# e.g. ExecStartPost=/usr/bin/systemctl --user try-restart your-app.service",
        ]
    )
    timer = "\n".join(
        [
            f"# ~/.config/systemd/user/{unit}.timer",
            "[Unit]",
            f"Description=Run {unit} daily",
            "",
            "[Timer]",
            "OnCalendar=daily",
            "RandomizedDelaySec=1h",
            "Persistent=true",
            "",
            "[Install]",
            "WantedBy=timers.target",
            "",
            f"# Then: systemctl --user daemon-reload && systemctl --user enable --now {unit}.timer",
            "# (and `loginctl enable-linger $USER` so it also runs while you are logged out).",
        ]
    )
    return ScheduleTexts(unit, tuple(command), shlex.join(command), crontab, service, timer)


def _refuse_control_characters(command: Sequence[str]) -> None:
    if any(_CONTROL.search(word) for word in command):
        raise SettingsError(
            "A path or setting of the refresh command holds a line break or another control "
            "character, which a crontab line or a systemd unit cannot hold.",
            fix="Move the .env file (or wa-token) to a path without such characters, or use "
            "a symlink to it, then run `wa-token schedule --print` again.",
        )


def systemd_join(command: Sequence[str]) -> str:
    """A command line for ExecStart=: quoted where needed, `%` and `$` escaped."""
    return " ".join(_systemd_word(word) for word in command)


def _systemd_word(word: str) -> str:
    escaped = word.replace("%", "%%").replace("$", "$$")
    if _SYSTEMD_PLAIN.fullmatch(escaped):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


WORKFLOW_PATH = ".github/workflows/wa-token-refresh.yml"
GITHUB_CREDENTIALS_SECRET = "WA_TOKEN_GITHUB_TOKEN"
"""The repository secret holding a GitHub token that may write this repository's secrets (the
job's own GITHUB_TOKEN cannot)."""


def github_actions_workflow(
    profile: Profile, within_days: int, version: str, extra_flags: Sequence[str] = ()
) -> str:
    """A workflow that runs `wa-token refresh` daily on GitHub's runners and writes the new
    token back into the repository's Actions secret (for users without a server of their own).

    The token reaches wa-token through a 0600 file in the runner's temp folder, written by the
    shell's printf builtin (never an argument); refresh replaces it there, then --push seals it
    into the secret."""
    _refuse_control_characters(extra_flags)
    token_var = profile.token_key
    app_id_var, secret_var = profile.var("WHATSAPP_APP_ID"), profile.var("WHATSAPP_APP_SECRET")
    command = shlex.join(
        [
            "wa-token",
            "refresh",
            "--if-expiring-within",
            str(within_days),
            "--env-file",
            "RUNNER_TEMP_ENV",
            "--profile",
            profile.name,
            *extra_flags,
        ]
    ).replace("RUNNER_TEMP_ENV", '"$RUNNER_TEMP/wa-token.env"')
    return "\n".join(
        [
            f"# {WORKFLOW_PATH}",
            f"# Renews the WhatsApp Cloud API token (profile {profile.name}) before it expires and",
            f"# writes the new one back into this repository's Actions secret {token_var}.",
            "# Settings → Secrets and variables → Actions needs:",
            f"#   secret   {token_var}  the current token (`wa-token push add github:OWNER/REPO`, then `wa-token push`)",
            f"#   secret   {secret_var}  App Dashboard → your app → App settings → Basic",
            f"#   variable {app_id_var}  the app id",
            f"#   secret   {GITHUB_CREDENTIALS_SECRET}  a fine-grained token for this repository with",
            '#            "Secrets: Read and write" (the job\'s own GITHUB_TOKEN cannot write secrets)',
            "# GitHub pauses scheduled workflows of a public repository after 60 days without",
            "# activity: keep an eye on the Actions tab (or run it by hand: workflow_dispatch).",
            f"name: Refresh the WhatsApp token ({profile.name})",
            "on:",
            "  schedule:",
            '    - cron: "17 4 * * *"',
            "  workflow_dispatch:",
            "permissions:",
            "  contents: read",
            "concurrency:",
            f"  group: wa-token-refresh-{profile.name}",
            "  cancel-in-progress: false",
            "jobs:",
            "  refresh:",
            "    runs-on: ubuntu-latest",
            "    timeout-minutes: 10",
            "    steps:",
            "      - uses: actions/setup-python@v5",
            "        with:",
            '          python-version: "3.12"',
            "      - name: Install wa-token",
            f'        run: python -m pip install "wa-token=={version}"',
            "      - name: Refresh the token and update the secret",
            "        env:",
            f"          CURRENT_TOKEN: ${{{{ secrets.{token_var} }}}}",
            f"          {app_id_var}: ${{{{ vars.{app_id_var} }}}}",
            f"          {secret_var}: ${{{{ secrets.{secret_var} }}}}",
            f"          GH_TOKEN: ${{{{ secrets.{GITHUB_CREDENTIALS_SECRET} }}}}",
            "        run: |",
            "          umask 077",
            f'          printf \'{token_var}=%s\\n\' "$CURRENT_TOKEN" > "$RUNNER_TEMP/wa-token.env"',
            "          unset CURRENT_TOKEN",
            f'          {command} --push "github:$GITHUB_REPOSITORY"',
            "",
        ]
    )
