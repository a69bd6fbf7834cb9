"""python-dotenv's .env parser (parse_stream, dotenv_values) re-done in linear time, same results."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterator
from typing import IO, NamedTuple

__all__ = ["Binding", "Original", "dotenv_values", "parse_stream", "parse_text"]

_BOM = "\ufeff"
_WS = r"[^\S\r\n]"
"""Whitespace within a line, as python-dotenv's parser means it."""

# One statement in the shapes nearly every .env is made of, with python-dotenv's steps in order.
# Each step is atomic, as each of its `read_regex` calls is final; quoted keys and values must
# close on their own line, so a failed match has looked at one line only. Whatever does not
# match (a multi-line value, a statement python-dotenv cannot parse) goes the step-by-step way.
_STATEMENT = re.compile(
    rf"""
    (?>\s*)
    (?:
        (?P<end>\Z)
    |
        (?>(?:export{_WS}+)?)
        (?>(?=\#) | '(?P<quoted_key>[^'\r\n]+)' | (?!')(?P<key>[^=\#\s]+))
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
    match_at = _STATEMENT.match
    while position < size:
        match = match_at(text, position)
        if match is None:
            key, value, end, error = _step_by_step().statement_at(text, position)
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


class _Broken(Exception):
    """python-dotenv's parser gives up on the statement at `position` (of its last step)."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


class _StepByStep:
    """python-dotenv's `parse_binding`, step by step, for the statements _STATEMENT leaves;
    its patterns (possessive, same matches) are compiled when first needed, as most files never
    need them and compiling is most of what importing this module costs.

    A quote that never closes costs one scan to the end of the text, once: a later quote of that
    kind that opens a key or a value (after a line break, a space or `=`, never after a
    backslash) would have closed it.
    """

    def __init__(self) -> None:
        self.space = re.compile(r"\s*+")
        self.export = re.compile(rf"(?:export{_WS}+)?")
        self.unquoted_key = re.compile(r"[^=\#\s]++")
        self.line_space = re.compile(rf"{_WS}*+")
        self.equals = re.compile(rf"={_WS}*+")
        self.quoted_value = {
            "'": re.compile(r"'([^'\\]*+(?:\\.[^'\\]*+)*+)'", re.DOTALL),
            '"': re.compile(r'"([^"\\]*+(?:\\.[^"\\]*+)*+)"', re.DOTALL),
        }
        self.line_rest = re.compile(r"[^\r\n]*+")
        self.comment = re.compile(rf"(?:{_WS}*+\#[^\r\n]*+)?")
        self.end_of_line = re.compile(rf"{_WS}*+(?:\r\n|\n|\r|\Z)")
        self.rest_of_line = re.compile(r"[^\r\n]*+(?:\r|\n)?")

    def statement_at(self, text: str, start: int) -> tuple[str | None, str | None, int, bool]:
        """(key, value, end, error) of the statement at `start`."""
        try:
            return self._statement(text, start)
        except _Broken as broken:  # the statement runs to the end of that line
            return None, None, _skip(self.rest_of_line, text, broken.position), True

    def _statement(self, text: str, start: int) -> tuple[str | None, str | None, int, bool]:
        position = _skip(self.space, text, start)
        if position == len(text):
            return None, None, position, False
        key, position = self._key(text, _skip(self.export, text, position))
        position = _skip(self.line_space, text, position)
        value: str | None = None
        if text.startswith("=", position):
            value, position = self._value(text, position)
        position = _skip(self.comment, text, position)
        end = self.end_of_line.match(text, position)
        if end is None:
            raise _Broken(position)
        return key, value, end.end(), False

    def _key(self, text: str, position: int) -> tuple[str | None, int]:
        """The key at `position` (None before a comment) and where it ends."""
        first = text[position : position + 1]
        if first == "#":
            return None, position
        if first == "'":  # `'([^']+)'`
            close = text.find("'", position + 1)
            if close <= position + 1:
                raise _Broken(position)
            return text[position + 1 : close], close + 1
        match = self.unquoted_key.match(text, position)
        if match is None:
            raise _Broken(position)
        return match.group(), match.end()

    def _value(self, text: str, position: int) -> tuple[str, int]:
        """The value after the `=` at `position`, and where it ends."""
        equals = _skip(self.equals, text, position)
        first = text[equals : equals + 1]
        if equals - position > 1 and first == "#":
            return "", equals
        if first in ("'", '"'):
            match = self.quoted_value[first].match(text, equals)
            if match is None:
                raise _Broken(equals)
            return _decoded(match.group(1), first), match.end()
        if first in ("", "\n", "\r"):
            return "", equals
        end = _skip(self.line_rest, text, equals)
        return _unquoted(text[equals:end]), end


_step_by_step = functools.cache(_StepByStep)


def _skip(pattern: re.Pattern[str], text: str, position: int) -> int:
    """Where a pattern that cannot fail (it may match nothing) ends, from `position`."""
    match = pattern.match(text, position)
    assert match is not None
    return match.end()
