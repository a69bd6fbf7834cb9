"""Methods 2 and 3 of Meta's guide: exchange a short-lived token for a ~60-day one, refresh it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from wizard.core.check import expected_facts, inspect_token
from wizard.core.codes import ExitCode, ProblemCode
from wizard.core.diagnose import (
    PERMANENT_ROUTE,
    STEP_GENERATE,
    Diagnosis,
    Finding,
    GraphFindings,
    LocalFacts,
    diagnose,
    exchange_problem,
    format_delta,
    problem_for_error,
)
from wizard.core.errors import GraphError, StoreError
from wizard.core.exits import exit_code_for
from wizard.core.graph import GraphClient, TokenInfo
from wizard.core.profiles import Profile
from wizard.core.settings import Settings
from wizard.core.stores import registry
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken
from wizard.core.variables import APP_ID_VAR

if TYPE_CHECKING:
    from wizard.core.stores.protocol import TokenStore

DEFAULT_REFRESH_WITHIN_DAYS = 10
"""`refresh` exchanges a token only when it expires within this many days."""

NOTHING, EXCHANGE, REFUSE = "nothing", "exchange", "refuse"

SYSTEM_USER_RENEWED = (
    "A 60-day System User token must be renewed before each expiry: schedule `wa-token refresh` "
    "(`wa-token schedule --print` writes the cron line and the systemd timer), or it stops "
    "working on day 60 and can then only be replaced by hand in Business Settings."
)

NOT_PERMANENT = (
    "A 60-day token is still not permanent: it is a user token, it dies when that person's "
    "session ends (password change, logout), and it must be exchanged again before day 60 "
    "(`wa-token refresh` from cron does that). For a token that never expires, make a System "
    "User token (Method 1): run `wa-token setup`."
)


@dataclass(frozen=True)
class Plan:
    """What extend or refresh will do with the current token, and why, in one line."""

    action: str
    """nothing, exchange or refuse."""
    summary: str
    problem: Finding | None = None
    """Why it refuses, with the fix (only for refuse)."""
    system_user: bool = False
    """Renew an expiring System User token (set_token_expires_in_60_days), not a user token."""

    @property
    def exit_code(self) -> ExitCode:
        """0 unless it refuses; then the contract's code for the problem."""
        return exit_code_for([self.problem.code] if self.problem else [])


@dataclass(frozen=True)
class Renewal:
    """The outcome of an exchange: the new token, checked and stored, or why not."""

    problem: Finding | None = None
    new_token: SecretToken | None = None
    expires_at: datetime | None = None
    diagnosis: Diagnosis | None = None
    """The check of the new token (its warnings are worth showing)."""
    stored_in: str = ""
    """Where the new token was written; "" when nothing was written."""
    system_user: bool = False
    """A System User token was renewed (not a user token exchanged)."""

    @property
    def exit_code(self) -> ExitCode:
        """0 when the new token was stored; else the problem's code."""
        return exit_code_for([self.problem.code] if self.problem else [])


# -- deciding ------------------------------------------------------------------------------------


def plan_extend(info: TokenInfo, now: datetime, local: LocalFacts) -> Plan:
    """`extend`: exchange a live user token; say why anything else is not exchanged."""
    dead = _dead_token(info, now, local)
    if dead is not None:
        return dead
    if info.type == "SYSTEM_USER" and info.expires_at is None:
        return Plan(NOTHING, "Nothing to do: this is a System User token that never expires.")
    return _exchange_or_refuse(info, local, "Extending it")


def plan_refresh(info: TokenInfo, now: datetime, within: timedelta, local: LocalFacts) -> Plan:
    """`refresh`: do nothing unless the token expires within `within`; then exchange or refuse."""
    dead = _dead_token(info, now, local)
    if dead is not None:
        return dead
    if info.expires_at is None:
        return Plan(NOTHING, "Nothing to do: the token never expires.")
    left = info.expires_at - now
    if left > within:
        return Plan(
            NOTHING,
            f"Nothing to do: the token expires in {format_delta(left)} "
            f"({_date(info.expires_at)}), more than {format_delta(within)} away.",
        )
    return _exchange_or_refuse(info, local, f"It expires in {format_delta(left)}; refreshing it")


