"""The Modem driver against raw pyserial, and 64 virtual modems at once.

    .venv/bin/python benchmarks/modem.py [--count 2000] [--blocks 10]
                                         [--modems 64] [--commands 1000]

(1) Round trip: `modem.sim_state()` (AT+CPIN? -> SimState) vs a raw pyserial
    loop writing "AT+CPIN?\\r" and reading until "OK\\r\\n", on the same virtual
    modem's pseudo-terminal; a third row is the AtChannel command the driver runs
    on, so the driver's own share is visible. Blocks alternate (driver, channel,
    raw, driver...) so drift hits all alike; each block opens its own port; only
    commands are timed. Target: driver/raw <= 1.10. The virtual modem runs in
    this process, so its I/O thread shares the GIL with every path.
(2) Scale: `--modems` virtual modems in this process, one thread per modem,
    each doing `--commands` `sim_state()` calls at once: total time, command
    rate and latency percentiles over all commands.
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

from harness.modem import Modem
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem

WARMUP = 20


def driver_block(path: str, count: int) -> list[float]:
    with Modem(path, vendor="generic") as modem:
        for _ in range(WARMUP):
            modem.sim_state()
        times = []
        for _ in range(count):
            start = time.perf_counter()
            modem.sim_state()
            times.append(time.perf_counter() - start)
    return times


def channel_block(path: str, count: int) -> list[float]:
    """The AT engine alone under the driver: what the driver itself adds is the difference."""
    with Modem(path, vendor="generic") as modem:
        at = modem.at
        for _ in range(WARMUP):
            at.command("AT+CPIN?", prefixes=("+CPIN:",))
        times = []
        for _ in range(count):
            start = time.perf_counter()
            at.command("AT+CPIN?", prefixes=("+CPIN:",))
            times.append(time.perf_counter() - start)
    return times


def raw_block(path: str, count: int) -> list[float]:
    with serial.Serial(path, 115200, timeout=1.0) as port:

        def once(command: bytes = b"AT+CPIN?\r") -> None:
            port.write(command)
            buffer = b""
            while not buffer.endswith(b"OK\r\n"):
                chunk = port.read(port.in_waiting or 1)
                if not chunk:
                    raise TimeoutError("raw loop: no OK within 1 s")
                buffer += chunk

        once(b"ATE0\r")
        for _ in range(WARMUP):
            once()
        times = []
        for _ in range(count):
            start = time.perf_counter()
            once()
            times.append(time.perf_counter() - start)
    return times


def percentile(times: list[float], p: int) -> float:
    return statistics.quantiles(times, n=100)[p - 1] if len(times) > 1 else times[0]


def round_trip(count: int, blocks: int) -> None:
    device = VirtualModem(VirtualUicc.from_files())
    path = device.start_pty()
    per_block = max(1, count // blocks)
    driver: list[float] = []
    channel: list[float] = []
    raw: list[float] = []
    try:
        for _ in range(blocks):
            driver += driver_block(path, per_block)
            channel += channel_block(path, per_block)
            raw += raw_block(path, per_block)
    finally:
        device.close()
    rows = [
        [
            name,
            len(times),
            f"{len(times) / sum(times):,.0f}",
            f"{statistics.median(times) * 1e6:,.0f}",
            f"{percentile(times, 99) * 1e6:,.0f}",
        ]
        for name, times in (
            ("Modem.sim_state()", driver),
            ("AtChannel AT+CPIN? (under the driver)", channel),
            ("raw pyserial AT+CPIN?", raw),
        )
    ]
    print(tabulate(rows, headers=["path", "commands", "cmd/s", "median µs", "p99 µs"]))
    ratio = statistics.median(driver) / statistics.median(raw)
    verdict = "meets" if ratio <= 1.10 else "misses"
    print(f"\nmedian round trip driver/raw = {ratio:.2f} ({verdict} the 1.10 target)")
    own = statistics.median(driver) / statistics.median(channel)
    print(f"median round trip driver/AtChannel = {own:.2f} (the driver's own cost)\n")


def scale(modems: int, commands: int) -> None:
    devices = [VirtualModem(VirtualUicc.from_files()) for _ in range(modems)]
    paths = [device.start_pty() for device in devices]
    latencies: list[list[float]] = [[] for _ in range(modems)]
    errors: list[BaseException] = []
    start_line = threading.Barrier(modems + 1)

    def worker(index: int) -> None:
        try:
            with Modem(paths[index], vendor="generic") as modem:
                start_line.wait()
                mine = latencies[index]
                for _ in range(commands):
                    begin = time.perf_counter()
                    modem.sim_state()
                    mine.append(time.perf_counter() - begin)
        except BaseException as exc:  # reported below; the barrier must not hang
            errors.append(exc)
            start_line.abort()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(modems)]
    try:
        for thread in threads:
            thread.start()
        start_line.wait()
        begin = time.perf_counter()
        for thread in threads:
            thread.join()
        total = time.perf_counter() - begin
    finally:
        for device in devices:
            device.close()
    if errors:
        raise SystemExit(f"{len(errors)} modem threads failed, first: {errors[0]!r}")
    every = [t for mine in latencies for t in mine]
    rows = [
        [
            modems,
            len(every),
            f"{total:.2f}",
            f"{len(every) / total:,.0f}",
            f"{statistics.median(every) * 1e3:.2f}",
            f"{percentile(every, 99) * 1e3:.2f}",
            f"{max(every) * 1e3:.2f}",
        ]
    ]
    headers = ["modems", "commands", "total s", "cmd/s", "median ms", "p99 ms", "max ms"]
    print(tabulate(rows, headers=headers))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="round-trip commands per side")
    parser.add_argument("--blocks", type=int, default=10, help="alternating blocks per side")
    parser.add_argument("--modems", type=int, default=64, help="virtual modems at once")
    parser.add_argument("--commands", type=int, default=1000, help="commands per modem")
    args = parser.parse_args()
    round_trip(args.count, args.blocks)
    scale(args.modems, args.commands)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
