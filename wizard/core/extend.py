"""`extend` (Method 2) for both doors: inspect the token, plan, exchange it, check, store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import httpx

from wizard.core import lifecycle
from wizard.core.diagnose import Finding
from wizard.core.errors import SettingsError
from wizard.core.profiles import Profile
from wizard.core.settings import Settings
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken


@dataclass(frozen=True)
class Extension:
    """What `extend` did: the plan, and either a refusal (problem) or the renewal."""

    plan: lifecycle.Plan
    problem: Finding | None = None
    """Why nothing was exchanged (the plan's refusal, or a wrong app id)."""
    renewal: lifecycle.Renewal | None = None
    """The exchange's outcome, when one ran."""

    @property
    def exit_code(self) -> int:
        """0 for nothing to do or a stored renewal; else the contract's code for the problem."""
        if self.renewal is not None:
            return self.renewal.exit_code
        return lifecycle.Plan(lifecycle.REFUSE, "", self.problem).exit_code


def extend(
    settings: Settings,
    found: FoundToken,
    now: datetime,
    *,
    app_id: str | None,
    app_secret: Callable[[], SecretToken],
    transport: httpx.BaseTransport | None = None,
) -> Extension:
    """Method 2 for both doors: inspect, plan, check the app, then exchange, check and store.

    `app_id` is the one the user gave (None: the profile's, else the token's own app);
    `app_secret` is asked for only when an exchange will run. Raises StoreError when the token
    cannot be replaced where it is, SettingsError when no usable app id is known.
    """
    lifecycle.ensure_replaceable(found, settings.profile)
    local = lifecycle.local_for(settings, found, now)
    info = lifecycle.inspect_current(settings, found, local, transport=transport)
    if isinstance(info, Finding):
        return Extension(lifecycle.Plan(lifecycle.REFUSE, "", info), info)
    plan = lifecycle.plan_extend(info, now, local)
    if plan.action == lifecycle.NOTHING or plan.problem is not None:
        return Extension(plan, plan.problem)
    chosen = valid_app_id(app_id or settings.app_id or info.app_id, settings.profile)
    mismatch = lifecycle.app_mismatch(info.app_id, chosen, local)
    if mismatch is not None:
        return Extension(plan, mismatch)
    renewal = lifecycle.renew(
        settings,
        found,
        app_id=chosen,
        app_secret=app_secret(),
        system_user=plan.system_user,
        transport=transport,
        now=now,
    )
    return Extension(plan, renewal.problem, renewal)


def valid_app_id(value: str | None, profile: Profile) -> str:
    """The app id an exchange uses: digits, or a SettingsError saying where to find it."""
    variable = profile.var("WHATSAPP_APP_ID")
    if not value:
        raise SettingsError(
            "The exchange needs the app id, and none is known.",
            fix=f"Set {variable} (environment or .env) or pass --app-id: App Dashboard → your "
            "app → App settings → Basic → App ID.",
        )
    if not value.isdigit():
        raise SettingsError(
            f"The app id must be digits ({variable} or --app-id).",
            fix="Copy it from App Dashboard → your app → App settings → Basic.",
        )
    return value
