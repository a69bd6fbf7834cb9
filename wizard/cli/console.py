"""Where commands write and how they ask: data to stdout, human text and prompts to stderr."""

from __future__ import annotations

from typing import Any, TextIO

from wizard.cli.render import Marks, render_error
from wizard.core.errors import WaTokenError
from wizard.core.untrusted import terminal_safe


class Console:
    """Where the command writes: data to stdout, human text to stderr when stdout is data."""

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out: TextIO = SafeStream(out)  # type: ignore[assignment]
        self.err: TextIO = SafeStream(err)  # type: ignore[assignment]
        encoding = (getattr(out, "encoding", None) or "ascii").lower()
        self.marks = Marks(unicode=encoding.replace("-", "").startswith("utf"))

    def error(self, err: WaTokenError) -> None:
        """An error with its fix, on stderr."""
        self.err.write(render_error(err.title, err.message, err.fix, self.marks.bad))

    def say(self, text: str) -> None:
        """One line of human text on stderr."""
        self.err.write(text + "\n")


class SafeStream:
    """A text stream that drops control characters (ESC, C1, bidi overrides; not newlines or
    tabs) from everything written: no text, from Graph or elsewhere, drives the terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        """The real stream."""

    def write(self, text: str) -> int:
        text = terminal_safe(text)
        try:
            return self.stream.write(text)
        except UnicodeEncodeError:  # PYTHONIOENCODING=ascii, a latin-1 terminal: `…` becomes `?`
            encoding = getattr(self.stream, "encoding", None) or "ascii"
            return self.stream.write(text.encode(encoding, "replace").decode(encoding))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def isatty(stream: object) -> bool:
    """True for a terminal; False for pipes, files, closed or fake streams."""
    try:
        return bool(stream.isatty())  # type: ignore[attr-defined]
    except (AttributeError, ValueError, OSError):
        return False


def confirm(question: str, stdin: TextIO, console: Console) -> bool:
    """Ask a y/N question on the terminal; only `y` or `yes` is a yes."""
    console.err.write(f"{question} [y/N] ")
    console.err.flush()
    answer = stdin.readline()
    if not answer:
        console.err.write("\n")
    return answer.strip().lower() in ("y", "yes")


def can_ask(yes: bool, stdin: TextIO, console: Console, *, not_done: str, why: str) -> bool:
    """--yes, or a terminal to ask on; else say that nothing was done (`not_done`: "Not sent")
    because `why` ("send-test sends a real WhatsApp message") needs a yes, and return False: the
    command then exits 2. Call it before any slow work, so a script learns at once."""
    if yes or isatty(stdin):
        return True
    console.say(
        f"{not_done}: {why} and needs an explicit yes. There is no terminal to ask on, so add "
        "--yes."
    )
    return False


def ask_yes(
    question: str, yes: bool, stdin: TextIO, console: Console, *, not_done: str, why: str
) -> bool:
    """--yes, or `question` answered yes at the terminal. Otherwise say that nothing was done
    (no terminal: add --yes; a No: you did not answer yes) and return False: exit 2."""
    if not can_ask(yes, stdin, console, not_done=not_done, why=why):
        return False
    if yes or confirm(question, stdin, console):
        return True
    console.say(f"{not_done}: you did not answer yes.")
    return False


def ask_hidden(prompt: str, console: Console) -> str:
    """Read a secret at a prompt that does not echo it."""
    import getpass  # and termios: only for a prompt

    console.err.flush()
    return getpass.getpass(prompt, stream=console.err)
