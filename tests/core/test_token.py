"""Table tests for the secret token type and the paste sanitizer."""

from __future__ import annotations

import pickle

import pytest

from wizard.core.errors import TokenFormatError
from wizard.core.token import (
    MAX_TOKEN_LENGTH,
    SecretToken,
    clean_pasted,
    format_problem,
    mask,
    validate,
)

GOOD = "EAAFake0Valid0SystemUser0WaTokenDemo000000000000abcd"


def test_secret_token_never_shows_itself() -> None:
    token = SecretToken(GOOD)
    for shown in (str(token), repr(token), f"{token}", token.masked):
        assert GOOD not in shown
    assert str(token) == "EAAF…abcd"
    assert token.reveal() == GOOD


def test_secret_token_compares_by_value_and_refuses_pickling() -> None:
    assert SecretToken(GOOD) == SecretToken(GOOD)
    assert SecretToken(GOOD) != SecretToken(GOOD + "x")
    assert len({SecretToken(GOOD), SecretToken(GOOD)}) == 1
    with pytest.raises(TypeError):
        pickle.dumps(SecretToken(GOOD))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (GOOD, "EAAF…abcd"),
        ("short", "••••"),
        ("", "••••"),
        ("x" * 15, "••••"),
        ("y" * 16, "yyyy…yyyy"),
    ],
)
def test_mask(value: str, shown: str) -> None:
    assert mask(value) == shown


@pytest.mark.parametrize(
    ("pasted", "removed"),
    [
        (GOOD, ()),
        (f"  {GOOD}\n", ("surrounding spaces or line breaks",)),
        (f"\r\n{GOOD}\r\n", ("surrounding spaces or line breaks",)),
        (f'"{GOOD}"', ("a pair of quotes",)),
        (f"'{GOOD}'", ("a pair of quotes",)),
        (f"\u201c{GOOD}\u201d", ("a pair of quotes",)),
        (f"Bearer {GOOD}", ("a `Bearer` prefix",)),
        (f"bearer   {GOOD}", ("a `Bearer` prefix",)),
        (f"WHATSAPP_CLOUD_API_TOKEN={GOOD}", ("a `WHATSAPP_CLOUD_API_TOKEN=` prefix",)),
        (
            f'export WHATSAPP_CLOUD_API_TOKEN="{GOOD}"\n',
            (
                "surrounding spaces or line breaks",
                "a `WHATSAPP_CLOUD_API_TOKEN=` prefix",
                "a pair of quotes",
            ),
        ),
        (f'"Bearer {GOOD}"', ("a pair of quotes", "a `Bearer` prefix")),
        (f"WHATSAPP_CLOUD_API_TOKEN_ACME={GOOD}", ("a `WHATSAPP_CLOUD_API_TOKEN_ACME=` prefix",)),
        (
            f"export WHATSAPP_CLOUD_API_TOKEN_STAGING_2='{GOOD}'",
            ("a `WHATSAPP_CLOUD_API_TOKEN_STAGING_2=` prefix", "a pair of quotes"),
        ),
        (
            f"export\tWHATSAPP_CLOUD_API_TOKEN_P1 = {GOOD}",
            ("a `WHATSAPP_CLOUD_API_TOKEN_P1=` prefix",),
        ),
    ],
)
def test_clean_pasted_strips_the_usual_wrapping(pasted: str, removed: tuple[str, ...]) -> None:
    cleaned = clean_pasted(pasted)
    assert cleaned.token.reveal() == GOOD
    assert cleaned.removed == removed


