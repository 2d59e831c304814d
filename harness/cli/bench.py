"""`simharness bench list|insert|remove|events`: a running virtual bench's devices, its cards'
moves and its network events, over its HTTP API."""

from __future__ import annotations

import argparse
from typing import Any

from tabulate import tabulate

from harness.cli.api_client import BenchApi, add_api_option


def add_bench_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bench = commands.add_parser("bench", help="a running virtual bench: devices, cards, events")
    sub = bench.add_subparsers(dest="bench_command", required=True)

    listing = sub.add_parser("list", help="modems (ports), SIMs, readers")
    add_api_option(listing)
    listing.set_defaults(func=_list)

    insert = sub.add_parser("insert", help="put a SIM into a modem or a reader slot")
    insert.add_argument("sim")
    where = insert.add_mutually_exclusive_group(required=True)
    where.add_argument("--modem")
    where.add_argument("--reader", type=int, choices=(0, 1))
    add_api_option(insert)
    insert.set_defaults(func=_insert)

    remove = sub.add_parser("remove", help="take a SIM out of whatever holds it")
    remove.add_argument("sim")
    add_api_option(remove)
    remove.set_defaults(func=_remove)

    events = sub.add_parser("events", help="the network's event log")
    events.add_argument("--follow", action="store_true", help="keep printing new events")
    events.add_argument("--since", type=int, default=0, help="start at event N")
    add_api_option(events)
    events.set_defaults(func=_events)


def _list(args: argparse.Namespace) -> int:
    api = BenchApi.from_args(args)
    modems = [
        [
            m["name"],
            m["personality"],
            m["port"],
            m["pty"] or "-",
            m["tcp_port"] or "-",
            m["sim"] or "-",
        ]
        for m in api.get("/modems")
    ]
    print(tabulate(modems, headers=["modem", "kind", "port", "pty", "tcp", "SIM"]))
    sims = [
        [s["name"], s["msisdn"], s["iccid"], s["where"] or "bench top"] for s in api.get("/sims")
    ]
    print()
    print(tabulate(sims, headers=["SIM", "number", "ICCID", "where"]))
    return 0


def _insert(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"modem": args.modem} if args.modem else {"reader": args.reader}
    sim = BenchApi.from_args(args).post(f"/sims/{args.sim}/insert", body)
    print(f"SIM {sim['name']}: {sim['where']}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    sim = BenchApi.from_args(args).post(f"/sims/{args.sim}/remove")
    print(f"SIM {sim['name']}: {sim['where'] or 'bench top'}")
    return 0


def _show(event: dict[str, Any]) -> str:
    line = f" {event['msisdn']}" if event["msisdn"] else ""
    detail = f": {event['detail']}" if event["detail"] else ""
    return f"{event['index']:>4} {event['at']} {event['actor']} {event['action']}{line}{detail}"


def _events(args: argparse.Namespace) -> int:
    api = BenchApi.from_args(args)
    if not args.follow:
        for event in api.get("/events", since=args.since):
            print(_show(event))
        return 0
    for event in api.stream_events(args.since):
        print(_show(event), flush=True)
    return 0
