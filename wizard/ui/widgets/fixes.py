"""Buttons that turn a security warning into the fix itself (gitignore, chmod, keyring, history)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Button, Static

from wizard.core import repair
from wizard.core.errors import StoreError
from wizard.core.fixes import wizard_buttons
from wizard.core.profiles import Profile
from wizard.core.stores.sources import FoundToken
from wizard.ui.safe import literal as escape
from wizard.ui.widgets.text import inline

FIX_LABELS = wizard_buttons()
"""The warnings the wizard can act on, and what the button says (from the one fix table)."""


class FixButton(Vertical):
    """One warning's fix: a button, then what the fix did (or why it could not)."""

    class Fixed(Message):
        """A fix changed something: the quit summary lists it and the warnings are re-checked."""

        def __init__(self, code: str, summary: str, lines: str) -> None:
            super().__init__()
            self.code = code
            """The warning that was fixed."""
            self.summary = summary
            """What was changed, in one line (plain text)."""
            self.lines = lines
            """What the fix said, as markup."""

    DEFAULT_CSS = """
    FixButton { height: auto; margin: 0 0 1 2; }
    FixButton Button { width: auto; }
    FixButton .fix-result { padding: 0 1; }
    """

    def __init__(self, code: str, found: FoundToken, profile: Profile) -> None:
        super().__init__()
        self.code = code
        """The warning this button fixes."""
        self.found = found
        """The stored token the warning is about (in a .env file)."""
        self.profile = profile
        """The profile whose key and keyring account are used."""

    def compose(self) -> ComposeResult:
        yield Button(
            f"Fix: {FIX_LABELS[self.code]}", id=f"fix-{self.code.replace('_', '-')}", compact=True
        )
        yield Static(classes="fix-result")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        event.button.disabled = True
        self.run_fix()

    @work(thread=True, group="fix")
    def run_fix(self) -> None:
        """The repair touches files, git and the keyring: off the UI thread."""
        done: repair.Repair | None = None
        try:
            if self.code in SIMPLE_REPAIRS:
                done = SIMPLE_REPAIRS[self.code](Path(self.found.location), self.profile)
                lines = _repair_lines(done)
            else:
                lines = history_lines(Path(self.found.location), self.found, self.profile)
        except StoreError as err:
            lines = [f"[$error]✗ {escape(err.message)}[/]", f"Fix: {inline(err.fix)}"]
        self.app.call_from_thread(self._show, "\n".join(lines))
        if done is not None and done.changed:
            self.post_message(self.Fixed(self.code, done.summary, "\n".join(lines)))

    def _show(self, text: str) -> None:
        self.query_one(".fix-result", Static).update(text)


SIMPLE_REPAIRS: dict[str, Callable[[Path, Profile], repair.Repair]] = {
    "env_not_gitignored": lambda env_file, profile: repair.ignore_in_git(env_file),
    "env_world_readable": lambda env_file, profile: repair.restrict_permissions(env_file),
    "plaintext_storage": lambda env_file, profile: repair.move_to_keyring(env_file, profile),
}
"""The fixes that change one thing, by warning code."""


def _repair_lines(done: repair.Repair) -> list[str]:
    mark = "[$success]✓[/]" if done.changed else "[dim]·[/dim]"
    return [f"{mark} {escape(done.summary)}", *(escape(note) for note in done.notes)]


def history_lines(env_file: Path, found: FoundToken, profile: Profile) -> list[str]:
    """`wa-token fix tracked` in the wizard: the same steps, with --profile and --env-file."""
    scan = repair.scan_history(env_file, found.token)
    steps = repair.untrack_commands(env_file, profile, datetime.now(UTC), scan)
    lines = ["Untrack it (the file stays on disk):", *(f"  {escape(s)}" for s in steps)]
    if scan.leaked:
        lines.append(
            f"[$error]✗ The token is in {len(scan.commits)} commit(s):[/] treat it as "
            "leaked. Revoke it (Business Settings → System Users → your system user → "
            "Revoke tokens) and generate a new one."
        )
    elif scan.complete:
        lines.append("[$success]✓ The token is in no committed file.[/] Untrack it anyway.")
    else:
        lines.append(
            "[$warning]![/] The history search did not finish; treat the token as "
            "leaked if the file was ever committed."
        )
    return lines
