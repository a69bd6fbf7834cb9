"""The token check shared by `wa-token check`, `status`, `save` and the wizard's check step."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from wizard.core.codes import Source
from wizard.core.diagnose import Diagnosis, GraphFindings, LocalFacts, diagnose
from wizard.core.errors import GraphError, StoreError
from wizard.core.graph import BusinessAccount, GraphClient, Me, PhoneNumber, TokenInfo
from wizard.core.graph.models import AppSubscription, Health, WebhookConfiguration
from wizard.core.graph.readiness import with_computed_chains
from wizard.core.graph.threads import Background, outcome_of
from wizard.core.profiles import ProfileListing
from wizard.core.settings import Settings
from wizard.core.stores import env_store, keyring_store, registry, sources
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken, format_problem
from wizard.core.untrusted import mask_url_credentials
from wizard.core.variables import TOKEN_KEY


class CheckReport(NamedTuple):
    """One token's check: where it was, what Graph said, and the diagnosis.

    (A NamedTuple, as StorageFacts: immutable like a frozen dataclass, at a fifth of its cost
    when `check` starts.)
    """

    found: FoundToken | None
    graph: GraphFindings
    local: LocalFacts
    diagnosis: Diagnosis

    @property
    def ok(self) -> bool:
        """True when the token works (warnings allowed)."""
        return self.diagnosis.ok

    @property
    def exit_code(self) -> int:
        """The contract's exit code for this check."""
        return self.diagnosis.exit_code


class StorageFacts(NamedTuple):
    """What the local stores say around the winning token (for warnings only)."""

    shadowed: tuple[str, ...] = ()
    risks: env_store.EnvFileRisks | None = None
    keyring_available: bool = False


def inspect_token(
    client: GraphClient,
    token: SecretToken,
    *,
    app_token: SecretToken | None = None,
    expected_account_id: str | None = None,
    now: datetime | None = None,
    app_id: str | None = None,
) -> GraphFindings:
    """Ask Graph about a token, one round trip per level: debug_token, /me, the configured
    account with its numbers, their health and webhook subscriptions (and, with the app id and
    secret, the app's webhook configuration) together; then the other accounts the token
    reaches (one request per 50, over the connections the first level opened), when there
    are any."""
    asking_me = Background(partial(client.me, token))
    configured = _read_configured(client, token, expected_account_id)
    webhooks = _app_webhooks(client, app_token, app_id)
    info = outcome_of(partial(client.debug_token, token, app_token=app_token))
    answer = asking_me.outcome()  # /me only adds a name: its errors pass
    me = answer if isinstance(answer, Me) else None
    found = _inspect_accounts(client, token, info, me, expected_account_id, now, configured)
    subscriptions = _subscriptions(webhooks)
    return dataclasses.replace(
        found,
        app_subscriptions=subscriptions,
        accounts=_chains(found, app_id, subscriptions),
    )


def _chains(
    found: GraphFindings, app_id: str | None, subscriptions: tuple[AppSubscription, ...] | None
) -> tuple[BusinessAccount, ...]:
    """The accounts with each number's callback chain, computed where Graph left it out (the
    app's own callback counts only when it is the token's app)."""
    token_app = found.token_info.app_id if found.token_info else None
    app_callbacks = subscriptions if app_id is not None and app_id == token_app else None
    return with_computed_chains(found.accounts, token_app, app_callbacks)


def _app_webhooks(
    client: GraphClient, app_token: SecretToken | None, app_id: str | None
) -> Background[tuple[AppSubscription, ...]] | None:
    """The app's webhook configuration, asked beside debug_token when the app token is known."""
    if app_token is None or app_id is None:
        return None
    return Background(partial(client.app_subscriptions, app_token, app_id))


def _subscriptions(
    asking: Background[tuple[AppSubscription, ...]] | None,
) -> tuple[AppSubscription, ...] | None:
    """The app's subscriptions, or None when not asked or not answered (a warning less)."""
    answer = asking.outcome() if asking is not None else None
    return answer if isinstance(answer, tuple) else None


