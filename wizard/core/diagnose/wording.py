"""Wording shared by every finding: the command to run, where the token is, Graph's text."""

from __future__ import annotations

import shlex
import unicodedata
from pathlib import Path

from wizard.core.codes import Source
from wizard.core.diagnose.findings import LocalFacts
from wizard.core.stores import registry


def graph_text(value: str, limit: int = 64) -> str:
    """A short field from Graph, safe to print: no control or format characters, bounded."""
    if value.isprintable():  # no "Other" (C*) character at all: the common case, in C
        clean = value
    else:
        clean = "".join(c for c in value if not unicodedata.category(c).startswith("C"))
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def command(local: LocalFacts, words: str) -> str:
    """A wa-token command line for the user, with --profile and --env-file when they matter."""
    flags = [local.profile.flag] if local.profile.flag else []
    if local.source == Source.DOTENV and local.location not in (None, ".env"):
        flags.append(f"--env-file {shlex.quote(local.location or '.env')}")
    return " ".join(["wa-token", words, *flags])


# -- wording helpers -----------------------------------------------------------------------------


_JUST_MADE = {
    Source.PASTED: ("your paste", "you pasted"),
    Source.PROVISIONED: ("the new System User token", "just generated"),
}
"""A token that is not stored anywhere yet: (bare, after "the token")."""


def _where(local: LocalFacts, *, bare: bool = False) -> str:
    if local.source in _JUST_MADE:
        alone, after = _JUST_MADE[Source(local.source)]
        return alone if bare else after
    store = registry.store_holding(local.source)
    if store is not None:  # the OS keyring, or the .env file's path
        place = store.named(Path(local.location or ".env"))
        return place if bare else f"in {place}"
    names: dict[str | None, str] = {
        Source.STDIN: "standard input",
        Source.ENVIRONMENT: f"the {local.profile.token_key} variable",
    }
    place = names.get(local.source, "given")
    if bare or local.source is None:
        return place
    return f"from {place}"
