"""The frozen moment of the wizard's tests and snapshots."""

from __future__ import annotations

from datetime import UTC, datetime

FIXED_NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
