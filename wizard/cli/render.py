"""Plain-text rendering of check and status reports for a terminal (no Textual, no Rich)."""

from __future__ import annotations

import shutil
import textwrap
from typing import TYPE_CHECKING

from wizard.core.codes import ExitCode
from wizard.core.diagnose.timefmt import format_time
from wizard.core.diagnose.wording import graph_text
from wizard.core.graph.constants import COMPUTED_CHAIN, WHATSAPP_SCOPES
from wizard.core.stores import registry, sources
from wizard.core.untrusted import mask_url_credentials
from wizard.core.wording import TYPE_NAMES, stored_state, token_type_name

if TYPE_CHECKING:  # types only: the wizard's `setup` loads this module, never the check
    from wizard.core.check import CheckReport
    from wizard.core.diagnose.findings import Finding
    from wizard.core.fleet import Fleet, ProfileCheck
    from wizard.core.graph.models import BusinessAccount, PhoneNumber, TokenInfo
    from wizard.core.profiles import ProfileListing


class Marks:
    """Status marks, with plain ASCII for terminals that cannot show Unicode."""

    def __init__(self, unicode: bool) -> None:
        self.ok, self.bad, self.warn, self.arrow = (
            ("✓", "✗", "!", "→") if unicode else ("+", "x", "!", ">")
        )


def render_check(report: CheckReport, marks: Marks, width: int | None = None) -> str:
    """The human form of `wa-token check`."""
    width = width or _width()
    lines = [_headline(report, marks), ""]
    lines += _token_lines(report, marks)
    lines += _account_lines(report.graph.accounts)
    lines += _findings("Problems", report.diagnosis.problems, marks.bad, width)
    lines += _findings("Warnings", report.diagnosis.warnings, marks.warn, width)
    return "\n".join(lines).rstrip() + "\n"


def summary_line(report: CheckReport, marks: Marks) -> str:
    """One line for stderr when stdout carries JSON."""
    return _headline(report, marks)


def _headline(report: CheckReport, marks: Marks) -> str:
    problems = report.diagnosis.problems
    if not problems:
        warn = len(report.diagnosis.warnings)
        extra = f" ({warn} warning{'s' if warn != 1 else ''})" if warn else ""
        return f"{marks.ok} The token works{extra}."
    if report.exit_code == ExitCode.GRAPH:
        return f"{marks.bad} The token could not be checked: {problems[0].title}"
    return f"{marks.bad} The token does not work: {problems[0].title}"


def _token_lines(report: CheckReport, marks: Marks) -> list[str]:
    found, info, me = report.found, report.graph.token_info, report.graph.me
    if found is None:
        return []
    rows = [("Token", f"{found.masked} from {sources.describe_found(found)}")]
    if info is not None:
        rows += _info_rows(info, marks)
    if me is not None:
        rows.append(("Acts as", f"{me.name or '(no name)'} ({me.id})"))
    return [f"  {label:<12} {value}" for label, value in rows] + [""]


def _info_rows(info: TokenInfo, marks: Marks) -> list[tuple[str, str]]:
    kind = token_type_name(info.type, "unknown kind")
    expiry = "never" if info.expires_at is None else format_time(info.expires_at)
    ticks = "  ".join(f"{marks.ok if s in info.scopes else marks.bad} {s}" for s in WHATSAPP_SCOPES)
    rows = [("Type", kind), ("Expires", expiry)]
    if info.application or info.app_id:
        rows.append(("App", f"{info.application or '(no name)'} ({info.app_id})"))
    if info.issued_at:
        rows.append(("Issued", format_time(info.issued_at)))
    rows.append(("Permissions", ticks))
    return rows


def _account_lines(accounts: tuple[BusinessAccount, ...]) -> list[str]:
    if not accounts:
        return []
    lines = ["  WhatsApp Business Accounts:"]
    for account in accounts:
        lines.append(f"    {account.name or '(no name)'} ({account.id})")
        for number in account.phone_numbers:
            quality = f"quality {number.quality_rating}" if number.quality_rating else ""
            lines.append(
                f"      {number.display_phone_number or '?':<18} "
                f"{number.verified_name or '':<20} {quality:<16} id {number.id}"
            )
            lines += _readiness_lines(number)
        if not account.phone_numbers:
            lines.append("      (no phone numbers)")
    return lines + [""]


