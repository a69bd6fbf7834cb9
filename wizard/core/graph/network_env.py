"""The HTTP client from the environment's proxy and TLS variables, or an error naming the one
variable httpx cannot use (a SOCKS proxy without its package, a garbage URL, a CA file that is
not one): the machine's setup, exit 4, never an "unexpected error"."""

from __future__ import annotations

import os
import re
import ssl
import stat
from collections.abc import Mapping
from typing import Any

import httpx

from wizard.core.errors import GraphUnreachable, NetworkSetupError
from wizard.core.untrusted import is_loopback_host

PROXY_VARIABLES = ("HTTPS_PROXY", "ALL_PROXY", "HTTP_PROXY")
"""The proxy variables httpx reads (each in upper and lower case; the lower case wins)."""
NO_PROXY_VARIABLE = "NO_PROXY"
CA_FILE_VARIABLE = "SSL_CERT_FILE"
CA_DIR_VARIABLE = "SSL_CERT_DIR"
CA_HASH_NAME = re.compile(r"[0-9a-f]{8}\.r?[0-9]+")
"""The names OpenSSL opens in a CA directory (a subject hash and a number; `r` for a CRL)."""
SPECIAL_FILES = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}
"""What a CA variable may point at that opening or reading could block on forever."""
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
"""What httpx can proxy through (socks5 and socks5h with the socksio package)."""
_FIX_PROXY = (
    "Correct or unset {name} for wa-token (`env -u {name} wa-token …`); a proxy looks like "
    "http://host:3128, https://host:3128 or socks5://host:1080."
)


def open_client(origin: httpx.URL, **options: Any) -> httpx.Client:
    """`httpx.Client(**options)` for requests to `origin`, which carry a secret: an http://
    origin on this machine never goes through a proxy of the environment, which would see its
    clear text. A proxy or TLS variable httpx cannot use is a NetworkSetupError."""
    trust_env = not plain_loopback(origin)
    special = ca_special_file(os.environ) if trust_env else None
    if special is not None:
        raise special
    try:
        return httpx.Client(trust_env=trust_env, **options)
    except (ImportError, ValueError, OSError, httpx.InvalidURL) as exc:  # ssl.SSLError: OSError
        raise setup_error(exc, os.environ) from None


def plain_loopback(origin: httpx.URL) -> bool:
    """An http:// URL on this machine (the only http:// a secret may go to)."""
    return origin.scheme == "http" and is_loopback_host(origin.host)


def setup_error(exc: BaseException, environ: Mapping[str, str]) -> NetworkSetupError:
    """The error that names the variable behind `exc`, and the fix; never its value (a proxy URL
    may carry a password)."""
    if isinstance(exc, OSError) and not isinstance(exc, ImportError):
        found = ca_problem(environ)
        if found:
            return found
    for name, value in set_variables(environ, PROXY_VARIABLES):
        problem = proxy_problem(value)
        if problem:
            return NetworkSetupError(
                f"{name} {problem}, so wa-token cannot reach the Graph API through it.",
                fix=_FIX_PROXY.format(name=name),
            )
    for name, _ in set_variables(environ, (NO_PROXY_VARIABLE,)):
        return NetworkSetupError(
            f"{name} holds an entry that is neither a host name, an IP address nor a URL "
            "(such as an open `[`), which the HTTP client cannot read.",
            fix=f"Correct {name}: comma-separated hosts (example.com, .example.com, "
            "10.0.0.1, ::1, localhost) or `*`.",
        )
    return NetworkSetupError(
        f"The HTTP client could not be set up from this environment ({type(exc).__name__}).",
        fix="Check the proxy (HTTPS_PROXY, ALL_PROXY, HTTP_PROXY, NO_PROXY) and certificate "
        "(SSL_CERT_FILE, SSL_CERT_DIR) variables.",
    )


def set_variables(environ: Mapping[str, str], names: tuple[str, ...]) -> list[tuple[str, str]]:
    """(spelling, value) of each of `names` set in either case (httpx, through urllib, reads
    both; which one wins depends on their order in the environment)."""
    found = []
    for name in names:
        for spelling in (name.lower(), name):
            value = environ.get(spelling, "").strip()
            if value:
                found.append((spelling, value))
    return found


def proxy_problem(value: str) -> str | None:
    """Why httpx cannot proxy through `value` (a phrase after the variable's name), or None."""
    url = value if "://" in value else f"http://{value}"
    try:
        scheme = httpx.URL(url).scheme
    except httpx.InvalidURL:
        return "is not a URL httpx can read"
    if scheme not in PROXY_SCHEMES:
        return "uses a scheme a proxy cannot have (http, https, socks5 or socks5h)"
    if scheme.startswith("socks") and not _socks_available():
        return "is a SOCKS proxy and the socksio package is not installed (pip install socksio)"
    return None


def _socks_available() -> bool:
    """Whether httpx can use a SOCKS proxy (its `socks` extra, the socksio package)."""
    try:
        import socksio  # noqa: F401
    except ImportError:
        return False
    return True


