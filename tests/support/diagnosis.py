"""A working token's findings at a fixed moment, for the diagnosis table tests to vary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wizard.core.diagnose import GraphFindings, LocalFacts
from wizard.core.graph import BusinessAccount, GranularScope, PhoneNumber, TokenInfo

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
BOTH = ("whatsapp_business_management", "whatsapp_business_messaging")
"""The two WhatsApp permissions a token needs."""
INFO = TokenInfo(
    is_valid=True,
    type="SYSTEM_USER",
    app_id="634974688087057",
    application="Acme",
    user_id="61570785020842",
    expires_at=None,
    issued_at=NOW - timedelta(days=10),
    data_access_expires_at=None,
    scopes=BOTH,
    granular_scopes=tuple(GranularScope(s, ("1",)) for s in BOTH),
)
"""debug_token of a never-expiring System User token granted on WhatsApp account 1."""
ACCOUNT = BusinessAccount("1", "Acme", phone_numbers=(PhoneNumber("11", "+1 555"),))
GOOD = GraphFindings(token_info=INFO, accounts=(ACCOUNT,))
"""Everything Graph says about a token that works."""
LOCAL = LocalFacts(now=NOW, source="dotenv", location=".env")
"""A token found in ./.env, with nothing wrong around it."""
ROTATION_STEPS = (
    "1) ",
    "Generate New Token",
    "2) ",
    "wa-token save",
    "3) ",
    "wa-token send-test",
    "4) ",
    "Revoke tokens",
)
"""What the rotation_due warning's fix must list, in words that each step holds."""
