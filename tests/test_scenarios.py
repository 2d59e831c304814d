"""The stolen-phone scenarios on the virtual bench: verdicts computed from driver evidence.

The central proof: the same scenario flips from VULNERABLE to PROTECTED when,
and only when, the owner's SIM PIN lock flips — and the verdict functions
flip the same way on evidence built by hand.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.at.parsers import RegStatus
from harness.bench.virtual_stage import virtual_stage
from harness.cli.scenario import run_scenario
from harness.errors import ConfigError
from harness.modem import Modem
from harness.scenarios.evidence import (
    CapturedOtp,
    CaptureEvidence,
    RegistrationReading,
    StorageReading,
    StoredText,
)
from harness.scenarios.interfaces import SentOtp
from harness.scenarios.loss import run_loss
from harness.scenarios.otp_capture import otp_capture
from harness.scenarios.otp_sender import ModemOtpSource
from harness.scenarios.result import Check, Finding, Verdict
from harness.scenarios.stage import Stage
from harness.scenarios.steps import thief_checks
from harness.scenarios.story import run_story
from harness.scenarios.theft import run_theft
from harness.virtual.bench import NO_PIN_PROFILE, SimSpec, VirtualBench, numbered_profile
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile

WINDOW = 0.2
P, V, UNKNOWN = Verdict.PROTECTED, Verdict.VULNERABLE, Verdict.INCONCLUSIVE


@pytest.fixture
def stage() -> Iterator[Stage]:
    with virtual_stage(window_s=WINDOW) as built:
        yield built


# --- theft ---------------------------------------------------------------------------------
def test_theft_without_pin_lets_the_thief_read_the_code(stage: Stage) -> None:
    result = run_theft(stage, pin_enabled=False)
    assert result.verdict is V
    baseline, attempt = result.evidence
    sent = stage.sent[1]
    assert attempt.code == sent.code  # the code the bank sent, read off the thief's phone
    assert attempt.sim_state == "READY" and attempt.ever_registered
    assert {c.label for c in attempt.captured} == {"OTP 1", "OTP 2"}  # OTP 1 sat on the SIM
    assert sent.code is not None and sent.code in result.findings[0].headline
    checks = {c.key: c.passed for c in result.findings[0].checks}
    assert checks == {"a": False, "b": False, "c": True}
    assert baseline.code == stage.sent[0].code


def test_theft_with_pin_proves_all_three_parts(stage: Stage) -> None:
    result = run_theft(stage, pin_enabled=True)
    assert result.verdict is P
    attempt = result.evidence[1]
    assert attempt.code is None and not attempt.captured
    assert attempt.sim_state == "SIM PIN"
    a, b, c = result.findings[0].checks
    assert a.passed and "+CMS ERROR 311" in a.evidence
    assert b.passed and "OTP 2: not shown" in b.evidence
    assert c.passed and "ME unreadable" in c.evidence
    assert attempt.sms_setup_error is not None and "311" in attempt.sms_setup_error


def test_an_owner_can_switch_the_pin_off_too() -> None:
    with virtual_stage(sim_profile=DEFAULT_PROFILE, window_s=WINDOW) as built:
        result = run_theft(built, pin_enabled=False)
    assert result.verdict is V
    actions = [step.action for step in result.steps]
    assert 'enters the SIM PIN (AT+CPIN="****")' in actions
    assert 'switches the SIM PIN lock off (AT+CLCK="SC")' in actions


@pytest.mark.parametrize("thief", ["quectel", "simcom", "huawei"])
def test_the_verdict_flips_with_the_pin_on_other_vendors(thief: str) -> None:
    verdicts = {}
    for pin_enabled in (False, True):
        with virtual_stage(personalities=("generic", thief), window_s=WINDOW) as built:
            verdicts[pin_enabled] = run_theft(built, pin_enabled=pin_enabled).verdict
    assert verdicts == {False: V, True: P}


# --- verdicts from evidence alone ----------------------------------------------------------
def _evidence(*, sim_state: str, readable: bool, code_on: str | None = None) -> CaptureEvidence:
    sent = SentOtp("+15555550118", "OTP 2", "HarnessBank", "123456")
    error = None if readable else 'AT+CPMS="SM": +CMS ERROR 311 (SIM PIN required)'
    stat = RegStatus.HOME if readable else RegStatus.NOT_SEARCHING
    registration = RegistrationReading((("+CREG", stat),))
    text = StoredText("SM #1", "HarnessBank", "Your verification code is 123456")
    sm = StorageReading("SM", (text,) if code_on == "SM" else (), error)
    me_text = StoredText("ME #1", "HarnessBank", "Your verification code is 654321")
    me = StorageReading("ME", (me_text,) if code_on == "ME" else ())
    captured: tuple[CapturedOtp, ...] = ()
    if code_on == "SM":
        captured = (CapturedOtp("OTP 2", "123456", "SM #1"),)
    elif code_on == "ME":
        captured = (CapturedOtp("OTP 1", "654321", "ME #1"),)
    return CaptureEvidence(
        device="thief",
        sim_state=sim_state,
        registration_before=registration,
        registration_after=registration,
        sms_setup_error=error,
        window_s=WINDOW,
        sent=sent,
        received=(),
        sm=sm,
        me=me,
        urcs=(),
        captured=captured,
    )


def test_the_verdict_is_computed_from_evidence() -> None:
    locked = _evidence(sim_state="SIM PIN", readable=False)
    assert Finding.of("theft", thief_checks(locked)).verdict is P
    unlocked = dataclasses.replace(locked, sim_state="READY")
    assert Finding.of("theft", thief_checks(unlocked)).verdict is V
    open_storage = _evidence(sim_state="READY", readable=True, code_on="SM")
    failed = [c.key for c in thief_checks(open_storage) if not c.passed]
    assert failed == ["a", "b"]
    earlier_in_me = _evidence(sim_state="SIM PIN", readable=False, code_on="ME")
    assert [c.key for c in thief_checks(earlier_in_me) if not c.passed] == ["c"]
    registered = dataclasses.replace(locked, urcs=('+CREG: 1,"00C3","0001A2B3",7',))
    assert [c.key for c in thief_checks(registered) if not c.passed] == ["b"]


def test_no_baseline_means_no_verdict() -> None:
    broken = Check("baseline", "the owner's phone receives an OTP", False, "OTP 1 NOT shown")
    locked = _evidence(sim_state="SIM PIN", readable=False)
    finding = Finding.of("theft", thief_checks(locked), baseline=broken)
    assert finding.verdict is UNKNOWN
    assert Verdict.worst([P, UNKNOWN]) is UNKNOWN and Verdict.worst([UNKNOWN, V, P]) is V


def test_a_code_known_only_by_shape_matches_its_sender() -> None:
    unknown = SentOtp("+15555550118", "OTP 1", "HarnessBank")
    assert unknown.matches("Your code: 4711 ", "HarnessBank")
    assert not unknown.matches("Your code: 4711", "SomeoneElse")
    assert not SentOtp("+1", "OTP 1", None, "123456").matches("1234567 is not it")


# --- loss and reactivation -----------------------------------------------------------------
def test_loss_without_pin(stage: Stage) -> None:
    result = run_loss(stage, pin_enabled=False)
    held, talked, swap = result.findings
    assert [held.verdict, talked.verdict, swap.verdict] == [P, V, P]
    _, held_ev, talked_ev, owner_ev, old_ev = result.evidence
    assert held_ev.registration_after.summary().startswith("+CREG 3 (denied)")
    assert {"OTP 2", "OTP 3"} <= talked_ev.labels()  # the held OTP went to the thief's phone
    assert owner_ev.labels() == {"OTP 4"}  # nothing was held any more
    assert old_ev.sim_state == "READY" and not old_ev.ever_registered
    assert "denied" in old_ev.registration_after.summary()
    assert result.verdict is V


def test_loss_with_pin(stage: Stage) -> None:
    result = run_loss(stage, pin_enabled=True)
    assert [f.verdict for f in result.findings] == [P, P, P]
    owner_ev = result.evidence[3]
    codes = {otp.label: otp.code for otp in stage.sent}
    assert owner_ev.labels() == {"OTP 2", "OTP 3", "OTP 4"}  # held, then delivered to the owner
    for item in owner_ev.captured:
        assert item.code == codes[item.label]
    assert result.verdict is P


# --- sources, drivers, report, entry points --------------------------------------------------
def test_a_sender_modem_is_an_otp_source() -> None:
    base = load_profile(NO_PIN_PROFILE)
    sims = [SimSpec("victim", base), SimSpec("bank", numbered_profile(base, 7))]
    with (
        VirtualBench(["phone", "sender"], sims) as bench,
        Modem(bench.ports["phone"], default_timeout=3.0) as phone,
        Modem(bench.ports["sender"], default_timeout=3.0) as sender,
    ):
        sender.wait_for_registration(3)
        source = ModemOtpSource(sender)
        evidence = otp_capture(phone, source, base.msisdn, label="OTP 1", window_s=3.0)
    assert evidence.sent is not None and evidence.code == evidence.sent.code
    assert evidence.received[0].sender == sims[1].profile.msisdn


def test_the_report_holds_the_diagram_the_evidence_and_masked_transcripts(
    stage: Stage, tmp_path: Path
) -> None:
    from harness.scenarios.report import mermaid_diagram, write_report

    result = run_theft(stage, pin_enabled=True)
    path = write_report([result], tmp_path, name="theft")
    text = path.read_text()
    assert "```mermaid\nsequenceDiagram" in text
    assert "participant Thief as Thief's phone" in text
    assert "Thief->>Thief: puts the stolen SIM 'victim'" in text
    assert "+CMS ERROR 311 (SIM PIN required)" in text and "| a " in text
    assert "PROTECTED" in text and "OTP 2" in text
    owner_log = (tmp_path / "transcripts" / "theft-pin-enabled-owner.txt").read_text()
    assert 'AT+CLCK="SC",1,"****"' in owner_log and '"1234"' not in owner_log
    assert "#" not in mermaid_diagram(result).split("sequenceDiagram")[1]


def test_run_scenario_exit_codes_and_report(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_scenario("theft", False, "virtual", tmp_path, out) == 1
    assert "VULNERABLE" in out.getvalue()
    assert (tmp_path / "theft-pin-disabled.md").exists()
    assert run_scenario("theft", True, "virtual", None, out) == 0
    with pytest.raises(ConfigError, match="unknown scenario"):
        run_scenario("pickpocket", True, "virtual", None, out)
    with pytest.raises(ConfigError, match=r"bench file lab\.toml does not exist"):
        run_scenario("theft", True, "lab.toml", None, out)


def test_the_story_runs_as_predicted(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_story(lambda: virtual_stage(window_s=WINDOW), out, tmp_path) == 0
    text = out.getvalue()
    assert "VULNERABLE" in text and "PROTECTED" in text and "as predicted" in text
    assert "the thief's phone shows OTP 2: code" in text
    report = (tmp_path / "story.md").read_text()
    assert report.count("```mermaid") == 5
    assert "5. SIM swap fraud against two banks" in text
    assert "swapped: true" in report  # the checking bank's answer from the SIM Swap API


# --- no evidence is never a defence --------------------------------------------------------
def test_a_finding_without_checks_is_inconclusive() -> None:
    assert Finding.of("anything", []).verdict is UNKNOWN


def test_a_bench_that_cannot_run_a_step_answers_inconclusive_for_every_question() -> None:
    from harness.bench.hooks import HOOK_STEPS
    from harness.scenarios.needs import SCENARIO_STEPS, SUBJECTS, unrunnable

    for name in ("theft", "loss"):
        assert set(SCENARIO_STEPS[name]) <= set(HOOK_STEPS)
        result = unrunnable(name, bench="lab.toml", pin_enabled=True, reasons=["no OTP hook"])
        assert [f.subject for f in result.findings] == list(SUBJECTS[name])
        assert {f.verdict for f in result.findings} == {UNKNOWN} and result.verdict is UNKNOWN
        assert all(f.headline == "no OTP hook" for f in result.findings)
    with pytest.raises(ValueError, match="reason"):
        unrunnable("theft", bench="lab.toml", pin_enabled=True, reasons=[])


def test_an_otp_slower_than_the_thiefs_window_makes_the_verdict_inconclusive() -> None:
    """A real network may deliver in 20 s; a thief who waited 5 s proves nothing."""
    from harness.scenarios.steps import baseline_check

    sent = SentOtp("+15555550118", "OTP 1", None, "123456")
    owner = dataclasses.replace(
        _evidence(sim_state="READY", readable=True),
        device="owner",
        captured=(CapturedOtp("OTP 1", "123456", "+CMTI SM #1"),),
        sent=sent,
        window_s=60.0,
        delivered_after_s=20.0,
    )
    slow = baseline_check(owner, 5.0)
    assert not slow.passed and "after 20.00 s" in slow.evidence and "window_s" in slow.evidence
    assert baseline_check(owner, 30.0).passed
    stored_only = dataclasses.replace(owner, delivered_after_s=None)
    assert not baseline_check(stored_only, 30.0).passed  # arrival time unknown: the whole window
    quiet_thief = thief_checks(_evidence(sim_state="SIM PIN", readable=False))
    assert Finding.of("theft", quiet_thief).verdict is P  # what it would be without a baseline
    assert Finding.of("theft", quiet_thief, baseline=slow).verdict is UNKNOWN


def test_a_phone_that_shows_no_sim_after_a_move_is_power_cycled(
    stage: Stage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real hand is slow and some modems miss a hot-plugged SIM: the step waits for the
    SIM to show, and restarts the phone (as its user would) when it does not."""
    from harness.scenarios import steps
    from harness.scenarios.result import Timeline

    class Butterfingers:  # the SIM never makes it into the phone
        def move(self, sim: str, device: str) -> None: ...

        def take_out(self, sim: str) -> None: ...

    monkeypatch.setattr(steps, "_SIM_SETTLE_S", 0.3)
    stage.slot = Butterfingers()
    tl = Timeline()
    steps.move_sim(stage, tl, "victim", "thief", actor="Thief")
    assert [s.action for s in tl.steps] == [
        "puts SIM 'victim' into the thief's phone",
        "power-cycles the phone (+CPIN: ABSENT)",
    ]
    tl = Timeline()
    steps.move_sim(stage, tl, "victim", "owner", actor="Owner")  # it is there: no restart
    assert len(tl.steps) == 1