def _inspect_accounts(
    client: GraphClient,
    token: SecretToken,
    info: TokenInfo | Exception,
    me: Me | None,
    expected_account_id: str | None,
    now: datetime | None,
    configured: tuple[str, Background[list[AccountRead]]] | None,
) -> GraphFindings:
    """What debug_token said, then the accounts with their numbers (the second level)."""
    if isinstance(info, Exception):
        return GraphFindings(error=_graph_error(info))
    expired = info.expires_at is not None and info.expires_at <= (now or datetime.now(UTC))
    if not info.is_valid or expired:
        return GraphFindings(token_info=info, me=me)
    try:
        discovery = client.discover_accounts(token, info)
    except GraphError as err:
        return GraphFindings(token_info=info, me=me, error=err)
    # The configured account, when the token's grants do not list it, comes after them, as its
    # own read: an id Graph cannot read fails a whole `?ids=` request, and this one may be wrong.
    ids = discovery.ids
    extra = (expected_account_id,) if expected_account_id and expected_account_id not in ids else ()
    ids = (*ids, *extra)
    results = _accounts_read(client, token, ids, configured)
    accounts = tuple(r for r in results if isinstance(r, BusinessAccount))
    errors = tuple(
        (i, _graph_error(r))
        for i, r in zip(ids, results, strict=True)
        if isinstance(r, BaseException)
    )
    return GraphFindings(
        token_info=info,
        me=me,
        accounts=accounts,
        account_errors=errors,
        listing_refused=discovery.listing_refused,
    )


AccountRead = BusinessAccount | GraphError
"""One account's read: the account with its numbers, or why Graph did not give it."""


def _read_configured(
    client: GraphClient, token: SecretToken, account_id: str | None
) -> tuple[str, Background[list[AccountRead]]] | None:
    """The configured account with its numbers, asked for at once, beside debug_token: the
    settings checked its id (digits); the read goes through the same path as every account's."""
    if not account_id:
        return None
    return account_id, Background(partial(client.accounts_with_numbers, token, (), (account_id,)))


def _accounts_read(
    client: GraphClient,
    token: SecretToken,
    ids: tuple[str, ...],
    configured: tuple[str, Background[list[AccountRead]]] | None,
) -> list[AccountRead]:
    """Every account's read, in the order of `ids`: the configured one from the first level,
    the others in one more level (none when the token reaches nothing else)."""
    known: dict[str, AccountRead] = {}
    if configured is not None:
        account_id, reading = configured
        outcome = reading.outcome()
        known[account_id] = outcome[0] if isinstance(outcome, list) else _graph_error(outcome)
    others = [i for i in ids if i not in known]
    if others:
        known.update(zip(others, client.accounts_with_numbers(token, others), strict=True))
    return [known[i] for i in ids]


def _graph_error(exc: BaseException) -> GraphError:
    """Graph failures pass through; anything else is a bug we must not hide."""
    if isinstance(exc, GraphError):
        return exc
    raise exc


def check_found_token(
    found: FoundToken | None,
    settings: Settings,
    environ: Mapping[str, str],
    *,
    transport: httpx.BaseTransport | None = None,
    now: datetime | None = None,
    readings: list[sources.SourceReading] | None = None,
) -> CheckReport:
    """Check a token against Graph while the local stores are inspected in a thread."""
    now = now or datetime.now(UTC)
    if found is None:
        local = LocalFacts(
            now=now, token_found=False, location=str(settings.env_file), profile=settings.profile
        )
        return CheckReport(None, GraphFindings(), local, diagnose(GraphFindings(), local))
    storage = Background(
        partial(
            storage_facts, found, environ, settings.env_file, readings, settings.profile.token_key
        )
    )
    problem = stored_problem(found)
    graph = GraphFindings()
    if problem is None:
        with GraphClient(
            settings.graph_url,
            settings.graph_version,
            transport=transport,
            timeout=settings.timeout,
        ) as client:
            graph = inspect_token(
                client,
                found.token,
                app_token=settings.app_token,
                expected_account_id=settings.business_account_id,
                now=now,
                app_id=settings.app_id,
            )
    local = local_facts(found, settings, storage.result(), problem, now)
    return CheckReport(found, graph, local, diagnose(graph, local))


