"""Untrusted text (names and messages from Graph) made safe to put into Textual markup."""

from __future__ import annotations

ZERO_WIDTH_SPACE = "\u200b"


def literal(text: object) -> str:
    """`text` as it is, never read as markup: every `[` is escaped, so `[bold red]`,
    `[@click=app.quit]`, `[$error]` and `[/]` show literally. A trailing backslash would escape
    the tag that follows it, so it gets a zero-width space after it."""
    escaped = str(text).replace("[", "\\[")
    return escaped + ZERO_WIDTH_SPACE if escaped.endswith("\\") else escaped
