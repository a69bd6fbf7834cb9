"""Tables that cannot drift (issue 25): every problem and warning code has its README row, a fake
Graph scenario that produces it (or a justified exemption), and exactly one fix entry."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wizard.core import lifecycle, messaging, registration
from wizard.core.check import check_found_token
from wizard.core.codes import ProblemCode, WarningCode
from wizard.core.diagnose import Finding
from wizard.core.fixes import FIXES, FixKind, fix_for
from wizard.core.settings import Settings
from wizard.core.stores.sources import FoundToken
from wizard.core.token import SecretToken
from wizard.testing.fake_graph import FakeGraphServer
from wizard.testing.fake_graph.data import (
    APP_ID,
    APP_SECRET,
    LOCKED_RECIPIENT,
    NOT_ALLOWED_RECIPIENT,
    NOT_REGISTERED_RECIPIENT,
    REENGAGEMENT_RECIPIENT,
    TEMPLATE_MISSING_RECIPIENT,
    UNDELIVERABLE_RECIPIENT,
)
from wizard.testing.fake_graph.scenarios import TOKENS
from wizard.testing.fake_register import (
    NEEDS_VERIFICATION_PIN,
    RECENTLY_DELETED_PIN,
    REGISTER_PIN,
    TOO_MANY_GUESSES_PIN,
)

README = Path(__file__).resolve().parents[1] / "README.md"
CODES: tuple[ProblemCode | WarningCode, ...] = (*ProblemCode, *WarningCode)
WEBHOOK_TEST_CODES = {
    ProblemCode.WEBHOOK_VERIFICATION_FAILED,
    ProblemCode.WEBHOOK_NOTIFICATION_REFUSED,
    ProblemCode.WEBHOOK_UNREACHABLE,
    WarningCode.WEBHOOK_ACCEPTS_WRONG_VERIFY_TOKEN,
    WarningCode.WEBHOOK_ACCEPTS_BAD_SIGNATURE,
}
"""webhook-test's codes are named in its step table's last column, not its first."""

NOT_FROM_GRAPH: dict[ProblemCode | WarningCode, str] = {
    ProblemCode.TOKEN_MISSING: "no token in any local source: nothing is sent to Graph",
    ProblemCode.TOKEN_MALFORMED: "the local shape check refuses the text before it is sent",
    ProblemCode.SETTING_INVALID: "a profile's setting is not digits: refused before any request",
    ProblemCode.STORE_UNREADABLE: "a local store (keyring, .env) could not be read",
    ProblemCode.WEBHOOK_VERIFICATION_FAILED: "the user's webhook endpoint (fake_webhook), not Graph",
    ProblemCode.WEBHOOK_NOTIFICATION_REFUSED: "the user's webhook endpoint, not Graph",
    ProblemCode.WEBHOOK_UNREACHABLE: "the user's webhook endpoint, not Graph",
    WarningCode.WEBHOOK_ACCEPTS_WRONG_VERIFY_TOKEN: "the user's webhook endpoint, not Graph",
    WarningCode.WEBHOOK_ACCEPTS_BAD_SIGNATURE: "the user's webhook endpoint, not Graph",
    WarningCode.SHADOWED: "two local sources hold different tokens",
    WarningCode.ENV_TRACKED_BY_GIT: "git's index on this machine",
    WarningCode.ENV_NOT_GITIGNORED: "git's ignore rules on this machine",
    WarningCode.ENV_WORLD_READABLE: "the .env file's mode on this machine",
    WarningCode.PLAINTEXT_STORAGE: "a .env token while this machine's keyring works",
    WarningCode.GRAPH_VERSION_ENDING: "the configured version against wa-token's own date table",
}
"""Codes that only a local condition or a non-Graph endpoint produces (tested where they live)."""


# -- exactly one fix entry -------------------------------------------------------------------------


@pytest.mark.parametrize("code", CODES)
def test_every_code_has_exactly_one_fix_entry(code: ProblemCode | WarningCode) -> None:
    assert Counter(entry.code for entry in FIXES)[code] == 1
    assert fix_for(code).summary


def test_fix_entries_that_run_a_command_name_it_and_only_local_ones_have_a_button() -> None:
    for entry in FIXES:
        if entry.kind in (FixKind.LOCAL, FixKind.GRAPH, FixKind.COMMAND):
            assert entry.command, entry.code
        assert (entry.button is not None) == (entry.kind == FixKind.LOCAL), entry.code


# -- the README row --------------------------------------------------------------------------------


def readme_rows() -> list[list[str]]:
    """Every table row of README.md, split into cells (an escaped `\\|` stays in its cell)."""
    rows = []
    for line in README.read_text().splitlines():
        if line.startswith("|") and not re.fullmatch(r"[|\s:-]+", line):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


@pytest.mark.parametrize("code", CODES)
def test_every_code_has_its_readme_row(code: ProblemCode | WarningCode) -> None:
    """A problem/warning table names the code in a row's first cell (webhook-test: any cell)."""
    named = f"`{code}`"
    cells = [row if code in WEBHOOK_TEST_CODES else row[:1] for row in readme_rows()]
    assert any(named in cell for row in cells for cell in row), f"README has no row for {code}"