def ca_special_file(environ: Mapping[str, str]) -> NetworkSetupError | None:
    """SSL_CERT_FILE (or else SSL_CERT_DIR, each of its `:`-separated folders and the CA
    files OpenSSL would open there) naming a FIFO, a device or a socket, found without opening
    it: opening or reading one could wait forever."""
    name = next((n for n in (CA_FILE_VARIABLE, CA_DIR_VARIABLE) if environ.get(n)), None)
    if name is None:
        return None
    paths = environ[name].split(":") if name == CA_DIR_VARIABLE else [environ[name]]
    for path in filter(None, paths):
        kind = _special_kind(path)
        if kind is None and name == CA_DIR_VARIABLE and os.path.isdir(path):
            kind = _special_entry(path)
        if kind is not None:
            return NetworkSetupError(
                f"{name} names {kind}: wa-token reads CA certificates only from a regular file "
                "(or a folder of them), since reading anything else could wait forever.",
                fix=f"Point {name} at your CA bundle (e.g. /etc/ssl/certs/ca-certificates.crt),"
                f" or unset it: `env -u {name} wa-token …`.",
            )
    return None


def _special_kind(path: str) -> str | None:
    """What special file `path` is (after symbolic links), or None (a file, a folder, none)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None  # missing or unreadable: the load itself says so
    return SPECIAL_FILES.get(stat.S_IFMT(mode))


def _special_entry(folder: str) -> str | None:
    """A CA file OpenSSL would open in `folder` that is a special file, or None."""
    try:
        with os.scandir(folder) as entries:
            names = [e.path for e in entries if CA_HASH_NAME.fullmatch(e.name)]
    except OSError:
        return None
    kinds = (_special_kind(path) for path in names)
    found = next((kind for kind in kinds if kind is not None), None)
    return f"a folder holding {found} where a CA certificate belongs" if found else None


def ca_problem(environ: Mapping[str, str]) -> NetworkSetupError | None:
    """SSL_CERT_FILE (or else SSL_CERT_DIR, as httpx reads them) when it cannot be loaded."""
    for name in (CA_FILE_VARIABLE, CA_DIR_VARIABLE):
        path = environ.get(name)
        if not path:
            continue
        try:
            if name == CA_FILE_VARIABLE:
                ssl.create_default_context(cafile=path)
            else:
                ssl.create_default_context(capath=path)
        except (OSError, ValueError):
            return NetworkSetupError(
                f"{name} names no readable file of PEM CA certificates, so no TLS connection "
                "can be verified.",
                fix=f"Point {name} at your CA bundle (e.g. /etc/ssl/certs/ca-certificates.crt, "
                f"or the one your company proxy gives), or unset it: `env -u {name} wa-token …`.",
            )
        return None  # httpx reads the first one set
    return None


def transport_failure(exc: httpx.HTTPError, where: str) -> GraphUnreachable:
    """A request that failed on the way (`where` is the Graph URL, safe to print): a certificate
    nobody trusts and a failing proxy say so; anything else is a connection that failed."""
    if _caused_by(exc, ssl.SSLCertVerificationError):
        ca_hint = next(
            (name for name in (CA_FILE_VARIABLE, CA_DIR_VARIABLE) if os.environ.get(name)), None
        )
        return GraphUnreachable(
            f"The TLS certificate of {where} is not trusted by this machine"
            + (f" (with the CA certificates of {ca_hint})." if ca_hint else "."),
            fix="A company proxy that inspects TLS needs its CA bundle in SSL_CERT_FILE; "
            + (f"check that {ca_hint} holds the right CA certificates. " if ca_hint else "")
            + "Never turn certificate checks off: the token would go to whoever answers.",
        )
    if isinstance(exc, httpx.ProxyError):
        return GraphUnreachable(
            f"The proxy of this environment (HTTPS_PROXY, ALL_PROXY) failed to reach {where} "
            f"({type(exc).__name__}).",
            fix="Check the proxy variable (and NO_PROXY), or try without the proxy.",
        )
    proxy = proxy_for(where, os.environ)
    through = f" through the proxy in {proxy}" if proxy else ""
    return GraphUnreachable(
        f"Could not talk to {where}{through} ({type(exc).__name__}).",
        fix=f"Check that proxy ({proxy}) and NO_PROXY, then try again."
        if proxy
        else "Check your internet connection, proxy and --graph-url, then try again.",
    )


def proxy_for(url: str, environ: Mapping[str, str]) -> str | None:
    """The proxy variable a request to `url` goes through, or None when it goes direct (none
    set, or NO_PROXY exempts the host, as urllib reads it from the process's environment)."""
    import urllib.request

    parts = httpx.URL(url)
    if urllib.request.proxy_bypass(parts.host):
        return None
    names = ("HTTPS_PROXY", "ALL_PROXY") if parts.scheme == "https" else ("HTTP_PROXY", "ALL_PROXY")
    return next((name for name, _ in set_variables(environ, names)), None)


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether `kind` is in the chain of causes of `exc` (httpx wraps httpcore wraps ssl)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
