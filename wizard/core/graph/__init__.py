"""A client for the few Graph API calls wa-token needs, returning frozen dataclasses."""

from __future__ import annotations

from typing import TYPE_CHECKING

from wizard.core.lazy import lazy_names

if TYPE_CHECKING:
    from wizard.core.graph.client import GraphClient
    from wizard.core.graph.constants import (
        ACCOUNT_FIELDS,
        ACCOUNT_WITH_NUMBERS_FIELDS,
        DEFAULT_GRAPH_URL,
        DEFAULT_TIMEOUT,
        GRAPH_VERSION,
        HELLO_WORLD,
        HELLO_WORLD_LANGUAGE,
        IDS_PER_REQUEST,
        MAX_ANSWER_BYTES,
        MAX_PAGES,
        PHONE_FIELDS,
        PHONE_PAGE_SIZE,
        TRANSIENT_CODES,
        WHATSAPP_SCOPES,
    )
    from wizard.core.graph.models import (
        AccountDiscovery,
        Business,
        BusinessAccount,
        DebugError,
        ExchangedToken,
        GranularScope,
        Me,
        NamedNode,
        PhoneNumber,
        SentMessage,
        TokenInfo,
    )
    from wizard.core.graph.parsing import (
        is_retryable,
        parse_phone_number,
        parse_response,
        parse_token_info,
        read_capped,
        regain_access_minutes,
    )
    from wizard.core.graph.redaction import RedactSecretsFilter, quiet_http_loggers, redact_url
    from wizard.core.graph.threads import gather_all, run_all

__all__ = [
    "ACCOUNT_FIELDS",
    "ACCOUNT_WITH_NUMBERS_FIELDS",
    "DEFAULT_GRAPH_URL",
    "DEFAULT_TIMEOUT",
    "GRAPH_VERSION",
    "HELLO_WORLD",
    "HELLO_WORLD_LANGUAGE",
    "IDS_PER_REQUEST",
    "MAX_ANSWER_BYTES",
    "MAX_PAGES",
    "PHONE_FIELDS",
    "PHONE_PAGE_SIZE",
    "TRANSIENT_CODES",
    "WHATSAPP_SCOPES",
    "AccountDiscovery",
    "Business",
    "BusinessAccount",
    "DebugError",
    "ExchangedToken",
    "GranularScope",
    "GraphClient",
    "Me",
    "NamedNode",
    "PhoneNumber",
    "RedactSecretsFilter",
    "SentMessage",
    "TokenInfo",
    "gather_all",
    "is_retryable",
    "parse_phone_number",
    "parse_response",
    "parse_token_info",
    "quiet_http_loggers",
    "read_capped",
    "redact_url",
    "regain_access_minutes",
    "run_all",
]

__getattr__ = lazy_names(
    __name__,
    ("constants", "redaction", "models", "threads", "parsing", "transport", "accounts", "client"),
    __all__,
)
