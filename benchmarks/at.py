"""AtChannel vs a raw pyserial loop, in one run, over the same pseudo-terminal.

    .venv/bin/python benchmarks/at.py [--count 2000] [--blocks 10]

A responder thread on the pty master answers every "AT\\r" with "\\r\\nOK\\r\\n".
Rows: AtChannel over a SerialTransport (the calling thread reads its own answer
when the transport offers fileno(); harness.at.reader), the same behind a stream
without fileno() (the background reader hands every answer over), the
"reader-thread floor" (a bare reader thread that only sets an Event on OK: the
least any hand-over design pays) and the raw pyserial loop. Blocks alternate
(channel, handoff, floor, raw, channel...) so drift (CPU frequency, other load)
hits all alike. Each block opens its own port: the channel's reader thread
must not compete with the raw loop for the same bytes. Only the commands are
timed, not opening or closing. Target: channel/raw <= 1.10.
"""

from __future__ import annotations

import argparse
import os
import select
import statistics
import sys
import threading
import time
from pathlib import Path

import serial
from tabulate import tabulate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from harness.at import AtChannel
from harness.transport import SerialTransport

WARMUP = 20


class PtyResponder:
    """Answers each CR-terminated command on the pty master with OK."""

    def __init__(self) -> None:
        self.master, self.slave = os.openpty()
        self.path = os.ttyname(self.slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        pending = 0
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            data = os.read(self.master, 4096)
            pending += data.count(b"\r")
            if pending:
                os.write(self.master, b"\r\nOK\r\n" * pending)
                pending = 0

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1.0)
        os.close(self.master)
        os.close(self.slave)


class NoFileno:
    """A ByteStream without fileno(): forces the channel's hand-over path."""

    def __init__(self, stream: SerialTransport) -> None:
        self._stream = stream

    def write(self, data: bytes) -> None:
        self._stream.write(data)

    def read(self, timeout: float, max_bytes: int = 4096) -> bytes:
        return self._stream.read(timeout, max_bytes)

    def close(self) -> None:
        self._stream.close()


def channel_block(path: str, count: int, *, handoff: bool = False) -> list[float]:
    transport = SerialTransport(path, exclusive=False)
    transport.open()
    stream: SerialTransport | NoFileno = NoFileno(transport) if handoff else transport
    with AtChannel(stream, name=path) as at:
        for _ in range(WARMUP):
            at.command("AT")
        times = []
        for _ in range(count):
            start = time.perf_counter()
            at.command("AT")
            times.append(time.perf_counter() - start)
    return times


def floor_block(path: str, count: int) -> list[float]:
    """The least any reader-thread design can cost: a bare reader thread over the same
    SerialTransport that sets an Event on OK (no framing, URCs or errors)."""
    transport = SerialTransport(path, exclusive=False)
    transport.open()
    answered = threading.Event()
    stop = threading.Event()

    def reader() -> None:
        buffer = b""
        while not stop.is_set():
            buffer += transport.read(0.05)
            if buffer.endswith(b"OK\r\n"):
                buffer = b""
                answered.set()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()

    def once() -> None:
        answered.clear()
        transport.write(b"AT\r")
        if not answered.wait(1.0):
            raise TimeoutError("floor loop: no OK within 1 s")

    try:
        for _ in range(WARMUP):
            once()
        times = []
        for _ in range(count):
            start = time.perf_counter()
            once()
            times.append(time.perf_counter() - start)
    finally:
        stop.set()
        thread.join(1.0)
        transport.close()
    return times


def raw_block(path: str, count: int) -> list[float]:
    with serial.Serial(path, 115200, timeout=1.0) as port:

        def once() -> None:
            port.write(b"AT\r")
            buffer = b""
            while not buffer.endswith(b"OK\r\n"):
                chunk = port.read(port.in_waiting or 1)
                if not chunk:
                    raise TimeoutError("raw loop: no OK within 1 s")
                buffer += chunk

        for _ in range(WARMUP):
            once()
        times = []
        for _ in range(count):
            start = time.perf_counter()
            once()
            times.append(time.perf_counter() - start)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="commands per side")
    parser.add_argument("--blocks", type=int, default=10, help="alternating blocks per side")
    args = parser.parse_args()
    per_block = max(1, args.count // args.blocks)
    responder = PtyResponder()
    channel: list[float] = []
    handoff: list[float] = []
    floor: list[float] = []
    raw: list[float] = []
    try:
        for _ in range(args.blocks):
            channel += channel_block(responder.path, per_block)
            handoff += channel_block(responder.path, per_block, handoff=True)
            floor += floor_block(responder.path, per_block)
            raw += raw_block(responder.path, per_block)
    finally:
        responder.close()

    rows = []
    for name, times in (
        ("AtChannel", channel),
        ("AtChannel, stream without fileno()", handoff),
        ("reader-thread floor", floor),
        ("raw pyserial", raw),
    ):
        rows.append(
            [
                name,
                len(times),
                f"{len(times) / sum(times):,.0f}",
                f"{statistics.median(times) * 1e6:,.0f}",
                f"{statistics.quantiles(times, n=100)[98] * 1e6:,.0f}",
            ]
        )
    print(tabulate(rows, headers=["path", "commands", "cmd/s", "median µs", "p99 µs"]))
    ratio = statistics.median(channel) / statistics.median(raw)
    verdict = "meets" if ratio <= 1.10 else "misses"
    print(f"\nmedian round trip AtChannel/raw = {ratio:.2f} ({verdict} the 1.10 target)")
    own = statistics.median(channel) / statistics.median(floor)
    print(f"median round trip AtChannel/reader-thread floor = {own:.2f} (AtChannel's own cost)")
    if hasattr(SerialTransport, "fileno"):
        print("AtChannel row: the calling thread reads its own answer (SerialTransport.fileno)")
    else:
        print("AtChannel row: hand-over path (SerialTransport has no fileno(), so the two agree)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
