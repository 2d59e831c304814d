"""The stolen-phone proofs as tests: the same scenarios and computed verdicts the CLI prints
(`simharness scenario theft|loss`), on the plugin's stage (owner's and thief's phones, the
SIM slot, the operator, the OTP source).

A verdict is computed by the scenario from what the devices showed, never set
here. PROTECTED passes; VULNERABLE fails with the evidence; INCONCLUSIVE (the
bench could not deliver a code to the rightful SIM, so absence proves nothing)
skips with the reason — it is never taken for PROTECTED. With the PIN lock off
the same bench must show the capture (VULNERABLE): that is what makes the
PROTECTED verdicts above it evidence rather than silence.
"""

from __future__ import annotations

import pytest

from harness.scenarios.loss import run_loss
from harness.scenarios.report import render_table
from harness.scenarios.result import ScenarioResult, Verdict
from harness.scenarios.stage import Stage
from harness.scenarios.theft import run_theft

_THEFT = "TS 51.010-1 §33.8 (unauthorised use); TS 102 221 §11.1.9"
_LOSS = "operator barring and SIM swap (TS 22.101) with the PIN lock (TS 102 221 §11.1.9)"


def _verdicts(result: ScenarioResult, request: pytest.FixtureRequest) -> list[Verdict]:
    """Record the table the CLI prints; skip an INCONCLUSIVE run, saying why."""
    table = render_table([result])
    request.node.user_properties.append(("verdict", result.verdict.value))
    print(table)
    for finding in result.findings:
        if finding.verdict is Verdict.INCONCLUSIVE:
            pytest.skip(f"INCONCLUSIVE: {finding.subject}: {finding.headline}")
    return [finding.verdict for finding in result.findings]


def _explain(result: ScenarioResult) -> str:
    return "; ".join(f"{f.subject}: {f.verdict.value} ({f.headline})" for f in result.findings)


@pytest.mark.sim_move
@pytest.mark.sms
@pytest.mark.conformance("STOLEN-001", _THEFT)
def test_theft_pin_locked_is_protected(stage: Stage, request: pytest.FixtureRequest) -> None:
    """Theft, PIN lock on: the thief's phone shows SIM PIN, no registration, no SMS, no code."""
    result = run_theft(stage, pin_enabled=True)
    assert _verdicts(result, request) == [Verdict.PROTECTED], _explain(result)


@pytest.mark.sim_move
@pytest.mark.sms
@pytest.mark.conformance("STOLEN-002", _THEFT)
def test_theft_pin_off_is_caught(stage: Stage, request: pytest.FixtureRequest) -> None:
    """Theft, PIN lock off (control): the bench shows the thief reading the code."""
    result = run_theft(stage, pin_enabled=False)
    assert _verdicts(result, request) == [Verdict.VULNERABLE], _explain(result)


@pytest.mark.sim_move
@pytest.mark.sms
@pytest.mark.operator
@pytest.mark.conformance("STOLEN-003", _LOSS)
def test_loss_report_and_reactivations_pin_locked(
    stage: Stage, request: pytest.FixtureRequest
) -> None:
    """Loss report holds the codes; a talked-into reactivation of the old SIM and a SIM swap
    to the owner's new SIM are both PROTECTED with the PIN lock on."""
    result = run_loss(stage, pin_enabled=True)
    assert _verdicts(result, request) == [Verdict.PROTECTED] * 3, _explain(result)


@pytest.mark.sim_move
@pytest.mark.sms
@pytest.mark.operator
@pytest.mark.conformance("STOLEN-004", _LOSS)
def test_talked_into_reactivation_pin_off_is_caught(
    stage: Stage, request: pytest.FixtureRequest
) -> None:
    """PIN lock off (control): the loss report still holds the codes and the SIM swap still
    protects, but the talked-into reactivation hands the thief the code."""
    result = run_loss(stage, pin_enabled=False)
    expected = [Verdict.PROTECTED, Verdict.VULNERABLE, Verdict.PROTECTED]
    assert _verdicts(result, request) == expected, _explain(result)
