"""webhook-test's core: which URLs may receive a secret, how Meta's signature is made."""

from __future__ import annotations

import httpx
import pytest

from wizard.core.errors import SettingsError
from wizard.core.token import SecretToken
from wizard.core.webhook_test import (
    require_secret_url,
    sample_notification,
    shown_url,
    sign,
)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/webhook",
        "https://user:pw@example.com:8443/hook?x=1",
        "http://127.0.0.1:8000/webhook",
        "http://127.8.9.10/webhook",
        "http://[::1]:9000/",
        "http://localhost/webhook",
        "http://LOCALHOST/webhook",
    ],
)
def test_https_anywhere_and_http_on_loopback_may_receive_a_secret(url: str) -> None:
    assert require_secret_url(url).host


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/webhook",
        "http://localhost.example.com/",
        "http://127.0.0.1.nip.io/",
        "http://0.0.0.0/",
        "ws://127.0.0.1/",
        "file:///etc/passwd",
        "//host.invalid/hook",
        "",
        "https://[::1/",
    ],
)
def test_anything_else_is_a_usage_error_that_does_not_repeat_the_url(url: str) -> None:
    with pytest.raises(SettingsError) as raised:
        require_secret_url(url)
    assert raised.value.exit_code == 2
    if url:
        assert url not in raised.value.message


def test_the_signature_is_sha256_hmac_of_the_raw_body_keyed_with_the_app_secret() -> None:
    # a published test vector: HMAC-SHA256("secret", "test")
    assert sign(b"test", SecretToken("secret")) == (
        "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914"
    )


def test_the_shown_url_keeps_no_credentials_query_or_fragment() -> None:
    url = httpx.URL("https://me:pa55word@example.com:8443/a/b?token=abc#frag")
    assert shown_url(url) == "https://example.com:8443/a/b"


def test_the_sample_notification_carries_the_configured_ids() -> None:
    body = sample_notification("106540352242922", "102290129340398")
    assert b'"phone_number_id":"106540352242922"' in body and b'"id":"102290129340398"' in body


def test_the_shown_url_masks_a_secret_shaped_path_segment() -> None:
    url = httpx.URL("https://hook.example.com/v1/abcdefghijklmnopqrstuvwxyz123456/x")
    assert shown_url(url) == "https://hook.example.com/v1/abcd…3456/x"


def test_no_log_line_carries_the_verify_token(caplog: pytest.LogCaptureFixture) -> None:
    """httpx logs every request URL at INFO; the verification GET's URL holds the verify token."""
    import logging

    from wizard.core.webhook_test import WebhookSecrets, run_webhook_test
    from wizard.testing.fake_webhook import APP_SECRET, VERIFY_TOKEN, FakeWebhook

    caplog.set_level(logging.DEBUG)
    keys = WebhookSecrets(SecretToken(VERIFY_TOKEN), SecretToken(APP_SECRET))
    with FakeWebhook("correct") as endpoint:
        report = run_webhook_test(endpoint.url, keys, timeout=5)
    assert report.ok
    logged = [r.getMessage() for r in caplog.records]
    assert any("hub.verify_token=REDACTED" in line for line in logged)
    assert all(VERIFY_TOKEN not in line and APP_SECRET not in line for line in logged)
