"""`--push github:OWNER/REPO[/ENV]`: set a GitHub Actions secret through GitHub's REST API.

GitHub's way: read the repository's (or environment's) public key, seal the value in a libsodium
sealed box with it, PUT the sealed value. Credentials come from GITHUB_TOKEN, GH_TOKEN or
`gh auth token` at push time (never stored, never on a command line, never printed); requests go
to GITHUB_API_URL's host only (https, loopback excepted), bounded in time and size."""

from __future__ import annotations

import base64
import binascii
import json
import re
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import quote, urlsplit

import httpx

from wizard import __version__
from wizard.core.codes import DestinationKind
from wizard.core.errors import GraphError, PushError, SettingsError
from wizard.core.graph.network_env import open_client
from wizard.core.graph.parsing import read_capped
from wizard.core.graph.threads import Background
from wizard.core.push.destination import Delivery
from wizard.core.push.urls import secret_url
from wizard.core.token import SecretToken
from wizard.core.untrusted import clean_text, redact

GITHUB_PREFIX = "github:"
DEFAULT_API_URL = "https://api.github.com"
API_URL_VAR = "GITHUB_API_URL"
TOKEN_VARS = ("GITHUB_TOKEN", "GH_TOKEN")
"""Where the GitHub credentials are read from, in this order, before `gh auth token`."""
API_VERSION = "2022-11-28"
MAX_ANSWER_BYTES = 256 * 1024
"""GitHub's answers here are under 1 kB; anything past this is not GitHub."""
_OWNER = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})")
_REPO = re.compile(r"[A-Za-z0-9._-]{1,100}")
_ENVIRONMENT = re.compile(r"[A-Za-z0-9 ._-]{1,255}")
_SECRET_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")
_KEY_ID = re.compile(r"[A-Za-z0-9_.:=+/-]{1,100}")
FORMAT_FIX = (
    "Write it as github:OWNER/REPO (a repository secret) or github:OWNER/REPO/ENVIRONMENT (an "
    "environment secret), e.g. github:acme/shop or github:acme/shop/production."
)
SCOPE_FIX = (
    "Give the credentials the right to write Actions secrets: a classic token needs the `repo` "
    'scope; a fine-grained token needs this repository with the permission "Secrets: Read and '
    'write" (and "Environments: Read" for an environment secret); for gh: `gh auth refresh '
    "-s repo`."
)


@dataclass(frozen=True)
class GitHubTarget:
    """A repository, and optionally one of its environments."""

    owner: str
    repo: str
    environment: str | None = None

    @property
    def label(self) -> str:
        """github:OWNER/REPO[/ENVIRONMENT]."""
        tail = f"/{self.environment}" if self.environment else ""
        return f"{GITHUB_PREFIX}{self.owner}/{self.repo}{tail}"

    def secrets_path(self) -> str:
        """The API path under which the secrets (and their public key) live."""
        base = f"repos/{quote(self.owner, safe='')}/{quote(self.repo, safe='')}"
        if self.environment:
            return f"{base}/environments/{quote(self.environment, safe='')}/secrets"
        return f"{base}/actions/secrets"


def parse_github_target(text: str) -> GitHubTarget:
    """`github:OWNER/REPO[/ENVIRONMENT]` checked part by part (SettingsError, never echoing
    more than the words it names)."""
    if not text.startswith(GITHUB_PREFIX):
        raise SettingsError("A --push destination must start with github:.", fix=FORMAT_FIX)
    parts = text[len(GITHUB_PREFIX) :].split("/")
    if len(parts) not in (2, 3):
        raise SettingsError("A GitHub destination has two or three parts.", fix=FORMAT_FIX)
    owner, repo, *rest = parts
    environment = rest[0] if rest else None
    if not _OWNER.fullmatch(owner):
        raise SettingsError("The GitHub owner must be a user or organisation name.", fix=FORMAT_FIX)
    if not _REPO.fullmatch(repo) or repo in (".", ".."):
        raise SettingsError("The GitHub repository name is not one GitHub allows.", fix=FORMAT_FIX)
    if environment is not None and (
        not _ENVIRONMENT.fullmatch(environment) or environment.strip(" .") == ""
    ):
        raise SettingsError(
            "The GitHub environment name is not one wa-token can send to (letters, digits, "
            "space, `.`, `_`, `-`).",
            fix=FORMAT_FIX,
        )
    return GitHubTarget(owner, repo, environment)


def check_secret_name(name: str) -> str:
    """A name GitHub takes for a secret: [A-Z0-9_], not starting with a digit or GITHUB_."""
    if not _SECRET_NAME.fullmatch(name) or name.startswith("GITHUB_"):
        raise PushError(
            f"{name} cannot be a GitHub secret's name (only A-Z, 0-9 and _, not starting with a "
            "digit or GITHUB_).",
            fix="Use another --profile name.",
        )
    return name


