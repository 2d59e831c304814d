"""`simharness modem ...`: serve virtual modems, inspect a modem, set up its SIM PIN by hand.

Thin handlers over `harness.modem.Modem` and `harness.virtual.modem.serve`.
PINs and PUKs come from environment variables, files or a terminal prompt.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from tabulate import tabulate

from harness.errors import ConfigError, HarnessError
from harness.safety import SafetyPolicy
from harness.secrets import Secret, read_secret


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
    serve.add_argument("--count", type=int, default=1, help="number of modems (default 1)")
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
    info.set_defaults(func=_info)

    pin = sub.add_parser("pin", help="set up, change, or unblock the SIM PIN by hand")
    _port_options(pin)
    pin.add_argument("action", choices=("unlock", "enable", "disable", "change", "unblock"))
    pin.add_argument("--pin-env", metavar="VAR", help="the (current) PIN from this variable")
    pin.add_argument("--pin-file", metavar="FILE", help="the (current) PIN from this file")
    pin.add_argument("--new-pin-env", metavar="VAR", help="the new PIN (change, unblock)")
    pin.add_argument("--new-pin-file", metavar="FILE", help="the new PIN (change, unblock)")
    pin.add_argument("--puk-env", metavar="VAR", help="the PUK (unblock)")
    pin.add_argument("--puk-file", metavar="FILE", help="the PUK (unblock)")
    pin.add_argument(
        "--allow-last-attempt",
        action="store_true",
        help="allow presenting the PIN when only one try is left (a typo blocks it)",
    )
    pin.add_argument(
        "--allow-puk-attempt",
        action="store_true",
        help="allow presenting the PUK (10 wrong PUKs destroy the SIM)",
    )
    pin.set_defaults(func=_pin)


def _port_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", required=True, help="device path (/dev/serial/by-id/...), socket://, rfc2217://"
    )
    parser.add_argument("--vendor", help="vendor profile override (default: detected)")


def _serve(args: argparse.Namespace) -> int:
    from pathlib import Path  # noqa: PLC0415

    from harness.virtual.modem.serve import serve_modems  # noqa: PLC0415

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
    )


def _info(args: argparse.Namespace) -> int:
    from harness.modem import Modem  # noqa: PLC0415

    with Modem(args.port, vendor=args.vendor) as modem:
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
            ("SIM state", modem.sim_state().value),
            ("PIN1 lock", _on_off(modem.pin_lock_enabled)),
            ("PIN1 / PUK1 tries", f"{_n(retries.pin1)} / {_n(retries.puk1)}"),
            ("PIN2 / PUK2 tries", f"{_n(retries.pin2)} / {_n(retries.puk2)}"),
            ("registered", "yes" if modem.registration().registered else "no"),
        ]
    print(tabulate(rows, tablefmt="rounded_outline"))
    return 0


def _pin(args: argparse.Namespace) -> int:
    from harness.modem import Modem  # noqa: PLC0415

    action = args.action
    # The engineer at the keyboard may lift the gate for this one command, explicitly.
    policy = SafetyPolicy(
        allow_last_pin_attempt=args.allow_last_attempt,
        allow_puk_attempts=args.allow_puk_attempt,
        reason="explicit flag on the command line",
    )
    with Modem(args.port, vendor=args.vendor, safety=policy) as modem:
        if action == "unblock":
            puk = _secret("PUK", args.puk_env, args.puk_file)
            new = _secret("new PIN", args.new_pin_env, args.new_pin_file)
            state = modem.unblock(puk, new)
            print(f"unblocked; SIM state {state.value}")
            return 0
        pin = _secret("PIN", args.pin_env, args.pin_file)
        if action == "unlock":
            print(f"SIM state {modem.unlock(pin).value}")
        elif action in ("enable", "disable"):
            modem.set_pin_lock(action == "enable", pin)
            print(f"PIN lock {'enabled' if action == 'enable' else 'disabled'}")
        else:
            modem.change_pin(pin, _secret("new PIN", args.new_pin_env, args.new_pin_file))
            print("PIN changed")
        retries = modem.pin_retries()
        print(f"PIN1 tries left {_n(retries.pin1)}, PUK1 tries left {_n(retries.puk1)}")
    return 0


def _secret(what: str, env: str | None, file: str | None) -> Secret:
    if env is None and file is None and not sys.stdin.isatty():
        raise ConfigError(
            f"{what}: give --{what.lower().replace(' ', '-')}-env VAR or -file FILE "
            f"(secrets are never taken from the command line)"
        )
    return read_secret(what, env=env, file=file, prompt=f"{what}: ")


def _n(value: int | None) -> str:
    return "?" if value is None else str(value)


def _on_off(read: Callable[[], bool]) -> str:
    try:
        return "enabled" if read() else "disabled"
    except HarnessError as exc:  # shown, not hidden: the row says why
        return f"unknown ({type(exc).__name__})"
