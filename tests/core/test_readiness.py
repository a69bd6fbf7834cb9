"""Ready to send and receive: Meta's health verdict, registration and webhooks in the diagnosis,
and the Graph shapes they are read from (Meta's pages; real Graph leaves out empty lists)."""

from __future__ import annotations

import dataclasses
import json

import httpx
import pytest

from tests.support.diagnosis import ACCOUNT, GOOD, INFO, LOCAL
from tests.support.findings import codes
from wizard.core.codes import ExitCode, ProblemCode, WarningCode
from wizard.core.diagnose import GraphFindings, diagnose
from wizard.core.errors import GraphError
from wizard.core.graph import GraphClient, PhoneNumber
from wizard.core.graph.constants import account_with_numbers_fields, messaging_limit_field
from wizard.core.graph.models import (
    AppSubscription,
    Health,
    HealthError,
    SubscribedApp,
    WebhookConfiguration,
)
from wizard.core.graph.readiness import (
    TEXT_LIMIT,
    parse_app_subscriptions,
    parse_health,
    parse_subscribed_apps,
    parse_webhook_configuration,
)
from wizard.core.profiles import Profile
from wizard.core.token import SecretToken

APP = INFO.app_id
BLOCKED = Health("BLOCKED", (HealthError("WABA", "1", "141006", "Payment.", "Add a card."),))
LIMITED = Health("LIMITED", (HealthError("BUSINESS", "9", None, "Not verified.", None),))
NOT_REGISTERED = Health("BLOCKED", (HealthError("PHONE_NUMBER", "11", "141000", "No.", "Reg."),))


def _with_numbers(*numbers: PhoneNumber, **account: object) -> GraphFindings:
    fields = {"phone_numbers": numbers, "subscribed_apps": (SubscribedApp(APP),), **account}
    return dataclasses.replace(GOOD, accounts=(dataclasses.replace(ACCOUNT, **fields),))


def _number(number_id: str = "11", **fields: object) -> PhoneNumber:
    return PhoneNumber(number_id, f"+1 555 {number_id}", **fields)  # type: ignore[arg-type]


# -- Graph's shapes ----------------------------------------------------------------------------


def test_health_status_as_meta_documents_it_without_the_empty_errors() -> None:
    body = {
        "can_send_message": "LIMITED",
        "entities": [
            {"entity_type": "PHONE_NUMBER", "id": "11", "can_send_message": "AVAILABLE"},
            {
                "entity_type": "WABA",
                "id": "1",
                "can_send_message": "BLOCKED",
                "errors": [
                    {
                        "error_code": 141006,
                        "error_description": "There is an error with the payment method.",
                        "possible_solution": "Add a new payment method.",
                    }
                ],
            },
            {
                "entity_type": "BUSINESS",
                "id": "9",
                "can_send_message": "LIMITED",
                "additional_info": ["Verify your business."],
            },
        ],
    }
    health = parse_health(body)
    assert health is not None and health.limited and not health.blocked
    assert health.errors == (
        HealthError(
            "WABA",
            "1",
            "141006",
            "There is an error with the payment method.",
            "Add a new payment method.",
        ),
        HealthError("BUSINESS", "9", None, "Verify your business.", None),
    )


@pytest.mark.parametrize("garbage", [None, "BLOCKED", [], 7, {"entities": "x"}])
def test_health_status_of_any_other_shape_is_no_error(garbage: object) -> None:
    health = parse_health(garbage)
    assert health is None or health.errors == ()


def test_hostile_health_text_is_bounded_and_reaches_the_finding_clean() -> None:
    huge = "\x1b[31m[bold]pay[/bold]\x07 " + "x" * 100_000
    body = {"entities": [{"entity_type": "WABA", "errors": [{"error_description": huge}]}]}
    health = parse_health({**body, "can_send_message": "BLOCKED"})
    assert health is not None and len(health.errors[0].description or "") == TEXT_LIMIT
    found = diagnose(_with_numbers(_number(health=health)), LOCAL)
    text = " ".join(f.title + f.fix + (f.detail or "") for f in found.warnings + found.problems)
    assert "\x1b" not in text and "\x07" not in text and len(text) < 3_000


