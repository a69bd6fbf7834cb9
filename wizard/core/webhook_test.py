"""webhook-test: call the user's webhook endpoint the way Meta will, and say what fails."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

import httpx

from wizard import __version__
from wizard.core.codes import ExitCode, ProblemCode, WarningCode
from wizard.core.diagnose.findings import Finding
from wizard.core.errors import EnvFileError, GraphBadResponse, SettingsError
from wizard.core.graph.network_env import open_client
from wizard.core.graph.parsing import read_capped
from wizard.core.graph.redaction import quiet_http_loggers
from wizard.core.graph.threads import Background
from wizard.core.profiles import Profile
from wizard.core.settings import Settings
from wizard.core.stores import env_store
from wizard.core.token import SecretToken, mask
from wizard.core.untrusted import clean_text, require_secure_url
from wizard.core.variables import APP_SECRET_VAR

WEBHOOK_URL_VAR = "WHATSAPP_WEBHOOK_URL"
"""The Callback URL, when --url is not given (profile-suffixed; a URL with a secret path stays
off the command line)."""
VERIFY_TOKEN_VAR = "WHATSAPP_WEBHOOK_VERIFY_TOKEN"
"""The verify token typed in App Dashboard → WhatsApp → Configuration (profile-suffixed)."""
MAX_ANSWER_BYTES = 64 * 1024
"""An endpoint's answer is read up to this much: the challenge is a few bytes."""
SIGNATURE_HEADER = "X-Hub-Signature-256"
CONFIGURATION_PAGE = "App Dashboard → your app → WhatsApp → Configuration → Webhook"
SAMPLE_MESSAGE_PREFIX = "wamid.wa-token-webhook-test-"
"""The status notification's message id starts with this, so an app can recognise the test."""


class WebhookStep(StrEnum):
    """The four calls of webhook-test, in their order (the JSON `step` values)."""

    VERIFICATION = "verification"
    """GET with hub.mode=subscribe, the verify token and a random challenge: 200 + challenge."""
    WRONG_VERIFY_TOKEN = "wrong_verify_token"
    """The same GET with a wrong verify token: must not get the challenge back."""
    SIGNED_NOTIFICATION = "signed_notification"
    """A `messages` notification signed with the app secret: must get a 2xx."""
    BAD_SIGNATURE = "bad_signature"
    """The same notification with a wrong signature: must not get a 2xx."""


@dataclass(frozen=True)
class StepResult:
    """What one call got: passed or not, the HTTP status (None: no answer), in words."""

    step: WebhookStep
    passed: bool
    status: int | None
    summary: str
    reached: bool = True
    """False when the endpoint could not be reached or did not answer in time."""


@dataclass(frozen=True)
class WebhookReport:
    """Every step's result, the problems (the endpoint fails Meta) and warnings (forgeable)."""

    url: str
    """The URL as it may be shown: no user name, password or query string."""
    steps: tuple[StepResult, ...]
    problems: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        """True when the handshake and the signed notification passed."""
        return not self.problems

    @property
    def exit_code(self) -> ExitCode:
        """0 ok; 1 a step failed; 4 only reaching the endpoint failed (try again)."""
        codes = {p.code for p in self.problems}
        if not codes:
            return ExitCode.OK
        return ExitCode.GRAPH if codes == {ProblemCode.WEBHOOK_UNREACHABLE} else ExitCode.PROBLEM


@dataclass(frozen=True)
class WebhookSecrets:
    """The verify token and the app secret the endpoint checks against."""

    verify_token: SecretToken
    app_secret: SecretToken


# -- settings ------------------------------------------------------------------------------------


