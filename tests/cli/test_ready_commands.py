"""`check` says whether the token's numbers can send and its accounts receive, and `fix webhooks`
subscribes the app: the real `wa-token` against the fake Graph's readiness scenarios."""

from __future__ import annotations

import json

from tests.conftest import Cli, Run
from tests.support.findings import codes
from wizard.testing.fake_graph import APP_ID, APP_SECRET, TOKENS, WABA_A, WABA_B, FakeGraphServer
from wizard.testing.fake_graph.readiness import APP_CALLBACK, PHONE_OVERRIDE, WABA_OVERRIDE

APP_ENV = {"WHATSAPP_APP_ID": APP_ID, "WHATSAPP_APP_SECRET": APP_SECRET}


def check_json(cli: Cli, scenario: str, env: dict[str, str] | None = None) -> tuple[Run, dict]:
    run = cli("check", "--json", stdin=TOKENS[scenario], env=env)
    assert run.out, run.err
    return run, json.loads(run.out)


def _posts(fake: FakeGraphServer) -> list[str]:
    return [r.path for r in fake.requests if r.method == "POST"]


def test_limited_number_warns_shows_meta_reason_and_passes(cli: Cli) -> None:
    run, body = check_json(cli, "health_limited")
    assert run.code == 0 and body["ok"] is True
    assert "number_limited" in codes(body["warnings"])
    number = body["whatsapp_business_accounts"][0]["phone_numbers"][0]
    assert number["health"]["can_send_message"] == "LIMITED"
    business = [e for e in number["health"]["errors"] if e["entity_type"] == "BUSINESS"]
    assert business and "not verified" in business[0]["description"]
    assert set(business[0]) == {"entity_type", "id", "code", "description", "solution"}
    text = cli("check", stdin=TOKENS["health_limited"])
    assert "Meta's health verdict: LIMITED" in text.out


def test_everything_blocked_is_a_problem_exit_1(cli: Cli) -> None:
    run, body = check_json(cli, "health_blocked")
    assert run.code == 1 and body["ok"] is False
    assert codes(body["problems"]) == ["no_sending_number"]
    assert "number_blocked" in codes(body["warnings"])
    account = body["whatsapp_business_accounts"][0]
    assert account["health"]["can_send_message"] == "BLOCKED"
    assert account["health"]["errors"][0]["code"] == "141006"


def test_unregistered_number_gets_the_register_command(cli: Cli) -> None:
    run, body = check_json(cli, "number_unregistered")
    assert run.code == 0
    unregistered = [w for w in body["warnings"] if w["code"] == "number_unregistered"]
    assert len(unregistered) == 1
    assert "wa-token register --phone-number-id 106540352242922" in unregistered[0]["fix"]
    assert "number_not_on_cloud_api" not in codes(body["warnings"])


