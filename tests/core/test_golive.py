"""The "ready to go live" list: one table over the fake Graph's readiness scenarios."""

from __future__ import annotations

import pytest

from wizard.core.check import check_found_token
from wizard.core.codes import ProblemCode
from wizard.core.diagnose.findings import Finding
from wizard.core.golive import (
    ReadyAction,
    ReadyItem,
    ReadyMark,
    endpoint_line,
    list_applies,
    ready_list,
)
from wizard.core.settings import Settings
from wizard.core.stores.sources import from_stdin
from wizard.core.webhook_test import StepResult, WebhookReport, WebhookStep
from wizard.testing.fake_graph import TOKENS, FakeGraphServer

OK, WARN, BAD = ReadyMark.OK, ReadyMark.WARN, ReadyMark.BAD


@pytest.mark.parametrize(
    ("scenario", "expected", "actions"),
    [
        ("valid", (OK, OK, OK, OK, WARN), {ReadyAction.TEST}),
        ("health_limited", (OK, WARN, OK, OK, WARN), {ReadyAction.TEST}),
        ("health_blocked", (OK, BAD, OK, OK, WARN), {ReadyAction.TEST}),
        (
            "number_unregistered",
            (OK, OK, WARN, OK, WARN),
            {ReadyAction.REGISTER, ReadyAction.TEST},
        ),
        (
            "webhooks_unsubscribed",
            (OK, OK, OK, WARN, WARN),
            {ReadyAction.SUBSCRIBE, ReadyAction.TEST},
        ),
        ("temporary", (WARN, OK, OK, OK, WARN), {ReadyAction.TEST}),
    ],
)
def test_each_scenario_gives_its_marks_and_actions(
    fake_graph: FakeGraphServer,
    scenario: str,
    expected: tuple[ReadyMark, ...],
    actions: set[ReadyAction],
) -> None:
    report = check_found_token(from_stdin(TOKENS[scenario]), Settings(graph_url=fake_graph.url), {})
    assert list_applies(report)
    lines = ready_list(report)
    assert [line.item for line in lines] == list(ReadyItem)
    assert tuple(line.mark for line in lines) == expected
    assert {line.action for line in lines if line.action} == actions


def test_a_number_registered_just_now_counts_as_registered(fake_graph: FakeGraphServer) -> None:
    report = check_found_token(
        from_stdin(TOKENS["number_unregistered"]), Settings(graph_url=fake_graph.url), {}
    )
    line = ready_list(report)[2]
    assert line.action is ReadyAction.REGISTER and line.targets
    after = ready_list(report, registered=frozenset(line.targets))[2]
    assert after.mark is OK and after.action is None


@pytest.mark.parametrize("scenario", ["expired", "no_account", "missing_messaging"])
def test_no_list_for_a_token_that_does_not_work(fake_graph: FakeGraphServer, scenario: str) -> None:
    report = check_found_token(from_stdin(TOKENS[scenario]), Settings(graph_url=fake_graph.url), {})
    assert not list_applies(report)


def _step(step: WebhookStep, passed: bool) -> StepResult:
    return StepResult(step, passed, 200 if passed else 404, "summary")


@pytest.mark.parametrize(
    ("problems", "warnings", "mark"),
    [((), (), OK), ((), ("forgeable",), WARN), (("refused",), (), BAD)],
)
def test_the_endpoint_line_follows_the_test(
    problems: tuple[str, ...], warnings: tuple[str, ...], mark: ReadyMark
) -> None:
    def findings(titles: tuple[str, ...]) -> tuple[Finding, ...]:
        return tuple(Finding(ProblemCode.WEBHOOK_UNREACHABLE, t, "fix") for t in titles)

    report = WebhookReport(
        "https://example.com/\x1b[31mhook",
        (_step(WebhookStep.VERIFICATION, not problems),),
        findings(problems),
        findings(warnings),
    )
    line = endpoint_line(report)
    assert line.mark is mark and line.action is ReadyAction.TEST
    assert "\x1b" not in line.title
    assert endpoint_line(None).mark is WARN


def test_the_webhooks_line_says_when_the_callback_chain_was_computed(
    fake_graph: FakeGraphServer,
) -> None:
    from wizard.testing.fake_graph.readiness import PHONE_OVERRIDE, WABA_OVERRIDE

    settings = Settings(graph_url=fake_graph.url)
    computed = check_found_token(from_stdin(TOKENS["webhook_override_unlisted"]), settings, {})
    line = ready_list(computed)[3]
    assert line.mark is OK
    assert f"they go to {WABA_OVERRIDE} (computed from the account's and the app's" in line.title
    given = check_found_token(from_stdin(TOKENS["webhook_override"]), settings, {})
    title = ready_list(given)[3].title
    assert PHONE_OVERRIDE in title and "computed" not in title
