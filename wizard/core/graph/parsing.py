"""Reading, checking and parsing Graph responses, and deciding which errors are worth a retry."""

from __future__ import annotations

import json
import time
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx

from wizard.core.errors import GraphApiError, GraphBadResponse, GraphError, GraphUnreachable
from wizard.core.graph.constants import MAX_ANSWER_BYTES, TRANSIENT_CODES
from wizard.core.graph.models import (
    DebugError,
    GranularScope,
    PhoneNumber,
    TokenInfo,
    assembled,
)
from wizard.core.graph.readiness import (
    messaging_limit,
    parse_health,
    parse_webhook_configuration,
)
from wizard.core.token import SecretToken
from wizard.core.untrusted import (
    clean_body,
    is_clean_json,
    secret_forms,
)

_T = TypeVar("_T")


def read_capped(
    response: httpx.Response, limit: int = MAX_ANSWER_BYTES, *, deadline: float | None = None
) -> bytes:
    """The answer's body, read as it streams in and refused once it passes `limit` bytes
    (decompressed: gzip and deflate are inflated with the same bound); TimeoutError once
    `time.monotonic()` passes `deadline`."""
    declared = _int(response.headers.get("content-length", ""), default=None)
    if declared is not None and declared > limit:
        raise _too_large(response, limit)
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("identity", "", "gzip", "deflate"):
        raise _unexpected(_endpoint_name(response), response.status_code)
    if response.is_stream_consumed:  # a test transport that built the answer in memory
        if len(response.content) > limit:
            raise _too_large(response, limit)
        return response.content
    inflater = None if encoding in ("identity", "") else zlib.decompressobj(wbits=47)
    body = bytearray()
    for chunk in response.iter_raw():
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError
        if inflater is not None:
            try:
                chunk = inflater.decompress(chunk, limit + 1 - len(body))
            except zlib.error:
                raise _unexpected(_endpoint_name(response), response.status_code) from None
        body += chunk
        if len(body) > limit:
            raise _too_large(response, limit)
    return bytes(body)


def _too_large(response: httpx.Response, limit: int) -> GraphBadResponse:
    return GraphBadResponse(
        f"The Graph API sent an answer larger than {limit / 2**20:g} MB for "
        f"{_endpoint_name(response)}; wa-token stopped reading it (Graph's answers are a few kB).",
        status=response.status_code,
        fix="Check that --graph-url / WHATSAPP_GRAPH_URL points at the Graph API "
        "(https://graph.facebook.com), then try again.",
    )


def _refused_url(what: str) -> GraphBadResponse:
    """The token never leaves for another host: such a request is refused before it is made."""
    return GraphBadResponse(
        f"{what} was refused: wa-token sends requests (and the token) only to the Graph host "
        "you configured.",
        status=200,
        fix="Check --graph-url / WHATSAPP_GRAPH_URL and the ids in your environment and .env; "
        "if the Graph URL is right, its answer was not Graph's.",
    )


def parse_response(
    response: httpx.Response, secrets: Iterable[SecretToken] = (), *, content: bytes | None = None
) -> dict[str, Any]:
    """Graph's JSON object, or the typed error its answer stands for. Every string in it is
    cleaned of control characters and of the secrets sent with the request before anyone
    reads it: whatever Graph (or a proxy) echoes, no token or escape sequence gets through."""
    secrets = tuple(secrets)
    raw = response.content if content is None else content
    forms = secret_forms(secrets)
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurd nesting
        body = None
    if not is_clean_json(raw, forms):  # the common case is checked on the text, at C speed
        try:
            body = clean_body(body, forms)
        except RecursionError:  # deep, but not too deep for json
            body = None
    if isinstance(body, dict) and isinstance(body.get("error"), dict):
        raise _api_error(body["error"], response, secrets)
    if response.status_code >= 400 or not isinstance(body, dict):
        raise _unexpected(_endpoint_name(response), response.status_code)
    return body


def _api_error(
    error: dict[str, Any], response: httpx.Response, secrets: Iterable[SecretToken]
) -> GraphApiError:
    message = str(error.get("message") or "Graph returned an error without a message.")
    for secret in secrets:
        message = message.replace(secret.reveal(), secret.masked)
    details = error.get("error_data")
    return GraphApiError(
        message,
        code=_int(error.get("code"), default=0),
        subcode=_int(error.get("error_subcode"), default=None),
        error_type=str(error.get("type") or ""),
        is_transient=bool(error.get("is_transient", False)),
        fbtrace_id=_opt_str(error.get("fbtrace_id")),
        status=response.status_code,
        details=_opt_str(details.get("details")) if isinstance(details, dict) else None,
        retry_after_minutes=regain_access_minutes(response.headers),
    )


def _unexpected(endpoint: str, status: int) -> GraphBadResponse:
    what = "a server error" if status >= 500 else "an answer that is not Graph's JSON"
    return GraphBadResponse(
        f"The Graph API sent {what} (HTTP {status}) for {endpoint}.",
        status=status,
        fix="This is on Meta's side or a proxy's; try again in a minute "
        "(https://metastatus.com shows outages).",
    )


def _endpoint_name(response: httpx.Response) -> str:
    """The last path segment of the request, never its query string."""
    path = response.request.url.path.rstrip("/")
    return path.rsplit("/", 1)[-1] or "/"