def test_subscribed_apps_and_the_override_they_carry() -> None:
    edge = {
        "data": [
            {
                "whatsapp_business_api_data": {"id": "670843887433847", "name": "Lucky Shrub"},
                "override_callback_uri": "https://alt.example/webhook",
            },
            {"whatsapp_business_api_data": {"id": "2"}},
            "junk",
        ]
    }
    assert parse_subscribed_apps(edge) == (
        SubscribedApp("670843887433847", "Lucky Shrub", "https://alt.example/webhook"),
        SubscribedApp("2"),
    )
    assert parse_subscribed_apps(None) is None


def test_the_callback_chain_meta_calls_first_the_number_then_the_account_then_the_app() -> None:
    chain = {"application": "https://app", "whatsapp_business_account": "https://waba"}
    assert parse_webhook_configuration(chain).effective == (  # type: ignore[union-attr]
        "https://waba",
        "whatsapp_business_account",
    )
    both = parse_webhook_configuration({**chain, "phone_number": "https://phone"})
    assert both is not None and both.effective == ("https://phone", "phone_number")
    assert WebhookConfiguration(application="https://app").effective == (
        "https://app",
        "application",
    )
    assert WebhookConfiguration().effective is None


def test_app_subscriptions_read_object_callback_and_fields() -> None:
    body = {
        "data": [
            {
                "object": "whatsapp_business_account",
                "callback_url": "https://acme/webhook",
                "active": True,
                "fields": [{"name": "messages", "version": "v27.0"}, {"name": "account_update"}],
            }
        ]
    }
    assert parse_app_subscriptions(body) == (
        AppSubscription(
            "whatsapp_business_account",
            "https://acme/webhook",
            True,
            ("messages", "account_update"),
        ),
    )


@pytest.mark.parametrize(
    ("version", "field"),
    [
        ("v21.0", "messaging_limit_tier"),
        ("v23.0", "messaging_limit_tier"),
        ("v24.0", "whatsapp_business_manager_messaging_limit"),
        ("v27.0", "whatsapp_business_manager_messaging_limit"),
    ],
)
def test_the_messaging_limit_field_follows_the_graph_version(version: str, field: str) -> None:
    assert messaging_limit_field(version) == field
    fields = account_with_numbers_fields(version)
    assert field in fields and "health_status" in fields and "subscribed_apps{" in fields


def test_one_lookup_reads_health_subscriptions_callbacks_and_the_limit() -> None:
    seen: list[httpx.Request] = []
    number = {
        "id": "11",
        "health_status": {"can_send_message": "AVAILABLE", "entities": []},
        "webhook_configuration": {"application": "https://app.example/hook"},
        "messaging_limit_tier": "TIER_1K",
    }
    bodies = {
        "1": {"id": "1", "health_status": {"can_send_message": "LIMITED"}},  # no edges: empty
        "2": {
            "id": "2",
            "phone_numbers": {"data": [number]},
            "subscribed_apps": {"data": [{"whatsapp_business_api_data": {"id": APP}}]},
        },
    }

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=json.dumps(bodies).encode())

    transport = httpx.MockTransport(answer)
    with GraphClient("https://graph.test", "v23.0", transport=transport) as client:
        first, second = client.accounts_with_numbers(SecretToken("EAAB" + "x" * 60), ["1", "2"])
    assert len(seen) == 1 and "messaging_limit_tier" in seen[0].url.params["fields"]
    assert not isinstance(first, Exception) and not isinstance(second, Exception)
    assert first.subscribed_apps == () and first.health == Health("LIMITED")
    assert second.subscribed_apps == (SubscribedApp(APP),)
    phone = second.phone_numbers[0]
    assert phone.messaging_limit == "TIER_1K" and phone.health == Health("AVAILABLE")
    assert phone.webhook == WebhookConfiguration(application="https://app.example/hook")


# -- the diagnosis -----------------------------------------------------------------------------


