"""`simharness attack pin|audit`: PIN campaigns and the weak-PIN audit (thin: parse, call, print).

    simharness attack pin (--port URL | --reader NAME | --bench FILE --device NAME)
        [--strategy dictionary|sequential|random|reset-tricks] [--target pin1|pin2|puk]
        [--max-attempts N] [--dry-run] [--allow-destructive] [--state-dir DIR]
    simharness attack audit [--pin-env VAR | --pin-file FILE | --ask-pin] [--iccid N]

`--port` and `--reader` devices are REAL to the campaign (nothing configures
them otherwise) and have no sacrificial list: their floor is never lifted.
`--bench virtual` is the built-in virtual bench (devices "modem" and "reader"),
its cards kept under the state directory. Exit status: 0 done; 1 a reset trick
gave a try back, or (audit) the PIN is weak by the rules of `simharness pin`
(harness.pin_setup.weak: common lists of 4-8 digits, one digit, runs, years, the
card's numbers); 2 an error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.attack.bench_target import bench_target
from harness.attack.campaign import (
    Budget,
    CampaignConfig,
    read_plan,
    run_campaign,
)
from harness.attack.ledger import default_state_dir
from harness.attack.report import render_result
from harness.attack.strategies import Strategy, audit_pin
from harness.attack.target import AttackedSecret, ResetTrick
from harness.bench import (
    BenchConfig,
    DeviceConfig,
    LabgridOptions,
    load_bench,
    open_device,
    virtual_bench_config,
)
from harness.cli.options import add_transcript_option, transcript_for
from harness.errors import ConfigError
from harness.pin_setup.weak import judge_pin
from harness.secrets import Secret, read_secret

__all__ = ["add_attack_commands"]


def add_attack_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    attack = commands.add_parser("attack", help="PIN guessing campaigns and the weak-PIN audit")
    sub = attack.add_subparsers(dest="attack_command", required=True)

    pin = sub.add_parser(
        "pin",
        help="guess a SIM's PIN1/PIN2/PUK within a safety budget",
        epilog="exit status: 0 done; 1 a reset trick gave a try back; 2 error",
    )
    where = pin.add_mutually_exclusive_group(required=True)
    where.add_argument("--port", help="a modem: device path, socket://, rfc2217:// (REAL)")
    where.add_argument("--reader", help="a PC/SC reader: name, index or /regex/ (REAL)")
    where.add_argument(
        "--bench", metavar="FILE", help="bench TOML file, or `virtual` for the built-in one"
    )
    pin.add_argument("--device", help="the device's name in the bench file (with --bench)")
    pin.add_argument("--vendor", help="modem vendor profile override (with --port)")
    pin.add_argument(
        "--lg-coordinator",
        metavar="HOST[:PORT]",
        help="labgrid coordinator for a bench modem in a `place` (default: $LG_COORDINATOR)",
    )
    pin.add_argument(
        "--device-wait",
        type=float,
        default=0.0,
        metavar="S",
        help="wait this long for a labgrid place someone else holds (default: 0)",
    )
    pin.add_argument(
        "--strategy",
        choices=[s.value for s in Strategy],
        default=Strategy.DICTIONARY.value,
        help="guess order: the common-PIN list (default), 0000 upwards, a random draw, or the "
        "list with a reset trick between guesses",
    )
    pin.add_argument(
        "--target",
        choices=[s.value for s in AttackedSecret],
        default=AttackedSecret.PIN1.value,
        help="the secret guessed (default pin1); puk needs a blocked PIN1",
    )
    pin.add_argument(
        "--max-attempts",
        type=int,
        default=10,
        metavar="N",
        help="guess at most N times (default 10); the counter and the floor may allow fewer",
    )
    pin.add_argument("--seed", type=int, help="random strategy: repeat an earlier order")
    pin.add_argument(
        "--trick",
        action="append",
        choices=[t.value for t in ResetTrick],
        help="reset-tricks strategy: only these (repeatable; default: all the device has)",
    )
    pin.add_argument(
        "--dry-run",
        action="store_true",
        help="open the device, read its ICCID and counters (free) and print the plan; no guess "
        "is sent",
    )
    pin.add_argument(
        "--allow-destructive",
        action="store_true",
        help="lift the floor on a virtual card or a sacrificial ICCID of the bench file",
    )
    pin.add_argument("--state-dir", type=Path, help=f"ledger directory ({default_state_dir()})")
    pin.add_argument(
        "--resync-ledger",
        action="store_true",
        help="accept the card's counters where the ledger expected more tries",
    )
    pin.add_argument("--new-pin-env", metavar="VAR", help="PUK target: the PIN a found PUK sets")
    pin.add_argument("--new-pin-file", metavar="FILE", help="PUK target: the same, from a file")
    add_transcript_option(pin)
    pin.set_defaults(func=_attack_pin)

    audit = sub.add_parser(
        "audit",
        help="is the owner's PIN (4-8 digits) weak by the rules `simharness pin setup` uses?",
        epilog="exit status: 0 not weak; 1 weak; 2 an error",
    )
    audit.add_argument("--pin-env", metavar="VAR", help="read the PIN from this variable")
    audit.add_argument("--pin-file", metavar="FILE", help="read the PIN from this file")
    audit.add_argument(
        "--ask-pin", action="store_true", help="prompt for the PIN without echo (a terminal)"
    )
    audit.add_argument("--iccid", help="the card's ICCID: a PIN taken from its digits is weak")
    audit.add_argument("--msisdn", help="the line's number: a PIN taken from its digits is weak")
    audit.set_defaults(func=_audit)


def _attack_pin(args: argparse.Namespace) -> int:
    device, sacrificial = _device(args)
    secret = AttackedSecret(args.target)
    config = CampaignConfig(
        secret=secret,
        strategy=Strategy(args.strategy),
        budget=Budget(max_attempts=args.max_attempts),
        allow_destructive=args.allow_destructive,
        sacrificial_iccids=sacrificial,
        seed=args.seed,
        tricks=tuple(ResetTrick(t) for t in args.trick) if args.trick else None,
        new_pin=_new_pin(args) if secret.is_puk and not args.dry_run else None,
        resync_ledger=args.resync_ledger,
    )
    with (
        transcript_for(args) as transcript,
        open_device(
            device,
            transcript=transcript,
            labgrid=LabgridOptions(args.lg_coordinator, max(0.0, args.device_wait)),
        ) as opened,
        bench_target(opened, secret) as target,
    ):
        if args.dry_run:  # reads the ICCID and the counters (free); presents nothing
            result = read_plan(target, config, state_dir=args.state_dir)
        else:
            result = run_campaign(target, config, state_dir=args.state_dir, progress=sys.stdout)
    print(render_result(result))
    return 1 if len(result.tricks) > result.tricks_survived else 0


def _device(args: argparse.Namespace) -> tuple[DeviceConfig, frozenset[str]]:
    if args.bench is None:
        if args.device is not None:
            raise ConfigError("--device names a device of a bench file: give --bench FILE too")
        if args.port is not None:
            modem = DeviceConfig(args.port, "modem", False, port=args.port, vendor=args.vendor)
            return modem, frozenset()
        return DeviceConfig(args.reader, "reader", False, reader=args.reader), frozenset()
    if args.device is None:
        raise ConfigError("--bench needs --device NAME (which device of the bench to attack)")
    bench = _bench(args.bench, args.state_dir)
    return bench.device(args.device), bench.sacrificial_iccids


def _bench(spec: str, state_dir: Path | None) -> BenchConfig:
    if spec == "virtual":
        return virtual_bench_config((state_dir or default_state_dir()) / "virtual-bench")
    return load_bench(spec)


def _new_pin(args: argparse.Namespace) -> Secret | None:
    if args.new_pin_env is None and args.new_pin_file is None:
        return None  # a virtual card gets a random one; a real card is refused by the campaign
    return read_secret("new PIN", env=args.new_pin_env, file=args.new_pin_file)


def _audit(args: argparse.Namespace) -> int:
    on_terminal = sys.stdin is not None and sys.stdin.isatty()
    if (args.ask_pin or (args.pin_env is None and args.pin_file is None)) and not on_terminal:
        raise ConfigError(
            "the owner's PIN: give --pin-env VAR or --pin-file FILE, or run on a terminal "
            "to be prompted (--ask-pin; never on the command line)"
        )
    if args.ask_pin:
        pin = read_secret("PIN", prompt="PIN to audit: ")
    else:
        pin = read_secret("PIN", env=args.pin_env, file=args.pin_file, prompt="PIN to audit: ")
    judgement = judge_pin(pin, iccid=args.iccid, msisdn=args.msisdn)
    print(judgement.describe())
    ranked = audit_pin(pin) if len(pin.reveal()) == 4 else None
    if ranked is not None and ranked.on_list:  # where it stands in the attack dictionary
        print(ranked.describe())
    return 1 if judgement.weak else 0
