"""The rules for untrusted text and ids: clean, redact, validate, mask (table tests)."""

from __future__ import annotations

import io

import pytest

from wizard.cli.console import Console
from wizard.core.errors import GraphBadResponse, SettingsError
from wizard.core.token import SecretToken
from wizard.core.untrusted import (
    clean_body,
    clean_text,
    mask_url_credentials,
    redact,
    require_graph_id,
    require_setting_id,
    secret_forms,
    terminal_safe,
)

TOKEN = SecretToken("EAAGuardUnit" + "e" * 60 + "wxyz")
APP_TOKEN = SecretToken("634974688087057|0123456789abcdef0123456789abcdef")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Acme", "Acme"),
        ("a\x1b[2Jb", "a[2Jb"),
        ("a\x1b]0;title\x07b", "a]0;titleb"),
        ("line\r\nnext\tcol", "line next col"),
        ("c1\x9b31m\x9d", "c131m"),
        ("\u202eevil\u202c \u2066x\u2069 \u200f", "evil x "),
        ("del\x7f nul\x00", "del nul"),
        ("Zoë ☎ 日本", "Zoë ☎ 日本"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean


def test_terminal_safe_keeps_newlines_and_tabs_only() -> None:
    assert terminal_safe("a\n\tb\x1b[31m\rc\x85") == "a\n\tb[31mc"


def test_redact_finds_raw_url_encoded_and_the_secret_half_of_an_app_token() -> None:
    secret = "0123456789abcdef0123456789abcdef"
    text = f"{TOKEN.reveal()} {APP_TOKEN.reveal()} {secret} 634974688087057%7C{secret} app 634974688087057"
    redacted = redact(text, [TOKEN, APP_TOKEN])
    assert TOKEN.reveal() not in redacted and secret not in redacted
    assert "app 634974688087057" in redacted  # an app id alone is not a secret
    assert TOKEN.masked in redacted


def test_clean_body_walks_every_string_and_keeps_keys_and_numbers() -> None:
    body = {"data": [{"name": f"x\x1b{TOKEN.reveal()}", "n": 3, "ok": True, "none": None}]}
    assert clean_body(body, secret_forms([TOKEN])) == {
        "data": [{"name": f"x{TOKEN.masked}", "n": 3, "ok": True, "none": None}]
    }


@pytest.mark.parametrize(
    "value",
    [
        "http://evil/x",
        "//evil/x",
        "../me",
        "1/2",
        "12 3",
        "",
        "١٢٣",
        "1" * 33,
        "12?x=1",
        "12#x",
        "-1",
    ],
)
def test_graph_ids_are_digits_only(value: str) -> None:
    with pytest.raises(GraphBadResponse, match="phone number id"):
        require_graph_id(value, "phone number id")
    with pytest.raises(SettingsError, match="WHATSAPP_APP_ID must be digits"):
        require_setting_id(value, "WHATSAPP_APP_ID")


def test_a_graph_id_passes() -> None:
    assert require_graph_id("102290129340398", "x") == "102290129340398"
    assert require_setting_id(None, "X") is None


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("http://user:pw@host:8080/x", "http://***@host:8080/x"),
        ("https://token@graph.facebook.com", "https://***@graph.facebook.com"),
        ("https://graph.facebook.com", "https://graph.facebook.com"),
        ("http://a:b@[::1", "http://***@[::1"),
    ],
)
def test_mask_url_credentials(url: str, masked: str) -> None:
    assert mask_url_credentials(url) == masked


def test_the_console_never_writes_control_characters() -> None:
    out, err = io.StringIO(), io.StringIO()
    console = Console(out, err)
    console.say("fine\x1b]0;title\x07 line")
    console.out.write('{"a": 1}\n\x9b')
    assert err.getvalue() == "fine]0;title line\n" and out.getvalue() == '{"a": 1}\n'


@pytest.mark.parametrize("inside", ["\x1b", "\x00", "\x9b", "\u202e", "\x7f\x07"])
def test_a_token_split_by_control_characters_is_masked_once_they_are_gone(inside: str) -> None:
    """Failed before: the secret was looked for before the control characters were removed, so
    an echo with one inside it was joined back together, whole, by the cleaning."""
    value = TOKEN.reveal()
    split = f"{value[:20]}{inside}{value[20:]}"
    cleaned = clean_body({"error": {"message": f"bad token {split}"}}, secret_forms([TOKEN]))
    assert cleaned == {"error": {"message": f"bad token {TOKEN.masked}"}}
    assert value not in redact(split, [TOKEN])
