"""The AT benchmarks still run, end to end, at a size that costs seconds (no timing is
judged here: benchmarks measure, tests do not)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("script", "args", "expected"),
    [
        ("at.py", ["--count", "20", "--blocks", "2"], "median round trip AtChannel/raw = "),
        ("scale.py", ["--count", "4", "--commands", "10"], "commands: 40 of 40"),
    ],
)
def test_the_benchmark_runs_and_reports(script: str, args: list[str], expected: str) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert expected in done.stdout
