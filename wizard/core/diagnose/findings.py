"""The data of a diagnosis: findings, what Graph said, what the machine knows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from wizard.core.codes import ExitCode, ProblemCode, WarningCode
from wizard.core.errors import GraphError
from wizard.core.exits import exit_code_for
from wizard.core.graph import (
    BusinessAccount,
    Me,
    TokenInfo,
)
from wizard.core.graph.models import AppSubscription
from wizard.core.profiles import DEFAULT, Profile


class Finding(NamedTuple):
    """One problem or warning: a stable code, what is wrong, and the concrete fix."""

    code: ProblemCode | WarningCode
    title: str
    fix: str
    detail: str | None = None
    """What Graph said, with its support id, when Graph said something."""


class Diagnosis(NamedTuple):
    """Every problem (the token does not work) and warning (it works, but...) found."""

    problems: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the token works: no problem, warnings allowed."""
        return not self.problems

    @property
    def exit_code(self) -> ExitCode:
        """The contract's exit code: 0 ok, 3 no token, 1 the token's fault, 4 Graph's."""
        return exit_code_for(p.code for p in self.problems)


@dataclass(frozen=True)
class GraphFindings:
    """What the Graph API said about one token."""

    token_info: TokenInfo | None = None
    me: Me | None = None
    accounts: tuple[BusinessAccount, ...] = ()
    error: GraphError | None = None
    """The failure that stopped the check, if one did."""
    account_errors: tuple[tuple[str, GraphError], ...] = ()
    """Accounts that could not be read, with why."""
    listing_refused: GraphError | None = None
    """Graph refused to list the businesses' accounts (the token has no business_management)."""
    app_subscriptions: tuple[AppSubscription, ...] | None = None
    """The app's webhook configuration (`GET /{app-id}/subscriptions`); None when not read."""


@dataclass(frozen=True)
class LocalFacts:
    """What wa-token knows without Graph: where the token is, how it is stored, what is expected."""

    now: datetime
    token_found: bool = True
    format_problem: str | None = None
    source: str | None = None
    location: str | None = None
    warn_days: int = 7
    expected_app_id: str | None = None
    expected_account_id: str | None = None
    expected_phone_number_id: str | None = None
    shadowed: tuple[str, ...] = ()
    """Lower sources that hold a different token than the winning one."""
    env_in_git_work_tree: bool = False
    env_git_ignored: bool = False
    env_tracked_by_git: bool = False
    env_world_readable: bool = False
    keyring_available: bool = False
    profile: Profile = DEFAULT
    """The profile checked: its names appear in the texts (WHATSAPP_APP_ID_ACME, --profile)."""
    graph_version: str | None = None
    """The Graph API version in use, to warn when Meta retires it soon."""
