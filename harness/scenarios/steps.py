"""The moves the stolen-phone scenarios share, each recorded on the timeline as it happens.

Only drivers and the stage's interfaces are used; what a step records is what
the person did or what a device answered.
"""

from __future__ import annotations

import time
from collections.abc import Collection

from harness.modem import Modem
from harness.scenarios.evidence import CaptureEvidence
from harness.scenarios.otp_capture import otp_capture
from harness.scenarios.result import Check, Timeline
from harness.scenarios.stage import OWNER, THIEF, Stage

__all__ = [
    "actor_of",
    "baseline_check",
    "capture",
    "device",
    "move_sim",
    "power_cycle",
    "prepare_owner",
    "record_capture",
    "thief_checks",
    "thief_headline",
    "unlock_if_asked",
]

_ACTORS = {OWNER: "Owner", THIEF: "Thief"}
_SIM_SETTLE_S = 10.0
_SIM_POLL_S = 0.5


def device(stage: Stage, name: str) -> Modem:
    return {OWNER: stage.owner, THIEF: stage.thief}[name]


def actor_of(name: str) -> str:
    return _ACTORS[name]


def unlock_if_asked(stage: Stage, tl: Timeline, name: str, sim: str) -> None:
    """The rightful owner enters the PIN when +CPIN? asks for it."""
    modem = device(stage, name)
    if modem.wait_sim_settled(_SIM_SETTLE_S).needs_pin:
        modem.unlock(stage.pin_for(sim))
        tl.act(actor_of(name), actor_of(name), 'enters the SIM PIN (AT+CPIN="****")')


def prepare_owner(stage: Stage, tl: Timeline, *, pin_enabled: bool) -> None:
    """The owner's phone with its SIM: PIN lock set as asked, registered."""
    unlock_if_asked(stage, tl, OWNER, stage.sim)
    for modem in (stage.owner, stage.thief):  # refused by a PIN-locked SIM: after the PIN
        modem.enable_registration_urcs()
    wanted = "on" if pin_enabled else "off"
    if stage.owner.pin_lock_enabled() != pin_enabled:
        stage.owner.set_pin_lock(pin_enabled, stage.pin_for(stage.sim))
        tl.act("Owner", "Owner", f'switches the SIM PIN lock {wanted} (AT+CLCK="SC")')
    else:
        tl.note("Owner", f"SIM PIN lock is {wanted}")
    state = stage.owner.wait_for_registration(stage.delivery_timeout_s)
    tl.act("Network", "Owner", f"registered ({state.status.name.lower()})", dashed=True)


def move_sim(stage: Stage, tl: Timeline, sim: str, to: str, *, actor: str, how: str = "") -> None:
    """`actor` puts SIM `sim` into device `to` (out of wherever it was)."""
    stage.slot.move(sim, to)
    tl.act(actor, actor_of(to), f"puts {how}SIM '{sim}' into the {to}'s phone")
    if not _sim_seen(device(stage, to)):
        power_cycle(stage, tl, to)  # what a user does when the phone shows no SIM


def _sim_seen(modem: Modem) -> bool:
    """Whether the device notices the inserted SIM within the settle time. A hand (or a
    robot) on a real bench takes a moment, and some modems never notice a hot-plugged SIM
    until restarted; reading +CPIN? too early would record "ABSENT" as the thief's view."""
    deadline = time.monotonic() + _SIM_SETTLE_S
    while True:
        seen = modem.sim_events.count
        remaining = deadline - time.monotonic()
        if modem.wait_sim_settled(max(remaining, 0.1)).present:
            return True
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        modem.sim_events.wait_newer(seen, min(_SIM_POLL_S, remaining))


def power_cycle(stage: Stage, tl: Timeline, name: str) -> None:
    modem = device(stage, name)
    state = modem.power_cycle()
    modem.enable_registration_urcs()  # a reset forgot +CREG=2
    tl.act(actor_of(name), actor_of(name), f"power-cycles the phone (+CPIN: {state.value})")


def capture(
    stage: Stage,
    tl: Timeline,
    name: str,
    *,
    window_s: float,
    send: bool = True,
    until: Collection[str] | None = None,
) -> CaptureEvidence:
    """An OTP to the victim's number (when `send`), watched for on device `name`."""
    label = stage.next_label() if send else ""
    if send:
        tl.act("Bank", "Network", f"{label} by SMS to {stage.msisdn}")
    evidence = otp_capture(
        device(stage, name),
        stage.otp if send else None,
        stage.msisdn,
        label=label,
        window_s=window_s,
        known=list(stage.sent),
        until=until,
        name=name,
    )
    if evidence.sent is not None:
        stage.sent.append(evidence.sent)
    record_capture(tl, name, evidence)
    return evidence


