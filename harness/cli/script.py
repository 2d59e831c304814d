"""`simharness script run FILE --port PORT` and `simharness script check FILE...`.

Thin: load and check the script, open the port (exclusive; device paths,
/dev/serial/by-id links, socket://, rfc2217://), read the secrets the script names
from the environment, run it with `harness.at_script.runner`, write the masked
transcript. Exit status: 0 every step held; 1 a step did not hold; 2 an error
(a bad script, the port, a missing secret); 3 the safety gate refused a line.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.at_script.gate import CounterGate
from harness.at_script.language import load_script
from harness.at_script.runner import ScriptFailure, check_secrets, run_script
from harness.cli.options import add_transcript_option, transcript_for
from harness.errors import ConfigError, SafetyRefusal
from harness.secrets import Secret, read_secret
from harness.transport import SerialTransport

__all__ = ["add_script_commands"]

_EXIT = (
    "exit status: 0 every step held; 1 a step did not hold; 2 an error (script, port, "
    "missing secret); 3 the safety gate refused a line that presents a PIN/PUK"
)


def add_script_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    script = commands.add_parser("script", help="run or check an AT script (at_scripts/)")
    sub = script.add_subparsers(dest="script_command", required=True)

    run = sub.add_parser("run", help="run a script against a modem", epilog=_EXIT)
    run.add_argument("file", type=Path, help="the script (see at_scripts/README.md)")
    run.add_argument(
        "--port", required=True, help="device path (/dev/serial/by-id/...), socket://, rfc2217://"
    )
    run.add_argument("--vendor", help="vendor profile for the counter check (default: detected)")
    run.add_argument(
        "--secret",
        action="append",
        default=[],
        metavar="NAME=VAR",
        help="take the script's secret NAME from environment variable VAR instead of the one "
        "the script names (repeatable)",
    )
    add_transcript_option(run)
    run.set_defaults(func=_run)

    check = sub.add_parser(
        "check",
        help="validate scripts without a device",
        epilog="exit status: 0 every script is valid; 2 one is not",
    )
    check.add_argument("files", type=Path, nargs="+", help="script files")
    check.set_defaults(func=_check)


def _check(args: argparse.Namespace) -> int:
    for path in args.files:
        script = load_script(path)
        scope = ", ".join(script.applies_to) or "every modem"
        secrets = ", ".join(f"{k} from ${v}" for k, v in script.secrets.items()) or "none"
        print(f"{path}: OK, {len(script.steps)} steps; for {scope}; secrets: {secrets}")
    return 0


def _secrets(names: dict[str, str], overrides: list[str]) -> dict[str, Secret]:
    env = dict(names)
    for item in overrides:
        name, sep, var = item.partition("=")
        if not sep or name not in names or not var:
            known = ", ".join(names) or "none"
            raise ConfigError(f"--secret {name}=VAR: the script's secrets are {known}")
        env[name] = var
    return {name: read_secret(name, env=var) for name, var in env.items()}


def _run(args: argparse.Namespace) -> int:
    script = load_script(args.file)
    secrets = _secrets(script.secrets, args.secret)  # before the port is touched
    check_secrets(script, secrets)
    with transcript_for(args) as transcript, SerialTransport(args.port) as port:
        gate = CounterGate(port, name=args.port, vendor=args.vendor, transcript=transcript)
        try:
            result = run_script(
                script,
                port,
                secrets=secrets,
                transcript=transcript,
                out=sys.stdout,
                gate=gate.check,
            )
        except ScriptFailure as exc:
            print(f"simharness: FAILED {exc}", file=sys.stderr)
            return 1
        except SafetyRefusal as exc:
            print(f"simharness: {exc}", file=sys.stderr)
            return 3
    print(f"{args.file}: every step held ({result.steps_held} steps)", file=sys.stderr)
    return 0
