"""The GitHub API URL a credential may be sent to (parsed, no credentials in it, https)."""

from __future__ import annotations

from urllib.parse import urlsplit

from wizard.core.errors import SettingsError
from wizard.core.untrusted import mask_url_credentials, require_secure_url, url_credentials


def secret_url(url: str, variable: str) -> str:
    """`url` without a trailing slash when a secret may be sent to it: a URL that parses,
    without a user name or password, and passes `untrusted.require_secure_url` (https, or http
    to loopback). Else SettingsError naming `variable`."""
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
    require_secure_url(url, variable)
    return url.strip().rstrip("/")


def _refused(url: str, variable: str, why: str) -> SettingsError:
    shown = mask_url_credentials(url)[:200]
    return SettingsError(
        f"{variable} ({shown}) cannot be used: {why}.",
        fix=f"Set {variable} to an https:// URL (http:// only to 127.0.0.1 or localhost), "
        "without credentials in it; for GitHub Enterprise: https://HOST/api/v3.",
    )
