"""APDU round trip: SimCard over pcscd+vpcd vs raw pyscard SCardTransmit, interleaved.

Run: .venv/bin/python benchmarks/apdu.py [--rounds N]
Prints the median round trip of each path, their ratio (target <= 1.10), and
the virtual card's own service time behind vpcd (target <= 150 us median).

The card runs in its own process (`simharness card serve`), as a real card is
its own device: in this process it would compete with the client for the GIL.
A second phase serves the card from this process to time the card itself.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from smartcard import scard
from tabulate import tabulate

from harness.sim.card import SimCard
from harness.sim.pcsc_link import PcscLink, wait_for_card
from harness.sim.pin_service import PinRef
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.pcscd import PrivatePcscd
from harness.virtual.vpcd import VpcdBridge, reader_name

QUERY = [0x00, 0x20, 0x00, 0x01]  # empty VERIFY PIN1: the retry counter, nothing spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    with PrivatePcscd() as daemon:
        os.environ["PCSCLITE_CSOCK_NAME"] = str(daemon.socket_path)
        serve = [sys.executable, "-m", "harness.cli", "card", "serve", "--slot", "1"]
        card_process = subprocess.Popen(daemon.netns_command(serve), stdout=subprocess.DEVNULL)
        try:
            wait_for_card(reader_name(1), present=True, timeout=10)
            with PcscLink(reader_name(1)) as link:
                driver_us, raw_us = round_trips(link, args.rounds)
        finally:
            card_process.terminate()
            card_process.wait(timeout=10)
        bridge = VpcdBridge(VirtualUicc.from_files(), netns=daemon.netns, keep_stats=True)
        with bridge:
            wait_for_card(bridge.reader, present=True, timeout=10)
            with PcscLink(bridge.reader) as link:
                round_trips(link, args.rounds // 2)
        assert bridge.stats is not None
        service_us = statistics.median(bridge.stats.service_times) * 1e6
    report(args.rounds, driver_us, raw_us, service_us)


def round_trips(link: PcscLink, rounds: int) -> tuple[float, float]:
    """Median microseconds of (driver, raw) for the same APDU, interleaved."""
    sim = SimCard(link)
    handle = link.handle
    assert sim.pins.retries(PinRef.PIN1) == 3  # warm-up and sanity check
    driver_ns: list[int] = []
    raw_ns: list[int] = []
    for i in range(rounds):
        # Alternate which path goes first, so drift and caching favour neither.
        for path in ("driver", "raw") if i % 2 == 0 else ("raw", "driver"):
            start = time.perf_counter_ns()
            if path == "driver":
                sim.pins.retries(PinRef.PIN1)
                driver_ns.append(time.perf_counter_ns() - start)
            else:
                code, response = scard.SCardTransmit(handle, scard.SCARD_PCI_T0, QUERY)
                raw_ns.append(time.perf_counter_ns() - start)
                assert code == 0 and response == [0x63, 0xC3]
    return statistics.median(driver_ns) / 1000, statistics.median(raw_ns) / 1000


def report(rounds: int, driver_us: float, raw_us: float, service_us: float) -> None:
    rows = [
        ("SimCard.pins.retries() over PcscLink", f"{driver_us:.1f}"),
        ("raw pyscard SCardTransmit", f"{raw_us:.1f}"),
        ("ratio driver/raw (target <= 1.10)", f"{driver_us / raw_us:.3f}"),
        ("virtual card service time behind vpcd (target <= 150)", f"{service_us:.1f}"),
    ]
    print(f"{rounds} interleaved rounds, medians in microseconds")
    print(tabulate(rows, headers=("measure", "us"), tablefmt="rounded_outline"))


if __name__ == "__main__":
    main()
