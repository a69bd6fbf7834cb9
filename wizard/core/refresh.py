"""`refresh` (Method 3, for cron): renew the token only when it expires within a number of days."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from wizard.core import lifecycle
from wizard.core.diagnose import Finding
from wizard.core.errors import StoreError
from wizard.core.extend import valid_app_id
from wizard.core.settings import Settings
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken


@dataclass(frozen=True)
class Refreshment:
    """What `refresh` did: the plan, and a refusal, a renewal, or a new token it could not store."""

    plan: lifecycle.Plan
    problem: Finding | None = None
    """Why nothing was exchanged (a dead token, the plan's refusal, a wrong app id)."""
    renewal: lifecycle.Renewal | None = None
    """The exchange's outcome, when one ran and its result could be stored (or was refused)."""
    store_error: StoreError | None = None
    """The exchange worked but the new token could not be stored: the old one is kept."""


def refresh(
    settings: Settings,
    found: FoundToken,
    now: datetime,
    within: timedelta,
    *,
    app_id: str | None,
    app_secret: Callable[[], SecretToken],
    transport: httpx.BaseTransport | None = None,
) -> Refreshment:
    """Method 3: inspect, plan (nothing unless it expires within `within`), then renew.

    `app_id` is the one the user gave (None: the profile's, else the token's own app);
    `app_secret` is asked for only when an exchange will run. Raises StoreError when an exchange
    is due but the token cannot be replaced where it is, SettingsError when no usable app id is
    known.
    """
    local = lifecycle.local_for(settings, found, now)
    info = lifecycle.inspect_current(settings, found, local, transport=transport)
    if isinstance(info, Finding):
        return Refreshment(lifecycle.Plan(lifecycle.REFUSE, "", info), info)
    plan = lifecycle.plan_refresh(info, now, within, local)
    if plan.action == lifecycle.EXCHANGE:
        lifecycle.ensure_replaceable(found, settings.profile)
    if plan.action == lifecycle.NOTHING or plan.problem is not None:
        return Refreshment(plan, plan.problem)
    chosen = valid_app_id(app_id or settings.app_id or info.app_id, settings.profile)
    mismatch = lifecycle.app_mismatch(info.app_id, chosen, local)
    if mismatch is not None:
        return Refreshment(plan, mismatch)
    secret = app_secret()
    try:
        renewal = lifecycle.renew(
            settings,
            found,
            app_id=chosen,
            app_secret=secret,
            system_user=plan.system_user,
            transport=transport,
            now=now,
        )
    except StoreError as err:
        return Refreshment(plan, store_error=err)
    return Refreshment(plan, renewal.problem, renewal)
