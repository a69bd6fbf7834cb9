"""Settings from flags, the environment and `.env`, resolved once and passed down explicitly."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from wizard.core.errors import SettingsError
from wizard.core.graph import DEFAULT_GRAPH_URL, DEFAULT_TIMEOUT, GRAPH_VERSION
from wizard.core.profiles import DEFAULT, Profile, choose_profile
from wizard.core.token import SecretToken
from wizard.core.untrusted import require_secure_url, require_setting_id, url_credentials
from wizard.core.variables import APP_ID_VAR, APP_SECRET_VAR

__all__ = ["Settings", "SettingsError", "load_settings"]

GRAPH_URL_VAR = "WHATSAPP_GRAPH_URL"
GRAPH_VERSION_VAR = "WHATSAPP_GRAPH_API_VERSION"
ACCOUNT_ID_VAR = "WHATSAPP_BUSINESS_ACCOUNT_ID"
PHONE_NUMBER_ID_VAR = "WHATSAPP_PHONE_NUMBER_ID"
DEFAULT_WARN_DAYS = 7

_VERSION = re.compile(r"v\d+\.\d+")
_URL_HOST = re.compile(  # httpx's URL_REGEX and AUTHORITY_REGEX, up to the port
    r"(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?//(?:[^/?#]*@)?(?P<host>\[[^/?#]*\]|[^:@/?#]*):?(?P<port>[^/?#]*)"
)
_IPV4_STYLE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")
MAX_URL_LENGTH = 65536
"""httpx's limit."""


@dataclass(frozen=True)
class Settings:
    """Everything a command needs to know besides the token itself."""

    graph_url: str = DEFAULT_GRAPH_URL
    graph_version: str = GRAPH_VERSION
    env_file: Path = Path(".env")
    timeout: float = DEFAULT_TIMEOUT
    warn_days: int = DEFAULT_WARN_DAYS
    app_id: str | None = None
    app_secret: SecretToken | None = field(default=None, repr=False)
    business_account_id: str | None = None
    phone_number_id: str | None = None
    profile: Profile = DEFAULT
    """Which token slot the command works on (`--profile`, WA_TOKEN_PROFILE, else default)."""

    @property
    def app_token(self) -> SecretToken | None:
        """`APP_ID|APP_SECRET`, which lets debug_token explain why a dead token is dead."""
        if self.app_id and self.app_secret:
            return SecretToken(f"{self.app_id}|{self.app_secret.reveal()}")
        return None


def load_settings(
    environ: Mapping[str, str],
    dotenv: Mapping[str, str] | None = None,
    *,
    graph_url: str | None = None,
    graph_version: str | None = None,
    env_file: Path | None = None,
    timeout: float | None = None,
    warn_days: int | None = None,
    profile: str | None = None,
    app_context: bool = True,
) -> Settings:
    """Flags win over the environment, which wins over `.env`; bad values raise SettingsError.

    The app context (WHATSAPP_APP_ID, ...) is read under the profile's names only, such as
    WHATSAPP_APP_ID_ACME: another app's id must never be checked against this profile's token.
    Without `app_context` (`--all-profiles`) it is left out: each profile's comes from
    `for_profile`, so one profile's broken value stops that profile only.
    """
    dotenv = dotenv or {}
    chosen = choose_profile(profile, environ)
    base = Settings(
        graph_url=check_graph_url(graph_url or environ.get(GRAPH_URL_VAR) or DEFAULT_GRAPH_URL),
        graph_version=check_graph_version(
            graph_version or environ.get(GRAPH_VERSION_VAR) or GRAPH_VERSION
        ),
        env_file=env_file or Path(".env"),
        timeout=check_positive(timeout if timeout is not None else DEFAULT_TIMEOUT, "--timeout"),
        warn_days=int(
            check_positive(
                warn_days if warn_days is not None else DEFAULT_WARN_DAYS,
                "--warn-days",
                allow_zero=True,
            )
        ),
        profile=chosen,
    )
    return for_profile(base, chosen, environ, dotenv) if app_context else base


def for_profile(
    base: Settings, profile: Profile, environ: Mapping[str, str], dotenv: Mapping[str, str]
) -> Settings:
    """`base` for another profile: that profile's app context, under its own names only."""

    def context(name: str) -> str | None:
        name = profile.var(name)
        return (environ.get(name) or dotenv.get(name) or "").strip() or None

    secret = context(APP_SECRET_VAR)
    return replace(
        base,
        app_id=require_setting_id(context(APP_ID_VAR), profile.var(APP_ID_VAR)),
        app_secret=SecretToken(secret) if secret else None,
        business_account_id=require_setting_id(
            context(ACCOUNT_ID_VAR), profile.var(ACCOUNT_ID_VAR)
        ),
        phone_number_id=require_setting_id(
            context(PHONE_NUMBER_ID_VAR), profile.var(PHONE_NUMBER_ID_VAR)
        ),
        profile=profile,
    )


def check_graph_url(url: str) -> str:
    """An http(s) URL without a query string; the version is added per request."""
    try:  # a bracket left open, a port past 65535, an IPv4 of 256: ValueError / InvalidURL
        parts = urlsplit(url.strip())
        port_ok = parts.port is None or 0 < parts.port
        parse_like_httpx(url.strip())
    except ValueError:
        port_ok = False
    if not port_ok or parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise SettingsError(
            "The Graph URL must look like https://graph.facebook.com (http or https, a host, no "
            "query string).",
            fix=f"Correct --graph-url or {GRAPH_URL_VAR}.",
        )
    if url_credentials(url):  # httpx would send them, and messages would print them
        raise SettingsError(
            "The Graph URL must not contain a user name or password (user:password@host).",
            fix=f"Remove the credentials from --graph-url or {GRAPH_URL_VAR}; a proxy that "
            "needs them belongs in HTTPS_PROXY.",
        )
    return require_secure_url(
        url.strip().rstrip("/"), f"The Graph URL (--graph-url or {GRAPH_URL_VAR})"
    )


def parse_like_httpx(url: str) -> None:
    """ValueError where `httpx.URL(url)` raises InvalidURL, without importing httpx (a tenth of
    the wizard's start-up, before its first screen): httpx's own checks of an ASCII URL (length,
    control characters, IPv4 and IPv6 literals, the port); a non-ASCII URL goes to httpx (IDNA).
    """
    if not url.isascii():
        import httpx

        try:
            httpx.URL(url)
        except httpx.InvalidURL as error:
            raise ValueError(str(error)) from None
        return
    if len(url) > MAX_URL_LENGTH or not url.isprintable():
        raise ValueError("a URL too long or with control characters")
    found = _URL_HOST.match(url)
    if found is None:  # no //authority: urlsplit finds no host either
        return
    host, port = found["host"], found["port"]
    if _IPV4_STYLE.fullmatch(host):
        ipaddress.IPv4Address(host)
    elif host.startswith("[") and host.endswith("]"):
        ipaddress.IPv6Address(host[1:-1])
    if port:
        int(port)


def check_graph_version(version: str) -> str:
    """A Graph version such as v26.0."""
    if not _VERSION.fullmatch(version.strip()):
        raise SettingsError(
            "The Graph API version must look like v26.0.",
            fix=f"Correct --graph-version or {GRAPH_VERSION_VAR}.",
        )
    return version.strip()


def check_positive(value: float, name: str, *, allow_zero: bool = False) -> float:
    """A number above zero (or zero when allowed)."""
    if value < 0 or (value == 0 and not allow_zero):
        raise SettingsError(f"{name} must be a number above zero.", fix=f"Correct {name}.")
    return value