def _dead_token(info: TokenInfo, now: datetime, local: LocalFacts) -> Plan | None:
    if info.is_valid and (info.expires_at is None or info.expires_at > now):
        return None
    [problem, *_] = diagnose(GraphFindings(token_info=info), local).problems
    return Plan(REFUSE, "The token no longer works, so it cannot be exchanged.", problem)


def _exchange_or_refuse(info: TokenInfo, local: LocalFacts, doing: str) -> Plan:
    if info.type == "USER":
        return Plan(EXCHANGE, f"{doing}: exchanging it for a ~60-day token.")
    if info.type == "SYSTEM_USER":
        return Plan(
            EXCHANGE,
            f"{doing}: renewing the System User token for another 60 days.",
            system_user=True,
        )
    kind = info.type or "unknown"
    return Plan(
        REFUSE,
        f"A {kind} token cannot be exchanged here.",
        Finding(
            ProblemCode.CANNOT_EXCHANGE,
            f"Only user tokens (the temporary kind from API Setup) can be exchanged; this is a {kind} "
            "token.",
            f"Use a System User token instead: {PERMANENT_ROUTE}.",
        ),
    )


def app_mismatch(token_app_id: str | None, app_id: str, local: LocalFacts) -> Finding | None:
    """The token must belong to the app whose id and secret will exchange it."""
    if not token_app_id or token_app_id == app_id:
        return None
    variable = local.profile.var(APP_ID_VAR)
    return Finding(
        ProblemCode.WRONG_APP,
        f"The token belongs to app {token_app_id}, but the app id given is {app_id}.",
        f"Exchange it with its own app: set {variable} (or --app-id) to {token_app_id} and use "
        "that app's secret.",
    )


def ensure_replaceable(found: FoundToken, profile: Profile) -> None:
    """Only a token from a store (`.env`, the keyring) can be replaced where it came from."""
    _store_of(found, profile)


def _store_of(found: FoundToken, profile: Profile) -> TokenStore:
    """The store the token came from, which can take its replacement (StoreError if none)."""
    store = registry.store_holding(found.source)
    if store is not None:
        return store
    key = profile.token_key
    raise StoreError(
        f"The token comes from the {key} environment variable, and wa-token cannot change "
        "your environment, so it cannot be replaced there.",
        fix=f"Store it where wa-token can renew it: `printf '%s' \"${key}\" | wa-token save"
        f"{' ' + profile.flag if profile.flag else ''}` (the .env file; or add --to keyring), "
        f"`unset {key}`, have your server read the .env file or `$(wa-token token)`, and run "
        "this again.",
        title="The token cannot be replaced where it is",
    )


# -- asking Graph ----------------------------------------------------------------------------------


def inspect_current(
    settings: Settings,
    found: FoundToken,
    local: LocalFacts,
    *,
    transport: httpx.BaseTransport | None = None,
) -> TokenInfo | Finding:
    """debug_token of the current token, as itself.

    Not with the app token: a wrong app secret would then read as a broken token; the
    exchange reports a wrong secret with its own fix.
    """
    with _client(settings, transport) as client:
        try:
            return client.debug_token(found.token)
        except GraphError as err:
            return problem_for_error(err, local)


