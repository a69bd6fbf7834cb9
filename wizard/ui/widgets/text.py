"""Core text made readable in the wizard: `code` spans shown bold, never as literal backticks."""

from __future__ import annotations

import re

from textual.markup import escape

_CODE = re.compile(r"`([^`\n]+)`")


def inline(text: str) -> str:
    """Escape untrusted text for Textual markup and show each `code` span in bold."""
    parts = _CODE.split(text)
    return "".join(f"[b]{escape(part)}[/b]" if odd else escape(part)
                   for odd, part in ((i % 2 == 1, p) for i, p in enumerate(parts)))