# -- a fake Graph scenario -------------------------------------------------------------------------

NOW = datetime.now(UTC)


def settings(server: FakeGraphServer, **extra: object) -> Settings:
    return Settings(graph_url=server.url, timeout=2.0, **extra)  # type: ignore[arg-type]


def found(scenario: str) -> FoundToken:
    return FoundToken("stdin", "standard input", SecretToken(TOKENS[scenario]))


def checked(scenario: str, **extra: object) -> Callable[[FakeGraphServer], list[Finding]]:
    def run(server: FakeGraphServer) -> list[Finding]:
        report = check_found_token(found(scenario), settings(server, **extra), {})
        return [*report.diagnosis.problems, *report.diagnosis.warnings]

    return run


def with_app(scenario: str, subscriptions: list[dict[str, object]]) -> Callable[..., list[Finding]]:
    def run(server: FakeGraphServer) -> list[Finding]:
        server.app_subscriptions[:] = subscriptions
        secret = SecretToken(APP_SECRET)
        return checked(scenario, app_id=APP_ID, app_secret=secret)(server)

    return run


def sent(to: str) -> Callable[[FakeGraphServer], list[Finding]]:
    def run(server: FakeGraphServer) -> list[Finding]:
        number = "106540352242922"
        outcome = messaging.send_hello_world(settings(server), found("valid"), number, to)
        return [outcome.problem] if outcome.problem else []

    return run


def registered(
    pin: str, *, number: str = "106540352242922", tries: int = 1
) -> Callable[..., list[Finding]]:
    def run(server: FakeGraphServer) -> list[Finding]:
        problems = []
        for _ in range(tries):
            outcome = registration.register_number(
                settings(server), found("valid"), number, registration.read_pin(pin)
            )
            problems += [outcome.problem] if outcome.problem else []
        return problems

    return run


def exchanged(scenario: str, secret: str = APP_SECRET) -> Callable[..., list[Finding]]:
    def run(server: FakeGraphServer) -> list[Finding]:
        token = found(scenario)
        local = lifecycle.local_for(settings(server), token, NOW)
        info = lifecycle.inspect_current(settings(server), token, local)
        if isinstance(info, Finding):
            return [info]
        plan = lifecycle.plan_extend(info, NOW, local)
        if plan.problem is not None:
            return [plan.problem]
        renewal = lifecycle.renew(
            settings(server),
            FoundToken("dotenv", "/nonexistent/.env", token.token),
            app_id=APP_ID,
            app_secret=SecretToken(secret),
        )
        return [renewal.problem] if renewal.problem else []

    return run


NO_MESSAGES_FIELD = [
    {
        "object": "whatsapp_business_account",
        "callback_url": "https://a.example/h",
        "active": True,
        "fields": [{"name": "statuses", "version": "v27.0"}],
    }
]

