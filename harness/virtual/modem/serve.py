"""`simharness modem serve`: virtual modems on ptys (and TCP) until SIGINT/SIGTERM.

`trace` appends every port's AT traffic, secrets masked (harness.transcript), to
one file as it happens, each line naming its modem and port.
"""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType
from typing import TextIO

from harness.trace_file import TraceFile
from harness.transcript import Transcript
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem.device import VirtualModem
from harness.virtual.modem.faults import FaultConfig

IMEI_BASE = 35693803564380  # 14 digits (TAC + serial); the 15th is the Luhn check digit


def luhn_digit(body: str) -> str:
    """The check digit that makes `body` + digit pass the Luhn test (IMEI, 3GPP TS 23.003)."""
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def imei_for(index: int) -> str:
    body = str(IMEI_BASE + index)
    return body + luhn_digit(body)


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
    trace: Path | None = None,
) -> int:
    """Run `count` modems until SIGINT/SIGTERM; print each one's port. Returns the exit code."""
    config = FaultConfig.parse(faults)
    stop = threading.Event()
    modems: list[VirtualModem] = []
    trace_file = TraceFile(trace) if trace is not None else None
    transcript = None
    if trace_file is not None:
        transcript = Transcript()
        transcript.add_listener(trace_file)
        print(f"AT trace (secrets masked) -> {trace_file.path}", file=out, flush=True)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for index in range(count):
            card = VirtualUicc.from_files(profile, numbered(state, index, count))
            modem = VirtualModem(
                card,
                personality=personality,
                imei=imei_for(index),
                faults=config,
                trace=transcript,
                trace_note=f"modem{index}",
            )
            modems.append(modem)
            where = numbered(link, index, count)
            path = modem.start_pty(where)
            line = f"modem {index} ({personality}): {path}"
            if where is not None:
                line += f" (link {where})"
            if tcp_port is not None:
                port = modem.start_tcp(tcp_port + index if tcp_port else 0)
                line += f", tcp 127.0.0.1:{port}"
            print(line, file=out, flush=True)
        print("serving; Ctrl-C to stop", file=out, flush=True)
        stop.wait()
    finally:
        for modem in modems:
            modem.close()
        if trace_file is not None:
            trace_file.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
