"""Warnings about sending and receiving: Meta's health verdicts, registration and webhooks."""

from __future__ import annotations

from wizard.core.codes import WarningCode
from wizard.core.diagnose.findings import Finding, GraphFindings, LocalFacts
from wizard.core.diagnose.wording import command, graph_text
from wizard.core.graph.models import (
    AppSubscription,
    BusinessAccount,
    Health,
    HealthError,
    PhoneNumber,
)

NOT_REGISTERED_CODE = "141000"
"""Meta's health error for a number that is not registered [Unverified code, issue 23]."""
WEBHOOKS_URL = "https://developers.facebook.com/apps"
APP_WEBHOOKS_STEP = (
    f"App Dashboard ({WEBHOOKS_URL}) → your app → WhatsApp → Configuration → Webhook: set the "
    "Callback URL and Verify token, then under Webhook fields subscribe to `messages`"
)
HEALTH_HELP = (
    "WhatsApp Manager → Overview and Business Support Home "
    "(https://business.facebook.com/business-support-home) show the same verdict"
)
SHOWN_ERRORS = 3
"""Health errors quoted in one finding; the JSON carries them all."""


def is_unregistered(number: PhoneNumber) -> bool:
    """The number is not registered for the Cloud API, by its health errors or its platform."""
    health_says = number.health is not None and any(
        e.code == NOT_REGISTERED_CODE for e in number.health.errors
    )
    return health_says or (number.platform_type or "").upper() == "NOT_APPLICABLE"


def health_looks_fine(number: PhoneNumber) -> bool:
    """Nothing to say about the number's health or registration."""
    health = number.health
    return (health is None or not (health.blocked or health.limited)) and not is_unregistered(
        number
    )


def health_findings(number: PhoneNumber, label: str, local: LocalFacts | None) -> list[Finding]:
    """The number's registration and health warnings (the registration first, it explains)."""
    found: list[Finding] = []
    health = number.health
    if is_unregistered(number):
        found.append(_unregistered(number, label, local))
    if health is None:
        return found
    others = [e for e in health.errors if e.code != NOT_REGISTERED_CODE]
    if health.blocked and (others or not found):
        found.append(_health_finding(WarningCode.NUMBER_BLOCKED, label, health, others))
    elif health.limited:
        found.append(_health_finding(WarningCode.NUMBER_LIMITED, label, health, others))
    return found


def _unregistered(number: PhoneNumber, label: str, local: LocalFacts | None) -> Finding:
    words = f"register --phone-number-id {graph_text(number.id)}"
    run = command(local, words) if local is not None else f"wa-token {words}"
    return Finding(
        WarningCode.NUMBER_UNREGISTERED,
        f"{label} is not registered for the Cloud API: every message from it fails (133010).",
        f"Run `{run}`: it asks for the number's 6-digit two-step verification PIN (hidden, never "
        "on the command line) and registers it. Forgot the PIN? Reset it in WhatsApp Manager → "
        "Phone numbers → the number → Two-step verification.",
    )


def _health_finding(
    code: WarningCode, label: str, health: Health, errors: list[HealthError]
) -> Finding:
    blocked = code in (WarningCode.NUMBER_BLOCKED, WarningCode.ACCOUNT_BLOCKED)
    verdict = "BLOCKED: nothing can be sent" if blocked else "LIMITED: it sends, with a limit"
    solutions = list(dict.fromkeys(graph_text(e.solution, 300) for e in errors if e.solution))
    fix = " ".join(solutions[:SHOWN_ERRORS]) or (
        "Do what Meta's reason below asks." if errors else "Meta gives no reason in the API."
    )
    return Finding(
        code,
        f"Meta's health verdict for {label} is {verdict}.",
        f"{fix} ({HEALTH_HELP}.)",
        "; ".join(_error_text(e) for e in errors[:SHOWN_ERRORS]) or None,
    )


def _error_text(error: HealthError) -> str:
    where = " ".join(graph_text(p) for p in (error.entity_type, error.entity_id) if p)
    code = f"[{graph_text(error.code)}] " if error.code else ""
    return f"{where}: {code}{graph_text(error.description or '', 300)}"


def account_findings(graph: GraphFindings, local: LocalFacts) -> list[Finding]:
    """Per account: its health when no number said it, and whether this app gets webhooks."""
    app_id = (graph.token_info.app_id if graph.token_info else None) or local.expected_app_id
    found: list[Finding] = []
    for account in graph.accounts:
        found += _account_health(account)
        found += _subscription(account, app_id, local)
    return found + app_webhook_findings(graph.app_subscriptions)


def _account_health(account: BusinessAccount) -> list[Finding]:
    health = account.health
    if health is None or not (health.blocked or health.limited):
        return []
    if any(n.health is not None for n in account.phone_numbers):
        return []  # every number's verdict includes its account's
    code = WarningCode.ACCOUNT_BLOCKED if health.blocked else WarningCode.ACCOUNT_LIMITED
    return [_health_finding(code, _account_label(account), health, list(health.errors))]


def _subscription(account: BusinessAccount, app_id: str | None, local: LocalFacts) -> list[Finding]:
    apps = account.subscribed_apps
    if apps is None or app_id is None or any(a.id == app_id for a in apps):
        return []
    others = ", ".join(graph_text(a.name or a.id or "?") for a in apps[:3])
    also = f" (subscribed: {others})" if others else " (no app is subscribed)"
    return [
        Finding(
            WarningCode.APP_NOT_SUBSCRIBED,
            f"This token's app ({graph_text(app_id)}) is not subscribed to the webhooks of "
            f"{_account_label(account)}{also}: inbound messages and delivery statuses never "
            "reach your server.",
            f"Run `{command(local, 'fix webhooks')}` (POST /{{waba-id}}/subscribed_apps on each "
            "account that lacks it; Meta requires it per account).",
        )
    ]


def app_webhook_findings(subscriptions: tuple[AppSubscription, ...] | None) -> list[Finding]:
    """The app's webhook configuration: a WhatsApp callback, with the `messages` field."""
    if subscriptions is None:
        return []
    whatsapp = [
        s for s in subscriptions if s.object == "whatsapp_business_account" and s.callback_url
    ]
    if not whatsapp:
        return [
            Finding(
                WarningCode.WEBHOOK_CALLBACK_MISSING,
                "The app has no WhatsApp webhook callback URL: Meta has nowhere to send messages "
                "and delivery statuses.",
                f"{APP_WEBHOOKS_STEP}; then `wa-token webhook-test --url URL` proves it answers.",
            )
        ]
    if not any("messages" in s.fields and s.active for s in whatsapp):
        return [
            Finding(
                WarningCode.WEBHOOK_MESSAGES_MISSING,
                "The app's WhatsApp webhooks do not include the `messages` field: inbound "
                "messages and delivery statuses are not sent.",
                APP_WEBHOOKS_STEP + ".",
            )
        ]
    return []


def _account_label(account: BusinessAccount) -> str:
    return f"WhatsApp Business Account {graph_text(account.name or '(no name)')} (id {account.id})"