@pytest.mark.parametrize(
    ("pasted", "reason_part"),
    [
        ("", "empty"),
        ("   \n", "empty"),
        ("EAAFake0Valid 0SystemUser0WaTokenDemo000000000000abcd", "spaces or line breaks inside"),
        ("EAAFake0Valid\n0SystemUser0WaTokenDemo000000000000abcd", "spaces or line breaks inside"),
        ("EAAFake0Valid\u00e90SystemUser0WaTokenDemo00000000000abcd", "non-ASCII"),
        ("EAAFake0Valid\u200b0SystemUser0WaTokenDemo00000000000abcd", "non-ASCII"),
        ("EAAFake0Valid\x1b[31m0SystemUser0WaTokenDemo000000000abcd", "control characters"),
        ("E" * 5000, "far longer"),
        ('""', "empty"),
        (f"\"'{GOOD}'\"", "wrapped in quote"),
        ("EAAFake0Valid0System\u00a0User0WaTokenDemo00000000000abcd", "spaces or line breaks"),
        ("EAAFake0Valid0SystemUser0\x00WaTokenDemo000000000abcd", "control characters"),
        ("EAAFake0Valid0SystemUser0\x7fWaTokenDemo000000000abcd", "control characters"),
        # wrapped onto two lines by a chat or a narrow terminal (issue 24, item 3)
        ("EAAFake0Valid0SystemUser0Wa\nTokenDemo000000000000abcd", "wrapped onto two lines"),
        ("EAAFake0Valid0SystemUser0Wa\r\nTokenDemo000000000000abcd", "wrapped onto two lines"),
    ],
)
def test_clean_pasted_rejects_what_cannot_be_a_token(pasted: str, reason_part: str) -> None:
    with pytest.raises(TokenFormatError) as caught:
        clean_pasted(pasted)
    assert reason_part in caught.value.message
    assert caught.value.fix
    if len(pasted.strip()) > 8:
        assert pasted.strip() not in str(caught.value)
        assert pasted.strip()[:20] not in caught.value.message


@pytest.mark.parametrize(
    ("stored", "reason_part"),
    [
        (GOOD, None),
        (f"Bearer {GOOD}", "starts with `Bearer`"),
        (f"{GOOD}\n", "starts or ends with spaces"),
        (f'"{GOOD}"', "quote"),
        ("EAAFake0abc", "far too short"),  # the contract's "far too short"
        ("EAAFake0Valid0Sys0x", "far too short"),  # 19: one under the floor
        ("EAAFake0Valid0Sys0xy", None),  # 20: shorter than today's tokens, judged by Graph
        ('EAAFake0Valid0System"User0WaTokenDemo000000000000abcd', "quote character"),
        (f"WHATSAPP_CLOUD_API_TOKEN={GOOD}", "starts with `WHATSAPP_CLOUD_API_TOKEN=`"),
        ("634974688087057|fake0app0secret0for0wa0token0demos", None),
    ],
)
def test_format_problem_is_strict_for_stored_tokens(stored: str, reason_part: str | None) -> None:
    reason = format_problem(stored)
    if reason_part is None:
        assert reason is None
        assert validate(stored).reveal() == stored
    else:
        assert reason is not None and reason_part in reason
        with pytest.raises(TokenFormatError):
            validate(stored)


@pytest.mark.parametrize(
    "opaque",
    [
        "x" * 20,  # far shorter than today's tokens, yet not "far too short"
        "IGQVJ0ZXN0T3BhcXVlVG9r",  # another prefix
        "abc!def#ghi$jkl%mno&pqr*stu(vwx)yz<>,;:?@[]^{}",  # any printable ASCII but quotes
        "T" * MAX_TOKEN_LENGTH,  # up to the limit
    ],
)
def test_an_opaque_token_is_not_refused_for_its_shape(opaque: str) -> None:
    """Failed before: shorter than 32 or an unknown character was token_malformed."""
    assert format_problem(opaque) is None
    assert clean_pasted(f"  Bearer {opaque}\n").token.reveal() == opaque


def test_an_opaque_token_echoed_back_is_still_redacted() -> None:
    """An unusual token Graph now sees may come back in its answer, raw or URL-encoded."""
    from urllib.parse import quote

    from wizard.core.untrusted import redact

    opaque = "IGQ!Opaque#Token%With&Punct*0123456789"
    text = f"Invalid OAuth access token {opaque}; input_token={quote(opaque, safe='')}"
    shown = redact(text, [SecretToken(opaque)])
    assert opaque not in shown and quote(opaque, safe="") not in shown
    assert "Opaque#Token" not in shown