def stored_problem(found: FoundToken) -> str | None:
    """Why the token cannot be one, in words that never quote it (a `.env` `${VAR}` that
    expands to something else than an access token first), or None."""
    expansion = found.expansion
    if expansion is not None and not expansion.used:
        return expansion.note()
    return format_problem(found.token.reveal())


def local_facts(
    found: FoundToken,
    settings: Settings,
    storage: StorageFacts,
    problem: str | None,
    now: datetime,
) -> LocalFacts:
    """Everything the diagnosis needs to know that Graph does not tell."""
    risks = storage.risks
    return dataclasses.replace(
        expected_facts(settings, now, settings.app_id),
        format_problem=problem,
        source=found.source,
        location=found.location,
        shadowed=storage.shadowed,
        env_in_git_work_tree=bool(risks and risks.in_git_work_tree),
        env_git_ignored=bool(risks and risks.git_ignored),
        env_tracked_by_git=bool(risks and risks.tracked_by_git),
        env_world_readable=bool(risks and risks.world_readable),
        keyring_available=storage.keyring_available,
        graph_version=settings.graph_version,
    )


def expected_facts(settings: Settings, now: datetime, app_id: str | None) -> LocalFacts:
    """What the settings expect a token to reach (app, account, number) and when to warn."""
    return LocalFacts(
        now=now,
        warn_days=settings.warn_days,
        expected_app_id=app_id,
        expected_account_id=settings.business_account_id,
        expected_phone_number_id=settings.phone_number_id,
        profile=settings.profile,
    )


def storage_facts(
    found: FoundToken,
    environ: Mapping[str, str],
    env_file: Path,
    readings: list[sources.SourceReading] | None = None,
    key: str = TOKEN_KEY,
) -> StorageFacts:
    """Shadowing, `.env` risks and whether a keyring works; failures only drop a warning."""
    if found.source not in registry.stored_order():
        return StorageFacts()  # a pasted token is not stored anywhere yet
    if readings is None:  # only the sources below the winner: the keyring only when it is one
        readings = sources.read_below(found.source, environ, env_file, key)
    risks = keyring_ok = None
    if found.source == Source.DOTENV:
        risks = env_store.inspect_env_file(Path(found.location))
        keyring_ok = _keyring_works(readings)
    return StorageFacts(
        shadowed=sources.shadowed_locations(found, readings),
        risks=risks,
        keyring_available=bool(keyring_ok),
    )


def _keyring_works(readings: list[sources.SourceReading]) -> bool:
    """Whether a keyring works here, from its reading when it answered (one question, not two)."""
    keyring = next((r for r in readings if r.source == Source.KEYRING), None)
    if keyring is not None and keyring.error is None:
        return keyring.unavailable is None
    try:
        return keyring_store.keyring_status().available
    except StoreError:
        return False


def recheck_storage(
    report: CheckReport,
    found: FoundToken,
    settings: Settings,
    environ: Mapping[str, str],
    now: datetime | None = None,
) -> CheckReport:
    """The check again after a save or a fix: Graph's findings kept, the local stores re-read.

    Blocking (git, the keyring): run it in a thread.
    """
    env_file = Path(found.location) if found.source == Source.DOTENV else settings.env_file
    storage = storage_facts(found, environ, env_file, key=settings.profile.token_key)
    local = local_facts(found, settings, storage, stored_problem(found), now or report.local.now)
    return CheckReport(found, report.graph, local, diagnose(report.graph, local))


# -- JSON ----------------------------------------------------------------------------------------


def report_json(report: CheckReport) -> dict[str, Any]:
    """The contract's `check --json` object; the token appears only as its mask."""
    return {
        "ok": report.ok,
        "token": _token_json(report),
        "whatsapp_business_accounts": [_account_json(a) for a in report.graph.accounts],
        "app_webhooks": _app_webhooks_json(report.graph.app_subscriptions),
        "problems": [_finding_json(f) for f in report.diagnosis.problems],
        "warnings": [_finding_json(f) for f in report.diagnosis.warnings],
    }


def tokenless_json(code: str, message: str, fix: str) -> dict[str, Any]:
    """The check object of a run that had no token to check: one problem, no token."""
    return {
        "ok": False,
        "token": None,
        "whatsapp_business_accounts": [],
        "problems": [{"code": code, "title": message, "fix": fix}],
        "warnings": [],
    }


