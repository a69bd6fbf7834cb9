"""The last step: what was written where, what `wa-token check` would warn about, the cron line."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Static

from wizard.core.check import recheck_storage
from wizard.core.codes import Source
from wizard.core.flow import cron_line
from wizard.core.stores import registry, sources
from wizard.core.stores.sources import FoundToken
from wizard.ui.navigation import NEXT
from wizard.ui.safe import literal
from wizard.ui.safe import literal as escape
from wizard.ui.steps.base import StepScreen
from wizard.ui.widgets.command import CommandLine
from wizard.ui.widgets.report import DiagnosisPanel
from wizard.ui.widgets.text import error_markup, inline

if TYPE_CHECKING:
    from wizard.core.push.destination import PushResult
    from wizard.core.stores.protocol import TokenStore

KEYRING_AND_CRON = (
    "[b]Cron cannot reach the OS keyring:[/b] it runs outside your desktop session (no D-Bus), "
    "so a [b]wa-token check[/b] from cron would fail every day (exit 5). To check it daily, run "
    "it from a [b]systemd user timer[/b], which reaches the keyring while you are logged in "
    "([b]wa-token schedule --print[/b] shows the unit files; put [b]check[/b] in ExecStart=), "
    "or keep the token in a .env file for jobs like cron."
)
"""What Done says instead of a cron line when the token went where cron cannot reach (the
keyring, the one such store)."""


class DoneStep(StepScreen):
    """Saved and proven; the stored token's local warnings (with fixes); Finish leaves."""

    title_text = "Done"
    next_label = "Finish"
    show_back = False

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "send_to_github", "Also send it to GitHub…", id="send-to-github"),
        Binding("g", "go_live", "Ready to go live?", id="go-live"),
    ]

    def compose_body(self) -> ComposeResult:
        saved, token = self.state.saved, self.state.token
        assert saved is not None and token is not None
        yield Static(
            f"[$success]✓ {escape(saved.summary)}:[/] {escape(token.masked)}", id="done-saved"
        )
        yield Static(id="done-push")
        yield Vertical(
            Static(
                "[dim]Looking at where it is stored (git, permissions, other "
                "places holding a token)…[/dim]"
            ),
            id="done-warnings",
        )
        store, env_file = self.store, self.state.env_file
        yield Static(inline(store.server_reads(env_file, self.key)), id="done-read")
        if export := store.export_line(self.key):
            yield CommandLine(export, id="done-export")
        yield Static(
            "[b]Restart your backend server[/b] so it picks up the new token.", id="done-restart"
        )
        if not store.cron_reaches:
            yield Static(KEYRING_AND_CRON, id="done-cron")
        else:
            line = cron_line(str(self.state.workdir), str(self.state.env_file), self.state.command)
            yield Static(
                "Check it daily from cron (crontab -e; it is one line: use Copy); cron mails "
                "you only when it fails:",
                id="done-cron",
            )
            yield CommandLine(line, id="done-cron-line", whole=True)
        yield Static(
            f"[dim]{escape(store.keep_it_safe(env_file))} Rotate it every 6 to 12 months "
            "(wa-token check warns after 180 days).[/dim]",
            id="done-safe",
        )

    def setup(self) -> None:
        super().setup()
        self.look_at_storage()

    @property
    def key(self) -> str:
        """The variable name of the token in this profile."""
        return self.state.settings.profile.token_key

    @property
    def store(self) -> TokenStore:
        """The store the token was saved in."""
        assert self.state.saved is not None
        return registry.store_for(self.state.saved.target)

    def _saved_found(self) -> FoundToken:
        assert self.state.token is not None
        where = self.store.location(self.state.env_file, self.key)
        return FoundToken(self.store.source, where, self.state.token)

    @work(exclusive=True, group="done-warnings")
    async def look_at_storage(self) -> None:
        """What `wa-token check` says about the stored token, and who overrides it."""
        state, found = self.state, self._saved_found()
        checked = state.report or state.saved_report  # "Do it for me" leaves only the latter
        assert checked is not None
        report = await asyncio.to_thread(
            recheck_storage, checked, found, state.settings, state.environ, state.clock()
        )
        state.saved_report = report
        higher = await asyncio.to_thread(
            sources.overriding_saved,
            found.source,
            found.token,
            state.environ,
            state.settings.env_file,
            self.key,
        )
        box = self.query_one("#done-warnings", Vertical)
        await box.remove_children()
        widgets: list[Static | DiagnosisPanel] = [
            Static(self._override_warning(r), classes="override") for r in higher
        ]
        if report.diagnosis.warnings:
            widgets.append(DiagnosisPanel(report, id="diagnosis", profile=state.settings.profile))
        else:
            widgets.append(
                Static(
                    "[$success]✓ Stored safely:[/] [b]wa-token check[/b] finds no warning.",
                    id="done-no-warning",
                )
            )
        await box.mount_all(widgets)

    @on(DiagnosisPanel.Updated)
    def _rechecked(self, event: DiagnosisPanel.Updated) -> None:
        self.state.saved_report = event.report

    def _override_warning(self, reading: sources.SourceReading) -> str:
        where = escape(sources.describe(reading.source, reading.location))
        fix = (
            f"unset {self.key} (and remove it where it is set)"
            if reading.source == Source.ENVIRONMENT
            else f"remove the {self.key} line there"
        )
        return (
            f"[$warning]![/] [b]{where} holds a different token and wins over the one just "
            f"saved:[/b] {fix}, so your server uses the new token."
        )

    def action_send_to_github(self) -> None:
        """p: ask for a repository, then set its Actions secret (the same push as the CLI's)."""
        self.send_to_github()

    @work(exclusive=True, group="done-push")
    async def send_to_github(self) -> None:
        """The modal's answer, then the push on a thread; the result under the saved line."""
        from wizard.ui.modals import GitHubTargetModal

        choice = await self.app.push_screen_wait(GitHubTargetModal())
        if choice is None:
            return
        label, remember = choice
        status = self.query_one("#done-push", Static)
        status.display = True
        status.update(f"[dim]Sending it to {literal(label)}…[/dim]")
        result = await asyncio.to_thread(self._push, label, remember)
        status.update(self._push_markup(result, remember and result.ok))

    def _push(self, label: str, remember: bool) -> PushResult:
        """Push (the CLI's core call), then remember the destination when asked and it worked:
        a mistyped repository is not pushed to again at every refresh."""
        from wizard.core.errors import StoreError
        from wizard.core.push import remembered
        from wizard.core.push.deliver import destination_named, push_token
        from wizard.core.push.destination import Delivery

        state = self.state
        assert state.token is not None
        profile = state.settings.profile
        delivery = Delivery(state.token, profile, state.environ, state.settings.timeout)
        result = push_token(delivery, [destination_named(label)]).results[0]
        if remember and result.ok:
            try:
                remembered.add(state.environ, profile, label)
            except StoreError:
                pass  # sent all the same; `wa-token push add` says why it cannot remember
        return result

    def _push_markup(self, result: PushResult, remember: bool) -> str:
        if not result.ok:
            return error_markup(
                f"Not sent to {result.label}",
                result.fix,
                message=result.detail,
                outcome="The token is saved here all the same; `wa-token push` sends it later.",
            )
        kept = " [dim](remembered: `wa-token refresh` keeps it fresh)[/dim]" if remember else ""
        return f"[$success]✓ {literal(result.detail)}[/]{kept}"

    def action_go_live(self) -> None:
        """g: the "ready to go live" list for the token just saved."""
        from wizard.core.golive import list_applies
        from wizard.ui.steps.ready import ReadyScreen, show_rechecked

        report = self.state.saved_report or self.state.report
        if report is not None and list_applies(report):
            ready = ReadyScreen(self.state, report, self._saved_found())
            self.app.push_screen(ready, partial(show_rechecked, self))

    async def go_next(self) -> None:
        self.dismiss(NEXT)
