"""The last step: what was written where, how the app reads it, and the cron line."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.markup import escape
from textual.widgets import Static

from wizard.core.flow import cron_line
from wizard.core.save import KEYRING
from wizard.ui.messages import NEXT
from wizard.ui.steps.base import StepScreen


class DoneStep(StepScreen):
    """Saved and proven; Finish leaves the wizard."""

    title_text = "Done"
    next_label = "Finish"
    show_back = False

    def compose_body(self) -> ComposeResult:
        saved, token = self.state.saved, self.state.token
        assert saved is not None and token is not None
        yield Static(f"[$success]✓ {escape(saved.summary)}:[/] {token.masked}", id="done-saved")
        yield Static(self._how_your_app_reads_it(saved.target), id="done-read")
        yield Static("[b]Restart your backend server[/b] so it picks up the new token.",
                     id="done-restart")
        if self.state.environ.get(self.key):
            yield Static(self._shadow_warning(), id="done-shadow")
        line = cron_line(str(self.state.workdir), str(self.state.env_file), self.state.command)
        yield Static("Check it daily from cron (crontab -e); cron mails you only when it "
                     f"fails:\n[b]{escape(line)}[/b]", id="done-cron")
        yield Static("[dim]Never commit the token: keep .env in .gitignore. Rotate it every "
                     "6 to 12 months (wa-token check warns after 180 days).[/dim]")

    @property
    def key(self) -> str:
        """The variable name of the token in this profile."""
        return self.state.settings.profile.token_key

    def _how_your_app_reads_it(self, target: str) -> str:
        if target == KEYRING:
            return ("Your server reads it from the keyring through wa-token: start it with\n"
                    f"[b]export {self.key}=\"$(wa-token token)\"[/b]")
        return (f"Your server reads [b]{self.key}[/b] from "
                f"[b]{escape(str(self.state.env_file))}[/b], as before (dotenv or your "
                "process manager).")

    def _shadow_warning(self) -> str:
        return (f"[$warning]![/] {self.key} is also set in this shell's environment and wins "
                "over the saved token: unset it, or update it.")

    async def go_next(self) -> None:
        self.dismiss(NEXT)
