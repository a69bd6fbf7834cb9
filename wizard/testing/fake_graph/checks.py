"""Helpers the fake Graph's endpoints share: edge pages, recipient and template checks, quirks."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from wizard.testing.fake_graph.calls import _encode_cursor
from wizard.testing.fake_graph.data import (
    LOCKED_RECIPIENT,
    NOT_ALLOWED_RECIPIENT,
    NOT_REGISTERED_RECIPIENT,
    REENGAGEMENT_RECIPIENT,
    TEMPLATE_MISSING_RECIPIENT,
    UNDELIVERABLE_RECIPIENT,
)
from wizard.testing.fake_graph.replies import Reply, bad_parameter, fail, permissions_error
from wizard.testing.fake_graph.scenarios import PHONE_STATES, Scenario


def _edge_page(
    rows: Sequence[dict[str, Any]],
    offset: int,
    size: int,
    loop: bool,
    next_url: Callable[[int], str],
) -> dict[str, Any]:
    """Rows `offset` to `offset + size` as an edge page; paging.next while more remain."""
    if not rows:
        return {"data": []}
    chunk = list(rows[offset : offset + size])
    cursors = {"before": _encode_cursor(offset), "after": _encode_cursor(offset + size)}
    body: dict[str, Any] = {"data": chunk, "paging": {"cursors": cursors}}
    if loop or offset + size < len(rows):
        body["paging"]["next"] = next_url(offset if loop else offset + size)
    return body


FOREIGN_HOST = "http://graph.attacker.invalid"
"""Where `foreign_next` points paging.next: a client must never follow it with the token."""


def _reshape_error(reply: Reply, quirks: frozenset[str]) -> Reply:
    """Drop what real Graph often leaves out of an error envelope (no_subcode, bare_errors)."""
    drop = ({"error_subcode"} if "no_subcode" in quirks else set()) | (
        {"type", "fbtrace_id"} if "bare_errors" in quirks else set()
    )
    if not drop:
        return reply
    body = json.loads(reply.body)
    body["error"] = {k: v for k, v in body["error"].items() if k not in drop}
    return replace(reply, body=json.dumps(body).encode())


def _check_account_read(scenario: Scenario) -> None:
    """Code 10 or 200 on reading a WABA or its numbers, as real Graph answers."""
    if "account_read_10" in scenario.quirks:
        raise fail(403, 10, "(#10) Application does not have permission for this action")
    if "account_read_200" in scenario.quirks:
        raise permissions_error()


def _broken_numbers(numbers: tuple[dict[str, Any], ...], state: str) -> tuple[dict[str, Any], ...]:
    """WABA A's numbers with the first one broken as PHONE_STATES says (or all disconnected)."""
    if state == "none_can_send":
        return tuple({**n, "status": "DISCONNECTED"} for n in numbers)
    first, *rest = numbers
    return ({**first, **PHONE_STATES[state]}, *rest)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        message = json.loads(body or b"null")
    except ValueError:
        message = None
    if not isinstance(message, dict):
        raise bad_parameter("Invalid parameter")
    return message


def _check_recipient_and_template(recipient: str, message: dict[str, Any]) -> None:
    """The send-test errors of §5, chosen by the recipient (or an unknown template name)."""
    number = recipient.lstrip("+")
    if number == NOT_ALLOWED_RECIPIENT:
        details = (
            "Recipient phone number not in allowed list: Add recipient phone number to "
            "recipient list and try again."
        )
        raise fail(
            400,
            131030,
            "(#131030) Recipient phone number not in allowed list",
            subcode=2655007,
            error_data=_whatsapp_details(details),
        )
    if number == NOT_REGISTERED_RECIPIENT:
        raise fail(
            400,
            133010,
            "(#133010) Account not registered",
            error_data=_whatsapp_details("Account not registered"),
        )
    if number == LOCKED_RECIPIENT:
        raise fail(
            403,
            131031,
            "(#131031) Business Account locked",
            error_data=_whatsapp_details("Business Account locked"),
        )
    if number in _MORE_REFUSALS:
        refusal, title = _MORE_REFUSALS[number]
        raise fail(400, refusal, f"(#{refusal}) {title}", error_data=_whatsapp_details(title))
    template = message.get("template")
    if message.get("type") != "template" or not isinstance(template, dict):
        return
    language = template.get("language")
    code = language.get("code", "en_US") if isinstance(language, dict) else "en_US"
    if template.get("name") != "hello_world" or number == TEMPLATE_MISSING_RECIPIENT:
        details = f"template name ({template.get('name')}) does not exist in {code}"
        raise fail(
            404,
            132001,
            "(#132001) Template name does not exist in the translation",
            error_data=_whatsapp_details(details),
        )


def _whatsapp_details(details: str) -> dict[str, str]:
    return {"messaging_product": "whatsapp", "details": details}


_MORE_REFUSALS = {
    REENGAGEMENT_RECIPIENT: (131047, "Re-engagement message"),
    UNDELIVERABLE_RECIPIENT: (131026, "Message undeliverable"),
}
"""More send refusals, by recipient ([Unverified] HTTP status 400 for both)."""
