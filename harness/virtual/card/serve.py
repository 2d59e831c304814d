"""`simharness card serve`: put a virtual card into a vpcd reader until interrupted.

If pcscd is not running yet, it waits (start order is free); if pcscd stops,
the card is re-inserted when it comes back.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import TextIO

from harness.errors import TransportError
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.vpcd import VpcdBridge


def serve_card(
    profile: Path | None, state: Path | None, slot: int, host: str, out: TextIO = sys.stdout
) -> int:
    def say(text: str) -> None:
        print(text, file=out, flush=True)

    card = VirtualUicc.from_files(profile, state)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_signal)
    bridge = VpcdBridge(card, slot=slot, host=host)
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
