"""`simharness modem ...`: serve virtual modems, inspect a modem, set up its SIM PIN by hand.

Thin handlers over `harness.modem.Modem` and `harness.virtual.serve`; `modem pin`
is the same command as `simharness pin` (harness.cli.pin) on a modem port. PINs and
PUKs come from environment variables, files or a terminal prompt.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from tabulate import tabulate

from harness.cli.options import add_transcript_option, transcript_for
from harness.cli.pin import add_pin_options
from harness.errors import CmeError, HarnessError
from harness.pin_setup.report import EXIT_CODES


def add_modem_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    modem = commands.add_parser("modem", help="cellular modems over AT, and the virtual modem")
    sub = modem.add_subparsers(dest="modem_command", required=True)

    serve = sub.add_parser("serve", help="serve virtual modems on ptys until interrupted")
    serve.add_argument("--personality", default="generic", help="vendor personality")
    serve.add_argument(
        "--sim",
        type=argparse.FileType("rb"),
        metavar="PROFILE",
        help="SIM profile TOML (default: the shipped default.toml)",
    )
    serve.add_argument("--state", help="card state JSON (its EEPROM across runs)")
    serve.add_argument("--link", help="stable symlink to the pty (e.g. /tmp/modem0)")
    serve.add_argument("--tcp", type=int, metavar="PORT", help="also serve on 127.0.0.1:PORT")
    serve.add_argument(
        "--count",
        type=int,
        default=1,
        help="number of modems on one virtual network (default 1); with more than one, "
        "SIM i gets its own ICCID/IMSI/number derived from the profile",
    )
    serve.add_argument("--no-api", action="store_true", help="do not serve the HTTP API")
    serve.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KNOB=VALUE",
        help="fault injection, repeatable (e.g. split_writes=true)",
    )
    serve.set_defaults(func=_serve)

    info = sub.add_parser("info", help="identity, SIM state, PIN counters, registration")
    _port_options(info)
    add_transcript_option(info)
    info.set_defaults(func=_info)

    pin = sub.add_parser(
        "pin",
        help="alias of `simharness pin ... --port PORT` (set up, change or unblock the PIN)",
        epilog=EXIT_CODES,
    )
    pin.add_argument(
        "--port", required=True, help="device path (/dev/serial/by-id/...), socket://, rfc2217://"
    )
    add_pin_options(pin)


def _port_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", required=True, help="device path (/dev/serial/by-id/...), socket://, rfc2217://"
    )
    parser.add_argument("--vendor", help="vendor profile override (default: detected)")


def _serve(args: argparse.Namespace) -> int:
    from pathlib import Path  # noqa: PLC0415

    from harness.virtual.serve import serve_modems  # noqa: PLC0415

    profile = Path(args.sim.name) if args.sim is not None else None
    if args.sim is not None:
        args.sim.close()
    return serve_modems(
        count=args.count,
        personality=args.personality,
        profile=profile,
        state=Path(args.state) if args.state else None,
        link=Path(args.link) if args.link else None,
        tcp_port=args.tcp,
        faults=args.fault,
        out=sys.stdout,
        api=not args.no_api,
    )


def _info(args: argparse.Namespace) -> int:
    from harness.modem import Modem  # noqa: PLC0415

    with (
        transcript_for(args) as transcript,
        Modem(args.port, vendor=args.vendor, transcript=transcript) as modem,
    ):
        ident = modem.identity()
        retries = modem.pin_retries()
        rows = [
            ("port", args.port),
            ("vendor profile", modem.profile.name),
            ("manufacturer", ident.manufacturer),
            ("model", ident.model),
            ("revision", ident.revision),
            ("IMEI", ident.imei),
            ("ICCID", ident.iccid or "-"),
            ("IMSI", ident.imsi or "- (SIM PIN pending)"),
            ("SIM state", (state := modem.sim_state()).value),
            ("PIN1 lock", _lock(modem.pin_lock_enabled, state.value)),
            ("PIN1 / PUK1 tries", f"{_n(retries.pin1)} / {_n(retries.puk1)}"),
            ("PIN2 / PUK2 tries", f"{_n(retries.pin2)} / {_n(retries.puk2)}"),
            ("registered", "yes" if modem.registration().registered else "no"),
        ]
    print(tabulate(rows, tablefmt="rounded_outline"))
    return 0


def _n(value: int | None) -> str:
    return "?" if value is None else str(value)


def _lock(read: Callable[[], bool], state: str) -> str:
    try:
        return "enabled" if read() else "disabled"
    except CmeError as exc:  # shown, not hidden: the row says why
        if state in ("SIM PIN", "SIM PUK"):
            return f"enabled (the SIM asks for {state[4:]}; +CLCK refused meanwhile)"
        return f"unknown (+CLCK answered +CME ERROR {exc.code}: {exc.text})"
    except HarnessError as exc:
        return f"unknown ({exc})"
