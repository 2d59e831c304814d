"""`simharness pin status|setup|unlock|enable|disable|change|unblock` (and `modem pin`).

Thin: parse, open the device (--port: a modem; --reader: a SIM in a PC/SC reader),
call `harness.pin_setup.tool.PinTool`, print text or JSON, map errors to exit codes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from harness.attack.ledger import default_state_dir
from harness.cli.options import add_transcript_option, cli_secret, new_secret, transcript_for
from harness.errors import HarnessError, SafetyRefusal
from harness.pin_setup.opening import open_pin_device
from harness.pin_setup.report import (
    EXIT_CODES,
    EXIT_ERROR,
    EXIT_REFUSED,
    EXIT_WEAK,
    PinReport,
    WeakPinRefusal,
    render_status,
)
from harness.pin_setup.tool import PinOptions, PinTool
from harness.secrets import Secret

__all__ = ["add_pin_command", "add_pin_options", "run_pin"]

ACTIONS = ("status", "setup", "unlock", "enable", "disable", "change", "unblock")
_ACTION_HELP = (
    "status: ICCID, SIM state, PIN1 lock, PIN1/PUK1/PIN2/PUK2 tries; "
    "setup: guided (enable the lock with a new PIN typed twice, power-cycle, prove it); "
    "unlock: enter PIN1; enable/disable: the PIN1 lock; change: a new PIN1; "
    "unblock: PUK1 and a new PIN1"
)


def add_pin_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pin = commands.add_parser(
        "pin",
        help="set up, check, change or unblock a SIM's PIN1 (modem or reader)",
        description=__doc__.splitlines()[0],
        epilog=EXIT_CODES,
    )
    where = pin.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--port", help="a modem: device path (/dev/serial/by-id/...), socket://, rfc2217://"
    )
    where.add_argument("--reader", help="a PC/SC reader: exact name, index, or /regex/")
    add_pin_options(pin)


def add_pin_options(parser: argparse.ArgumentParser, actions: tuple[str, ...] = ACTIONS) -> None:
    """Everything but the device; `modem pin` reuses it with --port only."""
    parser.add_argument("action", choices=actions, help=_ACTION_HELP)
    parser.add_argument("--vendor", help="modem vendor profile override (default: detected)")
    parser.add_argument("--pin-env", metavar="VAR", help="the current PIN1 from this variable")
    parser.add_argument("--pin-file", metavar="FILE", help="the current PIN1 from this file")
    parser.add_argument(
        "--new-pin-env", metavar="VAR", help="the new PIN1 (setup, change, unblock)"
    )
    parser.add_argument("--new-pin-file", metavar="FILE", help="the new PIN1 from this file")
    parser.add_argument("--puk-env", metavar="VAR", help="PUK1 from this variable (unblock)")
    parser.add_argument("--puk-file", metavar="FILE", help="PUK1 from this file (unblock)")
    parser.add_argument(
        "--ask-pin",
        action="store_true",
        help="prompt (no echo) for every secret not given by a variable or file; the default "
        "on a terminal",
    )
    parser.add_argument(
        "--allow-weak",
        action="store_true",
        help="accept a new PIN that breaks the weak-PIN rules (common lists, one digit, runs, "
        "years, the card's own numbers)",
    )
    parser.add_argument(
        "--allow-last-attempt",
        action="store_true",
        help="allow presenting PIN1 with one try left (a typo blocks it); a real card also "
        "needs its ICCID confirmed",
    )
    parser.add_argument(
        "--allow-puk-attempt",
        action="store_true",
        help="allow presenting the PUK (10 wrong PUKs destroy the SIM); a real card also needs "
        "its ICCID confirmed",
    )
    parser.add_argument(
        "--confirm-iccid",
        metavar="DIGITS",
        help="the last four (or more) digits of the card's ICCID: confirms the two flags above "
        "without a prompt",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        help=f"attempt ledger directory, where confirmations are recorded ({default_state_dir()})",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    add_transcript_option(parser)
    parser.set_defaults(func=run_pin)


class _CliSecrets:
    def __init__(self, args: argparse.Namespace) -> None:
        self._args = args

    def current_pin(self) -> Secret:
        a = self._args
        return cli_secret("PIN1", a.pin_env, a.pin_file, option="pin", ask=a.ask_pin)

    def new_pin(self) -> Secret:
        a = self._args
        return new_secret("new PIN1", a.new_pin_env, a.new_pin_file, option="new-pin")

    def puk(self) -> Secret:
        a = self._args
        return cli_secret("PUK1", a.puk_env, a.puk_file, option="puk", ask=a.ask_pin)


def _ask(prompt: str) -> str:
    print(prompt, end="", file=sys.stderr, flush=True)
    return sys.stdin.readline()


def run_pin(args: argparse.Namespace) -> int:
    on_terminal = sys.stdin is not None and sys.stdin.isatty()
    options = PinOptions(
        allow_last_attempt=args.allow_last_attempt,
        allow_puk_attempt=args.allow_puk_attempt,
        allow_weak=args.allow_weak,
        confirm_iccid=args.confirm_iccid,
        ask=_ask if on_terminal else None,
        virtual=False,  # --port and --reader are real devices: nothing says otherwise
        state_dir=args.state_dir,
    )
    try:
        with (
            transcript_for(args) as transcript,
            open_pin_device(
                port=args.port,
                reader=getattr(args, "reader", None),
                vendor=args.vendor,
                transcript=transcript,
            ) as device,
        ):
            tool = PinTool(device, options, out=None if args.json else sys.stdout)
            report = _dispatch(tool, args.action, _CliSecrets(args))
    except HarnessError as exc:
        code = _exit_code(exc)
        if args.json:
            print(
                json.dumps({"command": args.action, "ok": False, "exit": code, "error": str(exc)})
            )
        print(f"simharness: {exc}", file=sys.stderr)
        return code
    print(report.to_json() if args.json else _text(report))
    return report.exit_code


def _dispatch(tool: PinTool, action: str, secrets: _CliSecrets) -> PinReport:
    if action == "status":
        return tool.status()
    if action == "setup":
        return tool.setup(secrets)
    if action == "unlock":
        return tool.unlock(secrets)
    if action in ("enable", "disable"):
        return tool.set_lock(action == "enable", secrets)
    if action == "change":
        return tool.change(secrets)
    return tool.unblock(secrets)


def _text(report: PinReport) -> str:
    if report.command == "status" and report.after is not None:
        lines = [render_status(report.after), *(f"next: {n}" for n in report.next_steps)]
        return "\n".join(lines)
    return report.render()


def _exit_code(exc: HarnessError) -> int:
    if isinstance(exc, WeakPinRefusal):
        return EXIT_WEAK
    if isinstance(exc, SafetyRefusal):
        return EXIT_REFUSED
    return EXIT_ERROR