def require_secret_url(url: str) -> httpx.URL:
    """The endpoint's URL, parsed: a full URL, and one that may receive the verify token and
    the app secret (`untrusted.require_secure_url`, the one rule); else SettingsError. The
    message never repeats the URL, which may hold a password."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        raise SettingsError(
            "--url must be a full URL such as https://example.com/webhook.",
            fix="Give the Callback URL exactly as it is set in " + CONFIGURATION_PAGE + ".",
        )
    require_secure_url(url, "--url (or WHATSAPP_WEBHOOK_URL)")
    return parsed


def shown_url(url: httpx.URL) -> str:
    """The URL without user info, query or fragment, and with each path segment of 16 or more
    characters masked (a secret path, as automation services hand out): what may be printed."""
    port = f":{url.port}" if url.port else ""
    host = f"[{url.host}]" if ":" in url.host else url.host
    path = "/".join(mask(part) if len(part) >= 16 else part for part in url.path.split("/"))
    return clean_text(f"{url.scheme}://{host}{port}{path}")


class StoredSecrets(NamedTuple):
    """The verify token, app secret and URL found in the environment or .env (None: not set)."""

    verify_token: SecretToken | None
    app_secret: SecretToken | None
    url: str | None = None


def stored_secrets(settings: Settings, environ: Mapping[str, str]) -> StoredSecrets:
    """The profile's verify token, app secret and webhook URL from the environment, else the
    .env file (an unreadable .env holds none); the doors ask for what is missing."""
    try:
        dotenv = env_store.read_env_file(settings.env_file)
    except EnvFileError:
        dotenv = {}
    verify = configured_secret(VERIFY_TOKEN_VAR, settings.profile, environ, dotenv)
    url = configured_secret(WEBHOOK_URL_VAR, settings.profile, environ, dotenv)
    return StoredSecrets(verify, settings.app_secret, url.reveal() if url else None)


def configured_secret(
    name: str, profile: Profile, environ: Mapping[str, str], dotenv: Mapping[str, str]
) -> SecretToken | None:
    """A profile's variable (WHATSAPP_WEBHOOK_VERIFY_TOKEN_ACME…) from the environment, else .env."""
    variable = profile.var(name)
    value = (environ.get(variable) or dotenv.get(variable) or "").strip()
    return SecretToken(value) if value else None


MAX_VERIFY_TOKEN_LENGTH = 1024
"""The longest verify token taken: it travels in a URL (and a real one is a few words)."""


def check_verify_token(token: SecretToken, variable: str) -> SecretToken:
    """A verify token that can travel in a URL: printable, at most MAX_VERIFY_TOKEN_LENGTH
    characters; else a usage error that does not repeat it."""
    value = token.reveal()
    if value.isprintable() and len(value) <= MAX_VERIFY_TOKEN_LENGTH:
        return token
    why = "control characters" if not value.isprintable() else "too many characters"
    raise SettingsError(
        f"{variable} holds {why}: it cannot be the verify token Meta sends in its request.",
        fix=f"Set {variable} to the Verify token typed in {CONFIGURATION_PAGE} "
        f"(printable text, at most {MAX_VERIFY_TOKEN_LENGTH} characters).",
    )


def missing_secret(name: str, profile: Profile) -> SettingsError:
    """The usage error for a verify token or app secret that is set nowhere."""
    variable = profile.var(name)
    where = (
        f"the Verify token you typed in {CONFIGURATION_PAGE}"
        if name == VERIFY_TOKEN_VAR
        else "App Dashboard → your app → App settings → Basic → App secret"
    )
    return SettingsError(
        f"{variable} is not set: webhook-test needs it to call your endpoint as Meta does.",
        fix=f"Set {variable} in the environment or .env to {where} (never on the command "
        "line), or run webhook-test in a terminal to be asked for it.",
    )


# -- the four calls ------------------------------------------------------------------------------


