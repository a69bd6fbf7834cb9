"""A link row: a button that opens the page, a copy button, and a short clickable label."""

from __future__ import annotations

from urllib.parse import urlsplit

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.style import Style
from textual.widgets import Button, Static

from wizard.core.flow import Link

SHORT_URL = 34
"""Longer URLs are shown by their host and a "…": the full one is the hyperlink and the copy."""


def short_url(url: str) -> str:
    """`business.facebook.com/settings/…`: readable at 80 columns, never broken mid-word."""
    parts = urlsplit(url)
    shown = (parts.netloc + parts.path).rstrip("/")
    if len(shown) <= SHORT_URL:
        return shown
    return shown[:SHORT_URL - 1].rsplit("/", 1)[0] + "/…"


def link_content(url: str) -> Content:
    """The short label as a terminal hyperlink (OSC 8) to the full URL."""
    return Content.styled(short_url(url), Style(underline=True, link=url))


class LinkRow(Horizontal):
    """One link: `[Open System Users] [Copy link]  business.facebook.com/settings/…`."""

    DEFAULT_CSS = """
    LinkRow { height: auto; margin: 0 0 0 0; }
    LinkRow Button { height: 1; border: none; margin-right: 1; }
    LinkRow .link-button { min-width: 24; }
    LinkRow .copy-link { min-width: 11; }
    LinkRow .link-url { color: $text-muted; width: 1fr; height: 1; text-wrap: nowrap;
                        text-overflow: ellipsis; }
    """

    def __init__(self, link: Link, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.link = link
        """The page this row opens."""

    def compose(self) -> ComposeResult:
        yield Button(f"Open {self.link.label}", classes="link-button", compact=True)
        yield Button("Copy link", classes="copy-link", compact=True)
        yield Static(link_content(self.link.url), classes="link-url")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.has_class("copy-link"):
            self.copy()
        else:
            self.app.open_url(self.link.url)

    def copy(self) -> None:
        """The full URL on the clipboard (OSC 52), for SSH sessions without a browser."""
        self.app.copy_to_clipboard(self.link.url)
        self.app.notify(f"Copied the link to {self.link.label}.", timeout=3)
