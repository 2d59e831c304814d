"""`simharness sms send|otp`: make an SMS or a one-time code arrive at a subscriber of a running
virtual bench, through its HTTP API (see harness.cli.api_client for how it is found)."""

from __future__ import annotations

import argparse

from harness.cli.api_client import BenchApi, add_api_option


def add_sms_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sms = commands.add_parser("sms", help="send an SMS or an OTP into a running virtual bench")
    sub = sms.add_subparsers(dest="sms_command", required=True)

    send = sub.add_parser("send", help="an SMS from outside the network to a subscriber")
    send.add_argument("--to", required=True, metavar="NUMBER", help="the subscriber's number")
    send.add_argument("--text", required=True, help="the message (up to 160 characters)")
    send.add_argument("--from", dest="sender", default="+15550001111", help="sender number or name")
    add_api_option(send)
    send.set_defaults(func=_send)

    otp = sub.add_parser("otp", help="a bank's one-time code to a subscriber")
    otp.add_argument("--to", required=True, metavar="NUMBER")
    otp.add_argument("--from", dest="sender", default="HarnessBank", help="alphanumeric sender")
    add_api_option(otp)
    otp.set_defaults(func=_otp)


def _send(args: argparse.Namespace) -> int:
    answer = BenchApi.from_args(args).post(
        "/sms", {"to": args.to, "text": args.text, "sender": args.sender}
    )
    print(f"message {answer['message_id']} to {answer['to']}: {answer['state']}")
    return 0


def _otp(args: argparse.Namespace) -> int:
    answer = BenchApi.from_args(args).post("/otp", {"to": args.to, "sender": args.sender})
    print(f"OTP from {answer['sender']} to {answer['to']}: code {answer['code']}")
    return 0
