"""`wa-token webhook-test --url URL` against loopback endpoints that are right, lax or broken."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
from collections.abc import Iterator

import pytest

from tests.conftest import Cli, Run
from wizard.testing.fake_webhook import APP_SECRET, MODES, VERIFY_TOKEN, FakeWebhook

SECRETS = {"WHATSAPP_WEBHOOK_VERIFY_TOKEN": VERIFY_TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET}


@pytest.fixture
def endpoint(request: pytest.FixtureRequest) -> Iterator[FakeWebhook]:
    mode = getattr(request, "param", "correct")
    with FakeWebhook(mode) as fake:
        yield fake


def webhook_test(cli: Cli, url: str, *args: str, env: dict[str, str] | None = None) -> Run:
    return cli("--timeout", "1", "webhook-test", "--url", url, *args, env=env or SECRETS)


def assert_no_secret(run: Run) -> None:
    assert VERIFY_TOKEN not in run.text and APP_SECRET not in run.text


def test_a_correct_endpoint_passes_the_four_steps(cli: Cli, endpoint: FakeWebhook) -> None:
    run = webhook_test(cli, endpoint.url)
    assert run.code == 0, run.text
    assert run.out.count("✓") == 5 and "[webhook_" not in run.text
    assert_no_secret(run)


def test_the_calls_are_metas_handshake_and_signed_notification(
    cli: Cli, endpoint: FakeWebhook
) -> None:
    webhook_test(cli, endpoint.url)
    right, wrong, signed, forged = endpoint.received
    assert (right.method, wrong.method, signed.method, forged.method) == (
        "GET",
        "GET",
        "POST",
        "POST",
    )
    assert right.query["hub.mode"] == wrong.query["hub.mode"] == "subscribe"
    assert right.query["hub.verify_token"] == VERIFY_TOKEN
    assert wrong.query["hub.verify_token"] not in ("", VERIFY_TOKEN)
    assert right.query["hub.challenge"].isdigit()
    assert right.query["hub.challenge"] != wrong.query["hub.challenge"]
    expected = hmac.new(APP_SECRET.encode(), signed.body, hashlib.sha256).hexdigest()
    assert signed.headers["x-hub-signature-256"] == f"sha256={expected}"
    assert forged.body == signed.body
    assert forged.headers["x-hub-signature-256"] not in ("", signed.headers["x-hub-signature-256"])
    assert signed.headers["content-type"] == "application/json"
    payload = json.loads(signed.body)
    assert payload["object"] == "whatsapp_business_account"
    [change] = payload["entry"][0]["changes"]
    assert change["field"] == "messages" and change["value"]["messaging_product"] == "whatsapp"
    assert change["value"]["statuses"][0]["id"].startswith("wamid.wa-token-webhook-test-")


@pytest.mark.parametrize(
    ("endpoint", "warnings"),
    [
        (
            "accepts_anything",
            ["webhook_accepts_wrong_verify_token", "webhook_accepts_bad_signature"],
        ),
        ("no_signature_check", ["webhook_accepts_bad_signature"]),
    ],
    indirect=["endpoint"],
)
def test_an_endpoint_that_accepts_forged_calls_passes_with_warnings(
    cli: Cli, endpoint: FakeWebhook, warnings: list[str]
) -> None:
    run = webhook_test(cli, endpoint.url)
    assert run.code == 0
    found = [
        w
        for w in ("webhook_accepts_wrong_verify_token", "webhook_accepts_bad_signature")
        if f"[{w}]" in run.out
    ]
    assert found == warnings
    assert "accepts forged calls" in run.out


@pytest.mark.parametrize(
    ("endpoint", "problem", "said"),
    [
        ("wrong_challenge", "webhook_verification_failed", "not the challenge"),
        ("json_challenge", "webhook_verification_failed", "as plain text"),
        ("not_found", "webhook_verification_failed", "HTTP 404"),
        ("huge", "webhook_verification_failed", "more than 64 kB"),
        ("gzip_bomb", "webhook_verification_failed", "more than 64 kB"),
        ("wrong_secret", "webhook_notification_refused", "refused (HTTP 401)"),
        ("redirect", "webhook_verification_failed", "does not follow redirects"),
    ],
    indirect=["endpoint"],
)
def test_a_failed_step_is_exit_1_naming_it(
    cli: Cli, endpoint: FakeWebhook, problem: str, said: str
) -> None:
    run = webhook_test(cli, endpoint.url)
    assert run.code == 1
    assert f"[{problem}]" in run.out and said in " ".join(run.out.split())
    assert_no_secret(run)


@pytest.mark.parametrize("endpoint", ["redirect"], indirect=True)
def test_a_redirect_is_not_followed_and_only_its_host_is_named(
    cli: Cli, endpoint: FakeWebhook
) -> None:
    run = webhook_test(cli, endpoint.url)
    assert len(endpoint.received) == 4  # nothing went to elsewhere.example
    assert "elsewhere.example" in run.out and "hub.verify_token=x" not in run.text


@pytest.mark.parametrize("endpoint", ["hang", "trickle"], indirect=True)
def test_an_endpoint_that_hangs_or_trickles_is_exit_4_after_the_timeout(
    cli: Cli, endpoint: FakeWebhook
) -> None:
    run = webhook_test(cli, endpoint.url)
    assert run.code == 4 and "[webhook_unreachable]" in run.out
    assert "no complete answer within 1 seconds" in run.out
    assert len(endpoint.received) == 1  # the later steps were not tried


@pytest.mark.parametrize("endpoint", ["huge_post"], indirect=True)
def test_a_huge_answer_to_a_notification_is_not_read(cli: Cli, endpoint: FakeWebhook) -> None:
    run = webhook_test(cli, endpoint.url)
    assert run.code == 0, run.out


def test_an_endpoint_nobody_listens_on_is_exit_4(cli: Cli) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    run = webhook_test(cli, f"http://127.0.0.1:{port}/webhook")
    assert run.code == 4 and "could not be reached" in run.out


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/webhook",
        "http://localhost.example.com/webhook",
        "http://127.0.0.1.example.com/webhook",
        "ftp://127.0.0.1/webhook",
        "webhook",
        "https://",
    ],
)
def test_only_https_or_loopback_http_is_called(cli: Cli, url: str) -> None:
    run = webhook_test(cli, url)
    assert run.code == 2 and "--url" in run.err and "https://" in run.err


def test_a_password_or_query_in_the_url_is_never_printed(cli: Cli, endpoint: FakeWebhook) -> None:
    url = endpoint.url.replace("http://", "http://user:hunter2secret@") + "?key=s3cr3tquery"
    run = webhook_test(cli, url, "--json")
    assert run.code == 0
    assert "hunter2secret" not in run.text and "s3cr3tquery" not in run.text
    assert json.loads(run.out)["url"] == endpoint.url
    assert endpoint.received[0].query["key"] == "s3cr3tquery"


@pytest.mark.parametrize(
    ("missing", "variable"),
    [
        ("WHATSAPP_WEBHOOK_VERIFY_TOKEN", "WHATSAPP_WEBHOOK_VERIFY_TOKEN"),
        ("WHATSAPP_APP_SECRET", "WHATSAPP_APP_SECRET"),
    ],
)
def test_without_the_verify_token_or_app_secret_nothing_is_sent(
    cli: Cli, endpoint: FakeWebhook, missing: str, variable: str
) -> None:
    env = {k: v for k, v in SECRETS.items() if k != missing}
    run = webhook_test(cli, endpoint.url, env=env)
    assert run.code == 2 and f"{variable} is not set" in run.flat_err
    assert endpoint.received == []


def test_the_profiles_variables_come_from_the_env_file(cli: Cli, endpoint: FakeWebhook) -> None:
    (cli.cwd / ".env").write_text(
        f"WHATSAPP_WEBHOOK_VERIFY_TOKEN_ACME={VERIFY_TOKEN}\nWHATSAPP_APP_SECRET_ACME={APP_SECRET}\n"
        "WHATSAPP_WEBHOOK_VERIFY_TOKEN=the-default-profiles-token\n"
    )
    run = cli("--profile", "acme", "webhook-test", "--url", endpoint.url, env={})
    assert run.code == 0, run.text
    assert endpoint.received[0].query["hub.verify_token"] == VERIFY_TOKEN


@pytest.mark.parametrize("endpoint", ["no_signature_check"], indirect=True)
def test_json_lists_each_step_and_the_findings(cli: Cli, endpoint: FakeWebhook) -> None:
    run = webhook_test(cli, endpoint.url, "--json")
    body = json.loads(run.out)
    assert body["ok"] is True and body["problems"] == []
    assert [s["step"] for s in body["steps"]] == [
        "verification",
        "wrong_verify_token",
        "signed_notification",
        "bad_signature",
    ]
    assert [s["passed"] for s in body["steps"]] == [True, True, True, False]
    assert [s["status"] for s in body["steps"]] == [200, 403, 200, 200]
    assert [w["code"] for w in body["warnings"]] == ["webhook_accepts_bad_signature"]
    assert "accepts forged calls" in run.err


@pytest.mark.parametrize("endpoint", sorted(MODES), indirect=True)
def test_no_mode_prints_the_verify_token_or_the_app_secret(cli: Cli, endpoint: FakeWebhook) -> None:
    for args in ((), ("--json",)):
        run = webhook_test(cli, endpoint.url, *args)
        assert run.code in (0, 1, 4) and run.out
        assert_no_secret(run)


@pytest.mark.parametrize("verify_token", ["x" * 100_000, "two\nlines", "esc\x1b[31m"])
def test_a_verify_token_that_cannot_travel_in_a_url_is_a_usage_error(
    cli: Cli, endpoint: FakeWebhook, verify_token: str
) -> None:
    run = webhook_test(
        cli, endpoint.url, env={**SECRETS, "WHATSAPP_WEBHOOK_VERIFY_TOKEN": verify_token}
    )
    assert run.code == 2 and "WHATSAPP_WEBHOOK_VERIFY_TOKEN holds" in run.flat_err
    assert verify_token not in run.text and endpoint.received == []


def test_a_loopback_endpoint_is_called_directly_never_through_a_proxy(
    cli: Cli, endpoint: FakeWebhook
) -> None:
    with socket.socket() as proxy:  # a "proxy" that would receive the verify token in clear
        proxy.bind(("127.0.0.1", 0))
        proxy.listen()
        address = f"http://127.0.0.1:{proxy.getsockname()[1]}"
        proxies = {"HTTP_PROXY": address, "http_proxy": address, "ALL_PROXY": address}
        run = webhook_test(cli, endpoint.url, env={**SECRETS, **proxies})
        proxy.settimeout(0)
        with pytest.raises(BlockingIOError):
            proxy.accept()
    assert run.code == 0, run.text


SECRET_PATH = "abcdefghijklmnopqrstuvwxyz123456"
"""A webhook path of 32 letters and digits, as automation services hand out."""


def test_a_url_with_a_secret_shaped_path_is_refused_on_argv_and_taken_from_the_environment(
    cli: Cli, endpoint: FakeWebhook
) -> None:
    url = f"{endpoint.url}/{SECRET_PATH}"
    refused = webhook_test(cli, url)
    assert refused.code == 2 and "WHATSAPP_WEBHOOK_URL" in refused.flat_err
    assert SECRET_PATH not in refused.text and endpoint.received == []
    run = cli("webhook-test", env={**SECRETS, "WHATSAPP_WEBHOOK_URL": url})
    assert run.code == 0, run.text
    assert endpoint.received[0].path == f"/webhook/{SECRET_PATH}"
    assert SECRET_PATH not in run.text


def test_the_profiles_webhook_url_comes_from_the_env_file(cli: Cli, endpoint: FakeWebhook) -> None:
    (cli.cwd / ".env").write_text(f"WHATSAPP_WEBHOOK_URL_ACME={endpoint.url}\n")
    run = cli(
        "--profile",
        "acme",
        "webhook-test",
        env={
            "WHATSAPP_WEBHOOK_VERIFY_TOKEN_ACME": VERIFY_TOKEN,
            "WHATSAPP_APP_SECRET_ACME": APP_SECRET,
        },
    )
    assert run.code == 0, run.text


def test_without_a_url_it_names_the_option_and_the_variable(cli: Cli) -> None:
    run = cli("webhook-test", env=SECRETS)
    assert run.code == 2 and "--url" in run.err and "WHATSAPP_WEBHOOK_URL" in run.flat_err


@pytest.fixture
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A certificate for 127.0.0.1 that no CA signed (openssl)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


def test_an_https_endpoint_with_an_untrusted_certificate_fails_step_1_with_why(
    cli: Cli, self_signed: tuple[str, str]
) -> None:
    with FakeWebhook(tls=self_signed) as endpoint:
        assert endpoint.url.startswith("https://")
        run = webhook_test(cli, endpoint.url)
    assert run.code == 1 and "[webhook_verification_failed]" in run.out
    assert "certificate is not trusted" in run.out
    assert "webhook_accepts" not in run.out  # the forged calls were not tried
    assert_no_secret(run)


def test_an_https_endpoint_whose_certificate_is_trusted_passes(
    cli: Cli, self_signed: tuple[str, str]
) -> None:
    with FakeWebhook(tls=self_signed) as endpoint:
        run = webhook_test(cli, endpoint.url, env={**SECRETS, "SSL_CERT_FILE": self_signed[0]})
        assert len(endpoint.received) == 4
    assert run.code == 0, run.text
