"""`simharness modem serve`: virtual modems on ptys (and TCP) sharing one virtual network.

All modems of one process are subscribers of one `VirtualNetwork`: an SMS one
sends reaches the addressed subscriber (its own number included) once that
SIM is registered, and a status report says "delivered" only when it was
(TS 23.040 §9.2.3.15). With `--count N` above 1, card i gets its own identity
(ICCID, IMSI, MSISDN numbered from the profile's, see `numbered_profile`),
because one network cannot serve one IMSI in two modems. The bench's HTTP API
(control and CAMARA operator APIs) is served on 127.0.0.1 unless `api` is off.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TextIO

from harness.errors import ConfigError
from harness.virtual.bench import ModemSpec, SimSpec, VirtualBench, numbered_profile
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.modem.faults import FaultConfig
from harness.virtual.stop_signals import on_stop_signals

__all__ = ["numbered", "serve_modems"]

MAX_SERVED = 64


def numbered(path: Path | None, index: int, count: int) -> Path | None:
    """With several modems, `modem` -> `modem0`, `modem1`...; with one, the path as given."""
    if path is None or count == 1:
        return path
    return path.with_name(f"{path.stem}{index}{path.suffix}")


def serve_modems(
    count: int,
    personality: str,
    profile: Path | None,
    state: Path | None,
    link: Path | None,
    tcp_port: int | None,
    faults: list[str],
    out: TextIO,
    *,
    api: bool = True,
    stop: threading.Event | None = None,
) -> int:
    """Run `count` modems until SIGINT/SIGTERM (or `stop`); print each one's port, number and
    the API address. Returns the exit code."""
    if not 1 <= count <= MAX_SERVED:
        raise ConfigError(f"--count {count}: choose 1 to {MAX_SERVED}")
    config = FaultConfig.parse(faults)
    base = load_profile(profile or DEFAULT_PROFILE)
    cards = [base] if count == 1 else [numbered_profile(base, i) for i in range(count)]
    sims = [
        SimSpec(f"sim{i}", card, state_path=numbered(state, i, count))
        for i, card in enumerate(cards)
    ]
    specs = [
        ModemSpec(
            f"modem{i}",
            personality,
            faults=config,
            link=numbered(link, i, count),
            tcp_port=(tcp_port + i if tcp_port else 0) if tcp_port is not None else None,
        )
        for i in range(count)
    ]
    stop = stop if stop is not None else threading.Event()
    restore = on_stop_signals(stop)
    try:
        with VirtualBench(specs, sims) as bench:
            for index, info in enumerate(bench.modem_infos()):
                line = f"modem {index} ({personality}): {info.pty}"
                if specs[index].link is not None:
                    line += f" (link {info.port})"
                if info.tcp_port is not None:
                    line += f", tcp 127.0.0.1:{info.tcp_port}"
                line += f", SIM {cards[index].msisdn}"
                print(line, file=out, flush=True)
            if api:
                from harness.virtual.api.published import published_api  # noqa: PLC0415

                with published_api(bench, out):
                    _wait(stop, out)
            else:
                _wait(stop, out)
    finally:
        restore()
    return 0


def _wait(stop: threading.Event, out: TextIO) -> None:
    print("serving; Ctrl-C to stop", file=out, flush=True)
    stop.wait()
