"""An async client for the few Graph API calls wa-token needs, returning frozen dataclasses."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import zlib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Self, TypeVar

import httpx

from wizard import __version__
from wizard.core.errors import GraphApiError, GraphBadResponse, GraphError, GraphUnreachable
from wizard.core.token import SecretToken, format_problem
from wizard.core.untrusted import (
    clean_body,
    mask_url_credentials,
    require_graph_id,
    secret_forms,
)

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
"""Meta's Graph API; tests and demos point `--graph-url` at the fake server instead."""

GRAPH_VERSION = "v27.0"
"""(Released 2026-11-04; wizard/core/versions.py keeps every version's end of availability.)"""
"""The Graph API version wa-token speaks unless `--graph-version` says otherwise."""

DEFAULT_TIMEOUT = 10.0
"""Seconds to wait for each Graph answer."""

WHATSAPP_SCOPES = ("whatsapp_business_management", "whatsapp_business_messaging")
"""The two permissions a WhatsApp Cloud API token needs."""

MAX_PAGES = 50
"""Stop following `paging.next` after this many pages (a loop or a runaway listing)."""

MAX_ANSWER_BYTES = 4 * 1024 * 1024
"""The largest answer read (4 MiB); Graph's answers are a few kB, an endless one is cut here."""

TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 613, 80007, 80008, 130429, 131000})
"""Graph error codes that retrying may fix (see graph-api.md §8)."""

PHONE_FIELDS = (
    "id,display_phone_number,verified_name,quality_rating,code_verification_status,"
    "platform_type,throughput,name_status,status"
)
ACCOUNT_FIELDS = "id,name,currency,timezone_id,message_template_namespace,account_review_status"

IDS_PER_REQUEST = 50
"""Graph's limit of ids in one multiple-id lookup (`GET /?ids=A,B,…`)."""
PHONE_PAGE_SIZE = 100
"""Phone numbers asked for per account in the nested edge; more follow through paging.next."""
ACCOUNT_WITH_NUMBERS_FIELDS = (
    f"{ACCOUNT_FIELDS},phone_numbers.limit({PHONE_PAGE_SIZE}){{{PHONE_FIELDS}}}"
)
"""An account's details and its numbers in one read (field expansion of the phone_numbers edge)."""

HELLO_WORLD = "hello_world"
"""The template every new WhatsApp app has, used to prove a token can send."""

HELLO_WORLD_LANGUAGE = "en_US"
"""hello_world's language."""

_SAFE_PATH = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")
"""A relative Graph path such as `me/permissions` or `123/phone_numbers`: no `:`, `//` or `..`."""
_SECRET_PARAMS = re.compile(
    r"((?:input_token|access_token|client_secret|fb_exchange_token)=)[^&\s\"']*"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_T = TypeVar("_T")


@dataclass(frozen=True)
class GranularScope:
    """One permission and the assets it is limited to."""

    scope: str
    """The permission, such as whatsapp_business_messaging."""
    target_ids: tuple[str, ...] | None
    """The asset ids the grant is limited to; None when it is not limited to particular assets."""


@dataclass(frozen=True)
class DebugError:
    """Why debug_token says a token is not valid (its `data.error`)."""

    code: int
    subcode: int | None
    message: str


@dataclass(frozen=True)
class TokenInfo:
    """What `debug_token` says about a token."""

    is_valid: bool
    type: str | None
    """USER, PAGE, APP or SYSTEM_USER."""
    app_id: str | None
    application: str | None
    user_id: str | None
    expires_at: datetime | None
    """None when the token never expires (Graph sends 0)."""
    issued_at: datetime | None
    data_access_expires_at: datetime | None
    scopes: tuple[str, ...]
    granular_scopes: tuple[GranularScope, ...]
    error: DebugError | None = None


@dataclass(frozen=True)
class Me:
    """Who the token acts as (for a System User token, the system user)."""

    id: str
    name: str | None


@dataclass(frozen=True)
class Business:
    """A business portfolio the token can see."""

    id: str
    name: str | None


@dataclass(frozen=True)
class PhoneNumber:
    """A WhatsApp phone number of a business account; Graph omits fields that do not apply."""

    id: str
    display_phone_number: str | None = None
    verified_name: str | None = None
    quality_rating: str | None = None
    code_verification_status: str | None = None
    platform_type: str | None = None
    throughput_level: str | None = None
    name_status: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class BusinessAccount:
    """A WhatsApp Business Account (WABA) and its phone numbers."""

    id: str
    name: str | None = None
    currency: str | None = None
    timezone_id: str | None = None
    account_review_status: str | None = None
    phone_numbers: tuple[PhoneNumber, ...] = ()


@dataclass(frozen=True)
class SentMessage:
    """Graph accepted a message (accepted is not delivered: delivery is reported by webhook)."""

    message_id: str
    """The `wamid.…` id of the message."""
    wa_id: str | None
    """The recipient's WhatsApp id, as Graph resolved the number."""
    message_status: str | None
    """`accepted` on newer Graph versions; often absent."""


@dataclass(frozen=True)
class AccountDiscovery:
    """The WABA ids a token reaches, and why the business listing was refused, if it was."""

    ids: tuple[str, ...]
    listing_refused: GraphApiError | None = None
    """Graph's refusal to list the businesses or their accounts (no business_management)."""


@dataclass(frozen=True)
class ExchangedToken:
    """The long-lived token `oauth/access_token` gave for a short-lived one."""

    token: SecretToken
    token_type: str | None
    expires_in: int | None
    """Seconds until it expires (about 60 days); Graph may leave it out."""


class RedactSecretsFilter(logging.Filter):
    """Rewrites httpx's request log lines so that no token or secret query parameter survives."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_url(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def redact_url(text: str) -> str:
    """Replace the values of secret query parameters with `REDACTED`."""
    return _SECRET_PARAMS.sub(r"\1REDACTED", text)


def quiet_http_loggers() -> None:
    """Install the redacting filter on httpx's logger once (it logs every request URL at INFO)."""
    logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactSecretsFilter) for f in logger.filters):
        logger.addFilter(RedactSecretsFilter())


