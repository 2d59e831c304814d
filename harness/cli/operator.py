"""`simharness operator ...`: the operator's side of a running virtual bench, over its HTTP API.

Customer-service actions (report-lost, reactivate, suspend, resume, swap-sim),
the subscriber list, and the CAMARA answers a bank would get (sim-swap,
status). The CAMARA calls send the bearer token from $CAMARA_TOKEN (the
virtual operator accepts any; the default is a placeholder).
"""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from tabulate import tabulate

from harness.cli.api_client import BenchApi, add_api_option, resolve_api
from harness.errors import ConfigError
from harness.secrets import Secret

if TYPE_CHECKING:
    from harness.camara import CamaraClient

_ACTIONS = ("report-lost", "reactivate", "suspend", "resume")
TOKEN_ENV = "CAMARA_TOKEN"  # noqa: S105 - the name of the variable, not a token


def add_operator_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    operator = commands.add_parser("operator", help="operator actions on a running virtual bench")
    sub = operator.add_subparsers(dest="operator_command", required=True)
    for action in _ACTIONS:
        cmd = sub.add_parser(action, help=f"{action.replace('-', ' ')} a line")
        cmd.add_argument("number")
        cmd.add_argument("--by", default="cli", help="who asked (for the event log)")
        add_api_option(cmd)
        cmd.set_defaults(func=_action, action=action)

    swap = sub.add_parser("swap-sim", help="bind the number to another SIM of the bench")
    swap.add_argument("number")
    swap.add_argument("--sim", required=True, help="the bench SIM (by name, see `bench list`)")
    swap.add_argument("--by", default="cli")
    add_api_option(swap)
    swap.set_defaults(func=_swap)

    lines = sub.add_parser("subscribers", help="every line: number, IMSI, ICCID, state")
    add_api_option(lines)
    lines.set_defaults(func=_subscribers)

    check = sub.add_parser("sim-swap", help="what the CAMARA SIM Swap API tells a bank")
    check.add_argument("number")
    check.add_argument("--max-age", type=int, default=240, help="hours (1-2400, default 240)")
    add_api_option(check)
    check.set_defaults(func=_sim_swap)

    status = sub.add_parser("status", help="CAMARA subscription status of a line")
    status.add_argument("number")
    add_api_option(status)
    status.set_defaults(func=_status)


def _print_line(line: dict[str, str]) -> None:
    print(f"{line['msisdn']}: {line['state']} (SIM {line['iccid']}, IMSI {line['imsi']})")


def _action(args: argparse.Namespace) -> int:
    api = BenchApi.from_args(args)
    _print_line(api.post(f"/operator/{args.action}", {"phoneNumber": args.number, "by": args.by}))
    return 0


def _swap(args: argparse.Namespace) -> int:
    api = BenchApi.from_args(args)
    body = {"phoneNumber": args.number, "sim": args.sim, "by": args.by}
    _print_line(api.post("/operator/swap-sim", body))
    return 0


def _subscribers(args: argparse.Namespace) -> int:
    rows = [
        [s["msisdn"], s["state"], s["iccid"], s["imsi"]]
        for s in BenchApi.from_args(args).get("/subscribers")
    ]
    print(tabulate(rows, headers=["number", "state", "ICCID", "IMSI"], tablefmt="simple"))
    return 0


_LOCAL_BENCH_TOKEN = "virtual-bench"  # noqa: S105 - the local virtual bench takes any token
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _client(args: argparse.Namespace) -> CamaraClient:
    from harness.camara import CamaraClient  # noqa: PLC0415 - httpx only when used

    url = resolve_api(args.api)
    token = os.environ.get(TOKEN_ENV, "").strip() or _LOCAL_BENCH_TOKEN
    if token == _LOCAL_BENCH_TOKEN and urlsplit(url).hostname not in _LOOPBACK:
        raise ConfigError(
            f"{url} is not the local virtual bench: set {TOKEN_ENV} to the operator's "
            "access token (the virtual bench accepts any token)"
        )
    return CamaraClient(url, Secret(token))


def _sim_swap(args: argparse.Namespace) -> int:
    with _client(args) as client:
        latest, monitored = client.latest_sim_change(args.number)
        swapped = client.swapped_within(args.number, args.max_age)
    when = latest.isoformat() if latest else f"none within the monitored {monitored} days"
    print(f"{args.number}: latest SIM change {when}")
    print(f"swapped within {args.max_age} h: {'yes' if swapped else 'no'}")
    return 0


def _status(args: argparse.Namespace) -> int:
    with _client(args) as client:
        status = client.subscription_status(args.number)
    print(", ".join(f"{k} {v}" for k, v in status.items()))
    return 0