LEVELS = {
    "phone_number": "the number's own override",
    "whatsapp_business_account": "the account's override",
    "application": "the app's callback URL",
}
"""Where a callback URL is set, in the order Meta tries them."""


def _readiness_lines(number: PhoneNumber) -> list[str]:
    """Meta's verdict when it is not AVAILABLE, and the URL Meta sends the number's messages to."""
    lines = []
    health = number.health
    if health is not None and (health.blocked or health.limited):
        lines.append(f"        Meta's health verdict: {graph_text(health.can_send_message or '')}")
    effective = number.webhook.effective if number.webhook else None
    if effective is not None:
        url = graph_text(mask_url_credentials(effective[0]), 120)
        computed = "; " + COMPUTED_CHAIN if number.webhook and number.webhook.computed else ""
        said = f"webhooks go to {url} ({LEVELS[effective[1]]}{computed})"
        lines += _wrap(said, _width(), " " * 8, " " * 10)
    return lines


def _findings(heading: str, findings: tuple[Finding, ...], mark: str, width: int) -> list[str]:
    if not findings:
        return []
    return [f"{heading}:", *_findings_body(findings, mark, width), ""]


def _findings_body(findings: tuple[Finding, ...], mark: str, width: int) -> list[str]:
    lines: list[str] = []
    for finding in findings:
        lines += _wrap(f"{mark} {finding.title} [{finding.code}]", width, "  ", "    ")
        lines += _wrap(f"Fix: {finding.fix}", width, "    ", "      ")
        if finding.detail:
            lines += _wrap(f"Graph said: {finding.detail}", width, "    ", "      ")
    return lines


def render_finding(finding: Finding, mark: str, width: int | None = None) -> str:
    """One problem or warning with its code, fix and what Graph said."""
    return "\n".join(_findings_body((finding,), mark, width or _width())) + "\n"


def render_profiles(profiles: tuple[ProfileListing, ...], current: str, marks: Marks) -> str:
    """`status`'s list of the profiles found on this machine."""
    if not profiles:
        return f"Profiles: none found (this one: {current}).\n"
    names: dict[str, str] = {s.source: s.short_name for s in registry.sources()}
    lines = ["Profiles found (keyring entries as recorded by wa-token):"]
    for listing in profiles:
        active = listing.name == current
        stores = ", ".join(names.get(s, s) for s in listing.stores)
        lines.append(
            f"  {marks.arrow if active else ' '} {listing.name:<20} {stores}"
            f"{'  (this one)' if active else ''}"
        )
    if current not in {p.name for p in profiles}:
        lines.append(f"  {marks.arrow} {current:<20} (nothing stored)  (this one)")
    return "\n".join(lines) + "\n"


def render_error(title: str, message: str, fix: str, mark: str, width: int | None = None) -> str:
    """An error as `✗ title: message` with the fix under it."""
    width = width or _width()
    lines = _wrap(f"{mark} {title}: {message}", width, "", "  ")
    if fix:
        lines += _wrap(f"Fix: {fix}", width, "  ", "    ")
    return "\n".join(lines) + "\n"


def hanging(text: str, first: str, rest: str, width: int | None = None) -> str:
    """`text` wrapped to the terminal, after `first` on its first line and `rest` on the others
    (a numbered step whose wrapped lines keep their indent)."""
    return "\n".join(_wrap(text, width or _width(), first, rest))


