"""`simharness simulate` and `simharness scenario`: the virtual bench and the stories."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_bench_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = commands.add_parser(
        "simulate", help="run a virtual bench (network, modems, SIMs) in the foreground"
    )
    simulate.add_argument("--modems", type=int, default=2, help="number of modems (default 2)")
    simulate.add_argument(
        "--personality",
        action="append",
        default=[],
        metavar="NAME",
        help="vendor personality, repeatable, cycled over the modems",
    )
    simulate.add_argument(
        "--reader", action="store_true", help="also a SIM in a vpcd reader (starts a private pcscd)"
    )
    simulate.add_argument("--profile", type=Path, help="SIM profile of the first line")
    simulate.add_argument("--link-dir", type=Path, help="put stable pty symlinks here")
    simulate.set_defaults(func=_simulate)

    scenario = commands.add_parser("scenario", help="run a stolen-phone scenario")
    scenario.add_argument("name", choices=("theft", "loss"))
    pin = scenario.add_mutually_exclusive_group()
    pin.add_argument(
        "--pin-enabled",
        dest="pin_enabled",
        action="store_true",
        default=True,
        help="the owner's SIM PIN is on (default)",
    )
    pin.add_argument(
        "--pin-disabled",
        dest="pin_enabled",
        action="store_false",
        help="the owner's SIM has no PIN",
    )
    scenario.add_argument("--bench", default="virtual", help="bench (default: virtual)")
    scenario.add_argument(
        "--report", type=Path, metavar="DIR", help="write the Markdown report and transcripts here"
    )
    scenario.set_defaults(func=_scenario)


def _simulate(args: argparse.Namespace) -> int:
    from harness.virtual.simulate import simulate  # noqa: PLC0415

    return simulate(
        modems=args.modems,
        personalities=tuple(args.personality) or ("generic",),
        reader=args.reader,
        profile=args.profile,
        link_dir=args.link_dir,
    )


def _scenario(args: argparse.Namespace) -> int:
    from harness.scenarios.cli_entry import run_scenario  # noqa: PLC0415

    return run_scenario(args.name, args.pin_enabled, args.bench, args.report)
