"""`${VAR}` in a `.env` token, read as python-dotenv's `load_dotenv` gives it to the app (the
environment first, then the file's earlier values), and the rule that keeps what it expands to
at home: only a value shaped like a Meta access token is ever used."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import NamedTuple

from wizard.core.token import format_problem

ACCESS_TOKEN_PREFIX = "EAA"
"""How every Meta user, Page and System User access token starts."""
EXPANSION_MARK = "${"
"""A value without it is read as it is (python-dotenv expands `${NAME}` and `${NAME:-default}`)."""


class Expansion(NamedTuple):
    """A `.env` token value that python-dotenv expands; never the value itself."""

    variables: tuple[str, ...]
    """The names it refers to, such as ("META_TOKEN",)."""
    used: bool
    """True when what it expands to is shaped like an access token, and so is the token; False
    when it is not (another secret, nothing): the file's text stands and is never sent."""
    empty: bool = False
    """It expands to nothing: the variables are not set where wa-token runs."""
    joined: bool = False
    """It is joined from pieces (text and variables), never one whole token: not used."""

    def note(self) -> str:
        """One line about it, naming the variables only."""
        names = ", ".join(f"${{{name}}}" for name in self.variables) or "a variable"
        if self.used:
            return f"expanded from {names}, as python-dotenv's load_dotenv does"
        if self.joined:
            return (
                f"it joins {names} with other text, and wa-token uses a variable as the token "
                "only when it is the whole value (`${NAME}` alone), so it neither sends nor shows it"
            )
        if self.empty:
            return f"it refers to {names}, which is not set here, so it expands to nothing"
        return (
            f"it refers to {names}, and what that expands to is not an access token (which "
            f"starts with {ACCESS_TOKEN_PREFIX}), so wa-token neither sends nor shows it"
        )


def expand(
    bindings: Iterable[tuple[str | None, str | None]], key: str, environ: Mapping[str, str]
) -> tuple[str | None, Expansion | None]:
    """The value of `key` as load_dotenv(override=False) sets it, with its Expansion; the raw
    value (and None) when it holds no `${`. `bindings` are the file's (key, value) in order.

    Used only when it is one whole value: a single `${VAR}` whose value comes from one place (the
    environment, a default, or an earlier line that joins nothing) and is shaped like a token.
    A value joined from pieces (`EAA${SECRET}`, or `${A}` where `A=EAA${SECRET}`) could carry
    another secret under a token's prefix: never used."""
    from dotenv.variables import Variable, parse_variables  # only for a value that expands

    resolved: dict[str, str | None] = {}
    joined: dict[str, bool] = {}
    raw: str | None = None
    names: tuple[str, ...] = ()
    for name, value in bindings:
        if name is None:
            continue
        joined[name] = False
        if value is not None:
            context = {**resolved, **environ}  # load_dotenv(override=False): the environment wins
            atoms = list(parse_variables(value))
            joined[name] = len(atoms) > 1 or any(
                isinstance(atom, Variable) and atom.name not in environ and joined.get(atom.name)
                for atom in atoms
            )
            if name == key:
                raw = value
                names = tuple(dict.fromkeys(a.name for a in atoms if isinstance(a, Variable)))
            value = "".join(atom.resolve(context) for atom in atoms)
        resolved[name] = value
    if raw is None or EXPANSION_MARK not in raw:
        return raw, None
    value = resolved.get(key) or ""
    usable = (
        not joined[key] and value.startswith(ACCESS_TOKEN_PREFIX) and format_problem(value) is None
    )
    return (value if usable else raw), Expansion(names, usable, empty=not value, joined=joined[key])
