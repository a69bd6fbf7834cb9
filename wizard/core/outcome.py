"""What the wizard did, as the quit summary's lines and the exit code: a pure function of it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from wizard.core.codes import ExitCode

if TYPE_CHECKING:  # the wizard's first screen needs neither the check nor the stores
    from wizard.core.check import CheckReport
    from wizard.core.stores.save import SaveOutcome
    from wizard.core.stores.sources import SourceReading
    from wizard.core.token import SecretToken


class Outcome(NamedTuple):
    """What the wizard did, for the CLI's last lines and exit code.

    (NamedTuples, as CheckReport: the wizard's first screen imports this module.)"""

    lines: tuple[str, ...]
    exit_code: ExitCode


class WhatHappened(NamedTuple):
    """Everything the quit summary is made from, read off the wizard when it ends."""

    saved: SaveOutcome | None = None
    """What saving the pasted token did, if it was saved."""
    token: SecretToken | None = None
    """The pasted token (shown masked beside where it was saved)."""
    extended: bool = False
    """Extend replaced the stored token with a ~60-day one."""
    changes: tuple[str, ...] = ()
    """What was changed on disk, in the keyring or at Meta, in order."""
    initial: CheckReport | None = None
    """The check of the token stored at start, if one was found and checked."""
    looked: bool = False
    """The stored sources were read (and the winner checked)."""
    readings: Sequence[SourceReading] = ()
    """Every stored source as read at start."""
    quit_early: bool = False
    """The user quit before a route was finished."""


def outcome_of(happened: WhatHappened) -> Outcome:
    """What was and was not changed, and the exit code that goes with it (as `check` exits)."""
    if happened.saved is not None or happened.extended:
        return Outcome(saved_lines(happened), ExitCode.OK)
    lines = list(happened.changes)
    if happened.quit_early:
        lines.append("No token was saved." if lines else "Nothing was changed: no token was saved.")
    initial = happened.initial
    if initial is None and not happened.looked:  # quit before the look ended: unknown
        unknown = "You quit before the stored token was checked: `wa-token status` shows it."
        return Outcome((*lines, unknown), ExitCode.OK)
    if initial is None or initial.found is None:
        return nothing_stored(happened.readings, lines)
    masked = initial.found.masked
    if initial.ok:
        return Outcome((*lines, f"The stored token ({masked}) works."), ExitCode.OK)
    problem = initial.diagnosis.problems[0].title
    if initial.exit_code == ExitCode.GRAPH:  # not the token's fault: say so, exit as `check`
        said = f"could not be checked: {problem} Try again: `wa-token check`."
    else:
        said = f"still does not work: {problem}"
    return Outcome((*lines, f"The stored token ({masked}) {said}"), ExitCode(initial.exit_code))


def saved_lines(happened: WhatHappened) -> tuple[str, ...]:
    """What a saved (or extended) token's summary says: where it went, what else changed."""
    saved: tuple[str, ...] = ()
    if happened.saved is not None:
        masked = happened.token.masked if happened.token else ""
        saved = (f"{happened.saved.summary}: {masked}.",)
    renew = (
        ("Renew it from cron before day 60: wa-token schedule --print",)
        if happened.extended
        else ()
    )
    return (
        *saved,
        *happened.changes,
        "Restart your backend server so it reads the new token.",
        *renew,
    )


def crashed_lines(happened: WhatHappened) -> tuple[str, ...]:
    """What a wizard that a bug ended had changed by then (the error's own line follows)."""
    if happened.saved is not None or happened.extended:
        return saved_lines(happened)
    return (
        *happened.changes,
        "No token was saved before the error: `wa-token status` shows what is stored.",
    )


def nothing_stored(readings: Sequence[SourceReading], lines: list[str]) -> Outcome:
    """No stored token was found: exit 3, or 5 when a store could not be read (the token may be
    there: a keyring without D-Bus, an unreadable .env), as `wa-token check` exits."""
    from wizard.core.stores.sources import unreadable_store  # loaded with the look, never first

    failed = unreadable_store(list(readings))
    if failed is not None:
        return Outcome((*lines, f"{failed.message} {failed.fix}"), ExitCode.STORE)
    return Outcome(
        (*lines, "No token is stored yet: run `wa-token` again when you have one."),
        ExitCode.NO_TOKEN,
    )


def quitting_loses_a_checked_token(
    *, saved: bool, extended: bool, pasted: CheckReport | None
) -> bool:
    """Quitting now would drop a pasted token that passed its check: ask first."""
    return not saved and not extended and pasted is not None and pasted.ok
