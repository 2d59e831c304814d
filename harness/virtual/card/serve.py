"""`simharness card serve`: put a virtual card into a vpcd reader until interrupted.

If pcscd is not running yet, it waits (start order is free); if pcscd stops,
the card is re-inserted when it comes back. `trace` appends a masked APDU log to a
file as the exchanges happen; `gsmtap` ("HOST[:PORT]") sends each one as a GSMTAP
SIM packet (harness.sim.gsmtap) for Wireshark or pySim-trace.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TextIO

from harness.errors import TransportError
from harness.sim.gsmtap import GsmtapSender, parse_target
from harness.trace_file import TraceFile
from harness.transcript import Transcript
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.card_tap import CardTap
from harness.virtual.vpcd import VpcdBridge


def serve_card(
    profile: Path | None,
    state: Path | None,
    slot: int,
    host: str,
    out: TextIO = sys.stdout,
    *,
    trace: Path | None = None,
    gsmtap: str | None = None,
) -> int:
    def say(text: str) -> None:
        print(text, file=out, flush=True)

    card = VirtualUicc.from_files(profile, state)
    target = parse_target(gsmtap) if gsmtap is not None else None
    trace_file = TraceFile(trace) if trace is not None else None
    transcript = None
    if trace_file is not None:
        transcript = Transcript()
        transcript.add_listener(trace_file)
    sender = GsmtapSender(*target) if target is not None else None
    try:
        tap = CardTap(card, transcript=transcript, gsmtap=sender)
        if trace_file is not None:
            say(f"APDU trace (secrets masked) -> {trace_file.path}")
        if target is not None:
            say(f"GSMTAP SIM -> udp {target[0]}:{target[1]}")
        return _serve(card, tap, slot, host, say)
    finally:
        if trace_file is not None:
            trace_file.close()
        if sender is not None:
            sender.close()


def _serve(
    card: VirtualUicc, tap: CardTap, slot: int, host: str, say: Callable[[str], None]
) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    bridge = VpcdBridge(tap, slot=slot, host=host)
    say(
        f"virtual card '{card.profile.name}' (ICCID {card.profile.iccid}) -> "
        f"reader '{bridge.reader}' via vpcd {host}:{bridge.port}"
    )
    waiting_said = False
    try:
        while not stop.is_set():
            try:
                bridge.start(connect_timeout=1.0)
            except TransportError:
                if not waiting_said:
                    say("waiting for pcscd with vsmartcard-vpcd to listen ...")
                    waiting_said = True
                stop.wait(0.5)
                continue
            say(f"card inserted in '{bridge.reader}'; Ctrl-C to remove it")
            waiting_said = False
            while bridge.running and not stop.is_set():
                stop.wait(0.2)
            bridge.stop()
            if not stop.is_set():
                say("vpcd closed the connection (pcscd stopped?); retrying")
                time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        bridge.stop()
        signal.signal(signal.SIGTERM, previous)
    say("card removed")
    return 0
