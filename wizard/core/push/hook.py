"""`--then CMD`: a command of the user's, run by /bin/sh with the token on its standard input only."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import termios
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from wizard.core.codes import DestinationKind, ExitCode
from wizard.core.errors import PushError, SettingsError, Terminated
from wizard.core.push.destination import Delivery
from wizard.core.token import SecretToken
from wizard.core.untrusted import redact
from wizard.core.variables import APP_SECRET_VAR, TOKEN_KEY

SHELL = "/bin/sh"
HOOK_PREFIX = "then:"
"""How a hook is named in `push list` and the remembered destinations: `then:CMD`."""
MAX_COMMAND_LENGTH = 4096
OUTPUT_KEPT = 64 * 1024
"""The last bytes of the hook's stdout and stderr kept (the rest is read and dropped)."""
TAIL_LINES = 8
"""How many of the last stderr lines a failure shows."""
TAIL_CHARS = 1200
STOP_SIGNALS = {signal.SIGTERM: ExitCode.TERMINATED, signal.SIGHUP: ExitCode.HUNG_UP}
"""Signals that stop wa-token while a hook runs: the hook's group is killed first."""
SECRET_VARIABLES = (TOKEN_KEY, APP_SECRET_VAR)
"""Variables (and their profile forms, `…_ACME`) never passed on to a hook."""


@dataclass(frozen=True)
class HookDestination:
    """A shell command that takes the token on stdin (gh secret set, vault kv put, kubectl …)."""

    command: str

    @property
    def kind(self) -> DestinationKind:
        return DestinationKind.HOOK

    @property
    def label(self) -> str:
        return HOOK_PREFIX + self.command

    def send(self, delivery: Delivery) -> str:
        ran = run_hook(self.command, delivery)
        if ran.timed_out:
            raise PushError(
                f"The command did not finish within {delivery.timeout:g} "
                "seconds; it was stopped (with every process it started).",
                fix="Run it by hand to see where it waits (a prompt? a login?), or allow it more "
                "time with --timeout SECONDS.",
            )
        if ran.exit_code != 0:
            raise PushError(
                f"The command failed (exit code {ran.exit_code})." + _tail_text(ran.stderr),
                fix="Fix the command (it gets the token on standard input, and "
                "WA_TOKEN_VARIABLE / WA_TOKEN_PROFILE in its environment), then run `wa-token "
                "push` to send the stored token again.",
            )
        if ran.unread:
            raise PushError(
                "The command ended (exit code 0) without reading the token "
                "from its standard input, so it cannot have sent it.",
                fix="Make the command read standard input: e.g. `gh secret set "
                '"$WA_TOKEN_VARIABLE"`, `vault kv put secret/wa token=-`, or '
                "`--from-file=token=/dev/stdin`. The token is never in its arguments or "
                "environment.",
            )
        return "ran (exit code 0)"


def check_command(command: str) -> str:
    """A hook command as given: not empty, one line, not absurdly long (SettingsError)."""
    if not command.strip():
        raise SettingsError(
            "A --then command is empty.",
            fix="For example --then 'gh secret set \"$WA_TOKEN_VARIABLE\"'.",
        )
    if "\n" in command or "\r" in command or "\x00" in command or len(command) > MAX_COMMAND_LENGTH:
        raise SettingsError(
            "A --then command must be one line (at most 4096 characters).",
            fix="Put a longer script in a file and give its path: --then '/path/to/script.sh'.",
        )
    return command


@dataclass(frozen=True)
class HookRun:
    """How a hook ended."""

    exit_code: int | None
    """None when it was stopped at the deadline."""
    stderr: str
    """The tail of what it wrote to stderr, cleaned of the token and of control characters."""
    unread: bool
    """It ended without reading the whole token from its standard input."""

    @property
    def timed_out(self) -> bool:
        """Stopped at the deadline."""
        return self.exit_code is None


def hook_environment(delivery: Delivery) -> dict[str, str]:
    """The caller's environment without any variable that holds the token or an app secret,
    plus WA_TOKEN_VARIABLE and WA_TOKEN_PROFILE."""
    token = delivery.token.reveal()
    kept = {
        name: value
        for name, value in delivery.environ.items()
        if not name.startswith(SECRET_VARIABLES) and token not in value
    }
    kept["WA_TOKEN_VARIABLE"] = delivery.variable
    kept["WA_TOKEN_PROFILE"] = delivery.profile.name
    return kept


