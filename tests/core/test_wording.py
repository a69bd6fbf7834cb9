"""stored_state: the one function both doors use to say what a store holds."""

from __future__ import annotations

from wizard.core.codes import Source
from wizard.core.errors import EnvFileError, KeyringUnavailable, StoreError
from wizard.core.stores.sources import SourceReading
from wizard.core.token import SecretToken
from wizard.core.wording import stored_state

TOKEN = "EAAG" + "x" * 40 + "9Qz1"


def bracketed(text: str) -> str:
    """Stands for a door's escaping: visible, so a test sees that it ran."""
    return f"<{text}>"


def as_cli(held: SourceReading) -> str:
    """The words `wa-token status --verbose` passes (cli/render.py)."""
    return stored_state(held)


def as_wizard(held: SourceReading) -> str:
    """The markup the troubleshoot hub passes (ui/steps/hubs.py), with a visible escape."""
    return stored_state(
        held,
        unreadable="[$error]unreadable:[/]",
        unavailable="[$warning]unavailable:[/]",
        none="[dim](none)[/dim]",
        shown=bracketed,
    )


def reading(
    token: str | None = None,
    error: StoreError | None = None,
    unavailable: StoreError | None = None,
) -> SourceReading:
    secret = SecretToken(token) if token else None
    return SourceReading(Source.DOTENV, ".env", secret, error, unavailable)


def test_a_token_shows_only_its_mask_in_both_doors() -> None:
    held = reading(TOKEN, error=EnvFileError("ignored: a token wins"))
    masked = SecretToken(TOKEN).masked
    assert as_cli(held) == masked and as_wizard(held) == masked
    assert TOKEN not in as_cli(held) + as_wizard(held)


def test_an_unreadable_store_gives_its_reason_through_the_door_s_escaping() -> None:
    held = reading(error=EnvFileError(".env is [b]not[/b] valid"))
    assert as_cli(held) == "unreadable: .env is [b]not[/b] valid"
    assert as_wizard(held) == "[$error]unreadable:[/] <.env is [b]not[/b] valid>"


def test_an_unusable_keyring_is_named_with_its_reason_by_both_doors() -> None:
    """Failed before: the wizard said "(none)" of a keyring it could not ask."""
    held = reading(unavailable=KeyringUnavailable("No keyring backend."))
    assert as_cli(held) == "unavailable: No keyring backend."
    assert as_wizard(held) == "[$warning]unavailable:[/] <No keyring backend.>"


def test_an_empty_store_is_each_door_s_none() -> None:
    assert as_cli(reading()) == "(none)"
    assert as_wizard(reading()) == "[dim](none)[/dim]"
