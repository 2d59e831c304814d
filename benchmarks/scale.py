"""The 64-modem scale run: one `simharness modem serve --count 64` process, 64 clients here.

    .venv/bin/python benchmarks/scale.py [--count 64] [--commands 200]

Each client thread opens its modem's link with an AtChannel and sends "AT"
round trips as fast as its modem answers; commands/s over all clients and the
per-command p50/p99 latency are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.served import served_modems
from harness.at import AtChannel
from harness.transport import SerialTransport


def client(path: str, commands: int, start: threading.Barrier, out: list[float]) -> None:
    transport = SerialTransport(path, exclusive=False)
    transport.open()
    with AtChannel(transport, name=path, default_timeout=10.0) as at:
        at.command("ATE0")
        start.wait()
        for _ in range(commands):
            began = time.perf_counter()
            at.command("AT")
            out.append(time.perf_counter() - began)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=64, help="modems (and client threads)")
    parser.add_argument("--commands", type=int, default=200, help="AT round trips per client")
    args = parser.parse_args()
    with served_modems(args.count) as paths:
        barrier = threading.Barrier(args.count + 1)
        latencies: list[list[float]] = [[] for _ in paths]
        threads = [
            threading.Thread(target=client, args=(p, args.commands, barrier, latencies[i]))
            for i, p in enumerate(paths)
        ]
        for thread in threads:
            thread.start()
        barrier.wait(120)
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    every = [t for per in latencies for t in per]
    done = len(every)
    print(f"{args.count} virtual modems in one `modem serve` process, clients in this one")
    print(f"commands: {done} of {args.count * args.commands} in {elapsed:.2f} s")
    print(f"commands/s: {done / elapsed:,.0f}")
    print(f"latency p50: {statistics.median(every) * 1e3:.2f} ms")
    print(f"latency p99: {statistics.quantiles(every, n=100)[98] * 1e3:.2f} ms")
    return 0 if done == args.count * args.commands else 1


if __name__ == "__main__":
    raise SystemExit(main())
