"""The GraphClient's plumbing: the HTTP client, retries, size caps and paging."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from typing import Any, Self

import httpx

from wizard import __version__
from wizard.core.errors import GraphError, GraphUnreachable
from wizard.core.graph.constants import (
    _DEFAULT_PORTS,
    _SAFE_PATH,
    DEFAULT_GRAPH_URL,
    DEFAULT_TIMEOUT,
    GRAPH_VERSION,
    MAX_PAGES,
)
from wizard.core.graph.network_env import open_client, transport_failure
from wizard.core.graph.parsing import (
    _refused_url,
    _unexpected,
    is_retryable,
    parse_response,
    read_capped,
)
from wizard.core.graph.redaction import quiet_http_loggers
from wizard.core.graph.threads import Background
from wizard.core.token import SecretToken
from wizard.core.untrusted import (
    mask_url_credentials,
    require_secure_url,
)


class GraphTransport:
    """The HTTP side of GraphClient: one pooled client, retries with backoff, capped answers, paging."""

    def __init__(
        self,
        base_url: str = DEFAULT_GRAPH_URL,
        version: str = GRAPH_VERSION,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = 1,
        retry_backoff: float = 1.0,
    ) -> None:
        quiet_http_loggers()
        self.base_url = require_secure_url(base_url, "The Graph URL").rstrip("/")
        """The Graph host, without the version: https://, or http:// on loopback only."""
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
        self._http = open_client(
            self._origin,
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

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _collect(
        self, path: str, token: SecretToken, params: dict[str, str]
    ) -> list[dict[str, Any]]:
        """All `data` rows of a list edge, following `paging.next` on this host only."""
        body = self._call("GET", path, token, params=params)
        return self._edge_rows(body, token, path.split("/")[-1])

    def _edge_rows(self, page: object, token: SecretToken, name: str) -> list[dict[str, Any]]:
        """The `data` rows of an edge's first page and of the pages after it (MAX_PAGES in all);
        a row whose id an earlier page gave (a page served twice) is not listed again."""
        rows: list[dict[str, Any]] = []
        seen: set[str] = set()
        ids: set[str] = set()
        for number in range(1, MAX_PAGES + 1):
            data = page.get("data") if isinstance(page, dict) else None
            if not isinstance(data, list):
                raise _unexpected(name, 200)
            rows.extend(_new_rows(data, ids))
            url = self._next_page(page, seen)  # type: ignore[arg-type]
            if url is None or number == MAX_PAGES:
                break
            page = self._call("GET", url, token)
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

    def _call(
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
        request = self._request(method, path, token, params, json_body, form)
        for attempt in range(self.retries + 1):
            try:
                return self._send(request, secrets)
            except GraphError as err:
                if attempt >= self.retries or not retry_if(err):
                    raise
            time.sleep(self.retry_backoff * (1 + random.random() / 2))
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, request: httpx.Request, secrets: tuple[SecretToken, ...]) -> dict[str, Any]:
        """One attempt. httpx bounds each read, so an answer that trickles in could take
        forever: the whole answer gets one deadline as well, kept by waiting for the exchange
        on another thread for `timeout` seconds at most (an exchange left behind stops at its
        next read). The body is streamed and cut at MAX_ANSWER_BYTES, so an endless answer
        cannot fill the memory either."""
        deadline = time.monotonic() + self.timeout
        try:
            response, content = Background(lambda: self._send_and_read(request, deadline)).result(
                self.timeout
            )
        except (httpx.TimeoutException, TimeoutError):
            raise GraphUnreachable(
                f"The Graph API did not answer within {self.timeout:g} "
                f"second{'s' if self.timeout != 1 else ''}.",
                fix="Check your connection and try again, or allow more time with --timeout.",
                timed_out=True,
            ) from None
        except httpx.HTTPError as exc:
            raise transport_failure(exc, mask_url_credentials(self.base_url)) from None
        return parse_response(response, secrets, content=content)

    def _send_and_read(
        self, request: httpx.Request, deadline: float
    ) -> tuple[httpx.Response, bytes]:
        """Send the request and read its answer, capped in size and stopped at `deadline`."""
        response = self._http.send(request, stream=True)
        try:
            return response, read_capped(response, deadline=deadline)
        finally:
            response.close()


def _new_rows(data: list[Any], ids: set[str]) -> list[dict[str, Any]]:
    """The object rows of a page whose id was not listed yet (rows without an id all count)."""
    rows = []
    for row in data:
        if not isinstance(row, dict):
            continue
        key = row.get("id")
        if isinstance(key, str):
            if key in ids:
                continue
            ids.add(key)
        rows.append(row)
    return rows