def test_unsubscribed_account_warns_and_fix_webhooks_subscribes_it_once(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    token = {"WHATSAPP_CLOUD_API_TOKEN": TOKENS["webhooks_unsubscribed"]}
    run, body = check_json(cli, "webhooks_unsubscribed")
    assert run.code == 0 and codes(body["warnings"]) == ["app_not_subscribed"]
    assert "inbound messages" in body["warnings"][0]["title"]
    assert [a["id"] for a in body["whatsapp_business_accounts"][0]["subscribed_apps"]] != [APP_ID]

    refused = cli("fix", "webhooks", env=token)  # no terminal, no --yes
    assert refused.code == 2 and "--yes" in refused.text
    assert _posts(fake_graph) == []

    done = cli("fix", "webhooks", "--yes", env=token)
    assert done.code == 0, done.text
    assert _posts(fake_graph) == [f"/v27.0/{WABA_A}/subscribed_apps"]
    assert f"Subscribed: Acme Support ({WABA_A})" in done.text
    assert f"Already subscribed (app {APP_ID}): Acme Sales ({WABA_B})" in done.text

    again = cli("fix", "webhooks", "--yes", env=token)
    assert again.code == 0 and "Nothing to change" in again.text
    assert len(_posts(fake_graph)) == 1
    after = cli("check", "--json", env=token)
    assert "app_not_subscribed" not in codes(json.loads(after.out)["warnings"])


def test_fix_webhooks_keeps_an_override_and_shows_the_callback_chain(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    run, body = check_json(cli, "webhook_override")
    assert run.code == 0
    account = body["whatsapp_business_accounts"][0]
    assert account["subscribed_apps"] == [
        {"id": APP_ID, "name": "Acme WhatsApp", "override_callback_uri": WABA_OVERRIDE}
    ]
    first, second = (n["webhook_configuration"] for n in account["phone_numbers"])
    assert first == {
        "phone_number": PHONE_OVERRIDE,
        "whatsapp_business_account": WABA_OVERRIDE,
        "application": APP_CALLBACK,
        "effective": PHONE_OVERRIDE,
        "effective_level": "phone_number",
        "computed": False,
    }
    assert second["effective"] == WABA_OVERRIDE
    text = cli("check", stdin=TOKENS["webhook_override"]).out
    assert f"webhooks go to {PHONE_OVERRIDE} (the number's own override)" in text

    token = {"WHATSAPP_CLOUD_API_TOKEN": TOKENS["webhook_override"]}
    fixed = cli("fix", "webhooks", "--yes", env=token)
    assert fixed.code == 0 and _posts(fake_graph) == []
    assert f"its callback override {WABA_OVERRIDE} is kept as it is" in fixed.text
    after = cli("check", "--json", env=token)
    apps = json.loads(after.out)["whatsapp_business_accounts"][0]["subscribed_apps"]
    assert apps[0]["override_callback_uri"] == WABA_OVERRIDE


def test_the_apps_webhook_configuration_is_read_with_the_app_token(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    run, body = check_json(cli, "valid", env=APP_ENV)
    assert run.code == 0 and body["warnings"] == []
    assert body["app_webhooks"][0]["fields"] == ["messages"]
    reads = [r for r in fake_graph.requests if r.path.endswith("/subscriptions")]
    assert [r.headers.get("Authorization", r.headers.get("authorization")) for r in reads] == [
        f"Bearer {APP_ID}|{APP_SECRET}"
    ]
    assert APP_SECRET not in run.out + run.err

    fake_graph.app_subscriptions[:] = [
        {"object": "whatsapp_business_account", "callback_url": APP_CALLBACK, "fields": []}
    ]
    _, body = check_json(cli, "valid", env=APP_ENV)
    assert codes(body["warnings"]) == ["webhook_messages_missing"]
    fake_graph.app_subscriptions[:] = []
    _, body = check_json(cli, "valid", env=APP_ENV)
    assert codes(body["warnings"]) == ["webhook_callback_missing"]
    _, body = check_json(cli, "valid")  # without the app secret: not read, no guess
    assert body["app_webhooks"] is None and body["warnings"] == []


def test_the_readiness_reads_add_no_round_trip(cli: Cli, fake_graph: FakeGraphServer) -> None:
    run, _ = check_json(cli, "valid", env=APP_ENV)
    assert run.code == 0
    paths = sorted(r.path.rsplit("/", 1)[-1] or "?ids" for r in fake_graph.requests)
    assert paths == ["?ids", "debug_token", "me", "subscriptions"]


def test_fix_webhooks_help_says_what_changes_at_meta(cli: Cli) -> None:
    run = cli("fix", "webhooks", "--help")
    assert run.code == 0
    assert "POST /{waba-id}/subscribed_apps" in run.out and "wa-token fix webhooks --yes" in run.out


def test_fix_webhooks_runs_when_no_number_can_send_and_stops_on_a_dead_token(
    cli: Cli, fake_graph: FakeGraphServer
) -> None:
    blocked = cli("fix", "webhooks", env={"WHATSAPP_CLOUD_API_TOKEN": TOKENS["health_blocked"]})
    assert blocked.code == 0 and "Nothing to change" in blocked.text
    dead = cli("fix", "webhooks", "--yes", env={"WHATSAPP_CLOUD_API_TOKEN": TOKENS["expired"]})
    assert dead.code == 1 and "token_expired" in dead.text and _posts(fake_graph) == []
    none = cli("fix", "webhooks")
    assert none.code == 3


def test_without_graph_s_webhook_configuration_the_chain_is_computed_and_said_so(
    cli: Cli,
) -> None:
    """Failed before: real Graph leaves webhook_configuration out, and no chain was shown."""
    _, body = check_json(cli, "valid", env=APP_ENV)
    first = body["whatsapp_business_accounts"][0]["phone_numbers"][0]
    assert first["webhook_configuration"] == {
        "phone_number": None,
        "whatsapp_business_account": None,
        "application": APP_CALLBACK,
        "effective": APP_CALLBACK,
        "effective_level": "application",
        "computed": True,
    }
    text = cli("check", stdin=TOKENS["valid"], env=APP_ENV).out
    assert (
        f"webhooks go to {APP_CALLBACK} (the app's callback URL; computed from the account's "
        "and the app's settings)" in " ".join(text.split())
    )

    _, body = check_json(cli, "webhook_override_unlisted")  # no app secret: the account only
    chain = body["whatsapp_business_accounts"][0]["phone_numbers"][0]["webhook_configuration"]
    assert chain["effective"] == WABA_OVERRIDE and chain["computed"] is True
    assert chain["effective_level"] == "whatsapp_business_account"
    assert chain["application"] is None


def test_no_chain_is_computed_for_an_account_that_does_not_send_to_the_app(cli: Cli) -> None:
    _, body = check_json(cli, "webhooks_unsubscribed", env=APP_ENV)
    unsubscribed, subscribed = body["whatsapp_business_accounts"]
    assert all(n["webhook_configuration"] is None for n in unsubscribed["phone_numbers"])
    assert all(n["webhook_configuration"]["computed"] for n in subscribed["phone_numbers"])
    _, bare = check_json(cli, "valid")  # neither an override nor the app's settings: unknown
    assert (
        bare["whatsapp_business_accounts"][0]["phone_numbers"][0]["webhook_configuration"] is None
    )
