"""The bank scenario: SIM swap fraud against a bank that trusts SMS codes and one that asks
the operator's SIM Swap API first. Bank logic on fakes; the scenario on the virtual bench,
with the operator's CAMARA APIs reached over real HTTP."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.bench.virtual_stage import virtual_stage
from harness.cli.scenario import run_scenario
from harness.errors import ConfigError
from harness.scenarios.bank import CHECKING_SUBJECT, TRUSTING_SUBJECT, run_bank
from harness.scenarios.bank_login import LOGIN_MESSAGE, Bank
from harness.scenarios.result import Verdict

NUMBER = "+15555550118"


class FakeOtp:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_code(self, msisdn: str, message: str) -> str:
        self.sent.append((msisdn, message))
        return f"auth-{len(self.sent)}"

    def validate_code(self, authentication_id: str, code: str) -> str | None:
        return None if code == "123456" else "ONE_TIME_PASSWORD_SMS.INVALID_OTP"


class FakeSwap:
    def __init__(self, swapped: bool) -> None:
        self.swapped = swapped
        self.asked: list[tuple[str, int]] = []

    def swapped_within(self, msisdn: str, max_age_hours: int) -> bool:
        self.asked.append((msisdn, max_age_hours))
        return self.swapped


def test_a_trusting_bank_grants_any_valid_code() -> None:
    otp = FakeOtp()
    bank = Bank("A", otp, None)
    auth = bank.start_login(NUMBER)
    assert otp.sent == [(NUMBER, LOGIN_MESSAGE)] and "{{code}}" in LOGIN_MESSAGE
    outcome = bank.finish_login(NUMBER, auth, "123456")
    assert outcome.granted and outcome.swapped is None


def test_a_checking_bank_refuses_a_valid_code_after_a_recent_swap() -> None:
    swap = FakeSwap(swapped=True)
    bank = Bank("B", FakeOtp(), swap)
    outcome = bank.finish_login(NUMBER, "auth-1", "123456")
    assert not outcome.granted and outcome.code_valid and outcome.swapped is True
    assert swap.asked == [(NUMBER, 240)]
    swap.swapped = False
    assert bank.finish_login(NUMBER, "auth-1", "123456").granted


def test_a_wrong_or_missing_code_is_refused_before_any_swap_check() -> None:
    swap = FakeSwap(swapped=False)
    bank = Bank("B", FakeOtp(), swap)
    wrong = bank.finish_login(NUMBER, "auth-1", "999999")
    assert not wrong.granted and "INVALID_OTP" in wrong.reason
    assert not bank.finish_login(NUMBER, "auth-1", None).granted
    assert swap.asked == []


def test_sim_swap_fraud_over_http_vulnerable_without_the_check_protected_with_it() -> None:
    with virtual_stage(window_s=0.3, operator_api="http") as stage:
        assert stage.operator_api.startswith("CAMARA over HTTP at http://127.0.0.1:")
        result = run_bank(stage)
    trusting, checking = result.findings
    assert (trusting.subject, trusting.verdict) == (TRUSTING_SUBJECT, Verdict.VULNERABLE)
    assert (checking.subject, checking.verdict) == (CHECKING_SUBJECT, Verdict.PROTECTED)
    assert "GRANTED" in trusting.headline and "swapped within 240 h" in checking.headline
    assert [(c.key, c.passed) for c in checking.checks] == [("asked", True), ("refused", True)]
    assert [(c.key, c.passed) for c in trusting.checks] == [("asked", False), ("refused", False)]
    # The codes were read off the phones: two on the owner's, two on the fraudster's.
    assert [ev.device for ev in result.evidence] == ["owner", "owner", "thief", "thief"]
    assert all(ev.code is not None and ev.code.isdigit() for ev in result.evidence)
    steps = [s.action for s in result.steps]
    assert "swapped: false" in steps and "swapped: true" in steps


def test_a_bank_that_refuses_everyone_proves_nothing() -> None:
    with virtual_stage(window_s=0.3) as stage:
        stage.sim_swap = FakeSwap(swapped=True)  # "swapped" even for the owner
        result = run_bank(stage)
    trusting, checking = result.findings
    assert trusting.verdict is Verdict.VULNERABLE
    assert checking.verdict is Verdict.INCONCLUSIVE
    assert "owner: login refused" in checking.headline


def test_the_bank_scenario_and_the_camara_client_load_no_simulator() -> None:
    probe = (
        "import json, sys, harness.scenarios.bank, harness.camara\n"
        "print(json.dumps([m for m in sys.modules if m.startswith('harness.virtual')]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == []


def test_run_bank_needs_the_operator_apis() -> None:
    with virtual_stage(window_s=0.3) as stage:
        stage.otp_sms = None
        with pytest.raises(ValueError, match="OTP and SIM Swap"):
            run_bank(stage)


def test_the_scenario_command_runs_the_bank_on_the_virtual_bench_only(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_scenario("bank", True, "virtual", tmp_path, out, operator_api="http") == 1
    assert "bank B: the fraudster's login refused" in out.getvalue()
    assert "swapped: true" in (tmp_path / "bank-pin-enabled.md").read_text()
    with pytest.raises(ConfigError, match="virtual bench"):
        run_scenario("bank", True, "lab.toml", None, out)
