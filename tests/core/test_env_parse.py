"""wizard.core.stores.env_parse gives exactly what python-dotenv's parser gives, in linear time."""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Self
from unittest import mock

import dotenv
import dotenv.parser
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wizard.core.stores import env_parse
from wizard.core.stores.env_parse import dotenv_values, parse_stream, parse_text

CI = bool(os.environ.get("CI"))
MANY = settings(
    deadline=None,
    derandomize=CI,
    suppress_health_check=[HealthCheck.too_slow],
)

# --- texts: from the grammar's pieces, and raw ----------------------------------------------

_SPACE = st.text(st.sampled_from(" \t\x0b\x0c\x1c\x85\xa0\u2028\u3000"), max_size=3)
"""Whitespace within a line: python-dotenv's `[^\\S\\r\\n]` is wider than spaces and tabs."""
_EOL = st.sampled_from(["\n", "\r\n", "\r", "", "\n\n", "\r\r\n", "\n\r"])
_PLAIN = st.text(st.sampled_from("aZ09_.-/:@$%{}é漢\x00 "), max_size=6)
_KEY = st.one_of(
    st.sampled_from(["A", "db_url", "X1", "a.b", "é", "k#x", "a'b", 'a"b', "=", "", "\x00"]),
    _PLAIN.map(lambda key: f"'{key}'"),
    st.sampled_from(["'", "''", "'a\nb'", "'a", "#", "# comment"]),
)
_ESCAPE = st.sampled_from(
    ["\\\\", "\\'", '\\"', "\\n", "\\r", "\\t", "\\a", "\\b", "\\f", "\\v", "\\x", "\\u00e9", "\\"]
)
_INSIDE = st.lists(
    st.one_of(_PLAIN, _ESCAPE, st.sampled_from(["\n", "\r\n", "\r", "#", " #", "=", "'", '"'])),
    max_size=6,
).map("".join)
_VALUE = st.one_of(
    _PLAIN,
    st.text(st.sampled_from("ab #=\\'\"\t"), max_size=8),
    st.tuples(st.sampled_from(["'", '"']), _INSIDE, st.booleans()).map(
        lambda t: t[0] + t[1] + (t[0] if t[2] else "")
    ),
)
_COMMENT = st.sampled_from(["", " # note", "#tight", "\t# tab", " #", " x", " 'tail"])
_STATEMENT = st.tuples(
    _SPACE,
    st.sampled_from(["", "export ", "export\t", "export", "export  "]),
    _KEY,
    _SPACE,
    st.sampled_from(["=", "", "==", "= "]),
    _SPACE,
    _VALUE,
    _SPACE,
    _COMMENT,
    _EOL,
).map("".join)
GRAMMAR = st.tuples(
    st.sampled_from(["", "\ufeff", "\ufeff\ufeff"]), st.lists(_STATEMENT, max_size=8)
).map(lambda t: t[0] + "".join(t[1]))
"""Texts made of statements in every shape python-dotenv's grammar has, right and broken."""
RAW = st.text(
    st.sampled_from("A=x '\"\\#\n\r\t\x0b\x85\u2028\x00\ufeffé") | st.characters(), max_size=60
)
"""Any text at all, leaning on the characters the grammar cares about."""


def oracle(text: str) -> list[dotenv.parser.Binding]:
    return list(dotenv.parser.parse_stream(io.StringIO(text)))


@contextmanager
def warnings_of(logger_name: str) -> Iterator[list[str]]:
    """The messages logged on `logger_name` meanwhile."""
    messages: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    try:
        yield messages
    finally:
        logger.removeHandler(handler)


def oracle_values(text: str) -> tuple[dict[str, str | None], list[str]]:
    with warnings_of("dotenv.main") as warned:
        values = dict(dotenv.dotenv_values(stream=io.StringIO(text), interpolate=False))
    return values, warned


def our_values(text: str) -> tuple[dict[str, str | None], list[str]]:
    with warnings_of("dotenv.main") as warned:
        values = dotenv_values(text)
    return values, warned


# --- the same bindings as python-dotenv -------------------------------------------------------