def seal(public_key: bytes, token: SecretToken) -> str:
    """The token in a libsodium sealed box for `public_key`, base64 (GitHub's encrypted_value)."""
    from nacl.public import PublicKey, SealedBox  # only a GitHub push needs it

    return base64.b64encode(
        SealedBox(PublicKey(public_key)).encrypt(token.reveal().encode())
    ).decode()


@dataclass(frozen=True)
class GitHubDestination:
    """A GitHub Actions secret (repository or environment) named after the token's variable."""

    target: GitHubTarget
    transport: httpx.BaseTransport | None = field(default=None, compare=False, repr=False)
    """For tests: an httpx transport instead of the network."""

    @property
    def kind(self) -> DestinationKind:
        return DestinationKind.GITHUB

    @property
    def label(self) -> str:
        return self.target.label

    def send(self, delivery: Delivery) -> str:
        name = check_secret_name(delivery.variable)
        api_url = secret_url(delivery.environ.get(API_URL_VAR) or DEFAULT_API_URL, API_URL_VAR)
        credentials = github_credentials(delivery.environ, api_url, delivery.timeout)
        with GitHubApi(api_url, credentials, delivery.timeout, self.transport) as api:
            key_id, key = api.public_key(self.target)
            created = api.put_secret(self.target, name, key_id, seal(key, delivery.token))
        kind = "Environment secret" if self.target.environment else "Actions secret"
        return f"{kind} {name} {'created' if created else 'updated'} in {self.label}"


@dataclass(frozen=True)
class Credentials:
    """A GitHub token and where it came from (for the fix; the token is never shown)."""

    token: SecretToken = field(repr=False)
    source: str
    """GITHUB_TOKEN, GH_TOKEN or `gh auth token`."""


def github_credentials(environ: Mapping[str, str], api_url: str, timeout: float) -> Credentials:
    """GITHUB_TOKEN, else GH_TOKEN, else what `gh auth token` prints; PushError when none."""
    for variable in TOKEN_VARS:
        value = environ.get(variable, "").strip()
        if value and (not value.isascii() or not value.isprintable() or " " in value):
            raise PushError(
                f"{variable} does not hold a GitHub token (it has spaces, line breaks or "
                "other characters no token has).",
                fix=f'Set {variable} to the token alone, e.g. export {variable}="$(gh auth '
                'token)".',
            )
        if value:
            return Credentials(SecretToken(value), variable)
    from_gh = _gh_auth_token(environ, api_url, timeout)
    if from_gh is not None:
        return Credentials(from_gh, "`gh auth token`")
    raise PushError(
        "No GitHub credentials: GITHUB_TOKEN and GH_TOKEN are not set, and `gh auth token` "
        "gave none.",
        fix="Run `gh auth login` (then `gh auth refresh -s repo`), or export GH_TOKEN with a "
        "token allowed to write this repository's Actions secrets. " + SCOPE_FIX,
    )


