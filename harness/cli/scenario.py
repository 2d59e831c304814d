"""`simharness scenario theft|loss|bank`: run one scenario, print its table, write a report.

`--bench virtual` (the default) runs on a fresh virtual bench; `--bench lab.toml`
on the devices its `[scenario]` table names, the steps done by its `[hooks]`
or by a person at a terminal (harness.bench.scenario_stage).

Exit status: 0 PROTECTED, 1 VULNERABLE, 3 INCONCLUSIVE (the bench did not
deliver an OTP to the rightful owner in time, or cannot do a step, so nothing
was proven). Configuration errors, a failed hook or a busy device raise a
`HarnessError` (the CLI prints it and exits 2).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Literal, Protocol, TextIO

from harness.bench.config import load_bench
from harness.bench.locks import DEFAULT_LOCK_TIMEOUT_S, default_lock_dir
from harness.bench.scenario_stage import bench_stage, gaps, scenario_bench
from harness.bench.virtual_stage import virtual_stage
from harness.errors import ConfigError
from harness.outputs import check_output_dir
from harness.scenarios.bank import run_bank
from harness.scenarios.loss import run_loss
from harness.scenarios.needs import unrunnable
from harness.scenarios.report import render_table, write_report
from harness.scenarios.result import ScenarioResult, Verdict
from harness.scenarios.stage import Stage
from harness.scenarios.theft import run_theft

__all__ = ["EXIT_CODES", "SCENARIOS", "add_scenario_command", "run_scenario"]

ScenarioName = Literal["theft", "loss", "bank"]


class Scenario(Protocol):
    def __call__(self, stage: Stage, *, pin_enabled: bool) -> ScenarioResult: ...


def _bank(stage: Stage, *, pin_enabled: bool) -> ScenarioResult:
    return run_bank(stage)  # the owner's PIN is on: a SIM swap goes around it


SCENARIOS: dict[str, Scenario] = {"theft": run_theft, "loss": run_loss, "bank": _bank}
EXIT_CODES = {Verdict.PROTECTED: 0, Verdict.VULNERABLE: 1, Verdict.INCONCLUSIVE: 3}


def add_scenario_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scenario = commands.add_parser(
        "scenario",
        help="run a stolen-phone scenario",
        epilog="exit status: 0 PROTECTED; 1 VULNERABLE; 2 error; 3 INCONCLUSIVE (nothing proven)",
    )
    scenario.add_argument("name", choices=tuple(SCENARIOS))
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
    scenario.add_argument(
        "--bench",
        default="virtual",
        help="virtual (default), or a bench file (TOML) with a [scenario] table",
    )
    scenario.add_argument(
        "--lock-dir",
        type=Path,
        metavar="DIR",
        help="device locks shared with other runs (default: $SIMHARNESS_LOCK_DIR or "
        "$XDG_RUNTIME_DIR/simharness/locks)",
    )
    scenario.add_argument(
        "--lock-timeout",
        "--device-wait",
        dest="lock_timeout",
        type=float,
        default=DEFAULT_LOCK_TIMEOUT_S,
        metavar="S",
        help="wait this long for a device (or labgrid place) another run holds "
        f"(default {DEFAULT_LOCK_TIMEOUT_S:g})",
    )
    scenario.add_argument(
        "--lg-coordinator",
        metavar="HOST[:PORT]",
        help="labgrid coordinator for bench modems in a `place` (default: $LG_COORDINATOR)",
    )
    scenario.add_argument(
        "--operator-api",
        choices=("virtual", "http"),
        default="virtual",
        help="bank scenario: reach the operator's CAMARA APIs in process or over HTTP",
    )
    scenario.add_argument(
        "--report", type=Path, metavar="DIR", help="write the Markdown report and transcripts here"
    )
    scenario.set_defaults(func=_scenario)


def _scenario(args: argparse.Namespace) -> int:
    return run_scenario(
        args.name,
        args.pin_enabled,
        args.bench,
        args.report,
        lock_dir=args.lock_dir,
        lock_timeout=args.lock_timeout,
        lg_coordinator=args.lg_coordinator,
        operator_api=args.operator_api,
    )


def run_scenario(
    name: ScenarioName | str,
    pin_enabled: bool,
    bench: str = "virtual",
    report_dir: Path | None = None,
    out: TextIO = sys.stdout,
    *,
    stdin: TextIO | None = None,
    lock_dir: Path | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    lg_coordinator: str | None = None,
    operator_api: str = "virtual",
) -> int:
    """Run scenario `name` on `bench` ("virtual" or a bench file) with the owner's PIN lock on
    or off; the exit status. Prompts (a bench with manual steps) go to stderr."""
    scenario = SCENARIOS.get(name)
    if scenario is None:
        raise ConfigError(f"unknown scenario {name!r}; choose one of {', '.join(SCENARIOS)}")
    if name == "bank" and bench != "virtual":
        raise ConfigError(
            "the bank scenario runs on the virtual bench for now (--bench virtual): a real "
            "bench would need the operator's CAMARA endpoint and a token wired to the bank "
            "(harness.camara.CamaraClient)"
        )
    if report_dir is not None:
        check_output_dir(report_dir)  # before the run, not after it
    if bench == "virtual":
        with virtual_stage(operator_api=operator_api) as stage:
            result = scenario(stage, pin_enabled=pin_enabled)
        where = "the virtual bench"
    else:
        terminal = stdin if stdin is not None else sys.stdin  # None when fd 0 is closed
        result = _on_bench_file(
            name, scenario, pin_enabled, bench, terminal, lock_dir, lock_timeout, lg_coordinator
        )
        where = f"bench {result.bench}"
    print(f"{result.title} on {where}, PIN {_on(pin_enabled)}:", file=out)
    print(render_table([result]), file=out)
    print(f"verdict: {result.verdict.value} ({result.duration_s:.2f} s)", file=out)
    if report_dir is not None:
        path = write_report([result], report_dir, name=result.slug, title=result.title)
        print(f"report: {path}", file=out)
    return EXIT_CODES[result.verdict]


def _on_bench_file(
    name: str,
    scenario: Scenario,
    pin_enabled: bool,
    path: str,
    stdin: TextIO | None,
    lock_dir: Path | None,
    lock_timeout: float,
    lg_coordinator: str | None = None,
) -> ScenarioResult:
    """The scenario on the bench file's devices, or not run (INCONCLUSIVE) when the bench
    cannot do one of its steps."""
    config = load_bench(path)
    setup, reasons = scenario_bench(config)
    if setup is not None:
        reasons = gaps(setup, name, interactive=stdin is not None and stdin.isatty())
    if setup is None or reasons:
        return unrunnable(name, bench=config.source, pin_enabled=pin_enabled, reasons=reasons)
    with bench_stage(
        setup,
        stdin=stdin,
        out=sys.stderr,
        lock_dir=lock_dir or config.lock_dir or default_lock_dir(),
        lock_timeout=lock_timeout,
        lg_coordinator=lg_coordinator,
    ) as stage:
        return scenario(stage, pin_enabled=pin_enabled)


def _on(enabled: bool) -> str:
    return "enabled" if enabled else "disabled"
