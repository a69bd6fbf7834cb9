"""register: a phone number registered for the Cloud API with its two-step verification PIN."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from wizard.core.codes import ExitCode, ProblemCode
from wizard.core.diagnose.findings import Finding, LocalFacts
from wizard.core.diagnose.meta_texts import PHONE_NUMBERS_URL
from wizard.core.diagnose.problems import _graph_detail, problem_for_error
from wizard.core.diagnose.send import FailureText, _lookup
from wizard.core.errors import GraphApiError, GraphError, SettingsError
from wizard.core.exits import exit_code_for
from wizard.core.graph.parsing import _never_retry, _unexpected
from wizard.core.graph.transport import GraphTransport
from wizard.core.settings import Settings
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken
from wizard.core.untrusted import require_graph_id

PIN_LENGTH = 6
"""Meta's two-step verification PIN: exactly six digits."""
MAX_ATTEMPTS = 10
"""Meta allows this many registration requests per number ..."""
ATTEMPT_WINDOW_HOURS = 72
"""... in a moving window of this many hours (then 133016 for the next 72 hours)."""

ATTEMPTS_NOTE = (
    f"Meta allows {MAX_ATTEMPTS} registration attempts per number in {ATTEMPT_WINDOW_HOURS} "
    "hours, and a wrong PIN counts as one: wa-token sends this PIN once and never retries it."
)
TWO_STEP_URL = PHONE_NUMBERS_URL
RESET_PIN = (
    "Check the PIN, or set a new one: WhatsApp Manager → Account tools → Phone numbers → the "
    f"number → Two-step verification → Change PIN ({TWO_STEP_URL}); then run `wa-token "
    "register` again with the new PIN."
)

_PIN = re.compile(r"[0-9]{6}")


class Pin:
    """The two-step verification PIN: never shown, not even in part; `reveal()` sends it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The six digits, for the one request that sends them."""
        return self._value

    def __repr__(self) -> str:
        return "Pin('••••••')"

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a PIN cannot be pickled")


def read_pin(text: str) -> Pin:
    """Six digits, with the line break a pipe or a prompt adds; anything else is a usage error
    (exit 2) raised before anything is sent, and the message never repeats what was typed."""
    value = text.strip(" \t\r\n")
    if _PIN.fullmatch(value):
        return Pin(value)
    why = "it is empty" if not value else "it is not exactly 6 digits (0-9)"
    raise SettingsError(
        f"The two-step verification PIN must be 6 digits, and {why}. Nothing was sent to Meta.",
        fix="Pipe only the six digits (`printf '%s' \"$PIN\" | wa-token register "
        "--phone-number-id ID`), or type them at the hidden prompt. " + RESET_PIN,
    )


_WAIT = "Wait before trying again: every attempt counts towards Meta's limit."

REGISTER_ERROR_PROBLEMS: dict[tuple[int, int | None], FailureText] = {
    (133005, None): FailureText(
        ProblemCode.PIN_MISMATCH,
        "Meta refused the PIN for number {phone}: it is not this number's two-step "
        "verification PIN.",
        RESET_PIN,
    ),
    (133016, None): FailureText(
        ProblemCode.REGISTRATION_LIMIT,
        f"Number {{phone}} has had {MAX_ATTEMPTS} registration attempts in "
        f"{ATTEMPT_WINDOW_HOURS} hours: Meta blocks registering it for the next "
        f"{ATTEMPT_WINDOW_HOURS} hours.",
        f"Wait {ATTEMPT_WINDOW_HOURS} hours without any attempt (each one extends the block), "
        "then register once with the right PIN.",
    ),
    **{
        (code, None): FailureText(
            ProblemCode.TOO_MANY_PIN_GUESSES,
            "Meta stopped taking PINs for number {phone}: too many, or too fast, wrong guesses.",
            _WAIT + " Meta's answer says for how long. " + RESET_PIN,
        )
        for code in (133007, 133008, 133009)
    },
    (133006, None): FailureText(
        ProblemCode.NUMBER_NEEDS_VERIFICATION,
        "Number {phone} must be verified again before it can be registered.",
        f"Verify it in WhatsApp Manager ({PHONE_NUMBERS_URL}), or `POST /{{phone}}/request_code` "
        "then `POST /{phone}/verify_code`; then run `wa-token register` again.",
    ),
    (133015, None): FailureText(
        ProblemCode.REGISTRATION_REFUSED,
        "Number {phone} was deleted or deregistered moments ago.",
        "Wait a few minutes, then run `wa-token register` once more.",
    ),
    (100, 33): FailureText(
        ProblemCode.NUMBER_NOT_OWNED,
        "This token cannot register phone number id {phone}: the id does not exist, or the "
        "number belongs to a WhatsApp Business Account the token does not reach.",
        "Run `wa-token check` to list the numbers this token reaches and use one of those ids; "
        "a number owned by another business is registered with that business's token.",
    ),
}
"""Meta's registration errors → problem; token, permission, rate and server errors fall
through to the one Graph error table (problem_for_error)."""


