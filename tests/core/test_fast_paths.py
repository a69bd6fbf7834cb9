"""The shortcuts in the cleaning of Graph's text give exactly what the full cleaning gives."""

from __future__ import annotations

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


@settings(max_examples=500, derandomize=CI)
@given(text=HOSTILE)
def test_terminal_safe_is_its_substitution(text: str) -> None:
    """The shortcut for printable text (newlines and tabs aside) changes nothing."""
    assert terminal_safe(text) == _TERMINAL_CONTROLS.sub("", text)
