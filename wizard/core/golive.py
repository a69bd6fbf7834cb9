"""The "ready to go live" list: token, sending number, registration, webhooks, endpoint."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from wizard.core.check import CheckReport, check_found_token
from wizard.core.codes import ProblemCode, WarningCode
from wizard.core.diagnose import graph_text
from wizard.core.diagnose.findings import Finding
from wizard.core.diagnose.readiness import is_unregistered
from wizard.core.exits import GRAPH_SIDE
from wizard.core.graph import PhoneNumber
from wizard.core.graph.constants import COMPUTED_CHAIN
from wizard.core.settings import Settings
from wizard.core.stores.sources import FoundToken
from wizard.core.untrusted import mask_url_credentials
from wizard.core.webhook_test import WebhookReport


class ReadyItem(StrEnum):
    """The five lines of the list, in their order."""

    TOKEN = "token"
    SENDING = "sending"
    REGISTERED = "registered"
    SUBSCRIBED = "subscribed"
    ENDPOINT = "endpoint"


class ReadyMark(StrEnum):
    """How a line stands: done, works with a catch, or stops going live."""

    OK = "ok"
    WARN = "warn"
    BAD = "bad"


class ReadyAction(StrEnum):
    """What the wizard can do for a line itself (the same core calls as the CLI's)."""

    SUBSCRIBE = "subscribe"
    """`fix webhooks`."""
    REGISTER = "register"
    """`register --phone-number-id ID`."""
    TEST = "test"
    """`webhook-test --url URL`."""


class ReadyLine(NamedTuple):
    """One line: its mark, what it says, the fix, and the action that does the fix, if any."""

    item: ReadyItem
    mark: ReadyMark
    title: str
    fix: str = ""
    action: ReadyAction | None = None
    targets: tuple[str, ...] = ()
    """The ids the action is for (the unregistered numbers)."""
    detail: str = ""
    """Meta's own words (health errors, a refusal), already cleaned and bounded."""


def _from(
    item: ReadyItem, mark: ReadyMark, finding: Finding, action: ReadyAction | None = None
) -> ReadyLine:
    """A line that says what a check finding says, Meta's words included."""
    return ReadyLine(item, mark, finding.title, finding.fix, action, detail=finding.detail or "")


TOKEN_WARNINGS = (WarningCode.TEMPORARY_TOKEN, WarningCode.EXPIRES_SOON)
SENDING_WARNINGS = (
    WarningCode.NUMBER_BLOCKED,
    WarningCode.NUMBER_LIMITED,
    WarningCode.ACCOUNT_BLOCKED,
    WarningCode.ACCOUNT_LIMITED,
)
WEBHOOK_WARNINGS = (
    WarningCode.APP_NOT_SUBSCRIBED,
    WarningCode.WEBHOOK_CALLBACK_MISSING,
    WarningCode.WEBHOOK_MESSAGES_MISSING,
)


def ready_list(
    report: CheckReport,
    endpoint: WebhookReport | None = None,
    registered: frozenset[str] = frozenset(),
) -> tuple[ReadyLine, ...]:
    """The check (and the endpoint's test, once run) as the five lines of the list; numbers
    in `registered` were registered just now (Meta's verdict may take a while to follow)."""
    numbers = [n for a in report.graph.accounts for n in a.phone_numbers]
    return (
        _token_line(report),
        _sending_line(report, numbers),
        _registered_line(numbers, registered),
        _subscribed_line(report),
        endpoint_line(endpoint),
    )


class Rechecked(NamedTuple):
    """The check run again after an action, and whether Graph answered it."""

    report: CheckReport
    answered: bool
    """False when Graph could not be asked (network, 5xx, rate limit): the last verdict stands."""


def check_again(
    found: FoundToken, settings: Settings, environ: Mapping[str, str], now: datetime | None = None
) -> Rechecked:
    """After a change at Meta (registered, subscribed): `wa-token check`'s own check, again.

    Blocking (Graph, git, the keyring): run it in a thread.
    """
    report = check_found_token(found, settings, environ, now=now)
    problems = {p.code for p in report.diagnosis.problems}
    return Rechecked(report, not problems & GRAPH_SIDE)


def list_applies(report: CheckReport) -> bool:
    """The list follows a check the token passed: it works, even when no number can send."""
    problems = report.diagnosis.problems
    return report.found is not None and all(
        p.code is ProblemCode.NO_SENDING_NUMBER for p in problems
    )


def _findings(report: CheckReport, codes: tuple[WarningCode, ...]) -> list[Finding]:
    return [w for w in report.diagnosis.warnings if w.code in codes]


def _token_line(report: CheckReport) -> ReadyLine:
    others = [p for p in report.diagnosis.problems if p.code is not ProblemCode.NO_SENDING_NUMBER]
    if others:
        return _from(ReadyItem.TOKEN, ReadyMark.BAD, others[0])
    caught = _findings(report, TOKEN_WARNINGS)
    if caught:
        return _from(ReadyItem.TOKEN, ReadyMark.WARN, caught[0])
    info = report.graph.token_info
    lasting = "and never expires" if info is None or info.expires_at is None else "for now"
    return ReadyLine(ReadyItem.TOKEN, ReadyMark.OK, f"The token works {lasting}.")


def _sending_line(report: CheckReport, numbers: list[PhoneNumber]) -> ReadyLine:
    blocked = [p for p in report.diagnosis.problems if p.code is ProblemCode.NO_SENDING_NUMBER]
    caught = _findings(report, SENDING_WARNINGS)
    if blocked:
        line = _from(ReadyItem.SENDING, ReadyMark.BAD, blocked[0])
        return line._replace(detail=line.detail or (caught[0].detail or "" if caught else ""))
    if not numbers:
        return ReadyLine(ReadyItem.SENDING, ReadyMark.BAD, "No phone number to send from.")
    available = [
        n for n in numbers if n.health is None or not (n.health.blocked or n.health.limited)
    ]
    if caught and not available:
        return _from(ReadyItem.SENDING, ReadyMark.WARN, caught[0])
    best = available[0] if available else numbers[0]
    title = f"{_number_label(best)} can send (Meta's verdict: {_verdict(best)})."
    extra = f" {len(caught)} other verdict(s) to read: wa-token check." if caught else ""
    return ReadyLine(ReadyItem.SENDING, ReadyMark.OK, title + extra)


def _registered_line(numbers: list[PhoneNumber], registered: frozenset[str]) -> ReadyLine:
    missing = [n for n in numbers if is_unregistered(n) and n.id not in registered]
    if not numbers:
        return ReadyLine(ReadyItem.REGISTERED, ReadyMark.BAD, "No phone number to register.")
    if not missing:
        return ReadyLine(
            ReadyItem.REGISTERED, ReadyMark.OK, f"Registered for the Cloud API: {_labels(numbers)}."
        )
    return ReadyLine(
        ReadyItem.REGISTERED,
        ReadyMark.WARN,
        f"Not registered for the Cloud API: {_labels(missing)}: every message fails (133010).",
        "Register it with its 6-digit two-step verification PIN "
        f"(wa-token register --phone-number-id {missing[0].id}).",
        ReadyAction.REGISTER,
        tuple(n.id for n in missing),
    )


def _subscribed_line(report: CheckReport) -> ReadyLine:
    caught = _findings(report, WEBHOOK_WARNINGS)
    unsubscribed = [w for w in caught if w.code is WarningCode.APP_NOT_SUBSCRIBED]
    if unsubscribed:
        line = _from(ReadyItem.SUBSCRIBED, ReadyMark.WARN, unsubscribed[0], ReadyAction.SUBSCRIBE)
        fix = "Subscribe the app to every account that lacks it (wa-token fix webhooks)."
        return line._replace(fix=fix)
    if caught:
        return _from(ReadyItem.SUBSCRIBED, ReadyMark.WARN, caught[0])
    accounts = report.graph.accounts
    if accounts and all(a.subscribed_apps is None for a in accounts):
        return ReadyLine(
            ReadyItem.SUBSCRIBED,
            ReadyMark.WARN,
            "Graph did not list the apps subscribed to your accounts' webhooks.",
            "Run `wa-token fix webhooks` to see and subscribe them.",
        )
    where = _callbacks(report)
    return ReadyLine(
        ReadyItem.SUBSCRIBED,
        ReadyMark.OK,
        "The app is subscribed to the webhooks of every account"
        + (f"; they go to {where}." if where else "."),
    )


def endpoint_line(endpoint: WebhookReport | None) -> ReadyLine:
    """The endpoint's line: not tested yet, or the test's outcome."""
    if endpoint is None:
        return ReadyLine(
            ReadyItem.ENDPOINT,
            ReadyMark.WARN,
            "Your webhook endpoint is not tested yet.",
            "Call it the way Meta will (wa-token webhook-test --url URL).",
            ReadyAction.TEST,
        )
    url = graph_text(endpoint.url, 120)
    if endpoint.problems:
        return _from(ReadyItem.ENDPOINT, ReadyMark.BAD, endpoint.problems[0], ReadyAction.TEST)
    if endpoint.warnings:
        first = endpoint.warnings[0]
        title = f"{url} answers Meta, but: {first.title}"
        return ReadyLine(ReadyItem.ENDPOINT, ReadyMark.WARN, title, first.fix, ReadyAction.TEST)
    title = f"{url} answers Meta's verification and signed notifications."
    return ReadyLine(ReadyItem.ENDPOINT, ReadyMark.OK, title, action=ReadyAction.TEST)


def _callbacks(report: CheckReport) -> str:
    """Where Meta sends the callbacks: the numbers' effective callback URLs, when Graph said."""
    numbers = [n for account in report.graph.accounts for n in account.phone_numbers]
    shown = list(dict.fromkeys(u for u in map(_effective, numbers) if u))
    where = ", ".join(graph_text(mask_url_credentials(u), 120) for u in shown[:2])
    computed = any(n.webhook is not None and n.webhook.computed for n in numbers)
    return f"{where} ({COMPUTED_CHAIN})" if where and computed else where


def _effective(number: PhoneNumber) -> str | None:
    effective = number.webhook.effective if number.webhook else None
    return effective[0] if effective else None


def _verdict(number: PhoneNumber) -> str:
    health = number.health
    return graph_text(health.can_send_message or "?", 20) if health else "not given"


def _number_label(number: PhoneNumber) -> str:
    return graph_text(number.display_phone_number or number.id, 40)


def _labels(numbers: list[PhoneNumber]) -> str:
    shown = ", ".join(_number_label(n) for n in numbers[:3])
    return shown + (f" and {len(numbers) - 3} more" if len(numbers) > 3 else "")