@dataclass(frozen=True)
class RegistrationOutcome:
    """Registered, or the problem Meta's answer stands for, with its fix."""

    phone_number_id: str
    problem: Finding | None = None

    @property
    def exit_code(self) -> ExitCode:
        """0 registered; 1 a refusal to fix; 4 Graph's side (unreachable, 5xx, rate limited)."""
        return exit_code_for([self.problem.code] if self.problem else [])


class RegistrationClient(GraphTransport):
    """The one Graph call of `register`."""

    def register(self, token: SecretToken, phone_number_id: str, pin: Pin) -> None:
        """`POST /{phone-number-id}/register` once: a PIN is never retried (a retry after a lost
        answer would spend one of Meta's ten attempts, or guess twice)."""
        phone_number_id = require_graph_id(phone_number_id, "phone number id")
        body = self._call(
            "POST",
            f"{phone_number_id}/register",
            token,
            json_body={"messaging_product": "whatsapp", "pin": pin.reveal()},
            retryable=_never_retry,
        )
        if body.get("success") is not True:
            raise _unexpected("register", 200)


def register_number(
    settings: Settings,
    found: FoundToken,
    phone_number_id: str,
    pin: Pin,
    *,
    transport: httpx.BaseTransport | None = None,
) -> RegistrationOutcome:
    """Register the number with the PIN, once; a refusal becomes a finding with the fix."""
    with RegistrationClient(
        settings.graph_url,
        settings.graph_version,
        transport=transport,
        timeout=settings.timeout,
        retries=0,
    ) as client:
        try:
            client.register(found.token, phone_number_id, pin)
        except GraphError as err:
            local = LocalFacts(
                now=datetime.now(UTC),
                source=found.source,
                location=found.location,
                profile=settings.profile,
            )
            problem = registration_problem(err, local, phone_number_id)
            return RegistrationOutcome(phone_number_id, _without_pin(problem, pin))
    return RegistrationOutcome(phone_number_id)


def registration_problem(err: GraphError, local: LocalFacts, phone: str) -> Finding:
    """Why Meta would not register the number, and the fix (REGISTER_ERROR_PROBLEMS first)."""
    entry = _lookup(REGISTER_ERROR_PROBLEMS, err)
    if isinstance(err, GraphApiError) and entry is not None:
        return Finding(
            entry.code, entry.title.format(phone=phone), entry.fix.format(phone=phone), _detail(err)
        )
    if isinstance(err, GraphApiError) and 133000 <= err.code < 134000:
        return Finding(
            ProblemCode.REGISTRATION_REFUSED,
            f"Meta refused to register number {phone}.",
            "Read Meta's words below; " + RESET_PIN,
            _detail(err),
        )
    problem = problem_for_error(err, local)
    if problem.code in (ProblemCode.GRAPH_UNREACHABLE, ProblemCode.GRAPH_ERROR):
        return problem._replace(fix=f"{problem.fix} {UNKNOWN_OUTCOME}")  # the PIN may have arrived
    return problem


UNKNOWN_OUTCOME = (
    "Meta may have received the PIN before the answer was lost, so this attempt may count: "
    "run `wa-token check` to see whether the number is registered before trying again."
)


MAX_DETAIL = 600
"""Meta's words are shown up to this many characters (its real messages are one line)."""


def _detail(err: GraphApiError) -> str:
    """What Graph said, cut to MAX_DETAIL characters (a hostile answer can be 100 kB)."""
    detail = _graph_detail(err)
    return detail if len(detail) <= MAX_DETAIL else detail[: MAX_DETAIL - 1] + "…"


def _without_pin(problem: Finding, pin: Pin) -> Finding:
    """The finding with any echo of the PIN (Meta's words, a proxy's) replaced by its mask."""
    digits = pin.reveal()
    parts = (problem.title, problem.fix, problem.detail or "")
    if not any(digits in part for part in parts):
        return problem
    title, fix, detail = (part.replace(digits, "••••••") for part in parts)
    return problem._replace(title=title, fix=fix, detail=detail or None)


def check_usable_id(value: str | None, variable: str) -> str:
    """The phone number id to register: --phone-number-id, else the configured one."""
    if value:
        return value
    raise SettingsError(
        "Which number? Give its id with --phone-number-id ID.",
        fix=f"`wa-token check` lists the ids of the numbers your token reaches (or set {variable}).",
    )
