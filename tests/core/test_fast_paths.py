"""The shortcuts in the cleaning of Graph's text give exactly what the full cleaning gives."""

from __future__ import annotations

import json
import os
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.core.diagnose.wording import graph_text
from wizard.core.token import SecretToken
from wizard.core.untrusted import (
    _BREAKS,
    _CONTROLS,
    _TERMINAL_CONTROLS,
    clean_body,
    clean_text,
    is_clean_json,
    secret_forms,
    terminal_safe,
)

CI = bool(os.environ.get("CI"))
HOSTILE = st.text(
    st.sampled_from(
        "aZ09 +-()é漢\t\n\r\x0b\x0c\x1b\x00\x7f\x85\x9b\u061c\u200b\u200e\u202e\u2066\u2028"
        "\u2029\u00a0\u3000\ufeff\U0001f600\ud800"
    )
    | st.characters(),
    max_size=40,
)
"""Text with every kind of character the cleaning cares about, and any other."""


@settings(max_examples=500, derandomize=CI)
@given(text=HOSTILE)
def test_clean_text_is_the_two_substitutions(text: str) -> None:
    assert clean_text(text) == _CONTROLS.sub("", _BREAKS.sub(" ", text))


@settings(max_examples=500, derandomize=CI)
@given(text=HOSTILE, limit=st.integers(2, 80))
def test_graph_text_drops_exactly_the_other_characters(text: str, limit: int) -> None:
    kept = "".join(c for c in text if not unicodedata.category(c).startswith("C"))
    assert graph_text(text, limit) == (kept if len(kept) <= limit else kept[: limit - 1] + "…")


TOKEN = SecretToken("EAAFake0FastPath0" + "x" * 40 + "wxyz")
APP = SecretToken("634974688087057|fastpath0app0secret0000000000000")


@settings(max_examples=300, derandomize=CI)
@given(
    before=HOSTILE,
    after=HOSTILE,
    secret=st.sampled_from([TOKEN.reveal(), APP.reveal(), APP.reveal().split("|")[1]]),
)
def test_every_secret_is_masked_whatever_surrounds_it(before: str, after: str, secret: str) -> None:
    """Strings shorter than the shortest secret are not searched; every other one is."""
    body = {"message": before + secret + after, "short": before[:5], "list": [secret]}
    cleaned = clean_body(body, secret_forms([TOKEN, APP]))
    for text in (cleaned["message"], cleaned["list"][0]):
        assert secret not in text and APP.reveal().split("|")[1] not in text
    assert cleaned["short"] == clean_text(before[:5])


@settings(max_examples=500, derandomize=CI, deadline=None)
@given(text=HOSTILE | st.text(st.characters(max_codepoint=0x7F)))
def test_terminal_safe_is_its_substitution(text: str) -> None:
    """The shortcuts for clean text (ASCII, or any printable text) change nothing."""
    assert terminal_safe(text) == _TERMINAL_CONTROLS.sub("", text)


def _escaped(text: str, escapes: list[bool]) -> str:
    """`text` as a JSON string, each character escaped (\\uXXXX, or \\/ for a slash) or not."""
    out = []
    for char, escape in zip(text, escapes + [False] * len(text), strict=False):
        plain = json.dumps(char, ensure_ascii=False)[1:-1]
        if escape or plain != char:  # json itself escapes quotes, backslashes and C0 controls
            out.append("\\/" if char == "/" else "".join(f"\\u{ord(u):04x}" for u in _utf16(char)))
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _utf16(char: str) -> list[str]:
    if ord(char) < 0x10000:
        return [char]
    code = ord(char) - 0x10000
    return [chr(0xD800 + (code >> 10)), chr(0xDC00 + (code & 0x3FF))]


RAW_TEXT = HOSTILE | st.sampled_from(["https://graph.facebook.com/v26.0/1/phone_numbers?after=x"])


@settings(max_examples=500, derandomize=CI, deadline=None)
@given(
    strings=st.lists(
        st.tuples(
            RAW_TEXT | st.sampled_from([TOKEN.reveal(), APP.reveal(), "pre" + TOKEN.reveal()]),
            st.lists(st.booleans(), max_size=70),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_a_body_called_clean_cleans_to_itself(strings: list[tuple[str, list[bool]]]) -> None:
    """Whatever escapes Graph (or anyone) writes, a text called clean decodes to strings the
    full cleaning leaves as they are; a secret or a control character, however escaped, is
    never in a text called clean."""
    raw = "{" + ",".join(f'"k{i}":{_escaped(s, e)}' for i, (s, e) in enumerate(strings)) + "}"
    body = json.loads(raw)
    assert list(body.values()) == [s for s, _ in strings]
    forms = secret_forms([TOKEN, APP])
    if is_clean_json(raw.encode("utf-8", "surrogatepass"), forms):
        assert clean_body(body, forms) == body
        assert all(s.isascii() and s.isprintable() for s in body.values())


def test_graph_style_slashes_are_clean_and_other_escapes_are_not() -> None:
    forms = secret_forms([TOKEN])
    assert is_clean_json(b'{"next":"https:\\/\\/graph.facebook.com\\/v26.0\\/1"}', forms)
    assert is_clean_json(b'{"name":"Acme","n":3,"ok":true,"none":null}', forms)
    for raw in (
        b'{"name":"a\\u001b[2Jb"}',  # an escape sequence, escaped
        b'{"name":"line\\nnext"}',
        b'{"name":"Caf\\u00e9"}',  # clean, but decoded only by the full walk
        '{"name":"Café"}'.encode(),
        b'{"name":"a\\\\/b"}',  # an escaped backslash before a slash
        b'{"name": "a",\n"b": "c"}',
        f'{{"message":"bad {TOKEN.reveal()}"}}'.encode(),
        f'{{"message":"bad \\u{ord(TOKEN.reveal()[0]):04x}{TOKEN.reveal()[1:]}"}}'.encode(),
    ):
        assert not is_clean_json(raw, forms), raw
