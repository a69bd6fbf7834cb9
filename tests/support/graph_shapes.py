"""Graph's answers for one working System User token (shapes as in graph-payloads.json): the
bodies the MockTransport handlers and the loopback test servers start from."""

from __future__ import annotations

from typing import Any

WABA, PHONE, BUSINESS = "102290129340398", "106540352242922", "506914307656634"
APP, SYSTEM_USER_ID = "634974688087057", "61570785020842"

DEBUG_DATA: dict[str, Any] = {
    "app_id": APP,
    "type": "SYSTEM_USER",
    "application": "Acme",
    "data_access_expires_at": 0,
    "expires_at": 0,
    "is_valid": True,
    "issued_at": 1780000000,
    "scopes": ["whatsapp_business_management", "whatsapp_business_messaging"],
    "granular_scopes": [
        {"scope": "whatsapp_business_management", "target_ids": [WABA]},
        {"scope": "whatsapp_business_messaging", "target_ids": [WABA]},
    ],
    "user_id": SYSTEM_USER_ID,
}
"""debug_token's `data` for a never-expiring System User token limited to WABA."""

ME: dict[str, Any] = {"id": SYSTEM_USER_ID, "name": "bot"}

ACCOUNT: dict[str, Any] = {
    "id": WABA,
    "name": "Acme",
    "currency": "USD",
    "timezone_id": "1",
    "account_review_status": "APPROVED",
}

NUMBER: dict[str, Any] = {
    "id": PHONE,
    "display_phone_number": "+1 555-010-4477",
    "verified_name": "Acme",
    "quality_rating": "GREEN",
    "code_verification_status": "VERIFIED",
    "platform_type": "CLOUD_API",
    "throughput": {"level": "STANDARD"},
    "name_status": "APPROVED",
    "status": "CONNECTED",
}
