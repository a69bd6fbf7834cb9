"""A link row: a button that opens the page, a copy button, and a short clickable label."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.style import Style
from textual.widgets import Button, Static

from wizard.core.flow import Link
from wizard.ui.widgets.text import short_url


def link_content(url: str) -> Content:
    """The short label as a terminal hyperlink (OSC 8) to the full URL."""
    return Content.styled(short_url(url), Style(underline=True, link=url))


class LinkRow(Horizontal):
    """One link: `[Open System Users] [Copy link]  business.facebook.com/…/system-users`."""

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
