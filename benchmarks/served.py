"""Virtual modems served by `simharness modem serve` in another process, for benchmarks.

Clients in the benchmark process and the modems in their own process, as a lab
would run them: no shared GIL, real ptys between the two.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SIMHARNESS = Path(sys.executable).with_name("simharness")


@contextmanager
def served_modems(count: int = 1, start_timeout: float = 120.0) -> Iterator[list[str]]:
    """Start `simharness modem serve --count N`; yield the N stable link paths."""
    with tempfile.TemporaryDirectory(prefix="simharness-bench-") as tmp:
        link = Path(tmp) / "modem"
        process = subprocess.Popen(
            [str(SIMHARNESS), "modem", "serve", "--count", str(count), "--link", str(link)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_serving(process, start_timeout)
            names = [link] if count == 1 else [link.with_name(f"modem{i}") for i in range(count)]
            yield [str(name) for name in names]
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _wait_serving(process: subprocess.Popen[bytes], timeout: float) -> None:
    """Read the server's stdout (raw fd, no buffering surprises) until "serving"."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    fd = process.stdout.fileno()
    seen = b""
    while b"serving" not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"modem serve did not start within {timeout:g} s: {seen[-200:]!r}")
        ready, _, _ = select.select([fd], [], [], remaining)
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                raise RuntimeError(f"modem serve exited with {process.wait()}")
            seen += chunk
