"""The manual interfaces: an instruction for the bench engineer, Enter to go on, and a
refusal (ConfigError) when nobody is at a terminal to press it."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest

from harness.errors import ConfigError
from harness.scenarios.manual import (
    BenchEngineer,
    ManualOperator,
    ManualOtpSource,
    ManualSimSlot,
    UnattendedStepError,
)


class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_manual_steps_refuse_to_run_unattended() -> None:
    with pytest.raises(UnattendedStepError, match="cannot run unattended") as info:
        BenchEngineer(stdin=io.StringIO("\n"), out=io.StringIO())
    assert isinstance(info.value, ConfigError)


def test_every_manual_step_checks_for_a_terminal() -> None:
    stdin = FakeTty("")
    engineer = BenchEngineer(stdin=stdin, out=io.StringIO())
    stdin.isatty = lambda: False  # type: ignore[method-assign]  # the terminal went away
    steps: list[Callable[[], object]] = [
        lambda: ManualSimSlot(engineer).move("victim", "thief"),
        lambda: ManualSimSlot(engineer).take_out("victim"),
        lambda: ManualOperator(engineer).report_lost("+15555550118", by="owner"),
        lambda: ManualOperator(engineer).reactivate("+15555550118", by="caller"),
        lambda: ManualOperator(engineer).swap_sim("+15555550118", "replacement", by="owner"),
        lambda: ManualOtpSource(engineer).send_otp("+15555550118", "OTP 1"),
    ]
    for step in steps:
        with pytest.raises(UnattendedStepError):
            step()


def test_manual_steps_instruct_and_wait_for_enter() -> None:
    out = io.StringIO()
    engineer = BenchEngineer(stdin=FakeTty("\n\n\n\n"), out=out)
    ManualSimSlot(engineer, {"thief": "Quectel EG25 on port 3"}).move("victim", "thief")
    ManualOperator(engineer).report_lost("+15555550118", by="owner")
    ManualOperator(engineer).swap_sim("+15555550118", "replacement", by="owner")
    sent = ManualOtpSource(engineer, sender="HarnessBank").send_otp("+15555550118", "OTP 1")
    text = out.getvalue()
    assert "insert it into device 'thief' (Quectel EG25 on port 3)" in text
    assert "Report line +15555550118 as lost" in text
    assert "new SIM 'replacement'" in text and "OTP 1" in text
    assert sent.code is None and sent.matches("Your code is 904411", "HarnessBank")


def test_a_closed_input_is_not_a_confirmation() -> None:
    engineer = BenchEngineer(stdin=FakeTty(""), out=io.StringIO())
    with pytest.raises(UnattendedStepError, match="input closed"):
        ManualOperator(engineer).reactivate("+15555550118", by="caller")
