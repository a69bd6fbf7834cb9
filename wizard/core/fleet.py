"""Every profile's check side by side (`check --all-profiles`, `status --all-profiles`), bounded."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any, NamedTuple

import httpx

from wizard.core import profiles
from wizard.core.check import (
    CheckReport,
    check_found_token,
    report_json,
    status_json,
    tokenless_json,
)
from wizard.core.codes import ExitCode, ProblemCode
from wizard.core.errors import EnvFileError, SettingsError, StoreError
from wizard.core.graph.threads import run_bounded
from wizard.core.settings import Settings, for_profile
from wizard.core.stores import env_store, registry, sources

PROFILES_AT_ONCE = 10
"""Profiles checked at the same time. Each holds at most three Graph connections at once
(debug_token, /me, its configured account), all from one pool that later profiles reuse: a
hundred profiles start ten workers and open about thirty connections, not two hundred."""

POOL_CONNECTIONS = 3 * PROFILES_AT_ONCE
"""The shared pool's connections to the Graph host; a request beyond them waits for one."""

WORST_FIRST = (
    ExitCode.PROBLEM,
    ExitCode.USAGE,
    ExitCode.STORE,
    ExitCode.NO_TOKEN,
    ExitCode.GRAPH,
    ExitCode.OK,
)
"""The fleet's exit code is its profiles' worst, in this order: a token that fails at Meta (1);
a profile's setting that is not valid (2); a store that could not be read (5); a profile with no
token (3); Graph's side (4), the one a retry may fix, so it shows only when nothing else is wrong."""

Failure = SettingsError | StoreError
"""Why a profile could not be checked as configured."""


class ProfileCheck(NamedTuple):
    """One profile's result: its check, or why it could not be checked."""

    profile: str
    report: CheckReport | None
    """The check, when one ran."""
    failure: Failure | None = None
    """A setting that is not valid, or a store that failed above any token."""
    readings: tuple[sources.SourceReading, ...] = ()
    """Every source of the profile's token (`status` only)."""

    @property
    def exit_code(self) -> int:
        """The exit code this profile alone would give."""
        if self.failure is not None and (self.report is None or self.report.found is None):
            return self.failure.exit_code
        return self.report.exit_code if self.report is not None else ExitCode.PROBLEM


class Fleet(NamedTuple):
    """Every profile found, each checked."""

    checks: tuple[ProfileCheck, ...]

    @property
    def exit_code(self) -> int:
        """The worst exit code of its profiles (WORST_FIRST)."""
        return worst_exit_code(c.exit_code for c in self.checks)

    @property
    def failing(self) -> tuple[ProfileCheck, ...]:
        """The profiles whose exit code is not 0."""
        return tuple(c for c in self.checks if c.exit_code != ExitCode.OK)


def worst_exit_code(codes: Iterable[int]) -> int:
    """The worst of the codes by WORST_FIRST (0 for none)."""
    found = set(codes)
    return next((code for code in WORST_FIRST if code in found), ExitCode.OK)


def check_profiles(
    settings: Settings,
    environ: Mapping[str, str],
    *,
    status: bool = False,
    transport: httpx.BaseTransport | None = None,
    now: datetime | None = None,
) -> Fleet:
    """Check every profile found (environment, `.env` keys, keyring index) side by side.

    `settings` carries the flags (Graph URL, version, timeout, .env file); each profile's app
    context is read under its own names. A profile that cannot be checked is reported, the
    others are still checked; nothing is retried beyond each request's own single retry.
    """
    now = now or datetime.now(UTC)
    dotenv, readable = _dotenv(settings)
    names = profile_names(environ, settings, dotenv_readable=readable)
    pool = SharedPool(transport, POOL_CONNECTIONS)
    calls = [
        partial(_check_one, name, settings, environ, dotenv, pool, status, now) for name in names
    ]
    results = run_bounded(calls, PROFILES_AT_ONCE)
    # Only here: closing a pool whose connections other threads are still waiting on blocks
    # until they time out, so a Ctrl-C (which ends the process) leaves it to the exit.
    pool.shut()
    for result in results:
        if isinstance(result, Exception):
            raise result  # a bug: every expected failure is a ProfileCheck
    return Fleet(tuple(r for r in results if isinstance(r, ProfileCheck)))


