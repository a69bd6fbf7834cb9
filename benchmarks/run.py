"""Side-by-side timings of wa-token: CLI start-up, check latency, wizard first paint, `.env` save.

    python benchmarks/run.py            # 7 repetitions of each measurement (median reported)
    python benchmarks/run.py --quick    # 1-2 repetitions: proves the script runs, not the numbers

Everything runs in one process tree on this machine, against the fake Graph server on loopback,
and is compared side by side: the ratios are what the targets are about, the absolute times are
context only (they depend on the machine). The script always exits 0: it is a report, and each
row says whether its target was met. It never touches your keyring or your `.env`: it works in a
temporary folder with keyring disabled.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere: use this checkout's `wizard`
    sys.path.insert(0, str(ROOT))

from wizard.core.check import check_found_token  # noqa: E402
from wizard.core.env_store import write_env_token  # noqa: E402
from wizard.core.settings import Settings  # noqa: E402
from wizard.core.sources import from_stdin  # noqa: E402
from wizard.testing.fake_graph import TOKENS, FakeGraphServer  # noqa: E402

STARTUP_TARGET = 1.5
"""The CLI may take at most this many times as long as `python -c "import httpx"`."""
GRAPH_LATENCY = 0.100
"""L: the fake Graph answers every call after this many seconds."""
ACCOUNT_COUNTS = (1, 5, 20)
"""K: WhatsApp Business Accounts (3 phone numbers each) the token reaches."""
ENV_SIZES = (1_000, 10_000, 100_000)
"""Lines in the `.env` files that are saved into."""
ENV_TARGET = 0.100
"""Seconds a save into a 10,000-line `.env` may take."""
NO_KEYRING = "keyring.backends.fail.Keyring"


@dataclass
class Row:
    """One line of a report table."""

    cells: tuple[str, ...]
    met: bool | None = None  # None: context, no target

    @property
    def result(self) -> str:
        return "" if self.met is None else "met" if self.met else "MISSED"


WARM_UP = True
"""Run each in-process measurement once, untimed, before timing it (off with --quick)."""


def median(run: Callable[[], float], repeat: int) -> float:
    """The median of `repeat` timings (seconds), after one untimed warm-up run."""
    if WARM_UP:
        run()
    return statistics.median(run() for _ in range(repeat))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def print_table(title: str, header: Sequence[str], rows: list[Row], notes: Sequence[str] = ()
                ) -> None:
    table = [(*header, "result"), *((*row.cells, row.result) for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(table[0]))]
    print(f"\n{title}")
    for line in table:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(line, widths)).rstrip())
    for note in notes:
        print(f"  {note}")


# -- 1. CLI start-up ------------------------------------------------------------------------------

def wa_token_command() -> list[str]:
    """The installed console script next to this Python, else `python -m wizard`."""
    script = Path(sys.executable).with_name("wa-token")
    return [str(script)] if script.exists() else [sys.executable, "-m", "wizard"]


def cli_env(graph_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHATSAPP_")}
    env.update({"WHATSAPP_GRAPH_URL": graph_url, "PYTHON_KEYRING_BACKEND": NO_KEYRING,
                "WA_TOKEN_KEYRING_SERVICE": "wa-token-benchmark"})
    return env


def time_process(command: list[str], env: dict[str, str], cwd: Path, stdin: bytes | None = None
                 ) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, input=stdin, env=env, cwd=cwd, capture_output=True,
                          stdin=None if stdin is not None else subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: "
                           f"{done.stderr.decode(errors='replace')[-300:]}")
    return elapsed


def top_imports(command: list[str], env: dict[str, str], cwd: Path, stdin: bytes | None,
                count: int = 12) -> tuple[list[str], bool]:
    """The slowest imports (cumulative) of one run, and whether Textual was imported at all."""
    python = [sys.executable, "-X", "importtime"]
    full = [*python, *command] if command[0] != sys.executable else [*python, *command[1:]]
    done = subprocess.run(full, input=stdin, env=env, cwd=cwd, capture_output=True,
                          stdin=None if stdin is not None else subprocess.DEVNULL, check=False)
    rows = []
    textual = False
    for line in done.stderr.decode(errors="replace").splitlines():
        match = re.match(r"import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S+)", line)
        if match:
            rows.append((int(match[2]), match[4]))
            textual = textual or match[4].split(".")[0] in ("textual", "rich")
    rows.sort(reverse=True)
    return [f"{micros / 1000:7.1f} ms  {name}" for micros, name in rows[:count]], textual


def cli_startup(repeat: int, work: Path) -> None:
    with FakeGraphServer() as server:
        env = cli_env(server.url)
        token = TOKENS["valid"].encode()
        cases: list[tuple[str, list[str], bytes | None]] = [
            ('python -c "import httpx"', [sys.executable, "-c", "import httpx"], None),
            ("wa-token --version", [*wa_token_command(), "--version"], None),
            ("wa-token check (fake Graph, L = 0)", [*wa_token_command(), "check"], token),
            # context: the least any httpx program that asks one question can take
            ("python: import httpx; one httpx.get", [sys.executable, "-c",
             f"import httpx; httpx.get({server.url + '/v26.0/me'!r})"], None),
        ]
        samples: dict[str, list[float]] = {name: [] for name, _, _ in cases}
        for name, command, stdin in cases:  # warm the OS caches
            time_process(command, env, work, stdin)
        for _ in range(repeat):  # interleaved, so drift hits every case alike
            for name, command, stdin in cases:
                samples[name].append(time_process(command, env, work, stdin))
        medians = {name: statistics.median(values) for name, values in samples.items()}
        baseline = medians[cases[0][0]]
        rows = [Row((cases[0][0], ms(baseline), "1.00x", "(baseline)"))]
        notes: list[str] = []
        for name, command, stdin in cases[1:]:
            ratio = medians[name] / baseline
            if name.startswith("python"):
                rows.append(Row((name, ms(medians[name]), f"{ratio:.2f}x", "(context)")))
                continue
            rows.append(Row((name, ms(medians[name]), f"{ratio:.2f}x",
                             f"<= {STARTUP_TARGET:g}x"), ratio <= STARTUP_TARGET))
            imports, textual = top_imports(command, env, work, stdin)
            notes.append(f"{name}: Textual imported: {'YES' if textual else 'no'}")
            if ratio > STARTUP_TARGET or textual:
                notes.append(f"  slowest imports of `{name}` (python -X importtime, cumulative):")
                notes += [f"    {line}" for line in imports]
    print_table(f'CLI start-up (whole process, median of {repeat}; vs python -c "import httpx")',
                ("command", "median", "ratio", "target"), rows, notes)


# -- 2. check latency vs Graph latency ------------------------------------------------------------

class CountingTransport(httpx.AsyncBaseTransport):
    """httpx's own transport, counting the requests sent and the TCP connections opened."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests = 0
        self.connections = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1

        async def trace(event: str, info: dict[str, Any]) -> None:
            if event == "connection.connect_tcp.complete":
                self.connections += 1

        request.extensions = {**request.extensions, "trace": trace}
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