def test_a_limited_number_is_a_warning_and_the_token_passes() -> None:
    found = diagnose(_with_numbers(_number(health=LIMITED)), LOCAL)
    assert found.ok and codes(found.warnings) == [WarningCode.NUMBER_LIMITED]
    assert "Not verified." in (found.warnings[0].detail or "")


def test_a_blocked_number_beside_a_good_one_is_a_warning() -> None:
    found = diagnose(_with_numbers(_number(health=BLOCKED), _number("12")), LOCAL)
    assert found.ok and codes(found.warnings) == [WarningCode.NUMBER_BLOCKED]
    assert "Add a card." in found.warnings[0].fix and "141006" in (found.warnings[0].detail or "")


def test_when_every_number_is_blocked_nothing_can_send_exit_1() -> None:
    numbers = (_number(health=BLOCKED), _number("12", health=BLOCKED))
    found = diagnose(_with_numbers(*numbers), LOCAL)
    assert codes(found.problems) == [ProblemCode.NO_SENDING_NUMBER]
    assert found.exit_code == ExitCode.PROBLEM
    assert "health verdict is BLOCKED" in found.problems[0].title
    assert "do what Meta's health verdict asks" in found.problems[0].fix


def test_an_unregistered_number_names_the_register_command_with_the_profile() -> None:
    local = dataclasses.replace(LOCAL, profile=Profile("acme"))
    found = diagnose(_with_numbers(_number(health=NOT_REGISTERED), _number("12")), local)
    assert codes(found.warnings) == [WarningCode.NUMBER_UNREGISTERED]
    assert "wa-token register --phone-number-id 11 --profile acme" in found.warnings[0].fix


def test_not_applicable_platform_is_unregistered_not_another_api() -> None:
    found = diagnose(_with_numbers(_number(platform_type="NOT_APPLICABLE"), _number("12")), LOCAL)
    assert codes(found.warnings) == [WarningCode.NUMBER_UNREGISTERED]


def test_the_account_health_speaks_only_when_no_number_did() -> None:
    found = diagnose(_with_numbers(_number(), health=BLOCKED), LOCAL)
    assert WarningCode.ACCOUNT_BLOCKED in codes(found.warnings)
    covered = _with_numbers(_number(health=Health("AVAILABLE")), health=BLOCKED)
    assert WarningCode.ACCOUNT_BLOCKED not in codes(diagnose(covered, LOCAL).warnings)


@pytest.mark.parametrize(
    ("apps", "warned"),
    [
        ((), True),
        ((SubscribedApp("777", "Old CRM"),), True),
        ((SubscribedApp(APP, override_callback_uri="https://x"),), False),
        (None, False),  # Graph did not say: no guess
    ],
)
def test_app_not_subscribed(apps: tuple[SubscribedApp, ...] | None, warned: bool) -> None:
    found = diagnose(_with_numbers(_number(), subscribed_apps=apps), LOCAL)
    assert (WarningCode.APP_NOT_SUBSCRIBED in codes(found.warnings)) is warned
    if warned:
        finding = found.warnings[0]
        assert "inbound messages and delivery statuses" in finding.title
        assert "wa-token fix webhooks" in finding.fix


@pytest.mark.parametrize(
    ("subscriptions", "code"),
    [
        ((), WarningCode.WEBHOOK_CALLBACK_MISSING),
        ((AppSubscription("page", "https://x", True, ("messages",)),), "webhook_callback_missing"),
        (
            (AppSubscription("whatsapp_business_account", "https://x", True, ("account_update",)),),
            WarningCode.WEBHOOK_MESSAGES_MISSING,
        ),
        ((AppSubscription("whatsapp_business_account", "https://x", True, ("messages",)),), None),
        (None, None),
    ],
)
def test_the_apps_webhook_configuration(
    subscriptions: tuple[AppSubscription, ...] | None, code: str | None
) -> None:
    graph = dataclasses.replace(_with_numbers(_number()), app_subscriptions=subscriptions)
    found = codes(diagnose(graph, LOCAL).warnings)
    assert found == ([code] if code else [])


