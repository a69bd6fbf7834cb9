"""Moments and time spans as users read them."""

from __future__ import annotations

from datetime import datetime, timedelta


def format_time(moment: datetime | None) -> str:
    """A moment as users read it everywhere: `2026-11-25 09:00 UTC`."""
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "an unknown time"


def format_delta(delta: timedelta | None) -> str:
    """A time span as users read it: `5 hours` under two days, else `12 days`; None is `never`."""
    if delta is None:
        return "never"
    hours = max(0, int(delta.total_seconds() // 3600))
    if hours < 48:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours // 24} days"
