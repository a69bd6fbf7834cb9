"""send-test: prove a token can send by sending the hello_world template to one number."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from wizard.core.codes import ExitCode
from wizard.core.diagnose import Finding, LocalFacts, send_problem
from wizard.core.errors import GraphError, SettingsError
from wizard.core.exits import exit_code_for
from wizard.core.graph import (
    HELLO_WORLD,
    HELLO_WORLD_LANGUAGE,
    BusinessAccount,
    GraphClient,
    PhoneNumber,
    SentMessage,
)
from wizard.core.settings import Settings
from wizard.core.stores.sources import FoundToken

_SEPARATORS = re.compile(r"[\s().\-/]")
_E164_DIGITS = re.compile(r"[1-9]\d{6,14}")
_PHONE_ID = re.compile(r"\d{1,32}")


@dataclass(frozen=True)
class SenderChoice:
    """The number to send from, or the numbers to choose among when that is not clear."""

    phone: PhoneNumber | None
    candidates: tuple[PhoneNumber, ...] = ()


@dataclass(frozen=True)
class SendOutcome:
    """What happened to the test message: accepted by Graph, or why not with the fix."""

    sent: SentMessage | None = None
    problem: Finding | None = None

    @property
    def exit_code(self) -> ExitCode:
        """0 when accepted; else the contract's code for the problem (1, or 4 for Graph's side)."""
        return exit_code_for([self.problem.code] if self.problem else [])


def recipient_digits(text: str) -> str:
    """`+1 (555) 010-4477` → `15550104477`: international format, country code first.

    The `+` (or the international call prefix `00`) is required: without it a national number
    would be read as starting with a country code (5551234567 is not the US, it is +55, Brazil).
    """
    raw = _SEPARATORS.sub("", text.strip())
    if _E164_DIGITS.fullmatch(raw):
        raise SettingsError(
            "--to needs the country code, written with a + in front: without it "
            f"{'the number' if len(raw) > 15 else raw} would be read as starting with one (a "
            "national number like 5551234567 would go to +55, Brazil).",
            fix="Write the recipient as +COUNTRYCODE NUMBER, e.g. --to +15551234567 for a US "
            "number, or --to +4915112345678.",
        )
    digits = raw.removeprefix("+") if raw.startswith("+") else _international(raw)
    if not _E164_DIGITS.fullmatch(digits):
        raise SettingsError(
            "--to must be a phone number in international format, such as +15551234567 "
            "(country code first, 7 to 15 digits, no leading 0).",
            fix="Write the recipient as +COUNTRYCODE NUMBER, e.g. --to +4915112345678.",
        )
    return digits


def _international(raw: str) -> str:
    """`0049…` (the international call prefix) → `49…`; anything else as it is (then refused)."""
    return raw.removeprefix("00")


def check_phone_number_id(text: str) -> str:
    """A phone number id is the digits Graph shows (not the phone number itself)."""
    value = text.strip()
    if not _PHONE_ID.fullmatch(value):
        raise SettingsError(
            "--phone-number-id must be the numeric id of the sending number, e.g. "
            "106540352242922 (not the phone number).",
            fix="Run `wa-token check` to list the ids of the numbers your token reaches.",
        )
    return value


def choose_sender(accounts: tuple[BusinessAccount, ...], wanted: str | None) -> SenderChoice:
    """The wanted number (known or not: Graph decides), the only number, or the choices."""
    numbers = tuple(n for a in accounts for n in a.phone_numbers)
    if wanted:
        known = next((n for n in numbers if n.id == wanted), None)
        return SenderChoice(known or PhoneNumber(id=wanted))
    if len(numbers) == 1:
        return SenderChoice(numbers[0])
    return SenderChoice(None, numbers)


TEST_NUMBER_NAME = "test number"
"""The verified name Meta gives the free test number of a new app ("Test Number")."""


def is_test_number(phone: PhoneNumber) -> bool:
    """Meta's test number: named "Test Number" and never verified (it sends to 5 allowed numbers)."""
    return (phone.verified_name or "").strip().lower() == TEST_NUMBER_NAME


def default_sender(numbers: tuple[PhoneNumber, ...]) -> PhoneNumber | None:
    """The sender to offer first: the test number when there is one (it costs nothing)."""
    return next((n for n in numbers if is_test_number(n)), numbers[0] if numbers else None)


def describe_sender(phone: PhoneNumber) -> str:
    """`+1 555-010-4477 (Acme Support, id 106…)`, or just the id when nothing else is known."""
    if not phone.display_phone_number:
        return f"phone number id {phone.id}"
    name = f"{phone.verified_name}, " if phone.verified_name else ""
    return f"{phone.display_phone_number} ({name}id {phone.id})"


def send_hello_world(
    settings: Settings,
    found: FoundToken,
    phone_number_id: str,
    to: str,
    *,
    transport: httpx.BaseTransport | None = None,
) -> SendOutcome:
    """Send hello_world (en_US) once; a refusal becomes a finding through the one send table."""
    with GraphClient(
        settings.graph_url, settings.graph_version, transport=transport, timeout=settings.timeout
    ) as client:
        try:
            sent = client.send_template(
                found.token,
                phone_number_id,
                to,
                template=HELLO_WORLD,
                language=HELLO_WORLD_LANGUAGE,
            )
        except GraphError as err:
            local = LocalFacts(
                now=datetime.now(UTC),
                source=found.source,
                location=found.location,
                profile=settings.profile,
            )
            return SendOutcome(problem=send_problem(err, local, to=to, phone=phone_number_id))
    return SendOutcome(sent=sent)
