"""`simharness scenario theft|loss`: run one stolen-phone scenario, print its table, write a report.

Exit status: 0 PROTECTED, 1 VULNERABLE, 3 INCONCLUSIVE (the bench did not
deliver an OTP to the rightful owner, so nothing was proven). Configuration
errors raise `ConfigError` (the CLI prints it and exits 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Literal, Protocol, TextIO

from harness.bench.virtual_stage import virtual_stage
from harness.errors import ConfigError
from harness.outputs import check_output_dir
from harness.scenarios.loss import run_loss
from harness.scenarios.report import render_table, write_report
from harness.scenarios.result import ScenarioResult, Verdict
from harness.scenarios.stage import Stage
from harness.scenarios.theft import run_theft

__all__ = ["EXIT_CODES", "SCENARIOS", "add_scenario_command", "run_scenario"]

ScenarioName = Literal["theft", "loss"]


class Scenario(Protocol):
    def __call__(self, stage: Stage, *, pin_enabled: bool) -> ScenarioResult: ...


SCENARIOS: dict[str, Scenario] = {"theft": run_theft, "loss": run_loss}
EXIT_CODES = {Verdict.PROTECTED: 0, Verdict.VULNERABLE: 1, Verdict.INCONCLUSIVE: 3}


def add_scenario_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scenario = commands.add_parser("scenario", help="run a stolen-phone scenario")
    scenario.add_argument("name", choices=("theft", "loss"))
    pin = scenario.add_mutually_exclusive_group()
    pin.add_argument(
        "--pin-enabled",
        dest="pin_enabled",
        action="store_true",
        default=True,
        help="the owner's SIM PIN is on (default)",
    )
    pin.add_argument(
        "--pin-disabled",
        dest="pin_enabled",
        action="store_false",
        help="the owner's SIM has no PIN",
    )
    scenario.add_argument("--bench", default="virtual", help="bench (default: virtual)")
    scenario.add_argument(
        "--report", type=Path, metavar="DIR", help="write the Markdown report and transcripts here"
    )
    scenario.set_defaults(func=_scenario)


def _scenario(args: argparse.Namespace) -> int:
    return run_scenario(args.name, args.pin_enabled, args.bench, args.report)


def run_scenario(
    name: ScenarioName | str,
    pin_enabled: bool,
    bench: str = "virtual",
    report_dir: Path | None = None,
    out: TextIO = sys.stdout,
) -> int:
    """Run scenario `name` on `bench` with the owner's PIN lock on or off; the exit status."""
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise ConfigError(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}")
    if bench != "virtual":
        raise ConfigError(
            f"bench {bench!r}: scenarios run on the virtual bench for now (--bench virtual); a "
            "real bench needs its lab.toml mapped to two modems, a SimSlot, an Operator and an "
            "OtpSource (see harness.scenarios.manual)"
        )
    if report_dir is not None:
        check_output_dir(report_dir)  # before the run, not after it
    with virtual_stage() as stage:
        result = scenario(stage, pin_enabled=pin_enabled)
    print(f"{result.title} on the {bench} bench, PIN {_on(pin_enabled)}:", file=out)
    print(render_table([result]), file=out)
    print(f"verdict: {result.verdict.value} ({result.duration_s:.2f} s)", file=out)
    if report_dir is not None:
        path = write_report([result], report_dir, name=result.slug, title=result.title)
        print(f"report: {path}", file=out)
    return EXIT_CODES[result.verdict]


def _on(enabled: bool) -> str:
    return "enabled" if enabled else "disabled"