def one_check(url: str, accounts: int) -> tuple[float, CountingTransport]:
    """Time check_found_token in-process (no process start-up), with a fresh connection pool."""
    transport = CountingTransport()
    found = from_stdin(TOKENS["many"])
    settings = Settings(graph_url=url)
    started = time.perf_counter()
    report = asyncio.run(check_found_token(found, settings, {}, transport=transport))
    elapsed = time.perf_counter() - started
    if not report.ok or len(report.graph.accounts) != accounts:
        raise RuntimeError(f"the check did not see {accounts} working accounts: "
                           f"{[p.code for p in report.diagnosis.problems]}")
    return elapsed, transport


def check_latency(repeat: int) -> None:
    budget = 3 * GRAPH_LATENCY + 0.150
    rows = []
    for accounts in ACCOUNT_COUNTS:
        with FakeGraphServer(latency=GRAPH_LATENCY, accounts=accounts) as server:
            if WARM_UP:
                one_check(server.url, accounts)
            runs = [one_check(server.url, accounts) for _ in range(repeat)]
        seconds = statistics.median(elapsed for elapsed, _ in runs)
        _, transport = runs[-1]
        ratio = seconds / budget
        rows.append(Row((str(accounts), str(3 * accounts), ms(seconds), ms(budget),
                         f"{ratio:.2f}", str(transport.requests), str(transport.connections)),
                        ratio <= 1))
    print_table(
        f"Check latency (in-process, median of {repeat}; every Graph answer takes "
        f"L = {GRAPH_LATENCY * 1000:.0f} ms; target: <= 3L + 150 ms, ratio <= 1)",
        ("accounts", "numbers", "median", "3L+150", "ratio", "requests", "connections"), rows,
        ["requests and connections: one check (connections = TCP connections opened)"])


# -- 3. wizard first paint ------------------------------------------------------------------------

FIRST_PAINT_TARGET = 1.0
"""Seconds from launching `wa-token` in a terminal to its first screen being drawn."""