def test_a_graph_that_refuses_a_readiness_field_still_gets_the_accounts_read() -> None:
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        fields = request.url.params["fields"]
        seen.append(fields)
        if "subscribed_apps" in fields:
            error = {
                "message": "(#100) Tried accessing nonexisting field (subscribed_apps) on node "
                "type (WhatsAppBusinessAccount)",
                "type": "OAuthException",
                "code": 100,
            }
            return httpx.Response(400, content=json.dumps({"error": error}).encode())
        body = {i: {"id": i, "phone_numbers": {"data": [{"id": i + "1"}]}} for i in ("1", "2")}
        return httpx.Response(200, content=json.dumps(body).encode())

    transport = httpx.MockTransport(answer)
    with GraphClient("https://graph.test", transport=transport) as client:
        results = client.accounts_with_numbers(SecretToken("EAAB" + "x" * 60), ["1", "2"])
    assert len(seen) == 2 and "health_status" not in seen[1]
    assert [r.subscribed_apps for r in results] == [None, None]  # type: ignore[union-attr]
    found = diagnose(dataclasses.replace(GOOD, accounts=tuple(results)), LOCAL)  # type: ignore[arg-type]
    assert found.ok and found.warnings == ()


def test_hostile_app_names_and_callback_urls_are_shown_clean_and_bounded() -> None:
    name = "\x1b]8;;https://evil\x07[link]Old CRM[/link]\x1b[2J" + "y" * 100_000
    apps = (SubscribedApp("777", name[:TEXT_LIMIT]),)
    found = diagnose(_with_numbers(_number(), subscribed_apps=apps), LOCAL)
    title = found.warnings[0].title
    assert "\x1b" not in title and "\x07" not in title and len(title) < 400


def test_subscribing_is_one_post_without_a_body_never_retried() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(503, content=b"<html>busy</html>")

    transport = httpx.MockTransport(answer)
    with GraphClient("https://graph.test", transport=transport, retry_backoff=0.0) as client:
        with pytest.raises(GraphError):
            client.subscribe_app(SecretToken("EAAB" + "x" * 60), "102290129340398")
        with pytest.raises(GraphError):  # an id that is not one never reaches a URL
            client.subscribe_app(SecretToken("EAAB" + "x" * 60), "1/../../me")
    assert len(seen) == 1 and seen[0].method == "POST" and seen[0].content == b""
    assert seen[0].url.path == "/v27.0/102290129340398/subscribed_apps"


def test_a_callback_url_with_a_password_is_never_printed() -> None:
    from wizard.cli.render import Marks, render_check
    from wizard.core.check import CheckReport, report_json

    secret_url = "https://hook:s3cretPass@acme.example/webhook"
    webhook = WebhookConfiguration(application=secret_url)
    apps = (SubscribedApp(APP, override_callback_uri=secret_url),)
    graph = _with_numbers(_number(webhook=webhook), subscribed_apps=apps)
    report = CheckReport(None, graph, LOCAL, diagnose(graph, LOCAL))
    shown = json.dumps(report_json(report)) + render_check(report, Marks(True), 100)
    assert "s3cretPass" not in shown and "https://***@acme.example/webhook" in shown


# -- the callback chain computed when Graph leaves webhook_configuration out -------------------

_APP = "634974688087057"
_WHATSAPP_CALLBACK = AppSubscription("whatsapp_business_account", "https://app/hook", True, ())


def _account(*apps: SubscribedApp, numbers: tuple[PhoneNumber, ...] | None = None) -> object:
    from wizard.core.graph.models import BusinessAccount

    return BusinessAccount(
        "102290129340398",
        phone_numbers=numbers or (PhoneNumber("106540352242922"),),
        subscribed_apps=apps,
    )