def record_capture(tl: Timeline, name: str, ev: CaptureEvidence) -> None:
    """What the device showed in a capture window, as steps and notes."""
    who = actor_of(name)
    shown = [c for c in ev.captured if c.where.startswith(("+CMTI", "+CMT"))]
    for item in shown:
        tl.act("Network", who, f"SMS {item.label} ({item.where.split(' ')[0]})")
    if not shown:
        tl.act("Network", who, f"no SMS within {ev.window_s:g} s", dashed=True)
    tl.note(
        who,
        f"+CPIN: {ev.sim_state}, registration {ev.registration_after.summary()}, {ev.sm.summary()}",
    )
    for item in ev.captured:
        code = item.code or "a code"
        tl.note(who, f"shows {item.label}: {code} ({item.where})")


def baseline_check(ev: CaptureEvidence, thief_window_s: float) -> Check:
    """Without this, a PROTECTED verdict could come from a bench that delivers nothing, or
    that delivers more slowly than the thief waits (real networks take seconds): the owner's
    phone must show the OTP within the thief's window. A code found only in storage after
    the window counts as taking the whole window (its arrival time is unknown)."""
    label = ev.sent.label if ev.sent is not None else "an OTP"
    state = f"+CPIN: {ev.sim_state}, registration {ev.registration_after.summary()}"
    if ev.code is None:
        return Check(
            "baseline",
            "the owner's phone receives an OTP on this bench",
            False,
            f"{label} NOT shown on the owner's phone within {ev.window_s:g} s ({state})",
        )
    took = ev.delivered_after_s if ev.delivered_after_s is not None else ev.window_s
    when = f"after {took:.2f} s" if ev.delivered_after_s is not None else "after the window"
    in_time = took <= thief_window_s
    return Check(
        "baseline",
        "the owner's phone receives an OTP within the thief's window",
        in_time,
        f"{label} shown on the owner's phone {when} (the thief waits {thief_window_s:g} s"
        + ("" if in_time else "; raise scenario.window_s above the delivery time")
        + f"; {state})",
    )


def thief_headline(ev: CaptureEvidence) -> str:
    """What the thief's phone showed, in one line."""
    fresh = ev.sent.label if ev.sent is not None else None
    others = [f"{c.label} ({c.where})" for c in ev.captured if c.label != fresh]
    if ev.code is not None:
        also = f"; also {', '.join(others)}" if others else ""
        return f"the thief's phone shows {fresh}: code {ev.code}{also}"
    if others:
        return f"the thief's phone shows {', '.join(others)}"
    listing = "SMS storage unreadable" if not ev.sm.readable else ev.sm.summary()
    return (
        f"+CPIN: {ev.sim_state}, registered: {'yes' if ev.ever_registered else 'no'}, "
        f"{listing}, no SMS within {ev.window_s:g} s"
    )


def _registration_text(ev: CaptureEvidence) -> str:
    before, after = ev.registration_before.summary(), ev.registration_after.summary()
    if before == after:
        return f"registration before and after: {before}"
    return f"registration before: {before}, after: {after}"


def thief_checks(ev: CaptureEvidence) -> list[Check]:
    """The three-part proof that the thief's device cannot read an OTP."""
    sim_locked = ev.sim_state in ("SIM PIN", "SIM PUK")
    sm_codes = _codes_in(ev, "SM")
    me_codes = _codes_in(ev, "ME")
    fresh = ev.code
    return [
        Check(
            "a",
            "the thief's modem reports SIM PIN and SMS storage is unreadable",
            sim_locked and not ev.sm.readable,
            f"+CPIN: {ev.sim_state}; {ev.sm.summary()}{sm_codes}",
        ),
        Check(
            "b",
            f"no registration and no SMS within the {ev.window_s:g} s window",
            not ev.ever_registered and not ev.sms_urcs and not ev.received and fresh is None,
            f"{_registration_text(ev)}; SMS URCs: {len(ev.sms_urcs)}; "
            f"{ev.sent.label if ev.sent else 'the OTP'}: "
            f"{'code ' + fresh + ' shown' if fresh else 'not shown'}",
        ),
        Check(
            "c",
            "no earlier OTP left readable in the thief device's ME storage",
            not any(c.where.startswith("ME") for c in ev.captured),
            f"{ev.me.summary()}{me_codes}",
        ),
    ]


def _codes_in(ev: CaptureEvidence, memory: str) -> str:
    found = [f"{c.label} ({c.where})" for c in ev.captured if c.where.startswith(memory)]
    return f"; readable there: {', '.join(found)}" if found else ""
