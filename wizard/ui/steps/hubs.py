"""The screens that start a journey: the welcome menu, the expired token, troubleshooting."""

from __future__ import annotations

from functools import partial
from typing import ClassVar, NamedTuple

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Collapsible, LoadingIndicator, Static

from wizard.core.check import CheckReport
from wizard.core.flow import API_SETUP, DEBUGGER, TROUBLESHOOTING_CASES, Choice
from wizard.core.stores import registry, sources
from wizard.core.wording import NOTHING_STORED, UNAVAILABLE, UNREADABLE, stored_state
from wizard.ui.background import check_the_winner
from wizard.ui.navigation import Nav, StepResult
from wizard.ui.safe import literal as escape
from wizard.ui.steps.base import StepScreen
from wizard.ui.widgets.links import LinkRow
from wizard.ui.widgets.report import CheckSummary, DiagnosisPanel
from wizard.ui.widgets.text import inline


def choice(name: str) -> StepResult:
    """A hub's answer (a button's or a key's name)."""
    return StepResult(Nav.CHOOSE, choice=Choice(name))


class HubOption(NamedTuple):
    """One option of a hub: a button, and a key in the footer."""

    name: Choice
    """The answer it gives."""
    key: str
    """Its key."""
    label: str
    """The button's words."""
    footer: str
    """The key's words in the footer."""


def choice_keys(choices: tuple[HubOption, ...]) -> list[BindingType]:
    """A footer key for each choice."""
    return [Binding(c.key, f"choose('{c.name}')", c.footer, id=c.name) for c in choices]


class HubScreen(StepScreen):
    """A journey's first screen: choices as buttons (and keys) instead of Next."""

    show_back = False
    CHOICES: tuple[HubOption, ...] = ()
    """The options, in order."""

    def compose_choices(self) -> ComposeResult:
        with Vertical(id="choices"):
            for name, key, label, _ in self.CHOICES:
                yield Button(
                    f"{label}  ({key})", id=f"choose-{name}", classes="choice", compact=True
                )
            yield from self.compose_go_live()

    def setup(self) -> None:
        self.query_one("#step-nav").display = False
        buttons = self.query(".choice").results(Button)
        first = next(buttons, None)
        if first is not None:
            first.focus()

    def compose_go_live(self) -> ComposeResult:
        """The "ready to go live" list's button, under the choices, when the check passed."""
        if self.check_action("go_live", ()):
            yield Button("Ready to go live?  (g)", id="go-live", classes="choice", compact=True)

    @on(Button.Pressed, ".choice")
    def _chosen(self, event: Button.Pressed) -> None:
        assert event.button.id is not None
        if event.button.id == "go-live":
            self.action_go_live()
            return
        self.dismiss(choice(event.button.id.removeprefix("choose-")))

    def action_choose(self, name: str) -> None:
        """A choice's key."""
        self.dismiss(choice(name))

    def diagnosis(self, report: CheckReport) -> DiagnosisPanel:
        """The stored token's problems and warnings, each with its fix for this profile."""
        return DiagnosisPanel(report, id="diagnosis", profile=self.state.settings.profile)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """g only when the stored token's check passed."""
        if action == "go_live":
            from wizard.core.golive import list_applies

            report = self.state.initial
            return report is not None and list_applies(report)
        return super().check_action(action, parameters)

    def action_go_live(self) -> None:
        """g: the "ready to go live" list for the stored token, when its check passed."""
        from wizard.core.golive import list_applies
        from wizard.ui.steps.ready import ReadyScreen, show_rechecked

        report = self.state.initial
        if report is not None and report.found is not None and list_applies(report):
            ready = ReadyScreen(self.state, report, report.found)
            self.app.push_screen(ready, partial(show_rechecked, self))

    @on(DiagnosisPanel.Updated)
    def _rechecked(self, event: DiagnosisPanel.Updated) -> None:
        """A fix changed the stored token's place or safety: the first line follows."""
        self.state.initial = event.report
        for found_line in self.query(".found-line").results(Static):
            found_line.update(_stored_line(event.report))


def _stored_line(report: CheckReport | None) -> str:
    """ "Found EAAF…x9Qz in .env: The token expired." — where, and the first problem or warning."""
    if report is None or report.found is None:
        return "No token was found."
    found = report.found
    where = f"Found [b]{escape(found.masked)}[/b] in [b]{escape(sources.describe(found.source, found.location))}[/b]"
    findings = report.diagnosis.problems or report.diagnosis.warnings
    if not findings:
        return f"{where}: [$success]it works.[/]"
    mark = "[$error]✗[/]" if report.diagnosis.problems else "[$warning]![/]"
    return f"{where}:\n{mark} {inline(findings[0].title)}"


