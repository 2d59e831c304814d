"""`simharness`: the bench engineer's command line (thin: parse, call, print).

One module per verb group: card, modem, pin, script, simulate, sms, operator, bench,
scenario, attack, demo. The sms, operator and bench verbs talk HTTP to a running
`simulate` / `modem serve`.

Secrets (PIN, PUK, ADM) are never taken from arguments: they come from an
environment variable, a file, or a prompt on a terminal.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from harness.cli.attack import add_attack_commands
from harness.cli.bench import add_bench_commands
from harness.cli.card import add_card_commands
from harness.cli.demo import add_demo_command
from harness.cli.modem import add_modem_commands
from harness.cli.operator import add_operator_commands
from harness.cli.pin import add_pin_command
from harness.cli.scenario import add_scenario_command
from harness.cli.script import add_script_commands
from harness.cli.simulate import add_simulate_command
from harness.cli.sms import add_sms_commands
from harness.errors import HarnessError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="simharness", description=__doc__.splitlines()[0])
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="debug logging, with the AT/APDU traffic (secrets masked)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    add_card_commands(commands)

    add_modem_commands(commands)
    add_pin_command(commands)
    add_script_commands(commands)
    add_simulate_command(commands)
    add_sms_commands(commands)
    add_operator_commands(commands)
    add_bench_commands(commands)
    add_scenario_command(commands)
    add_attack_commands(commands)

    add_demo_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _run(argv)
    except BrokenPipeError:  # `simharness ... | head`: the reader left; stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush is silent
        return 141  # 128 + SIGPIPE, what a shell reports for a program killed by it


def _run(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)  # --help prints here: inside the pipe guard
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here, inside the guard, not at exit
        return code
    except HarnessError as exc:
        print(f"simharness: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
