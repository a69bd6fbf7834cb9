"""The fake Graph's demo data: app, business and account ids, field lists, accounts and numbers."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

APP_ID = "634974688087057"
APP_SECRET = "fake0app0secret0for0wa0token0demos"
APP_TOKEN = f"{APP_ID}|{APP_SECRET}"
APP_NAME = "Acme WhatsApp"

WABA_A = "102290129340398"
WABA_B = "102290129340399"
BUSINESS_ID = "506914307656634"
BUSINESS_NAME = "Acme Inc"
SYSTEM_USER_ID = "61570785020842"
DEVELOPER_USER_ID = "10215241773831025"
USER_NAMES = {"SYSTEM_USER": "wa-token system user", "USER": "Demo Developer", "APP": APP_NAME}
BENCHMARK_WABA_BASE = 2_000_000_000_000_000
BENCHMARK_PHONE_BASE = 3_000_000_000_000_000
DEFAULT_MANY_ACCOUNTS = 20
NOT_ALLOWED_RECIPIENT = "15550000000"
TEMPLATE_MISSING_RECIPIENT = "15550001320"
NOT_REGISTERED_RECIPIENT = "15550001330"
LOCKED_RECIPIENT = "15550001310"
"""Recipients that make `POST /{phone}/messages` fail the way graph-api.md §5 / §11 #10 says."""
REENGAGEMENT_RECIPIENT = "15550001347"
"""131047: more than 24 hours since this recipient wrote (issue 25: every send code in the fake)."""
UNDELIVERABLE_RECIPIENT = "15550001326"
"""131026: WhatsApp cannot deliver to this recipient."""
EXCHANGED_EXPIRES_IN = 5183944

HOUR = 3600
DAY = 24 * HOUR
MANAGEMENT = "whatsapp_business_management"
MESSAGING = "whatsapp_business_messaging"
WHATSAPP_SCOPES = (MANAGEMENT, MESSAGING)
JSON_TYPE = "application/json; charset=UTF-8"
VERSION_SEGMENT = re.compile(r"v\d+\.\d+")

MALFORMED_MESSAGE = "Invalid OAuth access token - Cannot parse access token"
REVOKED_MESSAGE = (
    "Error validating access token: The session has been invalidated because the user changed "
    "their password or Facebook has changed the session for security reasons."
)
# Field names `fields=` may ask for; the ones the fake has no value for are simply left out.
WABA_FIELDS = frozenset(
    [
        "id",
        "name",
        "currency",
        "timezone_id",
        "message_template_namespace",
        "account_review_status",
        "business_verification_status",
        "country",
        "ownership_type",
        "status",
        "health_status",
    ]
)
PHONE_FIELDS = frozenset(
    [
        "id",
        "display_phone_number",
        "verified_name",
        "quality_rating",
        "code_verification_status",
        "platform_type",
        "throughput",
        "name_status",
        "status",
        "last_onboarded_time",
        "messaging_limit_tier",
        "account_mode",
        "is_official_business_account",
        "health_status",
        "webhook_configuration",
        "whatsapp_business_manager_messaging_limit",
    ]
)
SUBSCRIBED_APP_FIELDS = frozenset(["whatsapp_business_api_data", "override_callback_uri"])
NODE_FIELDS = {
    "WhatsAppBusinessAccount": WABA_FIELDS,
    "WhatsAppBusinessPhoneNumber": PHONE_FIELDS,
    "WhatsAppBusinessAccountSubscribedApp": SUBSCRIBED_APP_FIELDS,
}
EDGES = {
    ("WhatsAppBusinessAccount", "phone_numbers"): "WhatsAppBusinessPhoneNumber",
    ("WhatsAppBusinessAccount", "subscribed_apps"): "WhatsAppBusinessAccountSubscribedApp",
}
"""Edges field expansion may nest (`phone_numbers.limit(5){id,status}`), and their node type."""
MAX_IDS = 50
"""Ids one multiple-id lookup (`GET /?ids=A,B`) may ask for."""
DEFAULT_PAGE_SIZE = 25


@lru_cache(maxsize=8)
def benchmark_waba_ids(count: int) -> tuple[str, ...]:
    """The ids of the first `count` benchmark WABAs."""
    return tuple(str(BENCHMARK_WABA_BASE + index) for index in range(count))


def _account(waba_id: str, name: str, currency: str, namespace: str) -> dict[str, Any]:
    return {
        "id": waba_id,
        "name": name,
        "currency": currency,
        "timezone_id": "1",
        "message_template_namespace": namespace,
        "account_review_status": "APPROVED",
    }


def _number(
    phone_id: str, display: str, verified_name: str, quality: str, *, verified: bool = True
) -> dict[str, Any]:
    """A phone number as Graph lists it; fields that do not apply are left out."""
    number = {
        "id": phone_id,
        "display_phone_number": display,
        "verified_name": verified_name,
        "quality_rating": quality,
        "code_verification_status": "VERIFIED" if verified else "NOT_VERIFIED",
        "platform_type": "CLOUD_API",
        "throughput": {"level": "STANDARD"},
        "name_status": "APPROVED" if verified else "AVAILABLE_WITHOUT_REVIEW",
        "status": "CONNECTED",
    }
    if verified:
        number["last_onboarded_time"] = "2026-03-02T10:15:42+0000"
    return number


ACCOUNTS = {
    WABA_A: _account(WABA_A, "Acme Support", "USD", "c8ae5f90_307a_ca4c_b8f6_d1e2a2573574"),
    WABA_B: _account(WABA_B, "Acme Sales", "USD", "5d1f0e3a_4b2c_4e8d_9a7f_0c6b2e1d3f48"),
}
NUMBERS: dict[str, tuple[dict[str, Any], ...]] = {
    WABA_A: (
        _number("106540352242922", "+1 555-010-4477", "Acme Support", "GREEN"),
        _number("113402916702233", "15550783881", "Test Number", "UNKNOWN", verified=False),
    ),
    WABA_B: (_number("106540352242923", "+1 555-010-9921", "Acme Sales", "YELLOW"),),
}
EXTRA_PAGED_NUMBERS = tuple(
    _number(f"10654035224292{i}", f"+1 555-010-44{70 + i}", f"Acme Line {i}", "GREEN")
    for i in (4, 5, 6)
)


@lru_cache(maxsize=4096)
def _benchmark_account(index: int) -> dict[str, Any]:
    waba_id = str(BENCHMARK_WABA_BASE + index)
    return _account(waba_id, f"Benchmark Account {index}", "USD", f"bench_{index:06d}")


@lru_cache(maxsize=4096)
def _benchmark_numbers(index: int) -> tuple[dict[str, Any], ...]:
    return tuple(
        _number(
            str(BENCHMARK_PHONE_BASE + 10 * index + line),
            f"+1 555-{index % 1000:03d}-{line:04d}",
            f"Benchmark {index}",
            "GREEN",
        )
        for line in range(3)
    )