class _Caller:
    """One HTTP client for the four calls: no redirects followed, each answer bounded."""

    def __init__(
        self, target: httpx.URL, timeout: float, transport: httpx.BaseTransport | None
    ) -> None:
        quiet_http_loggers()
        self.timeout = timeout
        self.http = open_client(
            target,
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            headers={
                "User-Agent": f"wa-token/{__version__} webhook-test",
                "Accept-Encoding": "gzip, deflate",  # the two read_capped inflates with its bound
            },
        )

    def call(
        self, request: httpx.Request, *, read_body: bool
    ) -> tuple[int, httpx.Headers, bytes | None] | str:
        """(status, headers, body: None when too large or unreadable), or why there was no
        answer in time. The whole exchange has one deadline, so a trickle cannot outlast it."""
        deadline = time.monotonic() + self.timeout
        try:
            return Background(lambda: self._exchange(request, deadline, read_body)).result(
                self.timeout
            )
        except (httpx.TimeoutException, TimeoutError):
            return f"no complete answer within {self.timeout:g} seconds"
        except httpx.HTTPError as exc:
            if _untrusted_certificate(exc):
                return UNTRUSTED_CERTIFICATE
            return f"it could not be reached ({type(exc).__name__})"

    def _exchange(
        self, request: httpx.Request, deadline: float, read_body: bool
    ) -> tuple[int, httpx.Headers, bytes | None]:
        response = self.http.send(request, stream=True)
        try:
            if not read_body:
                return response.status_code, response.headers, b""
            try:
                body: bytes | None = read_capped(response, MAX_ANSWER_BYTES, deadline=deadline)
            except GraphBadResponse:  # larger than MAX_ANSWER_BYTES, or an unknown encoding
                body = None
            return response.status_code, response.headers, body
        finally:
            response.close()


UNTRUSTED_CERTIFICATE = (
    "its TLS certificate is not trusted (self-signed, expired, or for another name); Meta "
    "refuses such a certificate too"
)


def _untrusted_certificate(exc: BaseException) -> bool:
    """Whether the failure was TLS certificate verification (httpx wraps ssl's error)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return True
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return False


def run_webhook_test(
    url: str,
    keys: WebhookSecrets,
    *,
    timeout: float,
    phone_number_id: str | None = None,
    business_account_id: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> WebhookReport:
    """The handshake, the handshake with a wrong verify token, a signed notification and the
    same with a wrong signature; a step that cannot reach the endpoint ends the test there."""
    target = require_secret_url(url)
    caller = _Caller(target, timeout, transport)
    body = sample_notification(phone_number_id, business_account_id)
    wrong_token = SecretToken(secrets.token_urlsafe(24))
    plan: tuple[Callable[[], StepResult], ...] = (
        lambda: _verify(caller, target, keys.verify_token, True),
        lambda: _verify(caller, target, wrong_token, False),
        lambda: _notify(caller, target, body, sign(body, keys.app_secret), True),
        lambda: _notify(caller, target, body, sign(body, _wrong_key(keys.app_secret)), False),
    )
    results: list[StepResult] = []
    try:
        for run in plan:
            results.append(run())
            if not results[-1].reached or results[-1].summary == UNTRUSTED_CERTIFICATE:
                break  # the later calls would fail the same way
    finally:
        caller.http.close()
    return _report(shown_url(target), tuple(results))


def sign(body: bytes, secret: SecretToken) -> str:
    """`sha256=` + the hex HMAC-SHA256 of the raw body, keyed with the app secret."""
    digest = hmac.new(secret.reveal().encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def _wrong_key(secret: SecretToken) -> SecretToken:
    """A key that is surely not the app secret."""
    while True:
        wrong = SecretToken(secrets.token_hex(16))
        if wrong != secret:
            return wrong


def sample_notification(phone_number_id: str | None, business_account_id: str | None) -> bytes:
    """A `messages` field notification in Meta's shape: a delivery status of a message id that
    names wa-token, so an app that answers inbound messages sends nothing to anyone."""
    now = str(int(time.time()))
    status = {
        "id": SAMPLE_MESSAGE_PREFIX + secrets.token_hex(8),
        "status": "delivered",
        "timestamp": now,
        "recipient_id": "15550100000",
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": "15550100000",
            "phone_number_id": phone_number_id or "0",
        },
        "statuses": [status],
    }
    entry = {"id": business_account_id or "0", "changes": [{"value": value, "field": "messages"}]}
    payload = {"object": "whatsapp_business_account", "entry": [entry]}
    return json.dumps(payload, separators=(",", ":")).encode()


def _verify(caller: _Caller, target: httpx.URL, token: SecretToken, right: bool) -> StepResult:
    step = WebhookStep.VERIFICATION if right else WebhookStep.WRONG_VERIFY_TOKEN
    challenge = str(secrets.randbelow(9 * 10**9) + 10**9)
    params = {
        "hub.mode": "subscribe",
        "hub.challenge": challenge,
        "hub.verify_token": token.reveal(),
    }
    request = caller.http.build_request("GET", target.copy_merge_params(params))
    answer = caller.call(request, read_body=True)
    if isinstance(answer, str):
        return _no_answer(step, answer, refusal_wanted=not right)
    status, headers, body = answer
    echoed = status == 200 and body is not None and body == challenge.encode()
    if right:
        return StepResult(
            step, echoed, status, _handshake_summary(status, headers, body, challenge)
        )
    if echoed:
        return StepResult(step, False, status, "it answered 200 with the challenge: accepted")
    if status == 200:
        return StepResult(step, True, status, "HTTP 200 without the challenge: not accepted")
    return StepResult(step, True, status, f"refused (HTTP {status})")


def _notify(
    caller: _Caller, target: httpx.URL, body: bytes, signature: str, right: bool
) -> StepResult:
    step = WebhookStep.SIGNED_NOTIFICATION if right else WebhookStep.BAD_SIGNATURE
    headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature}
    request = caller.http.build_request("POST", target, content=body, headers=headers)
    answer = caller.call(request, read_body=False)
    if isinstance(answer, str):
        return _no_answer(step, answer, refusal_wanted=not right)
    status, answer_headers, _ = answer
    accepted = 200 <= status < 300
    if right:
        summary = f"accepted (HTTP {status})" if accepted else _refused_why(status, answer_headers)
        return StepResult(step, accepted, status, summary)
    if accepted:
        return StepResult(step, False, status, f"accepted (HTTP {status}) despite the signature")
    return StepResult(step, True, status, f"refused (HTTP {status})")


def _no_answer(step: WebhookStep, why: str, *, refusal_wanted: bool) -> StepResult:
    """No answer in time: for a forged call that is a refusal (Meta would give up too). An
    untrusted certificate is the endpoint's failure (exit 1), not a reason to try again."""
    if refusal_wanted and why.startswith("no complete answer"):
        return StepResult(step, True, None, f"{why}: not accepted")
    if why == UNTRUSTED_CERTIFICATE:
        return StepResult(step, False, None, why)
    return StepResult(step, False, None, why, reached=False)


