"""Whatever is pasted, the sanitizer and the CLI's stdin answer quickly, and never echo it.

The inputs: arbitrary Unicode with control characters, terminal escape sequences, emoji, quotes,
`Bearer `/`KEY=` wrappings around real-looking tokens, and pastes up to ~100 KB. The wizard's
paste screen is fuzzed by the UI tests.
"""

from __future__ import annotations

import io
import os
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from wizard.cli import run as cli
from wizard.core import token as token_module
from wizard.core.errors import TokenFormatError
from wizard.core.token import MAX_TOKEN_LENGTH, TOKEN_KEY, clean_pasted, format_problem
from wizard.testing.fake_graph import FakeGraphServer

SECONDS_PER_CALL = 0.25
"""Far above what any input takes (about a millisecond for 100 KB): a hang or a blow-up fails."""
CI = bool(os.environ.get("CI"))
"""On CI, hypothesis runs the same examples every time (locally it keeps exploring)."""

_ESCAPES = [
    "\x1b[2J",
    "\x1b[31m",
    "\x1b[0m",
    "\x1b]0;title\x07",
    "\x1b[200~",
    "\x1b[201~",
    "\r",
    "\n",
    "\t",
    "\x00",
    "\x7f",
    "\u200b",
    "\ufeff",
    "\u00a0",
    "\u202e",
]
_WRAPPERS = [
    "Bearer ",
    "bearer\t",
    f"{TOKEN_KEY}=",
    f"export {TOKEN_KEY} = ",
    '"',
    "'",
    "`",
    "\u201c",
    "\u201d",
    "\u2018",
    "\u2019",
    " ",
    "\n",
]
_TOKENISH = st.from_regex(r"EAA[A-Za-z0-9]{20,250}", fullmatch=True)
_PIECES = st.one_of(
    st.text(max_size=40),  # any Unicode, control characters and emoji included
    st.sampled_from(_ESCAPES + _WRAPPERS + ["🔑", "😀", "ｅａａ", "ＥＡＡ", "\U0010ffff"]),
    _TOKENISH,
)
WRAPPED_TOKENS = st.tuples(
    st.lists(st.sampled_from(_WRAPPERS), max_size=3),
    _TOKENISH,
    st.lists(st.sampled_from(_WRAPPERS + _ESCAPES), max_size=3),
).map(lambda t: "".join(t[0]) + t[1] + "".join(t[2]))
PASTES = st.one_of(
    st.lists(_PIECES, max_size=12).map("".join),
    WRAPPED_TOKENS,
    st.tuples(st.text(min_size=1, max_size=3), st.integers(1, 30_000)).map(
        lambda t: t[0] * t[1]
    ),  # huge pastes, up to ~100 KB
)


def _reasons_vocabulary() -> str:
    """All the fixed words a reason or fix is made of (an input may happen to be one of them)."""
    samples = [
        "",
        " x",
        "Bearer " + "a" * 40,
        f"{TOKEN_KEY}=x",
        "a b",
        "a\x01",
        "é" * 40,
        "'" + "a" * 40,
        "a" * 5,
        "a!" * 20,
        "a" * (MAX_TOKEN_LENGTH + 1),
    ]
    return " ".join(filter(None, map(format_problem, samples))) + token_module._FORMAT_FIX


VOCABULARY = _reasons_vocabulary()


def _echoes(text: str, message: str) -> bool:
    """True when the message quotes the input (ignoring inputs that are its own fixed words)."""
    stripped = text.strip()
    return len(stripped) >= 12 and stripped in message and stripped not in VOCABULARY


