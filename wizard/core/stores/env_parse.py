"""python-dotenv's .env parser (parse_stream, dotenv_values) re-done in linear time, same results."""

from __future__ import annotations

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

# python-dotenv's own steps, for the statements _STATEMENT leaves (same patterns, possessive).
_SPACE = re.compile(r"\s*+")
_EXPORT = re.compile(rf"(?:export{_WS}+)?")
_UNQUOTED_KEY = re.compile(r"[^=\#\s]++")
_LINE_SPACE = re.compile(rf"{_WS}*+")
_EQUALS = re.compile(rf"={_WS}*+")
_QUOTED_VALUE = {
    "'": re.compile(r"'([^'\\]*+(?:\\.[^'\\]*+)*+)'", re.DOTALL),
    '"': re.compile(r'"([^"\\]*+(?:\\.[^"\\]*+)*+)"', re.DOTALL),
}
_LINE_REST = re.compile(r"[^\r\n]*+")
_COMMENT = re.compile(rf"(?:{_WS}*+\#[^\r\n]*+)?")
_END_OF_LINE = re.compile(rf"{_WS}*+(?:\r\n|\n|\r|\Z)")
_REST_OF_LINE = re.compile(r"[^\r\n]*+(?:\r|\n)?")

_ESCAPES = {
    "'": (re.compile(r"\\[\\']"), {"\\\\": "\\", "\\'": "'"}),
    '"': (
        re.compile(r"\\[\\'\"abfnrtv]"),
        {f"\\{c}": d for c, d in zip("\\'\"abfnrtv", "\\'\"\a\b\f\n\r\t\v", strict=True)},
    ),
}
"""The escapes python-dotenv decodes in single and double quotes, and what each becomes."""

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
    return parse_text(stream.read().removeprefix(_BOM))


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


def parse_text(text: str) -> Iterator[Binding]:
    """The statements of `text`, as parse_stream gives them, without dropping a BOM first;
    their originals, joined, are `text`."""
    parser: _Parser | None = None
    position, line, size = 0, 1, len(text)
    match_at = _STATEMENT.match
    while position < size:
        match = match_at(text, position)
        if match is None:
            parser = parser or _Parser(text)
            key, value, end, error = parser.statement_at(position)
        else:
            (key, value), end, error = _key_value(match.groups()), match.end(), False
        original = text[position:end]
        yield Binding(key, value, Original(original, line), error)
        line += original.count("\n")
        if "\r" in original:
            line += original.count("\r") - original.count("\r\n")
        position = end


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
    """python-dotenv's `re.sub(r"\\s+#.*", "", part).rstrip()`, without its quadratic search."""
    hash_at = part.find("#", 1)
    while hash_at != -1 and not part[hash_at - 1].isspace():
        hash_at = part.find("#", hash_at + 1)
    return (part if hash_at == -1 else part[:hash_at]).rstrip()


def _decoded(quoted: str, quote: str) -> str:
    """The text between quotes with python-dotenv's escapes decoded."""
    if "\\" not in quoted:
        return quoted
    pattern, meaning = _ESCAPES[quote]
    return pattern.sub(lambda escape: meaning[escape.group()], quoted)


class _Broken(Exception):
    """python-dotenv's parser gives up on the statement at `position` (of its last step)."""

    def __init__(self, position: int) -> None:
        super().__init__(position)
        self.position = position


def _skip(pattern: re.Pattern[str], text: str, position: int) -> int:
    """Where a pattern that cannot fail (it may match nothing) ends, from `position`."""
    match = pattern.match(text, position)
    assert match is not None
    return match.end()


class _Parser:
    """python-dotenv's `parse_binding`, step by step, for the statements _STATEMENT leaves.

    A quote that does not close costs one scan to the end of the text, then nothing: see
    _quoted_key and _quoted_value.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.unclosed_from = {"'": len(text), '"': len(text)}
        """The first opening quote of each kind known to have no closing quote after it."""
        self.last_single_quote: int | None = None

    def statement_at(self, start: int) -> tuple[str | None, str | None, int, bool]:
        """(key, value, end, error) of the statement that starts at `start`."""
        try:
            return self._statement(start)
        except _Broken as broken:  # the statement runs to the end of that line
            return None, None, _skip(_REST_OF_LINE, self.text, broken.position), True

    def _statement(self, start: int) -> tuple[str | None, str | None, int, bool]:
        text = self.text
        position = _skip(_SPACE, text, start)
        if position == len(text):
            return None, None, position, False
        key, position = self._key(_skip(_EXPORT, text, position))
        position = _skip(_LINE_SPACE, text, position)
        value: str | None = None
        if text.startswith("=", position):
            value, position = self._value(position)
        position = _skip(_COMMENT, text, position)
        end = _END_OF_LINE.match(text, position)
        if end is None:
            raise _Broken(position)
        return key, value, end.end(), False

    def _key(self, position: int) -> tuple[str | None, int]:
        """The key at `position` (None before a comment) and where it ends."""
        first = self.text[position : position + 1]
        if first == "#":
            return None, position
        if first == "'":
            return self._quoted_key(position)
        match = _UNQUOTED_KEY.match(self.text, position)
        if match is None:
            raise _Broken(position)
        return match.group(), match.end()

    def _quoted_key(self, position: int) -> tuple[str, int]:
        """`'([^']+)'` at `position`; the last quote of the text is looked for once only."""
        if self.last_single_quote is None:
            self.last_single_quote = self.text.rfind("'")
        close = -1
        if self.last_single_quote > position + 1:
            close = self.text.find("'", position + 1)
        if close <= position + 1:
            raise _Broken(position)
        return self.text[position + 1 : close], close + 1

    def _value(self, position: int) -> tuple[str, int]:
        """The value after the `=` at `position`, and where it ends."""
        text = self.text
        equals = _skip(_EQUALS, text, position)
        first = text[equals : equals + 1]
        if equals - position > 1 and first == "#":
            return "", equals
        if first in ("'", '"'):
            return self._quoted_value(equals, first)
        if first in ("", "\n", "\r"):
            return "", equals
        end = _skip(_LINE_REST, text, equals)
        return _unquoted(text[equals:end]), end

    def _quoted_value(self, position: int, quote: str) -> tuple[str, int]:
        """The quoted value opening at `position`, decoded, and where it ends.

        When the scan from one opening quote finds no closing quote, every later quote of that
        kind was read as escaped (`\\'`), so a scan from it steps where this one stepped, and
        fails too: it is not done again.
        """
        if position >= self.unclosed_from[quote]:
            raise _Broken(position)
        match = _QUOTED_VALUE[quote].match(self.text, position)
        if match is None:
            self.unclosed_from[quote] = position
            raise _Broken(position)
        return _decoded(match.group(1), quote), match.end()
