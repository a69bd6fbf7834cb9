"""wizard.core.stores.env_parse gives exactly what python-dotenv's parser gives, in linear time."""

from __future__ import annotations

import io
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Self

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
    bindings = parse_text(text)
    assert "".join(binding.original.string for binding in bindings) == text
    assert_step_by_step_agrees(text, bindings)


def assert_step_by_step_agrees(text: str, bindings: list[env_parse.Binding]) -> None:
    """Every statement, read step by step from where it starts, is what parse_text made of it
    (most went the one-pattern way), so both ways are checked on every shape."""
    step_by_step = env_parse._step_by_step()
    position = 0
    for binding in bindings:
        key, value, end, error = step_by_step.statement_at(text, position)
        read = (key, value, text[position:end], error)
        assert read == (binding.key, binding.value, binding.original.string, binding.error)
        position = end


def test_a_typical_env_goes_the_one_pattern_way_only(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (
        "# settings\n\nexport PORT=8000\nDEBUG=1\n  INDENTED = spaced   # comment\n"
        "URL=\"postgres://u:p@h/db?x=1#frag\" # db\nSECRET='a#b=c'\nEMPTY=\nBARE\n"
        'ESCAPED="a \\" b \\n c"\r\nLAST=x'
    )
    monkeypatch.setattr(env_parse, "_step_by_step", _refuse)

    assert parse_text(text) == oracle(text)


def _refuse() -> env_parse._StepByStep:
    raise AssertionError("went the step-by-step way")


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
    ],
)
def test_a_ten_megabyte_value_is_read_whole(
    before: str, piece: str, after: str, value_piece: str, value_ends: tuple[str, str]
) -> None:
    count = BIG // len(piece)
    (binding,) = parse_text(before + piece * count + after)
    value = value_ends[0] + value_piece * count + value_ends[1]
    assert (binding.key, binding.value, binding.error) == ("A", value, False)


HOSTILE_LINES = {
    "unterminated-double": 'A="x\n',
    "unterminated-single": "A='x\n",
    "unterminated-key": "'x\n",
    "escaped-quote": 'A="x\\"\n',
    "backslash-newline": 'A="x\\\n',
    "closed-then-junk": "A='x' y '\n",
    "export-alone": "export \n",
    "no-key": "=x\n",
    "mixed": '\'k\nA="x\nB=\'y\n=\nexport \nC="z" w\n',
}


@pytest.mark.parametrize("line", HOSTILE_LINES.values(), ids=HOSTILE_LINES.keys())
def test_parsing_n_hostile_lines_reads_each_character_a_bounded_number_of_times(
    line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted, not timed: each pattern call is charged the characters it may have read."""
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
        for _ in range(1000):
            env_parse._step_by_step().statement_at(text, 0)
    assert count.characters / len(text) > 500


_LINE = re.compile(r"\s*+[^\r\n]*+")


class CountedReads:
    """Replaces env_parse's patterns with ones that count the characters each call may read.

    A call that matches is charged up to its end (and one more, looked at); one that fails, to
    the end of the line it reached (and two more) when what it returns is the same with the
    text cut there (checked on every call); a scan for a closing quote that fails, to the end.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.characters = 0
        self.calls = 0

    def __enter__(self) -> Self:
        self.monkeypatch.setattr(env_parse, "_STATEMENT", self.counted(env_parse._STATEMENT))
        step_by_step = env_parse._StepByStep()
        for name, pattern in vars(step_by_step).items():
            if isinstance(pattern, re.Pattern):
                setattr(step_by_step, name, self.counted(pattern))
        step_by_step.quoted_value = {
            quote: self.counted(pattern, may_cross_lines=True)
            for quote, pattern in step_by_step.quoted_value.items()
        }
        self.monkeypatch.setattr(env_parse, "_step_by_step", lambda: step_by_step)
        return self

    def __exit__(self, *_: object) -> None:
        self.monkeypatch.undo()

    def counted(self, pattern: re.Pattern[str], may_cross_lines: bool = False) -> _Counted:
        return _Counted(pattern, self.charge, may_cross_lines)

    def charge(self, characters: int) -> None:
        self.characters += characters
        self.calls += 1


class _Counted:
    def __init__(
        self, pattern: re.Pattern[str], charge: Callable[[int], None], may_cross_lines: bool
    ) -> None:
        self.pattern, self.charge, self.may_cross_lines = pattern, charge, may_cross_lines

    def match(self, text: str, position: int = 0) -> re.Match[str] | None:
        match = self.pattern.match(text, position)
        if match is not None:
            reach = match.end() + 1
        elif self.may_cross_lines:
            reach = len(text)
        else:
            line_end = _LINE.match(text, position).end()  # type: ignore[union-attr]
            reach = min(line_end + 2, len(text))
            assert self.pattern.match(text, position, reach) is None
        self.charge(max(reach - position, 1))
        return match
