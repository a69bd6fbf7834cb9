"""The fake Graph's readiness answers: health verdicts, webhook subscriptions and callbacks.

Shapes from Meta's "Messaging Health Status", "Webhook overrides" and the WABA `subscribed_apps`
reference; the error codes and texts of the demo verdicts are [Unverified] examples.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wizard.testing.fake_graph.data import APP_ID, APP_NAME, BUSINESS_ID, WABA_A

if TYPE_CHECKING:
    from wizard.testing.fake_graph.scenarios import Scenario

OTHER_APP = {"id": "777888999000111", "name": "Old CRM connector", "link": "https://example.com"}
APP_CALLBACK = "https://acme.example/whatsapp/webhook"
WABA_OVERRIDE = "https://acme.example/whatsapp/waba-override"
PHONE_OVERRIDE = "https://acme.example/whatsapp/number-override"
DEFAULT_APP_SUBSCRIPTIONS = (
    {
        "object": "whatsapp_business_account",
        "callback_url": APP_CALLBACK,
        "active": True,
        "fields": [{"name": "messages", "version": "v27.0"}],
    },
)
"""`GET /{app-id}/subscriptions` unless a test changes FakeGraphServer.app_subscriptions."""
NOT_REGISTERED = {
    "error_code": 141000,
    "error_description": "The phone number is not registered on the WhatsApp Business Platform.",
    "possible_solution": "Register the phone number with the Cloud API (two-step verification "
    "PIN), then try again.",
}
PAYMENT_MISSING = {
    "error_code": 141006,
    "error_description": "There is an error with the payment method.",
    "possible_solution": "There was an error with your payment method. Please add a new payment "
    "method to the account.",
}
NOT_VERIFIED = "Your business is not verified: messaging is limited to 250 customers a day."


def _entity(kind: str, entity_id: str, verdict: str = "AVAILABLE", **extra: Any) -> dict[str, Any]:
    return {"entity_type": kind, "id": entity_id, "can_send_message": verdict, **extra}


def _verdict(entities: list[dict[str, Any]]) -> dict[str, Any]:
    states = {e["can_send_message"] for e in entities}
    overall = next((s for s in ("BLOCKED", "LIMITED") if s in states), "AVAILABLE")
    return {"can_send_message": overall, "entities": entities}


def _others(scenario: Scenario, waba_id: str) -> list[dict[str, Any]]:
    """The WABA, business and app entities every verdict includes."""
    waba = _entity("WABA", waba_id)
    business = _entity("BUSINESS", BUSINESS_ID)
    if waba_id == WABA_A and scenario.readiness == "blocked":
        waba = _entity("WABA", waba_id, "BLOCKED", errors=[PAYMENT_MISSING])
    if waba_id == WABA_A and scenario.readiness == "limited":
        business = _entity("BUSINESS", BUSINESS_ID, "LIMITED", additional_info=[NOT_VERIFIED])
    if waba_id == WABA_A and scenario.readiness == "account_limited":
        waba = _entity("WABA", waba_id, "LIMITED", additional_info=[NOT_VERIFIED])
    if waba_id == WABA_A and scenario.readiness == "account_blocked":
        waba = _entity("WABA", waba_id, "BLOCKED", errors=[PAYMENT_MISSING])
    return [waba, business, _entity("APP", APP_ID)]


def account_extras(scenario: Scenario, waba_id: str) -> dict[str, Any]:
    """A WABA's health_status (the numbers' entities aside, as Meta's page says)."""
    return {"health_status": _verdict(_others(scenario, waba_id))}


def number_extras(
    scenario: Scenario,
    waba_id: str,
    number: dict[str, Any],
    first: bool,
    *,
    registered: bool = False,
) -> dict[str, Any]:
    """A phone number's health_status, webhook_configuration and messaging limit; the demo's
    unregistered number reads as registered once `registered` (the right PIN was sent)."""
    phone = _entity("PHONE_NUMBER", number["id"])
    unregistered = (
        waba_id == WABA_A and first and scenario.readiness == "unregistered" and not registered
    )
    if unregistered:
        phone = _entity("PHONE_NUMBER", number["id"], "BLOCKED", errors=[NOT_REGISTERED])
    if waba_id == WABA_A and first and scenario.readiness == "limited":
        phone = _entity("PHONE_NUMBER", number["id"], "LIMITED")
    extras: dict[str, Any] = {
        "health_status": _verdict([phone, *_others(scenario, waba_id)]),
        "whatsapp_business_manager_messaging_limit": "TIER_2K",
    }
    if unregistered:  # Meta: status goes from PENDING to CONNECTED once registered
        extras["platform_type"] = "NOT_APPLICABLE"
        extras["status"] = "PENDING"
    if waba_id == WABA_A and scenario.readiness.startswith("account_"):
        del extras["health_status"]  # only the account's own verdict came back
    if waba_id == WABA_A and scenario.readiness == "override":
        chain = {"application": APP_CALLBACK, "whatsapp_business_account": WABA_OVERRIDE}
        extras["webhook_configuration"] = (
            {"phone_number": PHONE_OVERRIDE, **chain} if first else chain
        )
    return extras


def subscribed_apps(scenario: Scenario, waba_id: str) -> list[dict[str, Any]]:
    """The apps subscribed to a WABA's webhooks when the fake starts."""
    ours: dict[str, Any] = {
        "whatsapp_business_api_data": {
            "id": APP_ID,
            "name": APP_NAME,
            "link": "https://acme.example",
        }
    }
    if waba_id == WABA_A and scenario.readiness == "unsubscribed":
        return [{"whatsapp_business_api_data": OTHER_APP}]
    if waba_id == WABA_A and scenario.readiness in ("override", "override_unlisted"):
        ours["override_callback_uri"] = WABA_OVERRIDE  # unlisted: no webhook_configuration
    return [ours]
