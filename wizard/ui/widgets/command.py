"""A command the user copies, with a copy button: one row that scrolls, or all of it folded."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, HorizontalScroll
from textual.widgets import Button, Static


class CommandLine(Horizontal):
    """`[Copy]  0 8 * * * cd /srv/app && wa-token check`: whole, on one line, copyable."""

    DEFAULT_CSS = """
    CommandLine { height: auto; }
    CommandLine Button { min-width: 8; margin-right: 1; }
    CommandLine HorizontalScroll { height: auto; width: 1fr; scrollbar-size-horizontal: 1; }
    CommandLine .command-text { width: auto; text-wrap: nowrap; text-style: bold; }
    CommandLine.-whole .command-text { width: 1fr; text-wrap: wrap; }
    """

    def __init__(self, command: str, *, id: str | None = None, whole: bool = False) -> None:
        super().__init__(id=id, classes="-whole" if whole else "")
        self.command = command
        """The exact text to copy."""
        self.whole = whole
        """Show all of it, folded at spaces where it is wider than the screen (Copy still
        copies the one line); else one row that scrolls."""

    def compose(self) -> ComposeResult:
        yield Button("Copy", classes="copy-command", compact=True)
        if self.whole:
            yield Static(self.command, classes="command-text", markup=False)
            return
        with HorizontalScroll():
            yield Static(self.command, classes="command-text", markup=False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.copy()

    def copy(self) -> None:
        """Put the command on the clipboard (OSC 52: works over SSH in most terminals)."""
        self.app.copy_to_clipboard(self.command)
        self.app.notify("Copied to the clipboard.", timeout=3)
