"""benchmarks/run.py runs and prints its report; the timings themselves are never asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADINGS = (
    "CLI start-up",
    "Check latency",
    "Wizard first paint",
    ".env save",
    "Levels of waiting",
    "UI tests",
)
COLUMNS = (
    "command",
    "median",
    "ratio",
    "target",
    "result",
    "accounts",
    "connections",
    "lines",
    "per-line ratio",
    "levels",
)


def test_quick_benchmark_runs_and_prints_every_table(tmp_path: Path) -> None:
    folder = tmp_path / "bench"
    folder.mkdir()
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "error::ResourceWarning"},
    )
    assert done.returncode == 0, done.stderr
    for heading in HEADINGS:
        assert heading in done.stdout, heading
    for column in COLUMNS:
        assert column in done.stdout, column
    assert "not measured:" not in done.stdout, done.stdout  # every section ran
    assert "Traceback" not in done.stdout + done.stderr
    assert not any(folder.iterdir())  # it cleaned up after itself
