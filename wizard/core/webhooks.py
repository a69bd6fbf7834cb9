"""`fix webhooks`: subscribe the token's app to the webhooks of every account that lacks it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import NamedTuple

import httpx

from wizard.core.check import CheckReport, check_found_token
from wizard.core.diagnose import Finding, problem_for_error
from wizard.core.errors import GraphError
from wizard.core.exits import exit_code_for
from wizard.core.graph import BusinessAccount, GraphClient, gather_all
from wizard.core.settings import Settings
from wizard.core.stores.sources import FoundToken


class WebhookPlan(NamedTuple):
    """What `fix webhooks` found: the accounts to subscribe, those already subscribed."""

    report: CheckReport
    app_id: str | None
    missing: tuple[BusinessAccount, ...] = ()
    """Accounts whose subscribed apps do not include the token's app."""
    subscribed: tuple[BusinessAccount, ...] = ()
    """Accounts already subscribed: left as they are, their override included."""
    unknown: tuple[BusinessAccount, ...] = ()
    """Accounts whose subscribed apps Graph did not list."""

    def override_of(self, account: BusinessAccount) -> str | None:
        """The callback override this app's subscription on `account` carries, if any."""
        ours = [a for a in account.subscribed_apps or () if a.id == self.app_id]
        return ours[0].override_callback_uri if ours else None


class Subscribed(NamedTuple):
    """One account's outcome: subscribed now, or the reason it was not."""

    account: BusinessAccount
    refused: Finding | None = None
    exit_code: int = 0


def plan_webhooks(
    found: FoundToken,
    settings: Settings,
    environ: Mapping[str, str],
    *,
    transport: httpx.BaseTransport | None = None,
    now: datetime | None = None,
) -> WebhookPlan:
    """The check of the token (one Graph level for the accounts), sorted into what to do."""
    report = check_found_token(found, settings, environ, transport=transport, now=now)
    info = report.graph.token_info
    app_id = (info.app_id if info else None) or settings.app_id
    missing, subscribed, unknown = [], [], []
    for account in report.graph.accounts:
        apps = account.subscribed_apps
        if apps is None or app_id is None:
            unknown.append(account)
        elif any(a.id == app_id for a in apps):
            subscribed.append(account)
        else:
            missing.append(account)
    return WebhookPlan(report, app_id, tuple(missing), tuple(subscribed), tuple(unknown))


def subscribe_missing(
    plan: WebhookPlan,
    found: FoundToken,
    settings: Settings,
    *,
    transport: httpx.BaseTransport | None = None,
) -> tuple[Subscribed, ...]:
    """POST /{waba-id}/subscribed_apps for each account the plan lists as missing, side by
    side; each POST is sent once (never retried) and without a body, so no override changes."""
    with GraphClient(
        settings.graph_url, settings.graph_version, transport=transport, timeout=settings.timeout
    ) as client:
        calls = [partial(_subscribe, client, found, a, plan) for a in plan.missing]
        return tuple(gather_all(calls))


def _subscribe(
    client: GraphClient, found: FoundToken, account: BusinessAccount, plan: WebhookPlan
) -> Subscribed:
    """One account's subscription; Graph's refusal becomes the finding that explains it."""
    try:
        client.subscribe_app(found.token, account.id)
    except GraphError as err:
        finding = problem_for_error(err, plan.report.local)
        return Subscribed(account, finding, exit_code_for([finding.code]))
    return Subscribed(account)