class MenuStep(HubScreen):
    """A working token is stored: check it in depth, or replace it."""

    title_text = "Your token works"
    CHOICES = (
        HubOption(
            Choice.TROUBLESHOOT, "t", "Check everything in depth (troubleshoot)", "Troubleshoot"
        ),
        HubOption(Choice.REPLACE, "n", "Replace it with a new System User token", "New token"),
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        *choice_keys(CHOICES),
        Binding("g", "go_live", "Ready to go live?", id="go-live"),
    ]

    def compose_body(self) -> ComposeResult:
        report = self.state.initial
        yield Static(_stored_line(report), id="menu-found", classes="found-line")
        yield from self.compose_choices()
        if report is not None:
            yield CheckSummary(report, id="menu-summary")
            yield self.diagnosis(report)


class ExpiredStep(HubScreen):
    """The stored token is dead or temporary: say why, offer the permanent or the 24-hour route."""

    title_text = "Your token needs replacing"
    CHOICES = (
        HubOption(
            Choice.PERMANENT, "p", "Make a permanent System User token (recommended)", "Permanent"
        ),
        HubOption(Choice.TEMPORARY, "t", "Paste a new temporary 24-hour token", "Temporary"),
        HubOption(
            Choice.EXTEND, "x", "Can't create a System User? Extend this token to 60 days", "Extend"
        ),
    )
    BINDINGS: ClassVar[list[BindingType]] = choice_keys(CHOICES)

    def _can_extend(self) -> bool:
        """Only a live user token stored in a store (.env, the keyring) can be exchanged in place."""
        report = self.state.initial
        info = report.graph.token_info if report else None
        alive = bool(info and info.is_valid and report and report.ok)
        found = report.found if report else None
        stored = found is not None and registry.store_holding(found.source) is not None
        return alive and stored and info is not None and info.type == "USER"

    def setup(self) -> None:
        super().setup()
        self.query_one(f"#choose-{Choice.EXTEND}", Button).display = self._can_extend()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go_live":
            return False  # the token needs replacing first: Done offers the list after that
        if action == "choose" and parameters == (Choice.EXTEND,):
            return self._can_extend()
        return super().check_action(action, parameters)

    def compose_body(self) -> ComposeResult:
        report = self.state.initial
        yield Static(_stored_line(report), id="expired-found", classes="found-line")
        yield from self.compose_choices()
        yield Static(
            "The new token replaces the old one in the same place, and only after it "
            "passes the check. [dim]Can't create a System User? You must be an admin "
            "of the business portfolio; until then the temporary route works for 24 "
            "hours at a time.[/dim]",
            classes="help",
        )
        if report is not None:
            yield self.diagnosis(report)


class TroubleshootStep(HubScreen):
    """Every source, the full diagnosis of the winner, Meta's three cases, and a comparison."""

    title_text = "Troubleshoot"
    CHOICES = (
        HubOption(Choice.COMPARE, "a", "Paste another token to compare", "Another token"),
        HubOption(Choice.PERMANENT, "p", "Make a permanent System User token", "Permanent"),
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        *choice_keys(CHOICES),
        Binding("r", "recheck", "Check again", id="recheck"),
        Binding("g", "go_live", "Ready to go live?", id="go-live"),
    ]

    def compose_body(self) -> ComposeResult:
        yield Static(self._sources_markup(), id="sources")
        yield from self.compose_choices()
        with Vertical(id="troubleshoot-result"):
            if self.state.initial is not None:
                yield from self._report_widgets(self.state.initial)
        with Collapsible(title="Meta's troubleshooting cases", collapsed=False, id="cases"):
            for question, answer in TROUBLESHOOTING_CASES:
                yield Static(f"[b]{escape(question)}[/b] {escape(answer)}", classes="case")
        yield LinkRow(DEBUGGER, id="link-debugger")
        yield LinkRow(API_SETUP, id="link-api-setup")

    def _sources_markup(self) -> str:
        winner = self.state.initial.found if self.state.initial else None
        lines = ["[b]Where a token is stored[/b] (highest precedence first):"]
        for reading in self.state.readings:
            used = bool(winner and reading.source == winner.source)
            state = stored_state(
                reading,
                unreadable=f"[$error]{UNREADABLE}[/]",
                unavailable=f"[$warning]{UNAVAILABLE}[/]",  # not asked: it may hold one
                none=f"[dim]{NOTHING_STORED}[/dim]",
                shown=escape,
            )
            mark = "[$accent]→[/]" if used else " "
            lines.append(
                f"{mark} {reading.source:<12} {escape(reading.location):<36} {state}"
                f"{'  [b](used)[/b]' if used else ''}"
            )
        return "\n".join(lines)

    def _report_widgets(self, report: CheckReport) -> list:  # type: ignore[type-arg]
        return [
            self.diagnosis(report),
            CheckSummary(report, id="troubleshoot-summary"),
        ]

    def action_recheck(self) -> None:
        """Check the stored token again."""
        result = self.query_one("#troubleshoot-result", Vertical)
        result.remove_children()
        result.mount(LoadingIndicator(), Static("Checking with the Graph API…"))
        self.recheck()

    @work(exclusive=True, group="check")
    async def recheck(self) -> None:
        """The same check as `wa-token status`."""
        state = self.state
        report = await check_the_winner(state)
        state.initial = report
        result = self.query_one("#troubleshoot-result", Vertical)
        await result.remove_children()
        await result.mount_all(self._report_widgets(report))