@pytest.mark.parametrize(
    ("apps", "subscriptions", "expected"),
    [
        ((SubscribedApp(_APP),), (_WHATSAPP_CALLBACK,), (None, "https://app/hook")),
        (
            (SubscribedApp(_APP, override_callback_uri="https://waba"),),
            None,
            ("https://waba", None),
        ),
        (
            (SubscribedApp(_APP, override_callback_uri="https://waba"),),
            (_WHATSAPP_CALLBACK,),
            ("https://waba", "https://app/hook"),
        ),
        ((SubscribedApp(_APP),), None, None),  # nothing known: no chain
        ((SubscribedApp("1"),), (_WHATSAPP_CALLBACK,), None),  # our app is not subscribed
        ((), (_WHATSAPP_CALLBACK,), None),
        (
            (SubscribedApp(_APP),),
            (AppSubscription("whatsapp_business_account", "https://app/hook", False, ()),),
            None,
        ),  # an inactive app subscription sends nothing
        ((SubscribedApp(_APP),), (AppSubscription("page", "https://page", True, ()),), None),
    ],
)
def test_the_chain_is_computed_from_the_account_and_the_app(
    apps: tuple[SubscribedApp, ...],
    subscriptions: tuple[AppSubscription, ...] | None,
    expected: tuple[str | None, str | None] | None,
) -> None:
    """Failed before: without Graph's webhook_configuration no chain was shown at all."""
    from wizard.core.graph.readiness import with_computed_chains

    [account] = with_computed_chains((_account(*apps),), _APP, subscriptions)  # type: ignore[arg-type]
    chain = account.phone_numbers[0].webhook
    if expected is None:
        assert chain is None
        return
    assert chain is not None and chain.computed
    assert (chain.phone_number, chain.whatsapp_business_account, chain.application) == (
        None,
        *expected,
    )


def test_graph_s_own_chain_is_kept_and_an_unknown_app_computes_nothing() -> None:
    from wizard.core.graph.readiness import with_computed_chains

    given = WebhookConfiguration(phone_number="https://phone")
    numbers = (PhoneNumber("1", webhook=given), PhoneNumber("2"))
    apps = (SubscribedApp(_APP, override_callback_uri="https://waba"),)
    [account] = with_computed_chains(
        (_account(*apps, numbers=numbers),),  # type: ignore[arg-type]
        _APP,
        (_WHATSAPP_CALLBACK,),
    )
    first, second = account.phone_numbers
    assert first.webhook is given and not given.computed
    assert second.webhook is not None and second.webhook.effective == (
        "https://waba",
        "whatsapp_business_account",
    )
    unknown = with_computed_chains((_account(*apps),), None, None)  # type: ignore[arg-type]
    assert unknown[0].phone_numbers[0].webhook is None


def test_an_unregistered_number_s_pending_status_is_not_a_second_warning() -> None:
    """Failed before: Meta lists an unregistered number as PENDING, and both warnings showed."""
    from wizard.core.diagnose.warnings import number_warnings

    number = PhoneNumber("106540352242922", status="PENDING", platform_type="NOT_APPLICABLE")
    assert codes(number_warnings(number)) == [WarningCode.NUMBER_UNREGISTERED]
    disconnected = dataclasses.replace(number, status="DISCONNECTED")
    assert WarningCode.NUMBER_NOT_CONNECTED in codes(number_warnings(disconnected))


def test_a_hostile_computed_callback_is_shown_masked_and_clean() -> None:
    from wizard.cli.render import _readiness_lines
    from wizard.core.check import _webhook_json
    from wizard.core.graph.readiness import with_computed_chains

    hostile = "https://user:hunter2pass@evil.example/\x1b[31m[b]hook[/b]\x07"
    apps = (SubscribedApp(_APP, override_callback_uri=hostile),)
    [account] = with_computed_chains((_account(*apps),), _APP, None)  # type: ignore[arg-type]
    number = account.phone_numbers[0]
    text = "\n".join(_readiness_lines(number))
    assert "hunter2pass" not in text and "\x1b" not in text and "\x07" not in text
    assert "computed from the account's and the app's settings" in " ".join(text.split())
    body = _webhook_json(number.webhook)
    assert body is not None and "hunter2pass" not in json.dumps(body) and body["computed"]
