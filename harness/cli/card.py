"""`simharness card serve|info`: the virtual card in a vpcd reader; a SIM in a PC/SC reader.

Secrets (PIN1) come from an environment variable, a file or a prompt, never argv.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.bench import reader_selector
from harness.cli.options import add_transcript_option, transcript_for

__all__ = ["add_card_commands"]


def add_card_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    card = commands.add_parser("card", help="SIM cards over PC/SC, and the virtual card")
    card_commands = card.add_subparsers(dest="card_command", required=True)

    serve = card_commands.add_parser(
        "serve", help="put a virtual card into a vpcd reader until interrupted"
    )
    serve.add_argument(
        "--profile", type=Path, help="SIM profile TOML (default: the shipped default.toml)"
    )
    serve.add_argument("--state", type=Path, help="JSON state file: the card's EEPROM across runs")
    serve.add_argument(
        "--slot", type=int, choices=(0, 1), default=0, help="vpcd slot (reader 00 00 or 00 01)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="where vpcd listens (default 127.0.0.1)")
    serve.set_defaults(func=_cmd_card_serve)

    info = card_commands.add_parser("info", help="identity and PIN status of the card in a reader")
    info.add_argument(
        "--reader", default="0", help="reader: exact name, index, or /regex/ (default 0)"
    )
    info.add_argument("--pin-env", metavar="VAR", help="read PIN1 from this environment variable")
    info.add_argument("--pin-file", metavar="FILE", help="read PIN1 from the first line of FILE")
    info.add_argument("--ask-pin", action="store_true", help="prompt for PIN1 on the terminal")
    add_transcript_option(info)
    info.set_defaults(func=_cmd_card_info)


def _cmd_card_serve(args: argparse.Namespace) -> int:
    from harness.virtual.card.serve import serve_card  # noqa: PLC0415 - keep start-up light

    return serve_card(args.profile, args.state, args.slot, args.host)


def _cmd_card_info(args: argparse.Namespace) -> int:
    from harness.cli.card_report import read_card_report, render_card_report  # noqa: PLC0415
    from harness.secrets import read_secret  # noqa: PLC0415
    from harness.sim.card import SimCard  # noqa: PLC0415
    from harness.sim.pcsc_link import PcscLink  # noqa: PLC0415

    pin = None
    if args.pin_env or args.pin_file or args.ask_pin:
        pin = read_secret(
            "PIN1", env=args.pin_env, file=args.pin_file, prompt="PIN1: " if args.ask_pin else None
        )
    with (
        transcript_for(args) as transcript,
        PcscLink(reader_selector(args.reader), tracer=transcript.apdu_tracer("card")) as link,
    ):
        print(render_card_report(read_card_report(SimCard(link), pin)))
    return 0
