"""Graph API versions and the day each stops working, to warn before a configured one ends."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import NamedTuple

WARN_BEFORE_END = timedelta(days=90)
"""Warn when the configured version ends within this long."""


class GraphVersion(NamedTuple):
    """One Graph API version: when Meta released it and until when it answers."""

    name: str
    released: date
    available_until: date
    assumed: bool = False
    """True when Meta has not published the end yet: about 2 years after release is assumed."""


GRAPH_VERSIONS: tuple[GraphVersion, ...] = (
    GraphVersion("v27.0", date(2026, 11, 4), date(2028, 11, 4), assumed=True),
    GraphVersion("v26.0", date(2026, 7, 29), date(2028, 7, 29), assumed=True),
    GraphVersion("v25.0", date(2026, 2, 18), date(2028, 7, 29)),
    GraphVersion("v24.0", date(2025, 10, 8), date(2028, 2, 18)),
    GraphVersion("v23.0", date(2025, 5, 29), date(2027, 10, 8)),
    GraphVersion("v22.0", date(2025, 1, 21), date(2027, 5, 20)),
    GraphVersion("v21.0", date(2024, 10, 2), date(2027, 1, 21)),
    GraphVersion("v20.0", date(2024, 5, 21), date(2026, 9, 24)),
    GraphVersion("v19.0", date(2024, 1, 23), date(2026, 5, 21)),
    GraphVersion("v18.0", date(2023, 9, 12), date(2026, 1, 26)),
    GraphVersion("v17.0", date(2023, 5, 23), date(2025, 9, 12)),
    GraphVersion("v16.0", date(2023, 2, 2), date(2025, 5, 14)),
    GraphVersion("v15.0", date(2022, 9, 15), date(2024, 11, 20)),
)
"""Newest first. Source: Meta's Graph API changelog, "Available Graph API versions" (read
2026-11-25); v27.0's release from the changelog page updated 2026-10-29. Ends marked
`assumed` are Meta's "TBD", taken as two years after release."""

_VERSION = re.compile(r"v(\d+)\.(\d+)")


class VersionEnd(NamedTuple):
    """The configured version's end: already past, or near."""

    version: str
    ends: date | None
    """None for a version older than every one in the table (long gone)."""
    past: bool
    newest: str


def version_end(configured: str, now: datetime) -> VersionEnd | None:
    """The configured version when it is past or within WARN_BEFORE_END of its end, else None."""
    newest = GRAPH_VERSIONS[0].name
    known = {v.name: v for v in GRAPH_VERSIONS}
    today = now.astimezone(UTC).date()
    if configured in known:
        ends = known[configured].available_until
        if ends - today > WARN_BEFORE_END:
            return None
        return VersionEnd(configured, ends, ends <= today, newest)
    match = _VERSION.fullmatch(configured)
    oldest = _VERSION.fullmatch(GRAPH_VERSIONS[-1].name)
    if match is None or oldest is None:
        return None
    older = (int(match[1]), int(match[2])) < (int(oldest[1]), int(oldest[2]))
    return VersionEnd(configured, None, True, newest) if older else None