class GraphClient:
    """One method per question wa-token asks Graph; the token goes in the Authorization header."""

    def __init__(
        self,
        base_url: str = DEFAULT_GRAPH_URL,
        version: str = GRAPH_VERSION,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 1,
        retry_backoff: float = 1.0,
    ) -> None:
        quiet_http_loggers()
        self.base_url = base_url.rstrip("/")
        """The Graph host, without the version."""
        self.version = version
        """The Graph API version in every path, such as v26.0."""
        self.timeout = timeout
        """Seconds to wait for each answer."""
        self.retries = retries
        """How many times a transient failure is retried (Meta advises once)."""
        self.retry_backoff = retry_backoff
        """Seconds before a retry (plus up to 50% jitter)."""
        self._origin = httpx.URL(self.base_url)
        """Scheme, host and port every request must go to."""
        self._http = httpx.AsyncClient(
            base_url=f"{self.base_url}/{version}/",
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            headers={
                "User-Agent": f"wa-token/{__version__}",
                "Accept": "application/json",
                "Accept-Encoding": "gzip, deflate",
            },  # the two read_capped can bound
        )

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    # -- the questions -------------------------------------------------------------------------

    async def debug_token(
        self, token: SecretToken, *, app_token: SecretToken | None = None
    ) -> TokenInfo:
        """Inspect `token`, as itself or, when given, with the app token `APP_ID|APP_SECRET`."""
        body = await self._call(
            "GET",
            "debug_token",
            app_token or token,
            params={"input_token": token.reveal()},
            scrub=(token,),
        )
        data = body.get("data")
        if not isinstance(data, dict):
            raise _unexpected("debug_token", 200)
        return parse_token_info(data)

    async def me(self, token: SecretToken) -> Me:
        """The user or system user the token acts as."""
        body = await self._call("GET", "me", token, params={"fields": "id,name"})
        return Me(id=str(body.get("id", "")), name=_opt_str(body.get("name")))

    async def granted_permissions(self, token: SecretToken) -> tuple[str, ...]:
        """Permissions from `/me/permissions` with status granted (a fallback to debug_token)."""
        rows = await self._collect("me/permissions", token, {})
        return tuple(
            str(r["permission"]) for r in rows if r.get("status") == "granted" and "permission" in r
        )

    async def businesses(self, token: SecretToken) -> tuple[Business, ...]:
        """Business portfolios the token sees (needs business_management)."""
        rows = await self._collect("me/businesses", token, {"fields": "id,name"})
        return tuple(Business(str(r["id"]), _opt_str(r.get("name"))) for r in rows if "id" in r)

    async def business_account_ids_of(
        self, token: SecretToken, business_id: str
    ) -> tuple[str, ...]:
        """WABA ids a business owns or has been given by clients, fetched concurrently."""
        edges = ("owned_whatsapp_business_accounts", "client_whatsapp_business_accounts")
        business_id = require_graph_id(business_id, "business id")
        pages = await gather_all(
            self._collect(f"{business_id}/{edge}", token, {"fields": "id,name"}) for edge in edges
        )
        return _unique(str(row["id"]) for rows in pages for row in rows if "id" in row)

    async def discover_account_ids(self, token: SecretToken, info: TokenInfo) -> tuple[str, ...]:
        """The WABAs a token reaches: granular_scopes target_ids, else through its businesses.

        Follows graph-api.md §3: target_ids are authoritative when present (even when empty).
        When the WhatsApp grants are not limited to assets, ask the businesses; a token without
        business_management gets code 200/100 there, which means "nothing found", not "broken".
        """
        return (await self.discover_accounts(token, info)).ids

    async def discover_accounts(self, token: SecretToken, info: TokenInfo) -> AccountDiscovery:
        """As discover_account_ids, keeping Graph's refusal to list the businesses (100/200)."""
        targeted = [
            g.target_ids
            for g in info.granular_scopes
            if g.scope in WHATSAPP_SCOPES and g.target_ids is not None
        ]
        if targeted:
            return AccountDiscovery(
                _unique(
                    require_graph_id(i, "granular_scopes target_ids entry")
                    for ids in targeted
                    for i in ids
                )
            )
        try:
            businesses = await self.businesses(token)
            found = await gather_all(self.business_account_ids_of(token, b.id) for b in businesses)
        except GraphApiError as err:
            if err.code in (100, 200) or 200 <= err.code < 300:
                return AccountDiscovery((), listing_refused=err)
            raise
        return AccountDiscovery(_unique(i for ids in found for i in ids))

    async def business_account(self, token: SecretToken, account_id: str) -> BusinessAccount:
        """One WABA's details, without its phone numbers."""
        account_id = require_graph_id(account_id, "WhatsApp Business Account id")
        body = await self._call("GET", account_id, token, params={"fields": ACCOUNT_FIELDS})
        return BusinessAccount(
            id=str(body.get("id", account_id)),
            name=_opt_str(body.get("name")),
            currency=_opt_str(body.get("currency")),
            timezone_id=_opt_str(body.get("timezone_id")),
            account_review_status=_opt_str(body.get("account_review_status")),
        )

    async def phone_numbers(self, token: SecretToken, account_id: str) -> tuple[PhoneNumber, ...]:
        """Every phone number of a WABA, following paging."""
        account_id = require_graph_id(account_id, "WhatsApp Business Account id")
        rows = await self._collect(f"{account_id}/phone_numbers", token, {"fields": PHONE_FIELDS})
        return tuple(parse_phone_number(r) for r in rows if "id" in r)

    async def account_with_numbers(self, token: SecretToken, account_id: str) -> BusinessAccount:
        """A WABA's details and its phone numbers, asked for at the same time."""
        account, numbers = await asyncio.gather(
            self.business_account(token, account_id), self.phone_numbers(token, account_id)
        )
        return BusinessAccount(**{**account.__dict__, "phone_numbers": numbers})

    async def accounts_with_numbers(
        self, token: SecretToken, account_ids: Iterable[str]
    ) -> list[BusinessAccount | GraphError]:
        """WABAs with their numbers, in the order asked: one multiple-id lookup with field
        expansion per 50 ids, all at once; an id that is not digits fails alone, unsent."""
        asked = list(account_ids)
        outcomes: dict[str, BusinessAccount | GraphError] = {}
        valid: list[str] = []
        for account_id in _unique(asked):
            try:
                valid.append(require_graph_id(account_id, "WhatsApp Business Account id"))
            except GraphError as err:
                outcomes[account_id] = err
        chunks = [valid[i : i + IDS_PER_REQUEST] for i in range(0, len(valid), IDS_PER_REQUEST)]
        for found in await asyncio.gather(*(self._account_chunk(token, c) for c in chunks)):
            outcomes.update(found)
        return [outcomes[account_id] for account_id in asked]

    async def account_expanded(self, token: SecretToken, account_id: str) -> BusinessAccount:
        """One WABA with its numbers in one read (`GET /{id}?fields=…,phone_numbers{…}`)."""
        account_id = require_graph_id(account_id, "WhatsApp Business Account id")
        body = await self._call(
            "GET", account_id, token, params={"fields": ACCOUNT_WITH_NUMBERS_FIELDS}
        )
        return await self._account_from(token, account_id, body)

    async def _account_chunk(
        self, token: SecretToken, ids: list[str]
    ) -> dict[str, BusinessAccount | GraphError]:
        """Up to 50 validated ids in one `?ids=` request. Graph fails the whole request when
        one id cannot be read; then, and only for errors one id can cause, each id is read
        alone, so every account gets its own answer or error, as before."""
        if len(ids) == 1:
            return {ids[0]: await _outcome(self.account_expanded(token, ids[0]))}
        try:
            body = await self._call(
                "GET",
                "",
                token,
                params={"ids": ",".join(ids), "fields": ACCOUNT_WITH_NUMBERS_FIELDS},
            )
        except GraphApiError as err:
            if not _one_id_may_be_to_blame(err):
                return dict.fromkeys(ids, err)
            alone = await asyncio.gather(*(_outcome(self.account_expanded(token, i)) for i in ids))
            return dict(zip(ids, alone, strict=True))
        except GraphError as err:
            return dict.fromkeys(ids, err)
        parsed = await asyncio.gather(
            *(_outcome(self._account_from(token, i, body.get(i))) for i in ids)
        )
        return dict(zip(ids, parsed, strict=True))

    async def _account_from(
        self, token: SecretToken, account_id: str, body: object
    ) -> BusinessAccount:
        """An account object of an expanded read; its phone_numbers edge is followed past the
        first page (on the Graph host only). Graph leaves an empty edge out."""
        if not isinstance(body, dict):
            raise _unexpected("ids", 200)
        edge = body.get("phone_numbers")
        rows = [] if edge is None else await self._edge_rows(edge, token, "phone_numbers")
        return BusinessAccount(
            id=_opt_str(body.get("id")) or account_id,  # as Graph names it (shown, never sent)
            name=_opt_str(body.get("name")),
            currency=_opt_str(body.get("currency")),
            timezone_id=_opt_str(body.get("timezone_id")),
            account_review_status=_opt_str(body.get("account_review_status")),
            phone_numbers=tuple(parse_phone_number(r) for r in rows if "id" in r),
        )

    async def send_template(
        self,
        token: SecretToken,
        phone_number_id: str,
        to: str,
        *,
        template: str = HELLO_WORLD,
        language: str = HELLO_WORLD_LANGUAGE,
    ) -> SentMessage:
        """Send a template message; never retried, so one call can never send it twice."""
        phone_number_id = require_graph_id(phone_number_id, "phone number id")
        message = {
            "messaging_product": "whatsapp",
            "to": to,
            "type": "template",
            "template": {"name": template, "language": {"code": language}},
        }
        body = await self._call(
            "POST", f"{phone_number_id}/messages", token, json_body=message, retryable=_never_retry
        )
        messages, contacts = body.get("messages"), body.get("contacts")
        first = messages[0] if isinstance(messages, list) and messages else None
        if not isinstance(first, dict) or not first.get("id"):
            raise _unexpected("messages", 200)
        contact = contacts[0] if isinstance(contacts, list) and contacts else {}
        return SentMessage(
            message_id=str(first["id"]),
            wa_id=_opt_str(contact.get("wa_id")) if isinstance(contact, dict) else None,
            message_status=_opt_str(first.get("message_status")),
        )

    async def exchange_token(
        self, token: SecretToken, *, app_id: str, app_secret: SecretToken
    ) -> ExchangedToken:
        """Trade a short-lived user token for a ~60-day one (graph-api.md §6a).

        A POST with a form body, so neither the token nor the app secret is in any URL, and
        no Authorization header: the app credentials are the caller.
        """
        form = {
            "grant_type": "fb_exchange_token",
            "client_id": require_graph_id(app_id, "app_id"),
            "client_secret": app_secret.reveal(),
            "fb_exchange_token": token.reveal(),
        }
        body = await self._call(
            "POST",
            "oauth/access_token",
            None,
            form=form,
            scrub=(token, app_secret),
            retryable=_is_retryable_exchange,
        )
        value = body.get("access_token")
        if not isinstance(value, str) or format_problem(value):
            raise _unexpected("access_token", 200)
        expires_in = _int(body.get("expires_in"), default=None)
        return ExchangedToken(
            SecretToken(value),
            _opt_str(body.get("token_type")),
            expires_in if expires_in and expires_in > 0 else None,
        )

    async def refresh_system_user_token(
        self, token: SecretToken, *, app_id: str, app_secret: SecretToken
    ) -> ExchangedToken:
        """Renew an expiring System User token for another 60 days.

        Meta's "Install Apps, Generate, Refresh, and Revoke Tokens" page: `oauth/access_token`
        with grant_type=fb_exchange_token, the app's id and secret, the current token and
        set_token_expires_in_60_days=true. Sent as a POST form, like exchange_token, so no
        secret is in any URL.
        """
        form = {
            "grant_type": "fb_exchange_token",
            "client_id": app_id,
            "client_secret": app_secret.reveal(),
            "fb_exchange_token": token.reveal(),
            "set_token_expires_in_60_days": "true",
        }
        body = await self._call(
            "POST",
            "oauth/access_token",
            None,
            form=form,
            scrub=(token, app_secret),
            retryable=_is_retryable_exchange,
        )
        value = body.get("access_token")
        if not isinstance(value, str) or format_problem(value):
            raise _unexpected("access_token", 200)
        expires_in = _int(body.get("expires_in"), default=None)
        return ExchangedToken(
            SecretToken(value),
            _opt_str(body.get("token_type")),
            expires_in if expires_in and expires_in > 0 else None,
        )

    # -- plumbing ------------------------------------------------------------------------------

    async def _collect(
        self, path: str, token: SecretToken, params: dict[str, str]
    ) -> list[dict[str, Any]]:
        """All `data` rows of a list edge, following `paging.next` on this host only."""
        body = await self._call("GET", path, token, params=params)
        return await self._edge_rows(body, token, path.split("/")[-1])

    async def _edge_rows(self, page: object, token: SecretToken, name: str) -> list[dict[str, Any]]:
        """The `data` rows of an edge's first page and of the pages after it (MAX_PAGES in all)."""
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        for number in range(1, MAX_PAGES + 1):
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise _unexpected(name, 200)
            rows.extend(r for r in data if isinstance(r, dict))
            url = self._next_page(page, seen)  # type: ignore[arg-type]
            if url is None or number == MAX_PAGES:
                break
            page = await self._call("GET", url, token)
        return rows

    def _next_page(self, body: dict[str, Any], seen: set[str]) -> str | None:
        """`paging.next`, once, and only on the Graph host (same scheme, host and port): a link
        anywhere else ends the listing there, the token is not sent after it."""
        paging = body.get("paging")
        next_url = paging.get("next") if isinstance(paging, dict) else None
        if not isinstance(next_url, str) or next_url in seen or not self._same_host(next_url):
            return None
        seen.add(next_url)
        # Graph may write the token into the link; it goes in the Authorization header, and the
        # answer's copy was masked when the body was cleaned, so the link's copy is dropped.
        return str(httpx.URL(next_url).copy_remove_param("access_token"))

    def _same_host(self, url: str | httpx.URL) -> bool:
        """The token is only ever sent to the Graph host it was meant for: same scheme, host,
        port (a missing port is the scheme's default) and no other user info."""
        try:
            theirs = httpx.URL(url)
        except (httpx.InvalidURL, TypeError, ValueError):
            return False
        ours = self._origin
        return (
            theirs.scheme,
            theirs.host,
            theirs.port or _DEFAULT_PORTS.get(theirs.scheme),
            theirs.userinfo,
        ) == (ours.scheme, ours.host, ours.port or _DEFAULT_PORTS.get(ours.scheme), ours.userinfo)

    def _request(
        self,
        method: str,
        path: str,
        token: SecretToken | None,
        params: dict[str, str] | None,
        json_body: dict[str, Any] | None,
        form: dict[str, str] | None,
    ) -> httpx.Request:
        """The request, built only when it goes to the Graph host: a relative path must be plain
        segments (an id holding `http://evil/` or `//evil` would replace the host), or "" for
        the version's root (multiple-id lookups)."""
        if not (path == "" or _SAFE_PATH.fullmatch(path) or self._same_host(path)):
            raise _refused_url("A request path that is not a plain Graph path")
        headers = {"Authorization": f"Bearer {token.reveal()}"} if token else {}
        try:
            request = self._http.build_request(
                method, path, params=params, json=json_body, data=form, headers=headers
            )
        except (httpx.InvalidURL, ValueError):
            raise _refused_url("A request URL that cannot be parsed") from None
        if not self._same_host(request.url):  # the last word, whatever built the URL
            raise _refused_url("A request to another host than the Graph host")
        return request

    async def _call(
        self,
        method: str,
        path: str,
        token: SecretToken | None,
        *,
        params: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        scrub: Iterable[SecretToken] = (),
        retryable: Callable[[GraphError], bool] | None = None,
    ) -> dict[str, Any]:
        """One Graph request with the single retry Meta recommends for transient failures."""
        secrets = (*((token,) if token else ()), *scrub)
        retry_if = retryable or is_retryable
        for attempt in range(self.retries + 1):
            try:
                return await self._send(method, path, token, params, json_body, form, secrets)
            except GraphError as err:
                if attempt >= self.retries or not retry_if(err):
                    raise
            await asyncio.sleep(self.retry_backoff * (1 + random.random() / 2))
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(
        self,
        method: str,
        path: str,
        token: SecretToken | None,
        params: dict[str, str] | None,
        json_body: dict[str, Any] | None,
        form: dict[str, str] | None,
        secrets: tuple[SecretToken, ...],
    ) -> dict[str, Any]:
        request = self._request(method, path, token, params, json_body, form)
        try:
            # httpx bounds each read, so an answer that trickles in could take forever: the
            # whole answer gets one deadline as well. The body is streamed and cut at
            # MAX_ANSWER_BYTES, so an endless answer cannot fill the memory either.
            async with asyncio.timeout(self.timeout):
                response = await self._http.send(request, stream=True)
                try:
                    content = await read_capped(response)
                finally:
                    await response.aclose()
        except (httpx.TimeoutException, TimeoutError):
            raise GraphUnreachable(
                f"The Graph API did not answer within {self.timeout:g} seconds.",
                fix="Check your connection and try again, or allow more time with --timeout.",
                timed_out=True,
            ) from None
        except httpx.HTTPError as exc:
            raise GraphUnreachable(
                f"Could not talk to {mask_url_credentials(self.base_url)} ({type(exc).__name__}).",
                fix="Check your internet connection, proxy and --graph-url, then try again.",
            ) from None
        return parse_response(response, secrets, content=content)


