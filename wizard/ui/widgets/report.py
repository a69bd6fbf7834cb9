"""The check summary (type, app, expiry, permissions, accounts) and the diagnosis panel."""

from __future__ import annotations

from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from wizard.core.check import CheckReport, recheck_storage
from wizard.core.codes import Source
from wizard.core.diagnose import Finding, format_time
from wizard.core.graph import WHATSAPP_SCOPES
from wizard.core.profiles import Profile
from wizard.core.stores import sources
from wizard.core.stores.sources import describe_found
from wizard.core.wording import token_type_name
from wizard.ui.safe import literal as escape
from wizard.ui.widgets.fixes import FIX_LABELS, FixButton
from wizard.ui.widgets.text import inline, wizard_fix


def summary_markup(report: CheckReport) -> str:
    """The facts Graph gave about the token, as Textual markup."""
    found, info, me = report.found, report.graph.token_info, report.graph.me
    lines: list[str] = []
    if found is not None:
        lines.append(_row("Token", f"{escape(found.masked)}  ({escape(describe_found(found))})"))
    if info is not None:
        lines.append(_row("Type", escape(token_type_name(info.type, "unknown"))))
        lines.append(
            _row(
                "Expires",
                "[$success]never[/]" if info.expires_at is None else format_time(info.expires_at),
            )
        )
        if info.application or info.app_id:
            lines.append(_row("App", f"{escape(info.application or '')} ({escape(info.app_id)})"))
        for index, scope in enumerate(WHATSAPP_SCOPES):
            tick = f"[$success]✓[/] {scope}" if scope in info.scopes else f"[$error]✗[/] {scope}"
            lines.append(_row("Permissions" if index == 0 else "", tick))
    if me is not None:
        lines.append(_row("Acts as", f"{escape(me.name or '(no name)')} ({escape(me.id)})"))
    for account in report.graph.accounts:
        name = escape(account.name or "(no name)")
        lines.append(_row("Account", f"{name} ({escape(account.id)})"))
        for number in account.phone_numbers:
            quality = number.quality_rating or "?"
            colour = {"GREEN": "$success", "YELLOW": "$warning", "RED": "$error"}.get(quality)
            rating = f"quality [{colour}]{quality}[/]" if colour else f"quality {escape(quality)}"
            lines.append(
                _row(
                    "",
                    f"☎ {escape(number.display_phone_number or '?'):<16} "
                    f"{escape(number.verified_name or ''):<14} {rating}",
                )
            )
        if not account.phone_numbers:
            lines.append(_row("", "(no phone numbers)"))
    return "\n".join(lines)


def _row(label: str, value: str) -> str:
    return f"[b]{label:<12}[/b] {value}"


class CheckSummary(Static):
    """What Graph said about the token."""

    def __init__(self, report: CheckReport, *, id: str | None = None) -> None:
        super().__init__(summary_markup(report), id=id)


class FindingView(Static):
    """One problem or warning: title and code, then the fix."""

    def __init__(self, finding: Finding, *, problem: bool, fix: str | None = None) -> None:
        mark = "[$error]✗[/]" if problem else "[$warning]![/]"
        detail = f"\n[dim]Graph said: {escape(finding.detail)}[/dim]" if finding.detail else ""
        super().__init__(
            f"{mark} [b]{inline(finding.title)}[/b] [dim]{finding.code}[/dim]\n"
            f"[b]Fix:[/b] {fix or wizard_fix(finding.fix)}{detail}",
            classes="problem" if problem else "warning",
        )


class DiagnosisPanel(Vertical):
    """Every problem and warning of a check, each with its fix (and a button where one helps).

    After a button's fix, the local stores are looked at again: a fixed warning disappears.
    """

    class Updated(Message):
        """The warnings were re-checked after a fix."""

        def __init__(self, report: CheckReport) -> None:
            super().__init__()
            self.report = report
            """The check with the local warnings looked at again."""

    def __init__(
        self, report: CheckReport, *, id: str | None = None, profile: Profile | None = None
    ) -> None:
        super().__init__(id=id)
        self.report = report
        """The check whose findings are shown."""
        self.profile = profile
        """Given for a stored token: its security warnings get a button that fixes them."""
        self.done: list[str] = []
        """What the fixes pressed here did (markup), shown above the findings."""

    def compose(self) -> ComposeResult:
        for lines in self.done:
            yield Static(lines, classes="fix-done")
        diagnosis = self.report.diagnosis
        if diagnosis.ok and not diagnosis.warnings:
            yield Static("[$success]No problems, no warnings.[/]", classes="all-good")
        elif diagnosis.ok:
            yield Static("No problems; these warnings:", classes="all-good")
        for finding in diagnosis.problems:
            yield FindingView(finding, problem=True)
        found = self.report.found
        for finding in diagnosis.warnings:
            fixable = (
                finding.code in FIX_LABELS and found is not None and found.source == Source.DOTENV
            )
            if fixable and self.profile is not None and found is not None:
                yield FindingView(
                    finding,
                    problem=False,
                    fix=f"press [b]Fix: {FIX_LABELS[finding.code]}[/b] below.",
                )
                yield FixButton(finding.code, found, self.profile)
            else:
                yield FindingView(finding, problem=False)

    @on(FixButton.Fixed)
    def _fixed(self, event: FixButton.Fixed) -> None:
        self.done.append(event.lines)
        self.recheck_locally()

    @work(thread=True, group="recheck-local")
    def recheck_locally(self) -> None:
        """The same local diagnosis as `wa-token check`, on wherever the token is now."""
        state = self.app.state  # type: ignore[attr-defined]
        found = self.report.found
        assert found is not None
        env_file = (
            Path(found.location) if found.source == Source.DOTENV else state.settings.env_file
        )
        readings = sources.read_stored(state.environ, env_file, state.settings.profile.token_key)
        here = next((r for r in readings if r.token == found.token), None)
        if here is not None:
            found = sources.FoundToken(here.source, here.location, found.token)
        report = recheck_storage(self.report, found, state.settings, state.environ)
        self.app.call_from_thread(self.show_report, report)  # type: ignore[arg-type]  # an async callable is awaited

    async def show_report(self, report: CheckReport) -> None:
        """Show another check of the same token (after a fix here, or an action elsewhere)."""
        self.report = report
        await self.recompose()
        self.post_message(self.Updated(report))