def status_json(
    readings: list[sources.SourceReading],
    report: CheckReport | None,
    profiles: tuple[ProfileListing, ...] = (),
    profile: str | None = None,
) -> dict[str, Any]:
    """The contract's `status --json` object (plus the profiles found, when given)."""
    winner = report.found if report else None
    rows = []
    for reading in readings:
        row: dict[str, Any] = {
            "source": reading.source,
            "location": reading.location,
            "masked": reading.token.masked if reading.token else None,
            "active": bool(winner and reading.source == winner.source),
        }
        if reading.error is not None:
            row["error"] = {
                "title": reading.error.title,
                "message": reading.error.message,
                "fix": reading.error.fix,
            }
        rows.append(row)
    body: dict[str, Any] = {
        "sources": rows,
        "active": report_json(report) if report and report.found else None,
    }
    if profile is not None:
        body["profile"] = profile
        body["profiles"] = [
            {"name": p.name, "stores": list(p.stores), "active": p.name == profile}
            for p in profiles
        ]
    return body


def _token_json(report: CheckReport) -> dict[str, Any] | None:
    found = report.found
    if found is None:
        return None
    info = report.graph.token_info
    me = report.graph.me
    return {
        "source": found.source,
        "location": found.location,
        "masked": found.masked,
        "type": info.type if info else None,
        "app_id": info.app_id if info else None,
        "application": info.application if info else None,
        "user_id": (info.user_id if info and info.user_id else me.id if me else None),
        "user_name": me.name if me else None,
        "expires_at": _iso(info.expires_at) if info else None,
        "issued_at": _iso(info.issued_at) if info else None,
        "scopes": sorted(info.scopes) if info else [],
        **({"expanded_from": list(found.expansion.variables)} if found.expansion else {}),
    }


def _account_json(account: BusinessAccount) -> dict[str, Any]:
    apps = account.subscribed_apps
    return {
        "id": account.id,
        "name": account.name,
        "phone_numbers": [_number_json(n) for n in account.phone_numbers],
        "health": _health_json(account.health),
        "subscribed_apps": None
        if apps is None
        else [
            {
                "id": a.id,
                "name": a.name,
                "override_callback_uri": _url(a.override_callback_uri),
            }
            for a in apps
        ],
    }


def _number_json(number: PhoneNumber) -> dict[str, Any]:
    return {
        "id": number.id,
        "display_phone_number": number.display_phone_number,
        "verified_name": number.verified_name,
        "quality_rating": number.quality_rating,
        "health": _health_json(number.health),
        "messaging_limit": number.messaging_limit,
        "webhook_configuration": _webhook_json(number.webhook),
    }


def _health_json(health: Health | None) -> dict[str, Any] | None:
    if health is None:
        return None
    return {
        "can_send_message": health.can_send_message,
        "errors": [
            {
                "entity_type": e.entity_type,
                "id": e.entity_id,
                "code": e.code,
                "description": e.description,
                "solution": e.solution,
            }
            for e in health.errors
        ],
    }


def _webhook_json(webhook: WebhookConfiguration | None) -> dict[str, Any] | None:
    """The callback chain: each level's URL and the one Meta really calls (the first set)."""
    if webhook is None:
        return None
    effective = webhook.effective
    return {
        "phone_number": _url(webhook.phone_number),
        "whatsapp_business_account": _url(webhook.whatsapp_business_account),
        "application": _url(webhook.application),
        "effective": _url(effective[0]) if effective else None,
        "effective_level": effective[1] if effective else None,
        "computed": webhook.computed,
    }


def _app_webhooks_json(subscriptions: tuple[AppSubscription, ...] | None) -> Any:
    if subscriptions is None:
        return None
    return [
        {
            "object": s.object,
            "callback_url": _url(s.callback_url),
            "active": s.active,
            "fields": list(s.fields),
        }
        for s in subscriptions
    ]


def _url(url: str | None) -> str | None:
    """A callback URL from Graph, with any password in it masked."""
    return mask_url_credentials(url) if url else url


def _finding_json(finding: Any) -> dict[str, Any]:
    row = {"code": finding.code, "title": finding.title, "fix": finding.fix}
    if finding.detail:
        row["detail"] = finding.detail
    return row


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None
