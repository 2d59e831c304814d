"""AtChannel vs raw pyserial vs python-gsmmodem, in one run, against a served virtual modem.

    .venv/bin/python benchmarks/at.py [--count 2000] [--blocks 10]

`simharness modem serve` runs the virtual modem (its real AT firmware: parser,
command tables, URC engine) in another process, on a pty. This process times
"AT" round trips through: AtChannel over a SerialTransport (the calling thread
reads its own answer when the transport offers fileno(); harness.at.reader),
the same behind a stream without fileno() (the background reader hands every
answer over), a raw pyserial loop (write, read until OK: the least a client can
do), and python-gsmmodem's GsmModem.write (the library users would otherwise
pick; `pip install -e '.[bench]'`). Short blocks alternate so drift (CPU
frequency, other load) hits all alike: with 10 blocks the ratio moved 0.97-1.08
between runs on one idle machine, with 40 it stayed within 0.99-1.02. Each block
opens its own port and sends ATE0 first.
Only the commands are timed. Target: AtChannel/raw <= 1.10.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

import serial
from tabulate import tabulate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.served import served_modems
from harness.at import AtChannel
from harness.transport import SerialTransport

WARMUP = 20


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
        at.command("ATE0")
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
    transport.write(b"ATE0\r")
    time.sleep(0.05)

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
        port.write(b"ATE0\r")
        time.sleep(0.05)
        port.reset_input_buffer()

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


def gsmmodem_block(path: str, count: int) -> list[float]:
    """python-gsmmodem's command path: GsmModem.write (its reader thread, response
    event, error parsing), opened without its long init sequence (connect())."""
    from gsmmodem.modem import GsmModem
    from gsmmodem.serial_comms import SerialComms

    modem = GsmModem(path, 115200)
    SerialComms.connect(modem)
    try:
        modem.write("ATE0")
        for _ in range(WARMUP):
            modem.write("AT")
        times = []
        for _ in range(count):
            start = time.perf_counter()
            modem.write("AT")
            times.append(time.perf_counter() - start)
    finally:
        modem.close()
    return times


def have_gsmmodem() -> bool:
    try:
        import gsmmodem  # noqa: F401
    except ImportError:
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="commands per side")
    parser.add_argument("--blocks", type=int, default=40, help="alternating blocks per side")
    args = parser.parse_args()
    per_block = max(1, args.count // args.blocks)
    channel: list[float] = []
    handoff: list[float] = []
    floor: list[float] = []
    raw: list[float] = []
    library: list[float] = []
    with_library = have_gsmmodem()
    if not with_library:
        print("python-gsmmodem is not installed (pip install -e '.[bench]'): its row is skipped")
    with served_modems(1) as (path,):
        for _ in range(args.blocks):
            channel += channel_block(path, per_block)
            handoff += channel_block(path, per_block, handoff=True)
            floor += floor_block(path, per_block)
            raw += raw_block(path, per_block)
            if with_library:
                library += gsmmodem_block(path, per_block)

    rows = []
    for name, times in (
        ("AtChannel", channel),
        ("AtChannel, stream without fileno()", handoff),
        ("reader-thread floor", floor),
        ("raw pyserial", raw),
        ("python-gsmmodem GsmModem.write", library),
    ):
        if not times:
            continue
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
    if library:
        versus = statistics.median(library) / statistics.median(raw)
        print(f"median round trip python-gsmmodem/raw = {versus:.2f}")
    own = statistics.median(channel) / statistics.median(floor)
    print(f"median round trip AtChannel/reader-thread floor = {own:.2f} (AtChannel's own cost)")
    if hasattr(SerialTransport, "fileno"):
        print("AtChannel row: the calling thread reads its own answer (SerialTransport.fileno)")
    else:
        print("AtChannel row: hand-over path (SerialTransport has no fileno(), so the two agree)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
