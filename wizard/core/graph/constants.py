"""Graph API constants: the host, version, limits, fields and the codes worth retrying."""

from __future__ import annotations

import re

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
"""Meta's Graph API; tests and demos point `--graph-url` at the fake server instead."""

GRAPH_VERSION = "v27.0"
"""(Released 2026-11-04; wizard/core/versions.py keeps every version's end of availability.)"""
"""The Graph API version wa-token speaks unless `--graph-version` says otherwise."""

DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for each Graph answer."""

WHATSAPP_SCOPES = ("whatsapp_business_management", "whatsapp_business_messaging")
"""The two permissions a WhatsApp Cloud API token needs."""

MAX_PAGES = 50
"""Stop following `paging.next` after this many pages (a loop or a runaway listing)."""

MAX_ANSWER_BYTES = 4 * 1024 * 1024
"""The largest answer read (4 MiB); Graph's answers are a few kB, an endless one is cut here."""

TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 613, 80007, 80008, 130429, 131000})
"""Graph error codes that retrying may fix (see graph-api.md §8)."""

PHONE_FIELDS = (
    "id,display_phone_number,verified_name,quality_rating,code_verification_status,"
    "platform_type,throughput,name_status,status"
)
ACCOUNT_FIELDS = "id,name,currency,timezone_id,message_template_namespace,account_review_status"

IDS_PER_REQUEST = 50
"""Graph's limit of ids in one multiple-id lookup (`GET /?ids=A,B,…`)."""
PHONE_PAGE_SIZE = 100
"""Phone numbers asked for per account in the nested edge; more follow through paging.next."""
ACCOUNT_WITH_NUMBERS_FIELDS = (
    f"{ACCOUNT_FIELDS},phone_numbers.limit({PHONE_PAGE_SIZE}){{{PHONE_FIELDS}}}"
)
"""An account's details and its numbers in one read (field expansion of the phone_numbers edge)."""

# -- ready to send and receive (issue 19); keep every field an account read asks for here --------
HEALTH_FIELD = "health_status"
"""Meta's messaging health verdict, a field of WABAs and phone numbers."""
WEBHOOK_CONFIGURATION_FIELD = "webhook_configuration"
"""A phone number's callback URLs at each level (number, WABA override, app)."""
SUBSCRIBED_APPS_FIELD = "subscribed_apps{whatsapp_business_api_data,override_callback_uri}"
"""The WABA's subscribed_apps edge, expanded in the same read [Unverified: expandable]."""
NO_APPS: dict[str, list[object]] = {"data": []}
"""An expanded edge Graph left out: it asked for subscribed_apps, so none are subscribed."""
MESSAGING_LIMIT_FIELDS = {
    (24, 0): "whatsapp_business_manager_messaging_limit",
    (0, 0): "messaging_limit_tier",
}
"""The phone number's messaging-limit field from each Graph version on (newest first)."""


def messaging_limit_field(version: str) -> str:
    """The messaging-limit field Graph `version` answers (v24.0 replaced messaging_limit_tier)."""
    match = re.fullmatch(r"v(\d+)\.(\d+)", version)
    number = (int(match[1]), int(match[2])) if match else (999, 0)
    return next(name for since, name in MESSAGING_LIMIT_FIELDS.items() if number >= since)


def account_with_numbers_fields(version: str) -> str:
    """ACCOUNT_WITH_NUMBERS_FIELDS plus what tells whether the account can send and receive:
    health, subscribed apps, each number's health, callbacks and messaging limit."""
    phone = (
        f"{PHONE_FIELDS},{HEALTH_FIELD},{WEBHOOK_CONFIGURATION_FIELD},"
        f"{messaging_limit_field(version)}"
    )
    return (
        f"{ACCOUNT_FIELDS},{HEALTH_FIELD},{SUBSCRIBED_APPS_FIELD},"
        f"phone_numbers.limit({PHONE_PAGE_SIZE}){{{phone}}}"
    )


HELLO_WORLD = "hello_world"
"""The template every new WhatsApp app has, used to prove a token can send."""

HELLO_WORLD_LANGUAGE = "en_US"
"""hello_world's language."""

_SAFE_PATH = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")
"""A relative Graph path such as `me/permissions` or `123/phone_numbers`: no `:`, `//` or `..`."""
_SECRET_PARAMS = re.compile(
    r"((?:input_token|access_token|client_secret|fb_exchange_token|hub\.verify_token)=)[^&\s\"']*"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
COMPUTED_CHAIN = "computed from the account's and the app's settings"
"""How both doors say a callback chain was computed (Graph left webhook_configuration out)."""
