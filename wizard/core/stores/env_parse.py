"""python-dotenv's .env parsing, fast: one regex per usual statement, its own parser for the rest."""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from typing import IO, NamedTuple

__all__ = ["Binding", "Original", "dotenv_values", "parse_stream", "parse_text"]

_BOM = "\ufeff"
_WS = r"[^\S\r\n]"
"""Whitespace within a line, as python-dotenv's parser means it."""

_QUOTED_KEY_MAY_SPAN_LINES = r"'(?P<quoted_key>[^']++)'"
"""A quoted key, line breaks and all, as python-dotenv reads it. Guard: python-dotenv's own
unquoted-value step (`re.sub(r"\\s+#.*", ...)`) is quadratic in a run of spaces (40,000 take 4 s),
and a multi-line quoted key before an unquoted value is the one way it could be reached."""

# One statement in the shapes nearly every .env is made of, with python-dotenv's steps in order.
# Each step is atomic, as each of its `read_regex` calls is final; quoted values must close on
# their own line, so a failed match has looked past one line only for a quoted key. Whatever does
# not match (a multi-line value, a statement python-dotenv cannot parse) goes to python-dotenv's
# own parser. _QUOTED_KEY_MAY_SPAN_LINES is the guard that keeps every unquoted value here.
_STATEMENT = re.compile(
    rf"""
    (?>\s*)
    (?:
        (?P<end>\Z)
    |
        (?>(?:export{_WS}+)?)
        (?>(?=\#) | {_QUOTED_KEY_MAY_SPAN_LINES} | (?!')(?P<key>[^=\#\s]+))
        (?>{_WS}*)
        (?:
            (?P<equals>=) {_WS}*+
            (?>
                (?<={_WS})(?=\#)
            |   '(?P<single>[^'\\\r\n]*+(?:\\[^\r\n][^'\\\r\n]*+)*+)'
            |   "(?P<double>[^"\\\r\n]*+(?:\\[^\r\n][^"\\\r\n]*+)*+)"
            |   (?!['"])(?P<unquoted>[^\r\n]*+)
            )
        |
            (?!=)
        )
        (?>(?:{_WS}*\#[^\r\n]*)?)
        {_WS}*+(?:\r\n|\n|\r|\Z)
    )
    """,
    re.VERBOSE,
)

_COMMENT_START = re.compile(r"\s\#")
"""Where an unquoted value's comment starts: the first `#` after whitespace."""

_ESCAPES = {
    "'": (("\\'", "'"),),
    '"': tuple(("\\" + c, d) for c, d in zip("'\"abfnrtv", "'\"\a\b\f\n\r\t\v", strict=True)),
}
"""The escapes python-dotenv decodes in single and double quotes besides `\\\\`, and their
meanings."""

_logger = logging.getLogger("dotenv.main")
"""python-dotenv's logger: its warning about a broken statement stays what it was."""


class Original(NamedTuple):
    """A statement's text as it is in the file, and the line it starts on."""

    string: str
    line: int


class Binding(NamedTuple):
    """One statement: key and value (None when absent), its text, whether it failed to parse."""

    key: str | None
    value: str | None
    original: Original
    error: bool


def parse_stream(stream: IO[str]) -> Iterator[Binding]:
    """What `dotenv.parser.parse_stream` yields for the stream (one leading BOM dropped)."""
    return iter(parse_text(stream.read().removeprefix(_BOM)))


def dotenv_values(text: str) -> dict[str, str | None]:
    """What `dotenv.dotenv_values(stream=StringIO(text), interpolate=False)` returns: the last
    value of each key, None for a bare key; like it, logs a warning for each broken statement."""
    values: dict[str, str | None] = {}
    for binding in parse_text(text.removeprefix(_BOM)):
        if binding.error:
            _logger.warning(
                "python-dotenv could not parse statement starting at line %s",
                binding.original.line,
            )
        elif binding.key is not None:
            values[binding.key] = binding.value
    return values


def parse_text(text: str) -> list[Binding]:
    """The statements of `text`, as parse_stream gives them, without dropping a BOM first;
    their originals, joined, are `text`."""
    bindings: list[Binding] = []
    add, new = bindings.append, tuple.__new__  # tuple.__new__: a NamedTuple's own is Python code
    position, line, size, counts_cr = 0, 1, len(text), "\r" in text
    match_at, python_dotenv_at = _STATEMENT.match, None
    while position < size:
        match = match_at(text, position)
        if match is None:
            if python_dotenv_at is None:
                python_dotenv_at = _python_dotenv(text)
            key, value, end, error = python_dotenv_at(position, line)
        else:
            (key, value), end, error = _key_value(match.groups()), match.end(), False
        original = text[position:end]
        add(new(Binding, (key, value, new(Original, (original, line)), error)))
        line += original.count("\n")
        if counts_cr:  # python-dotenv counts `\r\n`, `\n` and `\r` as one line break each
            line += original.count("\r") - original.count("\r\n")
        position = end
    return bindings


def _key_value(groups: tuple[str | None, ...]) -> tuple[str | None, str | None]:
    """The key and value a match of _STATEMENT holds (python-dotenv's values, decoded)."""
    _, quoted_key, key, equals, single, double, unquoted = groups
    if quoted_key is not None:
        key = quoted_key
    if equals is None:
        return key, None
    if unquoted is not None:
        return key, _unquoted(unquoted)
    if single is not None:
        return key, _decoded(single, "'")
    if double is not None:
        return key, _decoded(double, '"')
    return key, ""  # `KEY= # comment`


def _unquoted(part: str) -> str:
    """python-dotenv's `re.sub(r"\\s+#.*", "", part).rstrip()`, without its quadratic search
    (from each space of a long run of spaces not followed by `#`)."""
    if "#" in part and (comment := _COMMENT_START.search(part)):
        part = part[: comment.start()]
    return part.rstrip()


def _decoded(quoted: str, quote: str) -> str:
    """The text between quotes with python-dotenv's escapes decoded.

    Its `re.sub` pairs backslashes from the left, as splitting at each `\\\\` does; what lies
    between two of those has no backslash before a backslash, so its escapes cannot overlap.
    """
    if "\\" not in quoted:
        return quoted
    pieces = quoted.split("\\\\")
    for number, piece in enumerate(pieces):
        if "\\" in piece:
            for escape, meaning in _ESCAPES[quote]:
                piece = piece.replace(escape, meaning)
            pieces[number] = piece
    return "\\".join(pieces)


_Statement = tuple[str | None, str | None, int, bool]
"""A statement's key, value, end and whether it failed to parse."""


def _python_dotenv(text: str) -> Callable[[int, int], _Statement]:
    """python-dotenv's own `parse_binding` on one Reader over `text`, for the statement at a
    position (and line); imported only here, as a typical .env never needs it."""
    from dotenv import parser  # here, not at the top: a typical .env never comes here

    reader = parser.Reader(io.StringIO())
    reader.string = text  # Reader.__init__ drops a BOM, parse_text keeps it

    def statement_at(position: int, line: int) -> _Statement:
        reader.position = parser.Position(position, line)
        binding = parser.parse_binding(reader)
        return binding.key, binding.value, reader.position.chars, binding.error

    return statement_at
