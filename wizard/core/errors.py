"""The one error tree of wa-token: every failure carries a title, a message and a fix.

    WaTokenError
    ├── SettingsError           a flag, variable or answer wa-token cannot use (a usage error, exit 2)
    ├── TokenFormatError        pasted or stored text cannot be an access token
    ├── StoreError              the token could not be stored or read (exit 5)
    │   ├── EnvFileError        the .env file is a directory, unreadable, not UTF-8, not writable
    │   └── KeyringError        the OS keyring failed
    │       ├── KeyringUnavailable   no keyring backend on this machine
    │       ├── KeyringLocked        the keyring is locked and could not be unlocked
    │       └── KeyringTimeout       the keyring did not answer in time
    ├── PushError               a destination (GitHub, a --then hook) did not take the token (exit 5)
    └── GraphError              the Graph API could not be used
        ├── GraphUnreachable    network error or timeout (exit 4)
        │   └── NetworkSetupError   a proxy or TLS variable of the environment httpx cannot use
        ├── GraphBadResponse    5xx, HTML or unparseable JSON (exit 4)
        └── GraphApiError       Graph's own error envelope (code, subcode, type, ...)

Messages are built only from safe fields: never from a token, an app secret, a URL with a query
string, or `str()` of an httpx exception (which can carry the URL).

Beside the tree, like KeyboardInterrupt: `Terminated` (a BaseException), SIGTERM or SIGHUP
received while a `--then` hook ran.
"""

from __future__ import annotations

from dataclasses import KW_ONLY, dataclass

from wizard.core.codes import ExitCode


class WaTokenError(Exception):
    """Base of every error wa-token raises on purpose."""

    title: str = "Something went wrong"
    """A few words that name the failure."""
    exit_code: ExitCode = ExitCode.PROBLEM
    """The exit code a command ends with when this error stops it."""

    def __init__(self, message: str, *, fix: str = "", title: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        """What happened, in one or two sentences, with no secret in it."""
        self.fix = fix
        """The next thing to do: a command, a setting, or a link."""
        if title is not None:
            self.title = title


class SettingsError(WaTokenError):
    """A flag or variable has a value wa-token cannot use (a usage error, exit 2)."""

    title = "A setting is not valid"
    exit_code = ExitCode.USAGE


class TokenFormatError(WaTokenError):
    """The text cannot be an access token; `message` says why without echoing it."""

    title = "That is not an access token"


class StoreError(WaTokenError):
    """The token could not be stored or read."""

    title = "The token could not be stored or read"
    exit_code = ExitCode.STORE


class EnvFileError(StoreError):
    """The .env file cannot be read or written."""

    title = "The .env file cannot be used"


class KeyringError(StoreError):
    """The OS keyring failed."""

    title = "The OS keyring failed"


class KeyringUnavailable(KeyringError):
    """No keyring backend is available on this machine."""

    title = "No OS keyring is available"


class KeyringDisabled(KeyringUnavailable):
    """The keyring is turned off on purpose (the fail or null backend is configured): it holds
    no token, so "no token found" is the truth (exit 3), unlike a keyring that could not be asked."""


class KeyringLocked(KeyringError):
    """The keyring is locked and was not unlocked."""

    title = "The OS keyring is locked"


class KeyringTimeout(KeyringError):
    """The keyring did not answer within the time limit."""

    title = "The OS keyring did not answer"


class PushError(WaTokenError):
    """A destination did not take the token; the token stored locally is kept (exit 5)."""

    title = "The token was not sent to a destination"
    exit_code = ExitCode.STORE


class GraphError(WaTokenError):
    """The Graph API could not be used."""

    title = "The Graph API could not be used"
    exit_code = ExitCode.GRAPH


class GraphUnreachable(GraphError):
    """A network error or a timeout: Graph never answered."""

    title = "The Graph API could not be reached"

    def __init__(self, message: str, *, fix: str = "", timed_out: bool = False) -> None:
        super().__init__(message, fix=fix)
        self.timed_out = timed_out
        """True when Graph accepted the request but did not answer in time."""


class NetworkSetupError(GraphUnreachable):
    """A proxy or TLS variable of the environment (ALL_PROXY, SSL_CERT_FILE, ...) that the HTTP
    client cannot use: the machine's setup, not the token, so exit 4 like any unreachable Graph."""

    title = "The network settings of this environment cannot be used"


class GraphBadResponse(GraphError):
    """Graph answered, but with a server error or something that is not its JSON."""

    title = "The Graph API did not answer usefully"

    def __init__(self, message: str, *, status: int, fix: str = "") -> None:
        super().__init__(message, fix=fix)
        self.status = status
        """The HTTP status of the answer."""


@dataclass(eq=False, repr=False)
class GraphApiError(GraphError):
    """Graph's error envelope, `{"error": {...}}`, as a typed exception."""

    title = "The Graph API refused the request"

    message: str
    _: KW_ONLY
    code: int
    """Graph's `code`: branch on this, never on the HTTP status."""
    subcode: int | None = None
    """Graph's `error_subcode` (or `subcode` inside debug_token's data)."""
    error_type: str = ""
    """Graph's `type`, such as OAuthException."""
    is_transient: bool = False
    """Graph's hint that retrying may work."""
    fbtrace_id: str | None = None
    """Meta's support id for this failure."""
    status: int = 400
    """The HTTP status of the answer."""
    details: str | None = None
    """WhatsApp's `error_data.details`, when present."""
    retry_after_minutes: int | None = None
    """From X-Business-Use-Case-Usage `estimated_time_to_regain_access`, when above zero."""

    def __post_init__(self) -> None:
        super().__init__(self.message)


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while a `--then` hook ran: the hook's process group was killed,
    and the command stops with the shell's code for that signal (143, 129)."""

    def __init__(self, signal_name: str, exit_code: ExitCode) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name
        """SIGTERM or SIGHUP."""
        self.exit_code = exit_code
        """128 + the signal's number."""
