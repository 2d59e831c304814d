"""`simharness demo` / `make demo`: the main job on the virtual bench.

1. The virtual SIM as any PC/SC program sees it: served by a private pcscd
   through vpcd and read with the SimCard driver (identity, IMSI after PIN1,
   PIN/PUK status).
2. The stolen-phone story (harness.scenarios.story): theft with and without a
   SIM PIN, the loss report and both reactivation paths, and SIM swap fraud
   against a bank that trusts SMS codes and one that asks the operator's CAMARA
   SIM Swap API (served over HTTP on 127.0.0.1), with computed verdicts and a
   Markdown report under reports/.
3. A short PIN attack (harness.attack.demo): on a virtual card treated as a
   real one the guard stops at one try left; on a virtual card in a destructive run
   three guesses block the PIN, and the PIN and PUK counters survive every
   reset trick; then a weak-PIN audit of the owner's PIN.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path
from typing import TextIO

from harness.attack.demo import run_short_attack_demo
from harness.bench.stolen_phone import stolen_phone
from harness.bench.virtual_stage import virtual_stage
from harness.cli.card_report import read_card_report, render_card_report
from harness.outputs import check_output_dir, check_output_file
from harness.scenarios.story import run_story
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pcsc_link import PcscLink, wait_for_card
from harness.transcript import Transcript
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.pcscd import PrivatePcscd
from harness.virtual.vpcd import VpcdBridge


def add_demo_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser("demo", help="the demo on the virtual bench (make demo)")
    demo.add_argument("--transcript", type=Path, help="also write the masked APDU transcript here")
    demo.add_argument(
        "--report",
        type=Path,
        default=Path("reports"),
        help="where the story's Markdown report goes (default: reports/)",
    )
    demo.set_defaults(func=_cmd_demo)


def _cmd_demo(args: argparse.Namespace) -> int:
    return run_demo(transcript_path=args.transcript, report_dir=args.report)


def run_demo(
    out: TextIO = sys.stdout,
    transcript_path: Path | None = None,
    report_dir: Path = Path("reports"),
) -> int:
    """Run the demo; 0 when every verdict is the one the defences predict.

    It points this process's PC/SC client at its private pcscd (PCSCLITE_CSOCK_NAME),
    which libpcsclite reads once per process: run it once per process, as the CLI does.
    """
    check_output_dir(report_dir)
    if transcript_path is not None:
        check_output_file(transcript_path, "transcript file")
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
    print(file=out)
    stages = functools.partial(virtual_stage, operator_api="http")
    story = run_story(stages, out=out, report_dir=report_dir)
    print(file=out)
    attack = run_short_attack_demo(stolen_phone, out)
    return story or attack
