"""The fake Graph's recipients that make a send fail: what Graph answers, what wa-token says."""

from __future__ import annotations

from dataclasses import dataclass

from tests.conftest import Cli, Run
from wizard.testing.fake_graph import (
    LOCKED_RECIPIENT,
    NOT_ALLOWED_RECIPIENT,
    NOT_REGISTERED_RECIPIENT,
    TEMPLATE_MISSING_RECIPIENT,
)

PHONE = "106540352242922"
"""The phone number id of WABA A's first number in the fake Graph."""
RECIPIENT = "+15551234567"
"""A recipient every Graph in the tests accepts."""


def send_test(cli: Cli, token: str, phone_number_id: str | None = None) -> Run:
    """`wa-token send-test --to RECIPIENT --yes`, the token (and the number's id) in the environment."""
    env = {"WHATSAPP_CLOUD_API_TOKEN": token}
    if phone_number_id is not None:
        env["WHATSAPP_PHONE_NUMBER_ID"] = phone_number_id
    return cli("send-test", "--to", RECIPIENT, "--yes", env=env)


@dataclass(frozen=True)
class FailingRecipient:
    """A recipient the fake refuses, Graph's status and code for it, and wa-token's finding."""

    number: str
    status: int
    code: int
    problem: str
    words: str
    """Words of the fix wa-token prints."""


FAILING_RECIPIENTS = (
    FailingRecipient(
        NOT_ALLOWED_RECIPIENT, 400, 131030, "recipient_not_allowed", "Manage phone number list"
    ),
    FailingRecipient(
        TEMPLATE_MISSING_RECIPIENT, 404, 132001, "template_missing", "Message templates"
    ),
    FailingRecipient(
        NOT_REGISTERED_RECIPIENT, 400, 133010, "number_not_registered", f"/{PHONE}/register"
    ),
    FailingRecipient(LOCKED_RECIPIENT, 403, 131031, "account_locked", "Business Support Home"),
)
"""graph-api.md §5 and §11 #10, as the fake plays them."""
