"""Finding codes, from a report's JSON or from a Diagnosis."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def codes(findings: Iterable[Any]) -> list[str]:
    """The codes, in order: JSON dicts (`{"code": ...}`) or Finding objects."""
    return [f["code"] if isinstance(f, dict) else f.code for f in findings]