def profile_names(
    environ: Mapping[str, str],
    settings: Settings,
    *,
    dotenv_readable: bool = True,
) -> tuple[str, ...]:
    """The profiles found; the chosen one alone when none is (its check says "no token"), and
    the chosen one too when `.env` cannot be read (its check says why: the profiles stored
    there cannot be listed)."""
    names = [p.name for p in registry.profiles_found(environ, settings.env_file)]
    if not names or (not dotenv_readable and settings.profile.name not in names):
        names.append(settings.profile.name)
    return tuple(names)


def _dotenv(settings: Settings) -> tuple[dict[str, str], bool]:
    """The `.env` values, and whether the file could be read ({} and False when not)."""
    try:
        return env_store.read_env_file(settings.env_file), True
    except EnvFileError:
        return {}, False


def _check_one(
    name: str,
    base: Settings,
    environ: Mapping[str, str],
    dotenv: Mapping[str, str],
    transport: httpx.BaseTransport,
    status: bool,
    now: datetime,
) -> ProfileCheck:
    """One profile's check, as `check` (or `status`) with `--profile NAME` would run it."""
    try:
        settings = for_profile(base, profiles.profile_named(name), environ, dotenv)
    except SettingsError as err:
        return ProfileCheck(name, None, err)
    key = settings.profile.token_key
    if status:
        readings = sources.read_stored(environ, settings.env_file, key)
        winner = sources.winner_of(readings)
        report = check_found_token(
            winner, settings, environ, transport=transport, now=now, readings=readings
        )
        return ProfileCheck(name, report, sources.error_above(readings, winner), tuple(readings))
    found, error = sources.find_winner(environ, settings.env_file, key)
    if error is not None:
        return ProfileCheck(name, None, error)
    return ProfileCheck(
        name, check_found_token(found, settings, environ, transport=transport, now=now)
    )


class SharedPool(httpx.BaseTransport):
    """One connection pool every profile's GraphClient borrows: closing a client leaves it
    open, so a later profile reuses the connections (and TLS sessions) an earlier one opened."""

    def __init__(self, transport: httpx.BaseTransport | None, connections: int) -> None:
        self._owned = transport is None
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        self._transport = transport or httpx.HTTPTransport(limits=limits)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send through the shared pool."""
        return self._transport.handle_request(request)

    def close(self) -> None:
        """A client is done with the pool: it stays open for the others (see shut)."""

    def shut(self) -> None:
        """Close the pool once every profile is checked (a transport given by the caller is
        the caller's to close)."""
        if self._owned:
            self._transport.close()


# -- JSON ----------------------------------------------------------------------------------------


def fleet_json(fleet: Fleet, *, status: bool = False) -> dict[str, Any]:
    """`{"profiles": [{"profile": NAME, ...the check's (or status's) object..., "exit_code"}]}`."""
    return {"profiles": [_entry(check, status) for check in fleet.checks]}


def _entry(check: ProfileCheck, status: bool) -> dict[str, Any]:
    if check.report is None:
        body = failure_json(check.failure)
    elif status:
        body = status_json(list(check.readings), check.report)
    else:
        body = report_json(check.report)
    return {"profile": check.profile, **body, "exit_code": check.exit_code}


def failure_json(failure: Failure | None) -> dict[str, Any]:
    """The check object of a profile that could not be checked: one problem, no token."""
    code = (
        ProblemCode.SETTING_INVALID
        if isinstance(failure, SettingsError)
        else ProblemCode.STORE_UNREADABLE
    )
    return tokenless_json(code, failure.message if failure else "", failure.fix if failure else "")
