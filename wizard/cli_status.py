"""`wa-token status` as text: a few lines by default, every source and the full check with -v."""

from __future__ import annotations

from wizard.core import sources
from wizard.core.check import CheckReport
from wizard.core.diagnose import format_time
from wizard.text_report import TYPE_NAMES, Marks, render_check, summary_line

MORE = "Run `wa-token status --verbose` for every source and the full check."


def source_state(reading: sources.SourceReading) -> str:
    """What one source holds, in words: the mask, nothing, or why it could not be read."""
    if reading.token is not None:
        return reading.token.masked
    if reading.error is not None:
        return f"unreadable: {reading.error.message}"
    if reading.unavailable is not None:
        return f"unavailable: {reading.unavailable.message}"
    return "(none)"


def render_short(readings: list[sources.SourceReading], report: CheckReport, profile: str,
                 others: list[str], marks: Marks) -> str:
    """Which source wins, its mask, type and expiry, ok or the problem, like `gh auth status`."""
    found = report.found
    lines = [f"wa-token status (profile {profile})"]
    if found is None:
        lines.append(f"  {marks.bad} No token stored (environment, .env, keyring).")
    else:
        place = sources.describe(found.source, found.location)
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


def render_verbose(readings: list[sources.SourceReading], report: CheckReport,
                   marks: Marks) -> str:
    """Every source (an unusable keyring says why), then the winner's full check."""
    winner = report.found
    lines = ["Where a token is stored (highest precedence first):"]
    for reading in readings:
        active = bool(winner and reading.source == winner.source)
        lines.append(f"  {marks.arrow if active else ' '} {reading.source:<12} "
                     f"{reading.location:<40} {source_state(reading)}"
                     f"{'  (used)' if active else ''}")
    lines.append("")
    return "\n".join(lines) + "\n" + render_check(report, marks)
