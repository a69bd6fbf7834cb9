"""Why Graph would not send the test message: the send error table."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.codes import ProblemCode
from wizard.core.diagnose.findings import Finding, LocalFacts
from wizard.core.diagnose.meta_texts import (
    API_SETUP_URL,
    PHONE_NUMBERS_URL,
    SAVE_AND_RESTART,
    STEP_ASSIGN,
    STEP_GENERATE,
)
from wizard.core.diagnose.problems import _graph_detail, problem_for_error
from wizard.core.errors import GraphApiError, GraphError

# -- send-test and token exchange failures -------------------------------------------------------


@dataclass(frozen=True)
class FailureText:
    """A problem code with its title and fix; `{to}` and `{phone}` are filled in per send."""

    code: ProblemCode
    title: str
    fix: str


_MESSAGING_FIX = (
    "Generate a new token with whatsapp_business_messaging ticked, for a system user that has "
    f"the WhatsApp account assigned with Full control ({STEP_ASSIGN}; then {STEP_GENERATE}); "
    f"{SAVE_AND_RESTART}."
)
_NO_MESSAGING = FailureText(
    ProblemCode.MISSING_PERMISSION,
    "Graph refused to send: the token may not send messages.",
    _MESSAGING_FIX,
)

SEND_ERROR_PROBLEMS: dict[tuple[int, int | None], FailureText] = {
    (131030, None): FailureText(
        ProblemCode.RECIPIENT_NOT_ALLOWED,
        "+{to} is not an allowed recipient of this sending number.",
        "A test number sends only to the numbers listed for it (up to 5): App Dashboard → "
        f"WhatsApp → API Setup ({API_SETUP_URL}) → To → Manage phone number list → add +{{to}} "
        "and enter the code WhatsApp sends to it; then send the test message again.",
    ),
    (132001, None): FailureText(
        ProblemCode.TEMPLATE_MISSING,
        "The hello_world template (en_US) does not exist for this WhatsApp account.",
        "Every new WhatsApp app gets hello_world; if it was deleted or this is another account, "
        "check WhatsApp Manager → Message templates (https://business.facebook.com/wa/manage/"
        "message-templates/) for an approved template in en_US, or create hello_world again.",
    ),
    (133010, None): FailureText(
        ProblemCode.NUMBER_NOT_REGISTERED,
        "Phone number {phone} is not registered with the Cloud API.",
        "Register it: `wa-token register --phone-number-id {phone}` (it asks for your 6-digit "
        "two-step verification PIN and sends POST /{phone}/register), or finish its setup in "
        f"WhatsApp Manager ({PHONE_NUMBERS_URL}); then send the test message again.",
    ),
    (131031, None): FailureText(
        ProblemCode.ACCOUNT_LOCKED,
        "The WhatsApp Business Account is locked.",
        "Meta locked the account (a policy restriction, or a mismatch such as a wrong two-step "
        "pin). Check its status in WhatsApp Manager and Business Support Home "
        "(https://business.facebook.com/business-support-home); no token change fixes this.",
    ),
    (131047, None): FailureText(
        ProblemCode.REENGAGEMENT_REQUIRED,
        "More than 24 hours have passed since +{to} last wrote to this number.",
        "Send a template (hello_world is one) instead of free text.",
    ),
    (131026, None): FailureText(
        ProblemCode.MESSAGE_UNDELIVERABLE,
        "WhatsApp cannot deliver to +{to}.",
        "Check the number (country code, no leading 0) and that it uses WhatsApp.",
    ),
    (100, 33): FailureText(
        ProblemCode.NO_PHONE_NUMBER,
        "Phone number id {phone} does not exist or this token cannot send from it.",
        "Use a phone number id listed by `wa-token check`, or assign the WhatsApp account that "
        f"owns it to the system user ({STEP_ASSIGN}) and generate a new token.",
    ),
    (131005, None): _NO_MESSAGING,
    (10, None): _NO_MESSAGING,
    (200, None): _NO_MESSAGING,
}
"""WhatsApp send errors (graph-api.md §5) → problem; token, rate and server errors fall through
to GRAPH_ERROR_PROBLEMS."""


def send_problem(err: GraphError, local: LocalFacts, *, to: str, phone: str) -> Finding:
    """Why Graph would not send the test message, and the fix, through SEND_ERROR_PROBLEMS."""
    entry = _lookup(SEND_ERROR_PROBLEMS, err)
    if entry is None and isinstance(err, GraphApiError) and 200 <= err.code < 300:
        entry = _NO_MESSAGING
    if entry is None or not isinstance(err, GraphApiError):
        return problem_for_error(err, local)
    return Finding(
        entry.code,
        entry.title.format(to=to, phone=phone),
        entry.fix.format(to=to, phone=phone),
        _graph_detail(err),
    )


def _lookup(
    table: dict[tuple[int, int | None], FailureText], err: GraphError
) -> FailureText | None:
    if not isinstance(err, GraphApiError):
        return None
    return table.get((err.code, err.subcode)) or table.get((err.code, None))
