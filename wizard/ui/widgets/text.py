"""Core text made readable in the wizard: `code` in bold, URLs as short terminal hyperlinks."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wizard.ui.safe import literal as escape

_CODE = re.compile(r"`([^`\n]+)`")
_URL = re.compile(r"https://[A-Za-z0-9.-]+(?:/[A-Za-z0-9._~%/?=&+-]*)?")
SHORT_URL = 42
"""Longer URLs show their host and last segment; the full URL is the hyperlink's target."""


def short_url(url: str) -> str:
    """`business.facebook.com/…/system-users`: readable at 80 columns, never broken mid-word."""
    parts = urlsplit(url)
    shown = (parts.netloc + parts.path).rstrip("/")
    if len(shown) <= SHORT_URL:
        return shown
    last = shown.rsplit("/", 1)[-1]
    short = f"{parts.netloc}/…/{last}"
    return short if len(short) <= SHORT_URL else f"{parts.netloc}/…"


def _plain(text: str) -> str:
    """Escaped text whose https URLs become short hyperlinked labels."""
    out, last = [], 0
    for match in _URL.finditer(text):
        url = match.group().rstrip(".,;:")
        out.append(escape(text[last : match.start()]))
        out.append(f'[link="{url}"]{escape(short_url(url))}[/link]')
        last = match.start() + len(url)
    out.append(escape(text[last:]))
    return "".join(out)


def inline(text: str) -> str:
    """Untrusted core text as Textual markup: escaped, `code` in bold, URLs as short links."""
    parts = _CODE.split(text)
    return "".join(
        f"[b]{escape(part)}[/b]" if index % 2 else _plain(part) for index, part in enumerate(parts)
    )


def in_the_wizard() -> tuple[tuple[str, str], ...]:
    """Fixes that name a command, where the wizard itself does the job: what the wizard says
    instead (the diagnosis's words load with the check, not with the first screen)."""
    from wizard.core.diagnose import SAVE_AND_RESTART

    return (
        (
            SAVE_AND_RESTART,
            (
                "then paste it into this wizard, which checks and saves it; restart your backend "
                "server"
            ),
        ),
        (
            "run `wa-token setup` (it walks you through it)",
            "follow this wizard's System User route",
        ),
    )


def wizard_fix(fix: str) -> str:
    """A finding's fix as the wizard says it (no command to run where a step or key does it)."""
    for command, instead in in_the_wizard():
        fix = fix.replace(command, instead)
    return inline(fix)


def error_markup(
    title: str, fix: str, *, message: str = "", outcome: str = "", fix_suffix: str = ""
) -> str:
    """The one way the wizard shows a failure: ✗ title[: message], Fix:, and what was not done.

    Every piece is untrusted core text (escaped here); `outcome` ("Nothing was changed.") is
    shown in bold on its own line.
    """
    head = (
        f"[$error]✗ {inline(title)}:[/] {escape(message)}"
        if message
        else f"[$error]✗ {inline(title)}[/]"
    )
    lines = [head, f"[b]Fix:[/b] {inline(fix)}{escape(fix_suffix)}"]
    if outcome:
        lines.append(f"[b]{escape(outcome)}[/b]")
    return "\n".join(lines)
