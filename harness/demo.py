"""`simharness demo` / `make demo`: the main job on the virtual bench.

Today: the default virtual SIM is served by a private pcscd through vpcd and
read over the real PC/SC stack with the SimCard driver: identity (IMSI after
PIN1), SPN and the PIN/PUK status. Later issues add the modem and the stolen-
phone scenarios to this story.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TextIO

from harness.card_report import read_card_report, render_card_report
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pcsc_link import PcscLink, wait_for_card
from harness.transcript import Transcript
from harness.virtual.card_profile import DEFAULT_PROFILE, load_profile
from harness.virtual.pcscd import PrivatePcscd
from harness.virtual.uicc import VirtualUicc
from harness.virtual.vpcd import VpcdBridge


def run_demo(out: TextIO = sys.stdout, transcript_path: Path | None = None) -> int:
    """Run the demo; returns the exit status.

    It points this process's PC/SC client at its private pcscd (PCSCLITE_CSOCK_NAME),
    which libpcsclite reads once per process: run it once per process, as the CLI does.
    """
    profile = load_profile(DEFAULT_PROFILE)
    transcript = Transcript()
    with PrivatePcscd() as daemon:
        os.environ["PCSCLITE_CSOCK_NAME"] = str(daemon.socket_path)
        card = VirtualUicc(profile)
        with VpcdBridge(card, slot=0, netns=daemon.netns) as bridge:
            wait_for_card(bridge.reader, present=True, timeout=10.0)
            with PcscLink(bridge.reader, tracer=transcript.apdu_tracer("demo")) as link:
                # The bench knows its virtual card's PIN; it is sent, never shown.
                report = read_card_report(SimCard(link), Secret(profile.pin1))
    print(
        "Virtual SIM served by a private pcscd through vsmartcard vpcd, "
        "read over PC/SC (pyscard) by the SimCard driver:",
        file=out,
    )
    print(render_card_report(report), file=out)
    print(f"{len(transcript.entries)} APDU exchanges recorded; PIN values masked.", file=out)
    if transcript_path is not None:
        transcript.write(transcript_path)
        print(f"transcript: {transcript_path}", file=out)
    return 0