PRODUCERS: dict[ProblemCode | WarningCode, Callable[[FakeGraphServer], list[Finding]]] = {
    ProblemCode.TOKEN_INVALID: checked("malformed"),
    ProblemCode.TOKEN_EXPIRED: checked("expired"),
    ProblemCode.TOKEN_REVOKED: checked("revoked"),
    ProblemCode.WRONG_TOKEN_TYPE: checked("page"),
    ProblemCode.MISSING_PERMISSION: checked("missing_messaging"),
    ProblemCode.NO_WHATSAPP_ACCOUNT: checked("no_account"),
    ProblemCode.ACCOUNTS_NOT_LISTABLE: checked("no_business_management"),
    ProblemCode.NO_PHONE_NUMBER: checked("no_phone"),
    ProblemCode.NO_SENDING_NUMBER: checked("phone_none_can_send"),
    ProblemCode.WRONG_APP: checked(
        "viewing_app_mismatch", app_id=APP_ID, app_secret=SecretToken(APP_SECRET)
    ),
    ProblemCode.APP_TOKEN_REQUIRED: checked("app_token_required"),
    ProblemCode.WRONG_APP_SECRET: exchanged("temporary", secret="not0the0app0secret0at0all00000"),
    ProblemCode.GRAPH_UNREACHABLE: checked("drop"),
    ProblemCode.GRAPH_ERROR: checked("server_error"),
    ProblemCode.RATE_LIMITED: checked("rate_limited"),
    ProblemCode.RECIPIENT_NOT_ALLOWED: sent(NOT_ALLOWED_RECIPIENT),
    ProblemCode.TEMPLATE_MISSING: sent(TEMPLATE_MISSING_RECIPIENT),
    ProblemCode.NUMBER_NOT_REGISTERED: sent(NOT_REGISTERED_RECIPIENT),
    ProblemCode.ACCOUNT_LOCKED: sent(LOCKED_RECIPIENT),
    ProblemCode.REENGAGEMENT_REQUIRED: sent(REENGAGEMENT_RECIPIENT),
    ProblemCode.MESSAGE_UNDELIVERABLE: sent(UNDELIVERABLE_RECIPIENT),
    ProblemCode.EXCHANGE_REFUSED: exchanged("exchange_refused"),
    ProblemCode.CANNOT_EXCHANGE: exchanged("page"),
    ProblemCode.PIN_MISMATCH: registered("111111"),
    ProblemCode.REGISTRATION_LIMIT: registered(REGISTER_PIN, tries=11),
    ProblemCode.TOO_MANY_PIN_GUESSES: registered(TOO_MANY_GUESSES_PIN),
    ProblemCode.NUMBER_NEEDS_VERIFICATION: registered(NEEDS_VERIFICATION_PIN),
    ProblemCode.NUMBER_NOT_OWNED: registered(REGISTER_PIN, number="999000999000999"),
    ProblemCode.REGISTRATION_REFUSED: registered(RECENTLY_DELETED_PIN),
    WarningCode.TEMPORARY_TOKEN: checked("temporary"),
    WarningCode.EXPIRES_SOON: checked("system_user_expiring_soon"),
    WarningCode.NUMBER_NOT_CONNECTED: checked("phone_disconnected"),
    WarningCode.NUMBER_NOT_ON_CLOUD_API: checked("phone_on_premise"),
    WarningCode.NUMBER_VERIFICATION_EXPIRED: checked("phone_verification_expired"),
    WarningCode.NUMBER_NAME_NOT_APPROVED: checked("phone_name_pending"),
    WarningCode.ROTATION_DUE: checked("old"),
    WarningCode.EXTRA_PERMISSIONS: checked("extra_permissions"),
    WarningCode.NUMBER_LIMITED: checked("health_limited"),
    WarningCode.NUMBER_BLOCKED: checked("health_blocked"),
    WarningCode.ACCOUNT_LIMITED: checked("account_limited"),
    WarningCode.ACCOUNT_BLOCKED: checked("account_blocked"),
    WarningCode.NUMBER_UNREGISTERED: checked("number_unregistered"),
    WarningCode.APP_NOT_SUBSCRIBED: checked("webhooks_unsubscribed"),
    WarningCode.WEBHOOK_CALLBACK_MISSING: with_app("valid", []),
    WarningCode.WEBHOOK_MESSAGES_MISSING: with_app("valid", NO_MESSAGES_FIELD),
}
"""How the fake Graph server produces each code, through the core call that reports it."""


def test_every_code_is_produced_by_the_fake_or_exempt_with_a_reason() -> None:
    assert [c for c in CODES if (c in PRODUCERS) == (c in NOT_FROM_GRAPH)] == []
    assert all(len(reason) > 20 for reason in NOT_FROM_GRAPH.values())


@pytest.mark.parametrize("code", list(PRODUCERS))
def test_the_fake_graph_produces_the_code(
    code: ProblemCode | WarningCode, fake_graph: FakeGraphServer
) -> None:
    findings = PRODUCERS[code](fake_graph)
    assert code in [finding.code for finding in findings], findings
    entry = fix_for(code)
    if entry.kind == FixKind.GRAPH:  # the fix the user reads names the table's command
        [finding] = [f for f in findings if f.code == code][:1]
        assert f"wa-token {entry.command}" in finding.fix
