"""The one rule for a URL that receives a secret: https, except to this machine (loopback)."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from wizard.core.errors import SettingsError
from wizard.core.untrusted import mask_url_credentials, url_credentials

LOOPBACK_NAMES = frozenset({"localhost"})


def secret_url(url: str, variable: str) -> str:
    """`url` without a trailing slash when a secret may be sent to it: https, or http to a
    loopback address; no user name or password in it. Else SettingsError naming `variable`.

    (Branch sec writes the project-wide version of this rule; this is the one place to point
    at it.)"""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number
    except ValueError:
        raise _refused(url, variable, "it cannot be parsed") from None
    if url_credentials(url):
        raise _refused(url, variable, "it holds a user name or password")
    if not host or parts.scheme not in ("https", "http"):
        raise _refused(url, variable, "it is not an https:// URL")
    if parts.scheme == "http" and not is_loopback(host):
        raise _refused(url, variable, "http:// would send the credentials in clear text")
    return url.strip().rstrip("/")


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost: this machine."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refused(url: str, variable: str, why: str) -> SettingsError:
    shown = mask_url_credentials(url)[:200]
    return SettingsError(
        f"{variable} ({shown}) cannot be used: {why}.",
        fix=f"Set {variable} to an https:// URL (http:// only to 127.0.0.1 or localhost), "
        "without credentials in it; for GitHub Enterprise: https://HOST/api/v3.",
    )
