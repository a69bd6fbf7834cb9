"""A link row: a button that opens the page, and the URL as text for SSH sessions."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Static

from wizard.core.flow import Link


class LinkRow(Horizontal):
    """One link: `[Open System Users]  https://business.facebook.com/...`."""

    DEFAULT_CSS = """
    LinkRow { height: auto; margin: 0 0 0 0; }
    LinkRow Button { min-width: 24; height: 1; border: none; margin-right: 1; }
    LinkRow .link-url { color: $text-muted; width: 1fr; height: auto; }
    """

    def __init__(self, link: Link, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.link = link
        """The page this row opens."""

    def compose(self) -> ComposeResult:
        yield Button(f"Open {self.link.label}", classes="link-button", compact=True)
        yield Static(self.link.url, classes="link-url", markup=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.app.open_url(self.link.url)