def run_hook(command: str, delivery: Delivery) -> HookRun:
    """Run `/bin/sh -c COMMAND` in its own process group, the token alone (no newline) on its
    stdin; the whole group is killed at the deadline. stdout and stderr are read and bounded."""
    with _stop_signals_raise():
        return _run_hook(command, delivery)


def _run_hook(command: str, delivery: Delivery) -> HookRun:
    read_end, write_end = os.pipe()
    try:
        proc = subprocess.Popen(
            [SHELL, "-c", command],
            stdin=read_end,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=hook_environment(delivery),
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        os.close(read_end)
        os.close(write_end)
        raise PushError(
            f"The command could not be started ({exc.strerror or type(exc).__name__}).",
            fix=f"wa-token runs hooks with {SHELL}; check that it exists.",
        ) from None
    try:
        _give_token(write_end, delivery.token)
        return _wait(proc, read_end, delivery)
    except BaseException:  # Ctrl-C, SIGTERM, SIGHUP (the hook, in its own session, does not
        _kill_group(proc)  # get them): stop it too
        raise
    finally:
        os.close(read_end)


@contextmanager
def _stop_signals_raise() -> Iterator[None]:
    """While a hook runs, SIGTERM and SIGHUP raise Terminated (their default would end
    wa-token at once and leave the hook's process group running); an ignored one (nohup)
    stays ignored. Only the main thread can catch signals: elsewhere nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {
        number: signal.signal(number, _terminated)
        for number in STOP_SIGNALS
        if signal.getsignal(number) is not signal.SIG_IGN
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def _terminated(number: int, frame: FrameType | None) -> None:
    raise Terminated(signal.Signals(number).name, STOP_SIGNALS[signal.Signals(number)])


def _give_token(write_end: int, token: SecretToken) -> None:
    """Write the token into the pipe and close it (it fits the pipe's buffer: no wait)."""
    try:
        os.write(write_end, token.reveal().encode())
    except OSError:
        pass
    finally:
        os.close(write_end)


def _wait(proc: subprocess.Popen[bytes], read_end: int, delivery: Delivery) -> HookRun:
    deadline = time.monotonic() + delivery.timeout
    readers = [_Reader(proc.stdout), _Reader(proc.stderr)]
    try:
        code: int | None = proc.wait(timeout=delivery.timeout)
    except subprocess.TimeoutExpired:
        code = None
    unread = code is not None and _bytes_left(read_end) > 0
    for reader in readers:  # what it left running may hold the pipes open: bounded too
        reader.join(max(0.0, deadline - time.monotonic()))
    _kill_group(proc)
    stderr = readers[1].text()
    secrets = (delivery.token,)
    return HookRun(code, redact(stderr, secrets), unread)


def _bytes_left(read_end: int) -> int:
    """How many bytes of the token are still in the pipe (our copy of its read end)."""
    try:
        left = bytearray(4)
        fcntl.ioctl(read_end, termios.FIONREAD, left)
        return int.from_bytes(left, "little")
    except OSError:
        return 0


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGKILL the hook's process group (what it started too), then reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()


class _Reader:
    """Reads a pipe to its end on a daemon thread, keeping only the last OUTPUT_KEPT bytes."""

    def __init__(self, stream: object) -> None:
        self._stream = stream
        self._kept = bytearray()
        self._thread = threading.Thread(target=self._run, name="wa-token-hook", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        read = getattr(self._stream, "read1", None)
        if read is None:
            return
        try:
            while chunk := read(65536):
                self._kept += chunk
                del self._kept[:-OUTPUT_KEPT]
        except (OSError, ValueError):
            return

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def text(self) -> str:
        return bytes(self._kept).decode("utf-8", "replace")


def _tail_text(stderr: str) -> str:
    """The last lines of stderr, indented, for the failure's message ("" when it said nothing)."""
    lines = [line.rstrip() for line in stderr.strip().splitlines() if line.strip()]
    if not lines:
        return " It wrote nothing to standard error."
    tail = "\n".join("    " + line for line in lines[-TAIL_LINES:])[-TAIL_CHARS:]
    return f" The end of its standard error:\n{tail}"