def _handshake_summary(
    status: int, headers: httpx.Headers, body: bytes | None, challenge: str
) -> str:
    if 300 <= status < 400:
        return _redirected(status, headers)
    if status != 200:
        return f"it answered HTTP {status}, not 200 with the challenge"
    if body is None:
        return (
            f"it answered more than {MAX_ANSWER_BYTES // 1024} kB (or in an encoding other than "
            "gzip or deflate) instead of the challenge"
        )
    if body == challenge.encode():
        return "answered 200 with exactly the challenge"
    if challenge.encode() in body:
        return (
            f"it answered 200 with the challenge inside {len(body)} bytes (JSON, quotes or "
            "spaces around it); Meta wants the challenge alone, as plain text"
        )
    return f"it answered 200 with {len(body)} bytes that are not the challenge"


def _refused_why(status: int, headers: httpx.Headers) -> str:
    if 300 <= status < 400:
        return _redirected(status, headers)
    return f"refused (HTTP {status})"


def _redirected(status: int, headers: httpx.Headers) -> str:
    """A redirect, naming only the host it points at (its path and query may hold secrets)."""
    try:
        host = httpx.URL(headers.get("location", "")).host
    except (httpx.InvalidURL, ValueError):
        host = ""
    where = f" to {clean_text(host)[:80]}" if host else ""
    return (
        f"it redirected (HTTP {status}){where}; Meta does not follow redirects: set the final "
        "URL as the Callback URL"
    )


# -- the verdict ---------------------------------------------------------------------------------


