"""The fake Graph's `POST /{phone-number-id}/register`: Meta's answers to a two-step PIN.

Standard library only. Every number a demo token reaches is unregistered and takes the PIN
REGISTER_PIN (after which that token reads it as registered); any other six digits are Meta's 133005 (PIN mismatch). Like Meta, it counts
every attempt on a number: the eleventh since the server's request log was last cleared is
133016 (Meta: 10 per number in a moving 72-hour window). Two more PINs play Meta's other
refusals offline: NEEDS_VERIFICATION_PIN (133006) and TOO_MANY_GUESSES_PIN (133008); a number
the token does not reach is Graph's 100/33.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from wizard.testing import fake_graph as fg

if TYPE_CHECKING:
    from wizard.testing.fake_graph import Call, FakeGraphServer, Reply

REGISTER_PIN = "246810"
"""The two-step verification PIN of every number in the fake."""
NEEDS_VERIFICATION_PIN = "900006"
"""Answered with 133006: the number must be verified again first."""
TOO_MANY_GUESSES_PIN = "900008"
"""Answered with 133008: too many PIN guesses for this number."""
RECENTLY_DELETED_PIN = "900015"
"""Answered with 133015: the number was deleted moments ago (registration_refused)."""
MAX_ATTEMPTS = 10
"""Meta's limit of registration requests per number (in 72 hours)."""

_REFUSALS = {
    "mismatch": (
        133005,
        "Two step verification PIN Mismatch",
        "Two step verification PIN incorrect",
    ),
    "limit": (
        133016,
        "Account register deregister rate limit exceeded",
        (
            "Registration or deregistration failed because there were too many attempts for "
            "this phone number in a short period of time"
        ),
    ),
    NEEDS_VERIFICATION_PIN: (
        133006,
        "Phone number re-verification needed",
        "Phone number needs to be verified before registering.",
    ),
    TOO_MANY_GUESSES_PIN: (
        133008,
        "Too many two step verification PIN guesses for this phone number",
        "Too many PIN guesses. Try again later.",
    ),
    RECENTLY_DELETED_PIN: (
        133015,
        "Please wait a few minutes before attempting to register this phone number",
        (
            "The phone number you are attempting to register was recently deleted, and "
            "deletion has not yet completed."
        ),
    ),
}


def answer(server: FakeGraphServer, call: Call) -> Reply | None:
    """The reply to `POST /{id}/register`; None for every other call."""
    if call.method != "POST" or len(call.segments) != 2 or call.segments[1] != "register":
        return None
    phone_id = call.segments[0]
    scenario = server._caller(call, status=401)
    if server._phone(scenario, phone_id) is None:
        raise fg.no_such_object("POST", phone_id)
    if fg.MANAGEMENT not in scenario.scopes and fg.MESSAGING not in scenario.scopes:
        raise fg.permissions_error()
    body = _json_object(call.body) or call.params
    if body.get("messaging_product") != "whatsapp":
        raise fg.bad_parameter("The parameter messaging_product is required.")
    pin = str(body.get("pin") or "")
    if len(pin) != 6 or not pin.isdigit():
        raise fg.bad_parameter("Param pin must be 6 characters long.")
    if attempts(server, phone_id) > MAX_ATTEMPTS:
        raise _refusal("limit")
    if pin == REGISTER_PIN:
        server.mark_registered(call.token or "", phone_id)
        return fg.json_reply({"success": True})
    raise _refusal(pin if pin in _REFUSALS else "mismatch")


def attempts(server: FakeGraphServer, phone_id: str) -> int:
    """Registration requests for the number in the server's log (this one included)."""
    path = f"/{phone_id}/register"
    return sum(1 for r in list(server.requests) if r.method == "POST" and r.path.endswith(path))


def _refusal(kind: str) -> fg.GraphFailure:
    code, title, details = _REFUSALS[kind]
    error_data = {"messaging_product": "whatsapp", "details": details}
    return fg.fail(400, code, f"(#{code}) {title}", error_data=error_data)


def _json_object(body: bytes) -> dict[str, object]:
    try:
        value = json.loads(body or b"null")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
