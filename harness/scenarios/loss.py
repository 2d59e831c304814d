"""loss_and_reactivation: a loss report, a talked-into reactivation, and a proper SIM swap.

After the theft the owner reports the line lost:
1. OTPs sent now are held: the thief's device neither registers nor shows them.
2. Someone talks the operator into reactivating the OLD SIM (now in the
   thief's phone): protected only if the PIN is locked (the three-part proof).
3. The owner gets a new SIM and the operator swaps the line onto it: the
   owner's phone receives every OTP still held plus a new one, and the old SIM,
   even power-cycled, is not registered and shows nothing.
"Held" is computed from evidence: OTPs sent after the loss report that no
device has shown so far.
"""

from __future__ import annotations

import time

from harness.at.parsers.registration import RegStatus
from harness.scenarios.evidence import CaptureEvidence
from harness.scenarios.otp_capture import watch_device
from harness.scenarios.result import Check, Finding, ScenarioResult, Timeline
from harness.scenarios.stage import OWNER, PARTICIPANTS, THIEF, Stage
from harness.scenarios.steps import (
    baseline_check,
    capture,
    move_sim,
    power_cycle,
    prepare_owner,
    thief_checks,
    thief_headline,
    unlock_if_asked,
)

__all__ = ["HELD_SUBJECT", "LOSS_TITLE", "REACTIVATION_SUBJECT", "SWAP_SUBJECT", "run_loss"]

HELD_SUBJECT = "a loss report holds the OTPs"
REACTIVATION_SUBJECT = "a talked-into reactivation of the old SIM"
SWAP_SUBJECT = "reactivation by SIM swap to the owner's new SIM"
LOSS_TITLE = "Loss report and reactivation"


def run_loss(stage: Stage, *, pin_enabled: bool) -> ScenarioResult:
    started = time.monotonic()
    result = ScenarioResult("loss", LOSS_TITLE, stage.bench, pin_enabled, list(PARTICIPANTS))
    tl = Timeline()
    prepare_owner(stage, tl, pin_enabled=pin_enabled)
    baseline = capture(stage, tl, OWNER, window_s=stage.delivery_timeout_s)
    base = baseline_check(baseline, stage.window_s)
    move_sim(stage, tl, stage.sim, THIEF, actor="Thief", how="the stolen ")

    stage.operator.report_lost(stage.msisdn, by="owner")
    tl.act("Owner", "Operator", f"reports {stage.msisdn} lost (from another phone)")
    tl.act("Operator", "Network", "bars the line")
    after_report = len(stage.sent)
    held_ev = capture(stage, tl, THIEF, window_s=stage.window_s)
    held = _held_finding(held_ev, base)

    stage.operator.reactivate(stage.msisdn, by="caller")
    tl.act("Thief", "Operator", "talks the operator into reactivating the old SIM")
    tl.act("Operator", "Network", "unbars the old SIM")
    talked_ev = capture(stage, tl, THIEF, window_s=stage.window_s)
    talked = Finding.of(
        REACTIVATION_SUBJECT,
        thief_checks(talked_ev),
        baseline=base,
        headline=thief_headline(talked_ev),
    )
    tl.note("Thief", f"{talked.verdict.value}: {talked.headline}")

    still_held = _still_held(stage, after_report, [held_ev, talked_ev])
    stage.operator.swap_sim(stage.msisdn, stage.replacement, by="owner")
    tl.act("Owner", "Operator", f"shows ID, gets SIM '{stage.replacement}' for {stage.msisdn}")
    tl.act("Operator", "Network", f"swaps the line onto SIM '{stage.replacement}'")
    move_sim(stage, tl, stage.replacement, OWNER, actor="Owner", how="the new ")
    unlock_if_asked(stage, tl, OWNER, stage.replacement)
    power_cycle(stage, tl, THIEF)
    fresh = stage.next_label()
    owner_ev = capture(
        stage, tl, OWNER, window_s=stage.delivery_timeout_s, until={*still_held, fresh}
    )
    old_sim_ev = watch_device(stage.thief, window_s=stage.window_s, known=stage.sent, name=THIEF)
    tl.act("Network", "Thief", f"nothing within {stage.window_s:g} s", dashed=True)
    tl.note("Thief", f"old SIM: registration {old_sim_ev.registration_after.summary()}")
    swap = _swap_finding(still_held, fresh, owner_ev, old_sim_ev, base)
    tl.note("Owner", f"{swap.verdict.value}: {SWAP_SUBJECT}")

    result.steps = tl.steps
    result.findings = [held, talked, swap]
    result.evidence = [baseline, held_ev, talked_ev, owner_ev, old_sim_ev]
    result.transcripts = dict(stage.transcripts)
    result.duration_s = time.monotonic() - started
    return result


