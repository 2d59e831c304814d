"""`simharness simulate`: run a virtual bench (network, modems, SIMs) in the foreground."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_simulate_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
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
    simulate.add_argument(
        "--api-port", type=int, default=0, help="HTTP API port on 127.0.0.1 (default: a free one)"
    )
    simulate.add_argument("--no-api", action="store_true", help="do not serve the HTTP API")
    simulate.set_defaults(func=_simulate)


def _simulate(args: argparse.Namespace) -> int:
    from harness.virtual.simulate import simulate  # noqa: PLC0415

    return simulate(
        modems=args.modems,
        personalities=tuple(args.personality) or ("generic",),
        reader=args.reader,
        profile=args.profile,
        link_dir=args.link_dir,
        api=not args.no_api,
        api_port=args.api_port,
    )
