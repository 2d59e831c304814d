"""otp_capture: send a code to the victim's number and try to read it on one device.

The attacker's view, through the Modem driver only: what +CPIN? says, whether
the device registers, what its SMS memories list (or the error they answer
with), which URCs arrive, and whether any one-time code sent to the number so
far can be read off it. The window is the attacker's patience; it ends early
once everything looked for has been read.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence

from harness.at import Urc
from harness.at.parsers import parse_cmti
from harness.errors import CodecError, HarnessError, HarnessTimeout
from harness.modem import Modem
from harness.modem.sms import INCOMING_SMS
from harness.scenarios.evidence import (
    CapturedOtp,
    CaptureEvidence,
    StoredText,
    error_text,
    read_registration,
    read_sim_state,
    read_storage,
    stored_text,
)
from harness.scenarios.interfaces import OtpSource, SentOtp, codes_in

__all__ = ["find_otps", "otp_capture", "watch_device"]


def otp_capture(
    device: Modem,
    otp: OtpSource | None,
    msisdn: str,
    *,
    label: str = "OTP",
    window_s: float,
    known: Sequence[SentOtp] = (),
    until: Collection[str] | None = None,
    name: str | None = None,
) -> CaptureEvidence:
    """Send OTP `label` to `msisdn` (none when `otp` is None) and watch `device` for `window_s`.

    known: the OTPs sent earlier; any of them readable on the device counts as captured.
    until: labels whose capture ends the window early (default: the fresh OTP's).
    """
    sim_state = read_sim_state(device)
    # A device sends its URCs in order, so once +CPIN? has been answered every URC raised
    # before the window (a SIM move, an operator's push) has arrived: that is history.
    earlier = _drain_state_urcs(device)
    before = read_registration(device)
    setup_error: str | None = None
    try:
        device.enable_sms_indications()
    except HarnessError as exc:  # a PIN-locked SIM answers +CMS ERROR 311 here
        setup_error = error_text(device, exc)
    asked = time.monotonic()  # before the request: a slow hook counts against the delivery
    sent = otp.send_otp(msisdn, label) if otp is not None else None
    wanted = [*known, *([sent] if sent is not None else [])]
    stop = set(until) if until is not None else ({sent.label} if sent is not None else set())
    consumed, received, seen = _receive(device, wanted, stop, time.monotonic() + window_s)
    delivered = seen.get(sent.label) if sent is not None else None
    after = read_registration(device)
    sm = read_storage(device, "SM")
    me = read_storage(device, "ME")
    urcs = _drain_urcs(device, consumed)
    captured = find_otps(wanted, [*received, *sm.messages, *me.messages])
    return CaptureEvidence(
        device=name or device.name,
        sim_state=sim_state,
        registration_before=before,
        registration_after=after,
        sms_setup_error=setup_error,
        window_s=window_s,
        sent=sent,
        received=tuple(received),
        sm=sm,
        me=me,
        urcs=urcs,
        captured=captured,
        earlier_urcs=earlier,
        delivered_after_s=None if delivered is None else delivered - asked,
    )


def watch_device(
    device: Modem, *, window_s: float, known: Sequence[SentOtp], name: str | None = None
) -> CaptureEvidence:
    """A capture window with no fresh code: does `device` show any of `known`?"""
    return otp_capture(
        device, None, "", label="", window_s=window_s, known=known, until=(), name=name
    )


def find_otps(wanted: Sequence[SentOtp], texts: Sequence[StoredText]) -> tuple[CapturedOtp, ...]:
    """Each wanted OTP found in `texts`, once, where it was first seen."""
    found: list[CapturedOtp] = []
    for otp in wanted:
        for text in texts:
            if otp.matches(text.text, text.sender):
                code = otp.code or codes_in(text.text)[0]  # the code the device showed
                found.append(CapturedOtp(otp.label, code, text.where))
                break
    return tuple(found)


def _receive(
    device: Modem, wanted: Sequence[SentOtp], stop: set[str], deadline: float
) -> tuple[list[Urc], list[StoredText], dict[str, float]]:
    """Take +CMTI/+CMT URCs until `deadline` or until every label in `stop` was read;
    also when (time.monotonic()) each wanted label was first read."""
    consumed: list[Urc] = []
    received: list[StoredText] = []
    seen: dict[str, float] = {}
    while True:
        for found in find_otps(wanted, received):
            seen.setdefault(found.label, time.monotonic())
        if stop and stop <= set(seen):
            break
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        try:
            urc = device.at.wait_for(INCOMING_SMS, remaining)
        except HarnessTimeout:
            break
        consumed.append(urc)
        text = _read_announced(device, urc)
        if text is not None:
            received.append(text)
    return consumed, received, seen


def _read_announced(device: Modem, urc: Urc) -> StoredText | None:
    try:
        if urc.line.startswith("+CMTI:"):
            where = parse_cmti(urc.line)
            origin = f"+CMTI {where.memory} #{where.index}"
        else:
            origin = "+CMT"
        return stored_text(device.read_announced(urc), origin)
    except (HarnessError, CodecError):
        return None  # the listing after the window still shows what was stored


def _drain_state_urcs(device: Modem) -> tuple[str, ...]:
    urcs = [*device.registration_events.drain(), *device.sim_events.drain()]
    urcs.sort(key=lambda u: u.received_at)
    return tuple(u.line for u in urcs)


def _drain_urcs(device: Modem, consumed: list[Urc]) -> tuple[str, ...]:
    """The URCs of the window (SMS indications queued before it included), oldest first."""
    urcs = [
        *consumed,
        *device.registration_events.drain(),
        *device.sim_events.drain(),
        *device.at.drain_urcs(),
    ]
    urcs.sort(key=lambda u: u.received_at)
    return tuple(u.line for u in urcs)