def is_retryable(err: GraphError) -> bool:
    """Whether one more try may help: 5xx, transient codes, refused connections (not timeouts)."""
    if isinstance(err, GraphUnreachable):
        return not err.timed_out
    if isinstance(err, GraphBadResponse):
        return err.status >= 500 or err.status == 429
    if isinstance(err, GraphApiError):
        if err.retry_after_minutes:
            return False
        return err.is_transient or err.code in TRANSIENT_CODES or err.status >= 500
    return False


def _one_id_may_be_to_blame(err: GraphApiError) -> bool:
    """Errors one unreadable id makes Graph answer for a whole `?ids=` request: no such object
    (100, 803) or no permission for it (10, 200-299). A dead token, a rate limit or an outage
    is the same for every id, so those are not asked again id by id."""
    return err.code in (10, 100, 803) or 200 <= err.code < 300


def _outcome(call: Callable[[], _T]) -> _T | GraphError:
    """The call's result, or the Graph error it ended with (any other exception propagates)."""
    try:
        return call()
    except GraphError as err:
        return err


def _never_retry(err: GraphError) -> bool:
    """Sends are not idempotent: a retry after a lost answer could send the message twice."""
    return False


def _is_retryable_exchange(err: GraphError) -> bool:
    """As is_retryable, except code 1 on a 4xx answer: there it means a wrong app secret."""
    if isinstance(err, GraphApiError) and err.code == 1 and err.status < 500:
        return err.is_transient
    return is_retryable(err)


def regain_access_minutes(headers: httpx.Headers) -> int | None:
    """The longest `estimated_time_to_regain_access` in X-Business-Use-Case-Usage, if above 0."""
    try:
        usage = json.loads(headers.get("x-business-use-case-usage", "{}"))
        entries = [e for rows in usage.values() if isinstance(rows, list) for e in rows]
        minutes = max(
            (
                int(e.get("estimated_time_to_regain_access", 0))
                for e in entries
                if isinstance(e, dict)
            ),
            default=0,
        )
    except (ValueError, TypeError, AttributeError):
        return None
    return minutes or None


def parse_token_info(data: dict[str, Any]) -> TokenInfo:
    """debug_token's `data` object; every field is optional."""
    error = data.get("error")
    return TokenInfo(
        is_valid=data.get("is_valid") is True,  # only JSON true: never "false" or 1
        type=_opt_str(data.get("type")),
        app_id=_opt_str(data.get("app_id")),
        application=_opt_str(data.get("application")),
        user_id=_opt_str(data.get("user_id")),
        expires_at=_time(data.get("expires_at")),
        issued_at=_time(data.get("issued_at")),
        data_access_expires_at=_time(data.get("data_access_expires_at")),
        scopes=tuple(str(s) for s in _items(data.get("scopes")) if isinstance(s, str)),
        granular_scopes=tuple(
            _granular(g)
            for g in _items(data.get("granular_scopes"))
            if isinstance(g, dict) and "scope" in g
        ),
        error=DebugError(
            code=_int(error.get("code"), default=0),
            subcode=_int(error.get("subcode", error.get("error_subcode")), default=None),
            message=str(error.get("message", "")),
        )
        if isinstance(error, dict)
        else None,
    )


_PHONE_TEXTS = (
    "display_phone_number",
    "verified_name",
    "quality_rating",
    "code_verification_status",
    "platform_type",
    "name_status",
    "status",
)
"""PhoneNumber's fields that Graph sends under the same name (id and throughput aside)."""


def parse_phone_number(row: dict[str, Any]) -> PhoneNumber:
    """One entry of the phone_numbers edge."""
    throughput = row.get("throughput")
    fields: dict[str, Any] = {"id": str(row["id"])}
    fields.update(zip(_PHONE_TEXTS, texts(row, _PHONE_TEXTS), strict=True))
    fields["throughput_level"] = (
        _opt_str(throughput.get("level")) if isinstance(throughput, dict) else None
    )
    health, webhook = row.get("health_status"), row.get("webhook_configuration")
    fields["health"] = None if health is None else parse_health(health)
    fields["webhook"] = None if webhook is None else parse_webhook_configuration(webhook)
    fields["messaging_limit"] = messaging_limit(row)
    return assembled(PhoneNumber, fields)


def texts(row: dict[str, Any], names: tuple[str, ...]) -> list[str | None]:
    """The fields `names` of a Graph object, each read as _opt_str reads it."""
    return [value if type(value) is str else _opt_str(value) for value in map(row.get, names)]


def _granular(entry: dict[str, Any]) -> GranularScope:
    ids = entry.get("target_ids")
    return GranularScope(
        scope=str(entry["scope"]),
        target_ids=tuple(str(i) for i in ids) if isinstance(ids, list) else None,
    )


def _time(value: object) -> datetime | None:
    """A unix time; Graph's 0 ("never") and a missing field both become None."""
    seconds = _int(value, default=None)
    try:
        return datetime.fromtimestamp(seconds, UTC) if seconds else None
    except (ValueError, OverflowError, OSError):  # beyond the years a datetime can hold
        return None


def _int(value: object, *, default: Any) -> Any:
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        try:
            return int(value)
        except ValueError:  # more digits than Python converts
            return default
    return default


def _items(value: object) -> list[Any]:
    """A JSON array's items; anything else (a string, a number, an object) holds none."""
    return value if isinstance(value, list) else []


def _opt_str(value: object) -> str | None:
    return None if value is None or isinstance(value, (dict, list)) else str(value)


def _unique(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))