TRICKY = [
    "",
    "A=1",
    "\ufeffA=1\n",
    "\ufeff\ufeffA=1\n",
    "# only a comment",
    "A=1\r\nB=2\rC=3\n",
    "A=1\r",
    "  \n\t\n",
    "export A=1\nexport\tB='2'\nexport C\nexport=4\nexport  \n",
    "'quoted key'=v\n'multi\nline key'=v\n''=empty\n'unclosed key=v\n",
    "A=\"multi\nline\"\nB='multi\r\nline'\n",
    'A="unterminated\nB=2\n',
    "A='unterminated\nB=2\n",
    'A="closed" trailing\nB=2\n',
    'A="closed"  # comment\nB="x"#tight\n',
    "A= # just a comment\nB=#not a comment\nC=a #comment\nD=a#no\nE=a \t# tab comment\n",
    "A=value with spaces   \nB=  lead\n",
    "BARE\nBARE2 # comment\n#\n",
    "=no key\n==\n",
    "k#x=1\na'b=2\na\"b=3\n",
    'A="\\\\"\nB="\\\\\\""\nC="\\n\\t\\r\\a\\b\\f\\v\\\'\\"\\x\\u00e9"\n',
    "A='\\\\'\nB='\\''\nC='\\n\\\"'\n",
    'A="ends in backslash\\\nB=2"\n',
    'A="\\',
    "A=\x00\x00\nB\x00=1\n\x00\n",
    "A=1\x85B=2\u2028C=3\n",
    "A=caf\u00e9 漢字 \U0001f600\n",
    "A=x\x0b# vertical-tab comment\nB=x\x0c\n",
    "A='x'\r\r\nB=2\n",
    'A="x" y\r\nB=2\n',
    "export 'A'=1\n",
    "A =1\nB= 2\nC = 3\n",
    "A=1\n\n\n  # indented comment\n   B=2",
    'A="\n',
    "A='",
    "'",
    '"',
    "A=a  b  # c  # d\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_texts_parse_as_python_dotenv_parses_them(text: str) -> None:
    assert_parsed_as_python_dotenv_parses(text)


@settings(MANY, max_examples=300 if CI else 1000)
@given(text=GRAMMAR)
def test_statements_of_every_shape_parse_as_python_dotenv_parses_them(text: str) -> None:
    assert_parsed_as_python_dotenv_parses(text)


@settings(MANY, max_examples=1000 if CI else 3000)
@given(text=RAW)
@example("\r\n\r")
@example("'a'b'=1")
@example("A=1\rB\r\n\n")
def test_any_text_parses_as_python_dotenv_parses_it(text: str) -> None:
    assert_parsed_as_python_dotenv_parses(text)


def assert_parsed_as_python_dotenv_parses(text: str) -> None:
    """The same bindings (line numbers and errors too), the same dotenv_values(interpolate=False)
    (last value wins, None for a bare key) with the same warnings (a line number, never a value),
    originals that rebuild the text byte for byte, and both ways of reading agree."""
    assert list(parse_stream(io.StringIO(text))) == oracle(text)
    assert our_values(text) == oracle_values(text)
    with mock.patch.object(dotenv.parser, "parse_unquoted_value", _refuse_unquoted_value):
        bindings = parse_text(text)
    assert "".join(binding.original.string for binding in bindings) == text
    assert_python_dotenv_agrees_statement_by_statement(text, bindings)


def assert_python_dotenv_agrees_statement_by_statement(
    text: str, bindings: list[env_parse.Binding]
) -> None:
    """Every statement, read by python-dotenv's parse_binding from where it starts, is what
    parse_text made of it (most went the one-pattern way), so that way is checked alone too."""
    statement_at = env_parse._python_dotenv(text)
    position = 0
    for binding in bindings:
        key, value, end, error = statement_at(position, binding.original.line)
        read = (key, value, text[position:end], error)
        assert read == (binding.key, binding.value, binding.original.string, binding.error)
        position = end


def _refuse_unquoted_value(reader: dotenv.parser.Reader) -> str:
    """python-dotenv's unquoted-value step is quadratic in a run of spaces (`re.sub(r"\\s+#.*",
    ...)` tries each space): the one-pattern way reads every unquoted value itself."""
    raise AssertionError("reached python-dotenv's unquoted-value step")


def test_a_typical_env_goes_the_one_pattern_way_only(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "# settings\n\nexport PORT=8000\nDEBUG=1\n  INDENTED = spaced   # comment\n"
        "URL=\"postgres://u:p@h/db?x=1#frag\" # db\nSECRET='a#b=c'\nEMPTY=\nBARE\n"
        'ESCAPED="a \\" b \\n c"\r\nLAST=x'
    )
    monkeypatch.setattr(env_parse, "_python_dotenv", _refuse)

    assert parse_text(text) == oracle(text)


def _refuse(text: str) -> object:
    raise AssertionError("went to python-dotenv's parser")


# --- hostile files: big, long, and no quadratic work ------------------------------------------

BIG = 10_000_000


@pytest.mark.parametrize(
    ("before", "piece", "after", "value_piece", "value_ends"),
    [
        pytest.param("A=", "x", "\n", "x", ("", ""), id="unquoted"),
        pytest.param('A="', "x", '"\n', "x", ("", ""), id="double-quoted"),
        pytest.param("A='", "x", "'", "x", ("", ""), id="single-quoted"),
        pytest.param('A="', "x\\n", '"', "x\n", ("", ""), id="escapes"),
        pytest.param('A="', "x\n", '"', "x\n", ("", ""), id="multi-line"),
        pytest.param("A=x", " ", "y #c", " ", ("x", "y"), id="spaces-then-comment"),
        pytest.param("A=x", "#", " #c", "#", ("x", ""), id="hashes-then-comment"),
        pytest.param("A=x", "\x00", "", "\x00", ("x", ""), id="nul-bytes"),
        pytest.param('A="', "\\\\", '\\"\n"', "\\", ("", '"\n'), id="backslashes-multi-line"),
        pytest.param("A='", "\\\\", "\\'\n'", "\\", ("", "'\n"), id="single-multi-line"),
    ],
)
def test_a_ten_megabyte_value_is_read_whole(
    before: str, piece: str, after: str, value_piece: str, value_ends: tuple[str, str]
) -> None:
    count = BIG // len(piece)
    (binding,) = parse_text(before + piece * count + after)
    value = value_ends[0] + value_piece * count + value_ends[1]
    assert (binding.key, binding.value, binding.error) == ("A", value, False)


def test_ten_megabytes_of_spaces_after_a_multi_line_key_are_read_in_linear_time() -> None:
    """python-dotenv's own parser takes 4 s for 40,000 spaces here (quadratic): the guard
    _QUOTED_KEY_MAY_SPAN_LINES keeps the statement on the one-pattern way."""
    text = "'A\n'=x" + " " * BIG + "y #c\n"
    (binding,) = parse_text(text)
    assert (binding.key, binding.value, binding.error) == ("A\n", "x" + " " * BIG + "y", False)


def test_without_the_guard_python_dotenvs_quadratic_step_is_reached(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the refusal in CountedReads and in every differential test would catch."""
    one_line_key = env_parse._STATEMENT.pattern.replace(
        env_parse._QUOTED_KEY_MAY_SPAN_LINES, r"'(?P<quoted_key>[^'\r\n]+)'"
    )
    assert one_line_key != env_parse._STATEMENT.pattern
    monkeypatch.setattr(env_parse, "_STATEMENT", re.compile(one_line_key, re.VERBOSE))
    with CountedReads(monkeypatch), pytest.raises(AssertionError, match="unquoted-value step"):
        parse_text("'A\n'=x" + " " * 100 + "y\n")


HOSTILE_LINES = {
    "unterminated-double": 'A="x\n',
    "unterminated-single": "A='x\n",
    "unterminated-key": "'x\n",
    "escaped-quote": 'A="x\\"\n',
    "backslash-newline": 'A="x\\\n',
    "backslashes-before-double": 'A="' + "\\" * 63 + '"\n',
    "backslashes-before-single": "A='" + "\\" * 63 + "'\n",
    "spaces-then-unterminated": "A=" + " " * 64 + "'x" + " " * 64 + "\n",
    "multi-line-value": 'A="x\n' + " " * 64 + 'y"\n',
    "multi-line-key-then-spaces": "'k\n'=x" + " " * 64 + "y\n",
    "closed-then-junk": "A='x' y '\n",
    "export-alone": "export \n",
    "no-key": "=x\n",
    "mixed": '\'k\nA="x\nB=\'y\n=\nexport \nC="z" w\n',
}


@pytest.mark.parametrize("line", HOSTILE_LINES.values(), ids=HOSTILE_LINES.keys())
def test_parsing_n_hostile_lines_reads_each_character_a_bounded_number_of_times(
    line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted, not timed: each pattern call (ours and python-dotenv's Reader's) is charged the
    characters it may have read."""
    reads = {}
    for lines in (500, 1000, 2000, 4000):
        text = line * lines + 'Z="never closed\n'
        with CountedReads(monkeypatch) as count:
            bindings = parse_text(text)
        assert "".join(binding.original.string for binding in bindings) == text
        reads[lines] = count.characters / len(text), count.calls / len(text)
    assert max(per_char for per_char, _ in reads.values()) <= 8, reads
    assert reads[4000][0] <= reads[500][0] * 1.1, reads  # the same per character: linear
    assert reads[4000][1] <= reads[500][1] * 1.1, reads


def test_the_counting_finds_quadratic_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """The counter charges a scan for a closing quote to the end of the text: a parser that
    scanned from every unterminated quote (no closing quote after it) would show it."""
    text = 'A="x\n' + "B=1\n" * 1000
    with CountedReads(monkeypatch) as count:
        statement_at = env_parse._python_dotenv(text)
        for _ in range(1000):
            statement_at(0, 1)
    assert count.characters / len(text) > 500


_LINE = re.compile(r"\s*+[^\r\n]*+")
"""How far a one-line pattern may read: to the end of the line it starts on (or reaches)."""
_STATEMENT_REACH = re.compile(r"\s*+(?:export[^\S\r\n]++)?(?:'[^']*+'?)?[^\r\n]*+")
"""How far _STATEMENT may read: past a quoted key's line breaks, then to that line's end."""


class CountedReads:
    """Counts the characters each call of env_parse's _STATEMENT and each `read_regex` of
    python-dotenv's Reader may read, and refuses python-dotenv's unquoted-value step (quadratic,
    and not a `read_regex`).

    A call that matches is charged up to its end (and one more, looked at); one that fails, to
    the end of the line it reached (and two more) when what it returns is the same with the
    text cut there (checked on every call); a scan across lines that fails, to the end.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.characters = 0
        self.calls = 0

    def __enter__(self) -> Self:
        statement = _Counted(env_parse._STATEMENT, self.charge, _STATEMENT_REACH)
        self.monkeypatch.setattr(env_parse, "_STATEMENT", statement)
        parser = dotenv.parser
        across_lines = {parser._single_quoted_key, parser._multiline_whitespace}
        across_lines |= {parser._single_quoted_value, parser._double_quoted_value}
        read_regex = parser.Reader.read_regex

        def counted_read_regex(reader: parser.Reader, regex: re.Pattern[str]) -> Sequence[str]:
            reach = None if regex in across_lines else _LINE
            _Counted(regex, self.charge, reach).match(reader.string, reader.position.chars)
            return read_regex(reader, regex)

        self.monkeypatch.setattr(parser.Reader, "read_regex", counted_read_regex)
        self.monkeypatch.setattr(parser, "parse_unquoted_value", _refuse_unquoted_value)
        return self

    def __exit__(self, *_: object) -> None:
        self.monkeypatch.undo()

    def charge(self, characters: int) -> None:
        self.characters += characters
        self.calls += 1


class _Counted:
    """A pattern whose calls are charged; `reach` finds where a failed call stopped reading
    (None: at the end of the text)."""

    def __init__(
        self,
        pattern: re.Pattern[str],
        charge: Callable[[int], None],
        reach: re.Pattern[str] | None,
    ) -> None:
        self.pattern, self.charge, self.reach = pattern, charge, reach

    def match(self, text: str, position: int = 0) -> re.Match[str] | None:
        match = self.pattern.match(text, position)
        if match is not None:
            reach = match.end() + 1
        elif self.reach is None:
            reach = len(text)
        else:
            line_end = self.reach.match(text, position).end()  # type: ignore[union-attr]
            reach = min(line_end + 2, len(text))
            assert self.pattern.match(text, position, reach) is None
        self.charge(max(reach - position, 1))
        return match
