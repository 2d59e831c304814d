"""`simharness simulate`: a whole virtual bench in the foreground until SIGINT/SIGTERM.

N modems on ptys, each with its own subscriber's SIM, all on one virtual
network; optionally a private pcscd whose vpcd reader 0 holds one more SIM.
The ports are printed first; then every network event (attach, deliveries,
operator actions) as it happens, so a person poking the modems with a
terminal program sees what the network did.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import TextIO

from harness.errors import ConfigError
from harness.virtual.bench import ModemSpec, SimSpec, VirtualBench, numbered_profile
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.pcscd import PrivatePcscd
from harness.virtual.stop_signals import on_stop_signals

__all__ = ["MAX_MODEMS", "simulate"]

MAX_MODEMS = 64
_EVENT_POLL_S = 0.2


def simulate(
    modems: int = 2,
    personalities: Sequence[str] = ("generic",),
    reader: bool = False,
    out: TextIO = sys.stdout,
    *,
    profile: Path | None = None,
    link_dir: Path | None = None,
    stop: threading.Event | None = None,
    api: bool = True,
    api_port: int = 0,
) -> int:
    """Run the bench until SIGINT/SIGTERM (or `stop` is set); returns the exit status.

    personalities: one per modem, cycled when fewer are given. profile: the SIM
    profile each subscriber's card is derived from (own ICCID/IMSI/MSISDN, same
    secrets; default: the shipped default.toml). link_dir: where the port
    symlinks go (default: a temporary directory). reader: start a private pcscd
    (vpcd) and put one more SIM into reader slot 0. api: serve the HTTP API (bench control
    and the CAMARA operator APIs) on 127.0.0.1:`api_port` (0: a free port) and print its URL.
    """
    if not 1 <= modems <= MAX_MODEMS:
        raise ConfigError(f"--modems {modems}: choose 1 to {MAX_MODEMS}")
    if not personalities:
        raise ConfigError("give at least one --personality")
    base = load_profile(profile or DEFAULT_PROFILE)
    specs = [ModemSpec(f"modem{i}", personalities[i % len(personalities)]) for i in range(modems)]
    sims = [SimSpec(f"sim{i}", numbered_profile(base, i)) for i in range(modems + int(reader))]
    placement = {f"sim{i}": f"modem{i}" for i in range(modems)}
    stop = stop if stop is not None else threading.Event()
    restore = on_stop_signals(stop)
    if link_dir is not None:
        link_dir.mkdir(parents=True, exist_ok=True)
    daemon = PrivatePcscd() if reader else None
    try:
        if daemon is not None:
            daemon.start()
        with VirtualBench(
            specs, sims, placement=placement, pcscd=daemon, workdir=link_dir
        ) as bench:
            if daemon is not None:
                bench.to_reader(f"sim{modems}", 0)
            _announce(bench, daemon, profile or DEFAULT_PROFILE, out)
            with _api(bench, out, api, api_port):
                _follow_events(bench, stop, out)
    finally:
        if daemon is not None:
            daemon.stop()
        restore()
    print("bench stopped", file=out, flush=True)
    return 0


def _announce(bench: VirtualBench, daemon: PrivatePcscd | None, profile: Path, out: TextIO) -> None:
    print(f"virtual network '{bench.network.operator_name}' (PLMN {bench.network.plmn})", file=out)
    print(bench.describe(), file=out)
    print(f"PINs are those of the SIM profile {profile}; they are not printed.", file=out)
    if daemon is not None:
        print(
            f"PC/SC clients: export PCSCLITE_CSOCK_NAME={daemon.socket_path} "
            "(e.g. `pcsc_scan -n`, `simharness card info --reader 0`)",
            file=out,
        )
    print("open a port with e.g. `picocom <port>`; Ctrl-C stops the bench", file=out, flush=True)


def _follow_events(bench: VirtualBench, stop: threading.Event, out: TextIO) -> None:
    shown = 0
    while True:
        stopping = stop.wait(_EVENT_POLL_S)
        events = bench.network.events
        for event in events[shown:]:
            print(f"network: {event}", file=out, flush=True)
        shown = len(events)
        if stopping:
            return


def _api(
    bench: VirtualBench, out: TextIO, wanted: bool, port: int
) -> AbstractContextManager[object]:
    if not wanted:
        return nullcontext()
    from harness.virtual.api.published import published_api  # noqa: PLC0415

    return published_api(bench, out, port=port)