def _held_finding(ev: CaptureEvidence, base: Check) -> Finding:
    label = ev.sent.label if ev.sent is not None else "the OTP"
    shown = f"shows {label}: code {ev.code}" if ev.code else f"does not show {label}"
    return Finding.of(
        HELD_SUBJECT,
        [
            Check(
                "held",
                "the thief's device shows no OTP sent after the loss report",
                ev.code is None,
                f"{label}: {'code ' + ev.code + ' shown' if ev.code else 'not shown'} "
                f"within {ev.window_s:g} s; SMS URCs: {len(ev.sms_urcs)}",
            ),
            Check(
                "barred",
                "the thief's device is not registered",
                not ev.ever_registered,
                f"+CPIN: {ev.sim_state}; registration {ev.registration_after.summary()}; "
                + _kept_off_by(ev),
            ),
        ],
        baseline=base,
        headline=f"the thief's phone {shown} (+CPIN: {ev.sim_state}, registered: "
        f"{'yes' if ev.ever_registered else 'no'})",
    )


def _kept_off_by(ev: CaptureEvidence) -> str:
    """Say what kept the device off the network: the network's denial (the barring
    itself), or the SIM PIN, which hides whether the line is barred; then the hold is
    proven only later, when the owner's new SIM receives the OTP."""
    denied = any(stat is RegStatus.DENIED for _, stat in ev.registration_after.stats)
    if denied:
        return "the network denied it (the line is barred)"
    if ev.sim_state != "READY":
        return (
            "kept off by the SIM PIN, which hides the barring: the hold is shown when "
            "the owner's new SIM receives the OTP"
        )
    return "not registered, no denial seen"


def _still_held(stage: Stage, first: int, captures: list[CaptureEvidence]) -> list[str]:
    """OTPs sent since the loss report that no device has shown."""
    shown = set().union(*(ev.labels() for ev in captures))
    return [otp.label for otp in stage.sent[first:] if otp.label not in shown]


def _swap_finding(
    held: list[str],
    fresh: str,
    owner: CaptureEvidence,
    old_sim: CaptureEvidence,
    base: Check,
) -> Finding:
    got = owner.labels()
    missing = [label for label in held if label not in got]
    old_state = "registered" if old_sim.ever_registered else "not registered"
    headline = (
        f"the owner's new SIM shows {', '.join(sorted(got)) or 'nothing'}; "
        f"the old SIM is {old_state} (+CPIN: {old_sim.sim_state})"
    )
    held_text = ", ".join(held) if held else "none (nothing was held any more)"
    return Finding.of(
        SWAP_SUBJECT,
        [
            Check(
                "held",
                "the owner's new SIM receives every OTP still held",
                not missing,
                f"held: {held_text}; owner's phone shows: {', '.join(sorted(got)) or 'none'}"
                + (f"; missing: {', '.join(missing)}" if missing else ""),
            ),
            Check(
                "new",
                "the owner's new SIM receives a new OTP",
                fresh in got,
                f"{fresh}: {'shown' if fresh in got else 'NOT shown'} on the owner's phone "
                f"(+CPIN: {owner.sim_state}, registration {owner.registration_after.summary()})",
            ),
            Check(
                "rejected",
                "the old SIM, power-cycled in the thief's phone, is not registered",
                not old_sim.ever_registered,
                f"+CPIN: {old_sim.sim_state}; registration {old_sim.registration_after.summary()}",
            ),
            Check(
                "nothing",
                "the thief's phone shows no OTP sent after the swap",
                fresh not in old_sim.labels(),
                f"{fresh}: {'shown' if fresh in old_sim.labels() else 'not shown'} on the "
                f"thief's phone; SMS URCs: {len(old_sim.sms_urcs)}",
            ),
        ],
        baseline=base,
        headline=headline,
    )