async def read_capped(response: httpx.Response, limit: int = MAX_ANSWER_BYTES) -> bytes:
    """The answer's body, read as it streams in and refused once it passes `limit` bytes
    (decompressed: gzip and deflate are inflated with the same bound)."""
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
    async for chunk in response.aiter_raw():
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
    try:
        body = json.loads(response.content if content is None else content)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: absurd nesting
        body = None
    try:
        body = clean_body(body, secret_forms(secrets))
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


async def _outcome(call: Awaitable[_T]) -> _T | GraphError:
    """The call's result, or the Graph error it ended with (any other exception propagates)."""
    try:
        return await call
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


def parse_phone_number(row: dict[str, Any]) -> PhoneNumber:
    """One entry of the phone_numbers edge."""
    throughput = row.get("throughput")
    return PhoneNumber(
        id=str(row["id"]),
        display_phone_number=_opt_str(row.get("display_phone_number")),
        verified_name=_opt_str(row.get("verified_name")),
        quality_rating=_opt_str(row.get("quality_rating")),
        code_verification_status=_opt_str(row.get("code_verification_status")),
        platform_type=_opt_str(row.get("platform_type")),
        throughput_level=_opt_str(throughput.get("level"))
        if isinstance(throughput, dict)
        else None,
        name_status=_opt_str(row.get("name_status")),
        status=_opt_str(row.get("status")),
    )


async def gather_all(calls: Iterable[Awaitable[_T]]) -> list[_T]:
    """Run calls concurrently; the first failure is raised once all have finished."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return list(results)  # type: ignore[arg-type]


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
