"""`simharness`: the bench engineer's command line (thin: parse, call, print).

Secrets (PIN, PUK, ADM) are never taken from arguments: they come from an
environment variable, a file, or a prompt on a terminal.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from harness.bench import reader_selector
from harness.bench_commands import add_bench_commands
from harness.errors import HarnessError
from harness.modem_commands import add_modem_commands
from harness.scenarios.attack_cli import add_attack_commands


def _cmd_card_serve(args: argparse.Namespace) -> int:
    from harness.card_serve import serve_card  # noqa: PLC0415 - keep start-up light

    return serve_card(args.profile, args.state, args.slot, args.host)


def _cmd_card_info(args: argparse.Namespace) -> int:
    from harness.card_report import read_card_report, render_card_report  # noqa: PLC0415
    from harness.secrets import read_secret  # noqa: PLC0415
    from harness.sim.card import SimCard  # noqa: PLC0415
    from harness.sim.pcsc_link import PcscLink  # noqa: PLC0415

    pin = None
    if args.pin_env or args.pin_file or args.ask_pin:
        pin = read_secret(
            "PIN1", env=args.pin_env, file=args.pin_file, prompt="PIN1: " if args.ask_pin else None
        )
    with PcscLink(reader_selector(args.reader)) as link:
        print(render_card_report(read_card_report(SimCard(link), pin)))
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from harness.demo import run_demo  # noqa: PLC0415

    return run_demo(transcript_path=args.transcript, report_dir=args.report)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simharness", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    commands = parser.add_subparsers(dest="command", required=True)

    card = commands.add_parser("card", help="SIM cards over PC/SC, and the virtual card")
    card_commands = card.add_subparsers(dest="card_command", required=True)

    serve = card_commands.add_parser(
        "serve", help="put a virtual card into a vpcd reader until interrupted"
    )
    serve.add_argument(
        "--profile", type=Path, help="SIM profile TOML (default: fixtures/sims/default.toml)"
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
    info.set_defaults(func=_cmd_card_info)

    add_modem_commands(commands)
    add_bench_commands(commands)
    add_attack_commands(commands)

    demo = commands.add_parser("demo", help="the demo on the virtual bench (make demo)")
    demo.add_argument("--transcript", type=Path, help="also write the masked APDU transcript here")
    demo.add_argument(
        "--report",
        type=Path,
        default=Path("reports"),
        help="where the story's Markdown report goes (default: reports/)",
    )
    demo.set_defaults(func=_cmd_demo)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args))
    except HarnessError as exc:
        print(f"simharness: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