@settings(
    max_examples=200, deadline=None, derandomize=CI, suppress_health_check=[HealthCheck.too_slow]
)
@given(text=PASTES)
@example("\x1b[200~EAAFake0Token0With0Bracketed0Paste0Markers0000\x1b[201~")
@example("Bearer Bearer EAAFake0DoubleBearer0000000000000000000000000")
@example(f'{TOKEN_KEY}="Bearer EAAFake0AllTheWrapping00000000000000000000"\n')
@example("EAAFake0NoBreakSpace\u00a0Inside00000000000000000000")
def test_clean_pasted_never_crashes_hangs_or_echoes(text: str) -> None:
    started = time.perf_counter()
    try:
        cleaned = clean_pasted(text)
    except TokenFormatError as err:
        assert time.perf_counter() - started < SECONDS_PER_CALL
        assert err.fix
        for message in (err.message, err.fix, str(err), repr(err)):
            assert not _echoes(text, message)
        return
    assert time.perf_counter() - started < SECONDS_PER_CALL
    value = cleaned.token.reveal()
    assert value in text  # nothing invented, only wrapping taken away
    assert format_problem(value) is None
    assert value.isascii() and value.isprintable() and " " not in value
    assert clean_pasted(value).token == cleaned.token and clean_pasted(value).removed == ()
    if len(value) >= 8:  # shorter text (tokens are opaque) may match the mask's words by chance
        assert value not in repr(cleaned) + str(cleaned.token)


@settings(
    max_examples=200, deadline=None, derandomize=CI, suppress_health_check=[HealthCheck.too_slow]
)
@given(text=PASTES)
def test_format_problem_never_crashes_hangs_or_echoes(text: str) -> None:
    started = time.perf_counter()
    reason = format_problem(text)
    assert time.perf_counter() - started < SECONDS_PER_CALL
    if reason is not None:
        assert not _echoes(text, reason)
    else:
        assert clean_pasted(text).token.reveal() == text  # a stored token is taken as it is


@pytest.fixture(scope="module")
def graph_for_fuzz() -> object:
    with FakeGraphServer() as server:  # its own: hypothesis reuses it across examples
        yield server


@settings(
    max_examples=30,
    deadline=None,
    derandomize=CI,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    text=st.one_of(PASTES, WRAPPED_TOKENS),
    command=st.sampled_from(
        [["check"], ["check", "--json", "-"], ["save"], ["save", "--to", "keyring"]]
    ),
)
def test_the_cli_stdin_path_never_crashes_or_echoes(
    text: str,
    command: list[str],
    graph_for_fuzz: FakeGraphServer,
    tmp_path_factory: object,
) -> None:
    out, err = io.StringIO(), io.StringIO()
    environ = {
        "WHATSAPP_GRAPH_URL": graph_for_fuzz.url,
        "WA_TOKEN_DEBUG": "1",  # bugs raise
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
    }
    folder = tmp_path_factory.mktemp("fuzz")  # type: ignore[attr-defined]
    code = cli.main(
        [*command, "--env-file", str(folder / ".env")],
        environ=environ,
        stdin=io.StringIO(text),
        stdout=out,
        stderr=err,
    )
    shown = out.getvalue() + err.getvalue()
    # not a token, or a token Graph does not know; nothing read: no token stored (3), or the
    # keyring could not be asked (5: this process sees no D-Bus and no keyring configuration)
    assert code in (1, 3) or (code == 5 and not text.strip()), shown
    assert "Traceback" not in shown
    assert not _echoes(text, shown)
    assert not (folder / ".env").exists()  # nothing that failed the check is stored


@settings(
    max_examples=30,
    deadline=None,
    derandomize=CI,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.binary(max_size=2000))
def test_the_cli_reads_any_bytes_on_stdin(data: bytes, graph_for_fuzz: FakeGraphServer) -> None:
    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
    try:
        code = cli.main(
            ["check", "-"],
            environ={"WHATSAPP_GRAPH_URL": graph_for_fuzz.url, "WA_TOKEN_DEBUG": "1"},
            stdin=stdin,
            stdout=out,
            stderr=err,
        )
    finally:
        stdin.close()
    assert code in (1, 3), err.getvalue()
    text = data.decode("utf-8", "replace")
    assert not _echoes(text, out.getvalue() + err.getvalue())
