"""Reading the token from standard input: bounded in size and in time, closed stdin is empty."""

from __future__ import annotations

import os
import select
import time
from typing import TextIO

from wizard.core.errors import SettingsError, TokenFormatError, WaTokenError
from wizard.core.token import MAX_TOKEN_LENGTH

STDIN_LIMIT = MAX_TOKEN_LENGTH * 16
"""Read at most this much of standard input: enough to say "far too long", never a whole disk."""

NOT_TEXT = TokenFormatError(
    "Standard input is not text (it is not valid UTF-8).",
    fix="Pipe only the token itself: `printf '%s' \"$TOKEN\" | wa-token save`.",
)


class EmptyStdin(WaTokenError):
    """`check -` was asked to read the token from standard input, and it was empty (exit 3)."""

    title = "Standard input was empty"


EMPTY_STDIN = EmptyStdin(
    "`-` asks wa-token to read the token from standard input, and nothing came. The .env file, "
    "the environment and the keyring were not looked at.",
    fix="Pipe the token in (`printf '%s' \"$TOKEN\" | wa-token check -`), or leave out `-` to "
    "check the stored token.",
)


class IdleStdin(SettingsError):
    """Standard input is a pipe that stayed open and silent for the whole --timeout (exit 2)."""

    title = "Nothing arrived on standard input"


def read_limited(stdin: TextIO | None, timeout: float) -> str:
    """At most STDIN_LIMIT characters, waiting at most `timeout` seconds for the end of input.

    A closed stdin reads as empty. A pipe that sends nothing and stays open raises IdleStdin;
    text that arrived before the deadline is used even if the pipe stays open.
    """
    if stdin is None:
        return ""
    try:
        fd = stdin.fileno()
    except (AttributeError, ValueError, OSError):
        return _read_in_memory(stdin)  # an in-memory stream (tests): nothing to wait for
    if os.isatty(fd):  # `check -` typed at a terminal: the user is there, Ctrl-D ends it
        data = os.read(fd, STDIN_LIMIT)
    else:
        data = _read_fd(fd, timeout)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NOT_TEXT from None


def _read_in_memory(stdin: TextIO) -> str:
    """A stream without a file descriptor: its bytes when it has them, decoded the same way."""
    buffer = getattr(stdin, "buffer", None)
    try:
        if buffer is not None:
            return bytes(buffer.read(STDIN_LIMIT)).decode("utf-8-sig")
        return stdin.read(STDIN_LIMIT)
    except UnicodeDecodeError:
        raise NOT_TEXT from None


def _read_fd(fd: int, timeout: float) -> bytes:
    chunks: list[bytes] = []
    size = 0
    deadline = time.monotonic() + timeout
    while size < STDIN_LIMIT:
        left = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(left, 0))
        if not ready:
            if size:
                break  # a token followed by a pipe left open: use what came
            raise IdleStdin(
                f"Standard input is a pipe that sent nothing for {timeout:g} "
                f"second{'s' if timeout != 1 else ''}, and wa-token reads the token from it.",
                fix="Pipe the token and close the pipe (`printf '%s' \"$TOKEN\" | wa-token "
                "check`), or add `</dev/null` to use the stored token; --timeout sets the wait.",
            )
        try:
            chunk = os.read(fd, min(65536, STDIN_LIMIT - size))
        except OSError:
            break  # a stdin that cannot be read holds no token
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)