def _gh_auth_token(environ: Mapping[str, str], api_url: str, timeout: float) -> SecretToken | None:
    """`gh auth token [--hostname HOST]` (no secret on its command line), read from its stdout."""
    gh = shutil.which("gh", path=environ.get("PATH"))
    if gh is None:
        return None
    host = urlsplit(api_url).hostname or ""
    argv = [gh, "auth", "token"]
    if host != urlsplit(DEFAULT_API_URL).hostname:
        argv += ["--hostname", host]
    env = {k: v for k, v in environ.items() if not k.startswith("WHATSAPP_")}
    try:
        done = subprocess.run(
            argv,
            env=env,
            capture_output=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = done.stdout[:4096].decode("ascii", "replace").strip()
    if done.returncode != 0 or not value or any(c.isspace() for c in value):
        return None
    return SecretToken(value)


class GitHubApi:
    """The two calls a secret needs, on GitHub's host only; every answer bounded in time and size."""

    def __init__(
        self,
        api_url: str,
        credentials: Credentials,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._credentials = credentials
        self._timeout = timeout
        self._origin = httpx.URL(api_url + "/")
        self._http = open_client(
            self._origin,
            base_url=api_url + "/",
            transport=transport,
            timeout=timeout,
            follow_redirects=False,
            headers={
                "User-Agent": f"wa-token/{__version__}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
                "Accept-Encoding": "gzip, deflate",
            },
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._http.close()

    def public_key(self, target: GitHubTarget) -> tuple[str, bytes]:
        """The key id and the 32-byte public key secrets of `target` are sealed with."""
        status, body = self._call("GET", f"{target.secrets_path()}/public-key", target)
        key_id, key = body.get("key_id"), body.get("key")
        if status != 200 or not isinstance(key_id, str) or not isinstance(key, str):
            raise self._unexpected(target, status)
        try:
            raw = base64.b64decode(key, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 32 or not _KEY_ID.fullmatch(key_id):
            raise self._unexpected(target, status)
        return key_id, raw

    def put_secret(self, target: GitHubTarget, name: str, key_id: str, sealed: str) -> bool:
        """Create or update the secret; True when GitHub created it (201), False for 204."""
        body = {"encrypted_value": sealed, "key_id": key_id}
        status, _ = self._call("PUT", f"{target.secrets_path()}/{name}", target, body)
        if status not in (201, 204):
            raise self._unexpected(target, status)
        return status == 201

    def _call(
        self, method: str, path: str, target: GitHubTarget, body: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {self._credentials.token.reveal()}"}
        request = self._http.build_request(method, path, json=body, headers=headers)
        if (request.url.scheme, request.url.host, request.url.port) != (
            self._origin.scheme,
            self._origin.host,
            self._origin.port,
        ) or not request.url.path.startswith(self._origin.path):
            raise PushError("A request to another host than GITHUB_API_URL's was refused.")
        deadline = time.monotonic() + self._timeout
        try:
            response, content = Background(lambda: self._send(request, deadline)).result(
                self._timeout
            )
        except (httpx.TimeoutException, TimeoutError):
            raise PushError(
                f"GitHub did not answer within {self._timeout:g} seconds.",
                fix="Check your connection (and HTTPS_PROXY), then run `wa-token push`; "
                "--timeout allows more time.",
            ) from None
        except httpx.HTTPError as exc:
            raise PushError(
                f"GitHub could not be reached ({type(exc).__name__}).",
                fix="Check your connection, proxy and GITHUB_API_URL, then run `wa-token push`.",
            ) from None
        except GraphError:
            raise PushError(
                "GitHub's answer was far too large, or not in a form GitHub sends; wa-token "
                "stopped reading it.",
                fix=f"Check that {API_URL_VAR} points at GitHub's API.",
            ) from None
        return response.status_code, self._refusal_or_body(response.status_code, content, target)

    def _send(self, request: httpx.Request, deadline: float) -> tuple[httpx.Response, bytes]:
        response = self._http.send(request, stream=True)
        try:
            return response, read_capped(response, MAX_ANSWER_BYTES, deadline=deadline)
        finally:
            response.close()

    def _refusal_or_body(self, status: int, content: bytes, target: GitHubTarget) -> dict[str, Any]:
        """The JSON body of a 2xx answer; a PushError that says what to fix for the others."""
        body = _json_object(content)
        if 200 <= status < 300:
            return body
        said = self._their_words(body)
        who = self._credentials.source
        if status == 401:
            raise PushError(
                f"GitHub refused the credentials from {who} (401: invalid or expired){said}.",
                fix="Create a new token (or `gh auth login`) and export it as GH_TOKEN, then "
                "run `wa-token push`. " + SCOPE_FIX,
            )
        if status == 403:
            raise PushError(
                f"GitHub refused to let the credentials from {who} write the secrets of "
                f"{target.label} (403){said}.",
                fix=SCOPE_FIX + " Then run `wa-token push`.",
            )
        if status == 404:
            place = f"the environment {target.environment!r} of " if target.environment else ""
            raise PushError(
                f"GitHub answered 404 for {place}{target.owner}/{target.repo}: it does not exist, "
                f"or the credentials from {who} cannot see it{said}.",
                fix="Check the name (github:OWNER/REPO[/ENVIRONMENT]; create the environment "
                "first in Settings → Environments). " + SCOPE_FIX,
            )
        if 300 <= status < 400:
            raise PushError(
                f"GitHub answered with a redirect ({status}); wa-token does not follow it with "
                "your credentials.",
                fix=f"If the repository was renamed or moved, push to its new name; check {API_URL_VAR}.",
            )
        raise self._unexpected(target, status, said)

    def _their_words(self, body: dict[str, Any]) -> str:
        message = body.get("message")
        if not isinstance(message, str) or not message.strip():
            return ""
        return f': "{redact(clean_text(message), (self._credentials.token,))[:200]}"'

    def _unexpected(self, target: GitHubTarget, status: int, said: str = "") -> PushError:
        return PushError(
            f"GitHub's answer for {target.label} was not what it documents (HTTP {status}){said}.",
            fix="Try again with `wa-token push` in a minute (GitHub may be having trouble); "
            f"check {API_URL_VAR} if you set it.",
        )


def _json_object(content: bytes) -> dict[str, Any]:
    try:
        value = json.loads(content) if content.strip() else {}
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}
