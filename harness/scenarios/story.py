"""The `make demo` story on the virtual bench: the fraud chain, then the defences that break it.

1. A phone is stolen with a SIM that has no PIN: the thief's phone shows the
   bank's one-time code (VULNERABLE).
2. The owner switches the SIM PIN on: the same theft yields nothing (PROTECTED).
3. The owner reports the loss: OTPs are held. A caller talks the operator into
   reactivating the old SIM: the thief gets the held codes unless the PIN is
   locked. A proper SIM swap gives the owner the held codes and rejects the old SIM.
5. A fraudster gets the owner's number moved onto a SIM of their own (SIM swap
   fraud) and logs in to two banks with SMS codes: the bank that trusts the code
   lets them in (VULNERABLE); the bank that asks the operator's SIM Swap API
   (CAMARA) first refuses (PROTECTED).

Each act runs on a fresh virtual bench; every verdict is computed from what
the Modem drivers read off the phones. The story succeeds (exit 0) when each
verdict is the one the defences predict.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from harness.scenarios.bank import run_bank
from harness.scenarios.loss import run_loss
from harness.scenarios.report import render_table, write_report
from harness.scenarios.result import ScenarioResult, Verdict
from harness.scenarios.stage import Stage
from harness.scenarios.theft import run_theft

__all__ = ["DEFAULT_REPORT_DIR", "StageFactory", "run_story"]

StageFactory = Callable[[], AbstractContextManager[Stage]]
"""Builds a fresh stage (both phones, the SIMs, operator, OTP source) for one act."""

DEFAULT_REPORT_DIR = Path("reports")

P, V = Verdict.PROTECTED, Verdict.VULNERABLE


@dataclass(frozen=True)
class Act:
    heading: str
    scenario: str  # "theft", "loss" or "bank"
    pin_enabled: bool
    expected: tuple[Verdict, ...]  # one per finding


ACTS = (
    Act("1. A phone is stolen; its SIM has no PIN.", "theft", False, (V,)),
    Act("2. The owner switches the SIM PIN on; the same theft again.", "theft", True, (P,)),
    Act("3. Loss report and both reactivation paths, SIM without a PIN.", "loss", False, (P, V, P)),
    Act("4. Loss report and both reactivation paths, SIM PIN on.", "loss", True, (P, P, P)),
    Act("5. SIM swap fraud against two banks; the SIM PIN is on.", "bank", True, (V, P)),
)


def run_story(
    new_stage: StageFactory,
    out: TextIO = sys.stdout,
    report_dir: Path | None = DEFAULT_REPORT_DIR,
) -> int:
    """Run the acts, each on a fresh stage from `new_stage`, print what happened and
    the summary table, write the report (`<report_dir>/story.md`, none when `report_dir`
    is None); 0 when every verdict is the one the defences predict, else 1."""
    started = time.monotonic()
    print("Stolen phone, SIM swap and SMS one-time codes, on the virtual bench", file=out)
    print("(verdicts computed from what the Modem driver reads off each phone)\n", file=out)
    results: list[ScenarioResult] = []
    as_predicted = True
    for act in ACTS:
        with new_stage() as stage:
            if act.scenario == "bank":
                result = run_bank(stage)
            else:
                runner = run_theft if act.scenario == "theft" else run_loss
                result = runner(stage, pin_enabled=act.pin_enabled)
        results.append(result)
        got = tuple(f.verdict for f in result.findings)
        as_predicted &= got == act.expected
        _tell(act, result, got == act.expected, out)
    print("Summary:", file=out)
    print(render_table(results), file=out)
    if report_dir is not None:
        path = write_report(results, report_dir, name="story", title="The stolen-phone story")
        print(f"report (Markdown, Mermaid sequence diagrams, evidence): {path}", file=out)
    outcome = "as predicted" if as_predicted else "NOT as predicted: see the report"
    print(f"{len(results)} scenarios in {time.monotonic() - started:.1f} s; {outcome}", file=out)
    return 0 if as_predicted else 1


def _tell(act: Act, result: ScenarioResult, predicted: bool, out: TextIO) -> None:
    print(act.heading, file=out)
    for finding in result.findings:
        print(f"   {finding.verdict.value:<10} {finding.subject}: {finding.headline}", file=out)
        if finding.verdict is Verdict.PROTECTED and len(finding.checks) == 3:
            for check in finding.checks:
                print(f"      ({check.key}) {check.claim}: {check.evidence}", file=out)
    if not predicted:
        print("   ! not the verdict the defences predict", file=out)
    print(file=out)