def _report(url: str, steps: tuple[StepResult, ...]) -> WebhookReport:
    problems: list[Finding] = []
    warnings: list[Finding] = []
    for result in steps:
        found = _finding(result)
        if found is None:
            continue
        (warnings if isinstance(found.code, WarningCode) else problems).append(found)
    return WebhookReport(url, steps, tuple(problems), tuple(warnings))


def _finding(result: StepResult) -> Finding | None:
    if result.passed:
        return None
    if not result.reached:
        return Finding(
            ProblemCode.WEBHOOK_UNREACHABLE,
            f"The endpoint did not answer the {_STEP_NAMES[result.step]}: {result.summary}.",
            "Check that the server runs and is reachable from this machine (DNS, firewall, "
            "TLS certificate), then run webhook-test again; --timeout allows more time. Meta "
            "expects an answer within seconds.",
        )
    return Finding(*_FAILURES[result.step])


_STEP_NAMES = {
    WebhookStep.VERIFICATION: "verification request",
    WebhookStep.WRONG_VERIFY_TOKEN: "verification request with a wrong verify token",
    WebhookStep.SIGNED_NOTIFICATION: "signed notification",
    WebhookStep.BAD_SIGNATURE: "notification with a wrong signature",
}

_FAILURES: dict[WebhookStep, tuple[ProblemCode | WarningCode, str, str]] = {
    WebhookStep.VERIFICATION: (
        ProblemCode.WEBHOOK_VERIFICATION_FAILED,
        "The endpoint failed Meta's verification request: Meta will not save this Callback URL.",
        (
            "On GET with hub.mode=subscribe and hub.verify_token equal to your verify token "
            f"({VERIFY_TOKEN_VAR}), answer 200 with the hub.challenge value alone as the body "
            "(plain text, no JSON, no quotes, no newline); the token must match the Verify token "
            f"in {CONFIGURATION_PAGE}."
        ),
    ),
    WebhookStep.WRONG_VERIFY_TOKEN: (
        WarningCode.WEBHOOK_ACCEPTS_WRONG_VERIFY_TOKEN,
        "The endpoint answered the challenge to a wrong verify token: anyone can subscribe it.",
        "Compare hub.verify_token with your verify token and answer 403 when they differ.",
    ),
    WebhookStep.SIGNED_NOTIFICATION: (
        ProblemCode.WEBHOOK_NOTIFICATION_REFUSED,
        (
            "The endpoint refused a correctly signed notification: inbound messages and delivery "
            "statuses from Meta would be lost."
        ),
        (
            f"Answer 200 to POST notifications whose {SIGNATURE_HEADER} is 'sha256=' + the hex "
            "HMAC-SHA256 of the raw request body (the bytes, before any JSON parsing) keyed with "
            f"your App Secret ({APP_SECRET_VAR}, the same app as the webhook); a 3xx, 404 or 405 "
            "means POST does not reach your handler at this URL."
        ),
    ),
    WebhookStep.BAD_SIGNATURE: (
        WarningCode.WEBHOOK_ACCEPTS_BAD_SIGNATURE,
        (
            f"The endpoint accepted a notification with a wrong {SIGNATURE_HEADER}: it accepts "
            "forged calls."
        ),
        (
            f"Compute the HMAC-SHA256 of the raw body with your App Secret, compare it with "
            f"{SIGNATURE_HEADER} (after 'sha256=') in constant time, and answer 401 or 403 when "
            "they differ."
        ),
    ),
}


def report_json(report: WebhookReport) -> dict[str, Any]:
    """`webhook-test --json`: the URL as shown, each step, the problems and warnings."""
    return {
        "ok": report.ok,
        "url": report.url,
        "steps": [
            {"step": s.step, "passed": s.passed, "status": s.status, "summary": s.summary}
            for s in report.steps
        ],
        "problems": [_finding_json(f) for f in report.problems],
        "warnings": [_finding_json(f) for f in report.warnings],
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    row = {"code": finding.code, "title": finding.title, "fix": finding.fix}
    if finding.detail:
        row["detail"] = finding.detail
    return row
