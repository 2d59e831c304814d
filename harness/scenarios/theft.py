"""theft: the SIM moves from the owner's phone to the thief's, and the thief tries to read an OTP.

PROTECTED needs the three-part proof (steps.thief_checks): (a) the thief's
modem reports SIM PIN and SMS storage is unreadable; (b) no registration and
no SMS within the window; (c) no earlier OTP left readable in the thief
device's ME storage. A baseline first shows that the owner's phone receives
an OTP on this bench; without it the verdict is INCONCLUSIVE.
"""

from __future__ import annotations

import time

from harness.scenarios.result import Finding, ScenarioResult, Timeline
from harness.scenarios.stage import OWNER, PARTICIPANTS, THIEF, Stage
from harness.scenarios.steps import (
    baseline_check,
    capture,
    move_sim,
    prepare_owner,
    thief_checks,
    thief_headline,
)

__all__ = ["THEFT_SUBJECT", "THEFT_TITLE", "run_theft"]

THEFT_SUBJECT = "the thief reads an OTP with the stolen SIM"
THEFT_TITLE = "Stolen SIM in the thief's phone"


def run_theft(stage: Stage, *, pin_enabled: bool) -> ScenarioResult:
    started = time.monotonic()
    result = ScenarioResult("theft", THEFT_TITLE, stage.bench, pin_enabled, list(PARTICIPANTS))
    tl = Timeline()
    prepare_owner(stage, tl, pin_enabled=pin_enabled)
    baseline = capture(stage, tl, OWNER, window_s=stage.delivery_timeout_s)
    move_sim(stage, tl, stage.sim, THIEF, actor="Thief", how="the stolen ")
    attempt = capture(stage, tl, THIEF, window_s=stage.window_s)
    finding = Finding.of(
        THEFT_SUBJECT,
        thief_checks(attempt),
        baseline=baseline_check(baseline, stage.window_s),
        headline=thief_headline(attempt),
    )
    tl.note("Thief", f"{finding.verdict.value}: {finding.headline}")
    result.steps = tl.steps
    result.findings = [finding]
    result.evidence = [baseline, attempt]
    result.transcripts = dict(stage.transcripts)
    result.duration_s = time.monotonic() - started
    return result