def _wrap(text: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text,
        width=max(40, width),
        initial_indent=first,
        subsequent_indent=rest,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [first.rstrip()]


def _width() -> int:
    return min(shutil.get_terminal_size((100, 24)).columns, 110) - 1


# -- `wa-token status` as text: a few lines by default, every source and the full check with -v
MORE = "Run `wa-token status --verbose` for every source and the full check."


def source_state(reading: sources.SourceReading) -> str:
    """What one source holds, in words: the mask, nothing, or why it could not be read."""
    return stored_state(reading)


def render_short(
    readings: list[sources.SourceReading],
    report: CheckReport,
    profile: str,
    others: list[str],
    marks: Marks,
) -> str:
    """Which source wins, its mask, type and expiry, ok or the problem, like `gh auth status`."""
    found = report.found
    lines = [f"wa-token status (profile {profile})"]
    if found is None:
        lines.append(f"  {marks.bad} No token stored (environment, .env, keyring).")
    else:
        place = sources.describe_found(found)
        lines.append(f"  Token    {found.masked} from {place}")
        info = report.graph.token_info
        if info is not None:
            kind = TYPE_NAMES.get(info.type or "", "unknown kind")
            expiry = "never" if info.expires_at is None else format_time(info.expires_at)
            lines.append(f"  Type     {kind}, expires {expiry}")
        lines.append(f"  {summary_line(report, marks)}")
    for reading in readings:
        if found is not None and reading.source == found.source:
            continue
        if reading.token is not None:
            place = sources.describe(reading.source, reading.location)
            lines.append(f"  {marks.warn} Also stored: {place} ({reading.token.masked}), not used.")
        elif reading.error is not None or reading.unavailable is not None:
            lines.append(f"  {marks.warn} {reading.source}: {source_state(reading)}")
    if others:
        lines.append(f"  Other profiles: {', '.join(others)} (--profile NAME)")
    lines.append(MORE)
    return "\n".join(lines) + "\n"


def render_verbose(readings: list[sources.SourceReading], report: CheckReport, marks: Marks) -> str:
    """Every source (an unusable keyring says why), then the winner's full check."""
    winner = report.found
    lines = ["Where a token is stored (highest precedence first):"]
    for reading in readings:
        active = bool(winner and reading.source == winner.source)
        lines.append(
            f"  {marks.arrow if active else ' '} {reading.source:<12} "
            f"{reading.location:<40} {source_state(reading)}"
            f"{'  (used)' if active else ''}"
        )
    lines.append("")
    return "\n".join(lines) + "\n" + render_check(report, marks)


# -- --all-profiles: one short block per profile, then the details of the failing ones ----------


def render_fleet(fleet: Fleet, marks: Marks, width: int | None = None) -> str:
    """Every profile in a few lines, then each failing profile's full check or error."""
    width = width or _width()
    column = min(20, max((len(c.profile) for c in fleet.checks), default=0))
    lines = [fleet_summary(fleet, marks), ""]
    for check in fleet.checks:
        lines += _profile_block(check, marks, column, width)
    failing = fleet.failing
    if failing:
        lines += ["", "Details of the failing profiles:"]
    for check in failing:
        lines += ["", f"== {check.profile} (exit {check.exit_code}) =="]
        lines.append(_profile_details(check, marks, width).rstrip("\n"))
    return "\n".join(lines) + "\n"


def fleet_summary(fleet: Fleet, marks: Marks) -> str:
    """One line: how many profiles, how many work, the exit code."""
    total, failing = len(fleet.checks), len(fleet.failing)
    mark = marks.bad if failing else marks.ok
    noun = "profile" if total == 1 else "profiles"
    working = total - failing
    verdict = (
        f"{working} work{'s' if working == 1 else ''}, {failing} {'does' if failing == 1 else 'do'} not"
        if failing
        else "every one works"
    )
    return f"{mark} {total} {noun}: {verdict} (exit {fleet.exit_code})."


def _profile_block(check: ProfileCheck, marks: Marks, column: int, width: int) -> list[str]:
    """Two lines at most: the verdict, then the token's mask, place, type and expiry."""
    report, failure = check.report, check.failure
    first, rest = f"  {check.profile:<{column}}  ", " " * (column + 4)
    if report is None or (failure is not None and report.found is None):
        title = failure.message if failure is not None else "not checked"
        return _wrap(f"{marks.bad} {title}", width, first, rest)
    lines = _wrap(_headline(report, marks), width, first, rest)
    found, info = report.found, report.graph.token_info
    if found is not None:
        where = f"{found.masked} from {sources.describe(found.source, found.location)}"
        if info is not None:
            expiry = "never" if info.expires_at is None else format_time(info.expires_at)
            where += f"; {TYPE_NAMES.get(info.type or '', 'unknown kind')}, expires {expiry}"
        lines += _wrap(where, width, rest, rest)
    return lines


def _profile_details(check: ProfileCheck, marks: Marks, width: int) -> str:
    failure = check.failure
    if failure is not None and (check.report is None or check.report.found is None):
        return render_error(failure.title, failure.message, failure.fix, marks.bad, width)
    assert check.report is not None  # a ProfileCheck has a report or a failure
    return render_check(check.report, marks, width)