def renew(
    settings: Settings,
    found: FoundToken,
    *,
    app_id: str,
    app_secret: SecretToken,
    transport: httpx.BaseTransport | None = None,
    now: datetime | None = None,
    system_user: bool = False,
) -> Renewal:
    """Exchange (or, for a System User token, renew) the token, check the new one, and only
    then store it where the old one was.

    The old token stays untouched when the exchange, the check or the write fails.
    """
    now = now or datetime.now(UTC)
    local = _local(settings, found, now, app_id)
    with _client(settings, transport) as client:
        try:
            if system_user:
                exchanged = client.refresh_system_user_token(
                    found.token, app_id=app_id, app_secret=app_secret
                )
            else:
                exchanged = client.exchange_token(found.token, app_id=app_id, app_secret=app_secret)
        except GraphError as err:
            found_problem = exchange_problem(err, local)
            return Renewal(
                problem=_refresh_refused(found_problem) if system_user else found_problem,
                system_user=system_user,
            )
        graph = inspect_token(
            client, exchanged.token, expected_account_id=settings.business_account_id, now=now
        )
    checked = diagnose(graph, expected_facts(settings, now, app_id))
    expires_at = _expiry(graph, exchanged.expires_in, now)
    if not checked.ok:
        return Renewal(
            problem=_new_token_failed(checked.problems[0]),
            diagnosis=checked,
            system_user=system_user,
        )
    where = replace_stored_token(found, exchanged.token, settings.profile)
    return Renewal(
        new_token=exchanged.token,
        expires_at=expires_at,
        diagnosis=checked,
        stored_in=where,
        system_user=system_user,
    )


_REGENERATE_SYSTEM_USER = (
    f"Generate a new System User token by hand ({STEP_GENERATE}, or expiry 60 days), store it "
    "with `wa-token save`, and restart your server; the old token is unchanged."
)


def _refresh_refused(problem: Finding) -> Finding:
    """A System User renewal refusal: the user-token texts (API Setup, extend) do not apply."""
    if problem.code in (ProblemCode.WRONG_APP_SECRET, ProblemCode.WRONG_APP) or problem.code in (
        ProblemCode.GRAPH_UNREACHABLE,
        ProblemCode.GRAPH_ERROR,
        ProblemCode.RATE_LIMITED,
    ):
        return problem
    if problem.code == ProblemCode.TOKEN_EXPIRED:
        return Finding(
            problem.code,
            "The System User token has expired, and an expired token cannot be renewed.",
            _REGENERATE_SYSTEM_USER,
            problem.detail,
        )
    return Finding(
        problem.code,
        f"Graph refused to renew the System User token ({problem.title.rstrip('.')}).",
        _REGENERATE_SYSTEM_USER,
        problem.detail,
    )


def _new_token_failed(problem: Finding) -> Finding:
    return Finding(
        problem.code,
        f"The new token failed its check, so it was not stored (the old "
        f"one is kept): {problem.title}",
        problem.fix,
        problem.detail,
    )


def _expiry(graph: GraphFindings, expires_in: int | None, now: datetime) -> datetime | None:
    info = graph.token_info
    if info is not None and info.expires_at is not None:
        return info.expires_at
    return now + timedelta(seconds=expires_in) if expires_in else None


# -- storing -------------------------------------------------------------------------------------


def replace_stored_token(found: FoundToken, new: SecretToken, profile: Profile) -> str:
    """Write `new` where `found` came from, atomically; the old token stays if the write fails."""
    return _store_of(found, profile).write(new, Path(found.location), profile).place


# -- helpers -------------------------------------------------------------------------------------


def local_for(settings: Settings, found: FoundToken, now: datetime) -> LocalFacts:
    """The local facts the texts need: where the token is and which profile."""
    return _local(settings, found, now, settings.app_id)


def _local(settings: Settings, found: FoundToken, now: datetime, app_id: str | None) -> LocalFacts:
    return LocalFacts(
        now=now,
        source=found.source,
        location=found.location,
        expected_app_id=app_id,
        warn_days=settings.warn_days,
        profile=settings.profile,
    )


def _client(settings: Settings, transport: httpx.BaseTransport | None) -> GraphClient:
    return GraphClient(
        settings.graph_url, settings.graph_version, transport=transport, timeout=settings.timeout
    )


def _date(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "an unknown date"