def launch_to_first_screen(graph_url: str, work: Path, marker: bytes = b"Why a System User",
                           timeout: float = 20.0) -> float:
    """Start the real `wa-token setup` in a pseudo-terminal (80×24) and time the first screen.

    The clock runs from the process launch until the first screen's title has been written to
    the terminal; then Ctrl+Q ends the wizard.
    """
    import fcntl
    import pty
    import select
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "WHATSAPP_GRAPH_URL": graph_url, "TERM": "xterm-256color",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    started = time.perf_counter()
    proc = subprocess.Popen([*wa_token_command(), "setup", "--mode", "onboard"], cwd=work,
                            stdin=follower, stdout=follower, stderr=follower, env=env,
                            close_fds=True)
    os.close(follower)
    seen = b""
    try:
        while marker not in seen.replace(b"\x1b", b""):
            if time.perf_counter() - started > timeout:
                raise TimeoutError("the first screen did not appear")
            ready, _, _ = select.select([leader], [], [], 0.05)
            if ready:
                seen = (seen + os.read(leader, 65536))[-200_000:]
        painted = time.perf_counter() - started
        os.write(leader, b"\x11")  # Ctrl+Q
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(leader)
    return painted


def wizard_first_paint(repeat: int, work: Path) -> None:
    """Launch → first screen drawn, through a real pseudo-terminal (target < 1 s)."""
    title = "Wizard first paint (launch `wa-token setup` in an 80×24 pty until screen 1 is drawn)"
    try:
        with FakeGraphServer() as server:
            seconds = median(lambda: launch_to_first_screen(server.url, work), repeat)
    except (OSError, TimeoutError, subprocess.SubprocessError) as exc:
        print(f"\n{title}\n  not measured: {type(exc).__name__}: {exc}")
        return
    rows = [Row(("launch to first screen", ms(seconds), f"< {FIRST_PAINT_TARGET:g} s"),
                met=seconds < FIRST_PAINT_TARGET)]
    print_table(f"{title}, median of {repeat}", ("measurement", "median", "target"), rows)


# -- 4. saving into a large .env ------------------------------------------------------------------

def env_text(lines: int) -> str:
    """A realistic `.env`: comments, blank lines, exports, quoted values; the token midway."""
    shapes = ("# section {i}: settings = values # more", "KEY_{i}=value-{i}",
              'export QUOTED_{i}="a # b = {i} \\" c"', "SINGLE_{i}='x#{i}=y'", "")
    body = [shapes[i % len(shapes)].format(i=i) for i in range(lines - 1)]
    body.insert(len(body) // 2, "WHATSAPP_CLOUD_API_TOKEN=EAAOldToken0000000000000000000000")
    return "\n".join(body) + "\n"


def env_save(repeat: int, work: Path) -> None:
    rows = []
    per_line: dict[int, float] = {}
    for lines in ENV_SIZES:
        path = work / f"bench-{lines}.env"
        path.write_text(env_text(lines), encoding="utf-8")
        tokens = iter(range(10**6))

        def save() -> float:
            token = f"EAANewToken{next(tokens):08d}0000000000000000000000"  # always a change
            started = time.perf_counter()
            write_env_token(path, token)
            return time.perf_counter() - started

        seconds = median(save, repeat)
        per_line[lines] = seconds / lines
        met = seconds <= ENV_TARGET if lines == 10_000 else None
        rows.append(Row((f"{lines:,}", ms(seconds), f"{seconds / lines * 1e6:.2f} us",
                         f"{per_line[lines] / per_line[ENV_SIZES[0]]:.2f}",
                         f"<= {ENV_TARGET * 1000:.0f} ms" if lines == 10_000 else ""), met))
    print_table(f".env save (env_store.write_env_token, median of {repeat}; linear when the "
                f"per-line ratio stays near 1)",
                ("lines", "median", "per line", "per-line ratio", "target"), rows)


# -- main -----------------------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer repetitions: checks the script runs, not the numbers")
    args = parser.parse_args(argv)
    global WARM_UP
    repeat, slow_repeat = (2, 1) if args.quick else (7, 5)
    WARM_UP = not args.quick
    # This process too: never the user's keyring, never their .env.
    os.environ["PYTHON_KEYRING_BACKEND"] = NO_KEYRING
    os.environ["WA_TOKEN_KEYRING_SERVICE"] = "wa-token-benchmark"
    for name in [n for n in os.environ if n.startswith("WHATSAPP_")]:
        del os.environ[name]
    print("wa-token benchmarks" + (" (--quick: too few repetitions to trust)" if args.quick
                                   else "") + f"\n  python {sys.version.split()[0]} on "
          f"{sys.platform}, {os.cpu_count()} CPUs; ratios matter, times are context")
    work = Path(tempfile.mkdtemp(prefix="wa-token-bench-"))
    sections: list[tuple[str, Callable[[], None]]] = [
        ("CLI start-up", lambda: cli_startup(repeat, work)),
        ("Check latency", lambda: check_latency(slow_repeat)),
        ("Wizard first paint", lambda: wizard_first_paint(slow_repeat, work)),
        (".env save", lambda: env_save(slow_repeat, work)),
    ]
    try:
        for name, section in sections:
            try:
                section()
            except Exception as exc:  # noqa: BLE001 - a report: one failed section is a row
                print(f"\n{name}\n  not measured: {type(exc).__name__}: {exc}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
