"""Evidence read off a device through the Modem driver, as a real bench would see it.

Every value here is what an AT command answered (or the error it answered
with): +CPIN?, +CREG?/+CEREG?, +CPMS + +CMGL on the SIM ("SM") and the
device's own memory ("ME"), and the URCs that arrived. A refusal is evidence
too: `+CMS ERROR 311` to a listing is the proof that SMS storage is locked.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from harness.at.parsers import RegStatus, parse_registration
from harness.errors import CodecError, HarnessError
from harness.modem import Modem, SmsMessage
from harness.scenarios.interfaces import SentOtp

__all__ = [
    "CaptureEvidence",
    "CapturedOtp",
    "RegistrationReading",
    "StorageReading",
    "StoredText",
    "error_text",
    "read_registration",
    "read_sim_state",
    "read_storage",
    "registered_in_urcs",
]

log = logging.getLogger(__name__)

_DOMAINS = ("+CREG", "+CEREG")  # circuit-switched (SMS over CS) and LTE


@dataclass(frozen=True)
class StoredText:
    where: str  # "SM #1", "ME #3", "+CMT"
    sender: str | None
    text: str


@dataclass(frozen=True)
class StorageReading:
    """One memory listed with +CPMS/+CMGL, or the error the device gave instead."""

    memory: str
    messages: tuple[StoredText, ...] = ()
    error: str | None = None

    @property
    def readable(self) -> bool:
        return self.error is None

    def summary(self) -> str:
        if self.error is not None:
            return f"{self.memory} unreadable ({self.error})"
        return f"{self.memory} readable, {len(self.messages)} message(s)"


@dataclass(frozen=True)
class RegistrationReading:
    """+CREG? and +CEREG? answers; `registered` when any domain says home/roaming/SMS-only."""

    stats: tuple[tuple[str, RegStatus], ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def registered(self) -> bool:
        return any(stat.registered for _, stat in self.stats)

    def summary(self) -> str:
        parts = [f"{domain} {int(stat)} ({_stat_name(stat)})" for domain, stat in self.stats]
        parts += list(self.errors)
        return ", ".join(parts) or "no answer"


@dataclass(frozen=True)
class CapturedOtp:
    label: str  # "OTP 2"
    code: str | None
    where: str


@dataclass(frozen=True)
class CaptureEvidence:
    """Everything one device showed in one capture window."""

    device: str
    sim_state: str  # +CPIN? ("READY", "SIM PIN", "ABSENT", ...)
    registration_before: RegistrationReading
    registration_after: RegistrationReading
    sms_setup_error: str | None  # AT+CMGF/+CNMI refused, e.g. +CMS ERROR 311
    window_s: float
    sent: SentOtp | None  # the fresh OTP sent for this window
    received: tuple[StoredText, ...]  # messages announced by +CMTI/+CMT within the window
    sm: StorageReading
    me: StorageReading
    urcs: tuple[str, ...]  # within the window (SMS indications still queued included)
    captured: tuple[CapturedOtp, ...]
    earlier_urcs: tuple[str, ...] = ()  # registration/SIM URCs since the last window
    delivered_after_s: float | None = None  # request to read of the fresh OTP, when announced

    @property
    def ever_registered(self) -> bool:
        return (
            self.registration_before.registered
            or self.registration_after.registered
            or registered_in_urcs(self.urcs)
        )

    @property
    def sms_urcs(self) -> tuple[str, ...]:
        return tuple(u for u in self.urcs if u.startswith(("+CMTI:", "+CMT:")))

    @property
    def code(self) -> str | None:
        """The fresh OTP's code when this device showed it."""
        if self.sent is None:
            return None
        for item in self.captured:
            if item.label == self.sent.label:
                return item.code or "(code-shaped number)"
        return None

    def labels(self) -> set[str]:
        return {c.label for c in self.captured}


def error_text(modem: Modem, exc: BaseException) -> str:
    """An error as evidence: without the device-name prefix the channel adds."""
    text = str(exc)
    prefix = f"{modem.name}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


def read_sim_state(modem: Modem) -> str:
    try:
        return modem.sim_state().value
    except HarnessError as exc:
        return f"unreadable ({error_text(modem, exc)})"


def read_registration(modem: Modem) -> RegistrationReading:
    """+CREG? and +CEREG?, errors kept as evidence (a PIN-locked SIM answers CME 11).

    Asked directly so a refusal is recorded rather than taken for "no such domain".
    """
    stats: list[tuple[str, RegStatus]] = []
    errors: list[str] = []
    for domain in _DOMAINS:
        try:
            response = modem.command(f"AT{domain}?", prefixes=(f"{domain}:",))
            lines = response.with_prefix(f"{domain}:")
            if lines:
                stats.append((domain, parse_registration(lines[0], solicited=True).stat))
        except (HarnessError, CodecError) as exc:
            errors.append(error_text(modem, exc))
    return RegistrationReading(tuple(stats), tuple(errors))


def registered_in_urcs(urcs: tuple[str, ...]) -> bool:
    for line in urcs:
        if line.startswith(tuple(f"{d}:" for d in (*_DOMAINS, "+CGREG"))):
            try:
                if parse_registration(line, solicited=False).stat.registered:
                    return True
            except CodecError:
                continue
    return False


def read_storage(modem: Modem, memory: str) -> StorageReading:
    """Select `memory` for reading (+CPMS) and list every message (+CMGL=4)."""
    try:
        modem.set_sms_storage(memory)
        listing = modem.list_sms()
    except HarnessError as exc:
        return StorageReading(memory, (), error_text(modem, exc))
    finally:
        if memory != "SM":
            _back_to_sim_storage(modem)
    return StorageReading(memory, tuple(stored_text(m, f"{memory} #{m.index}") for m in listing))


def stored_text(message: SmsMessage, where: str) -> StoredText:
    """A stored message as evidence; one that failed its integrity check says so."""
    if not message.intact:
        where = f"{where} (damaged on the line: {message.error})"
    return StoredText(where, message.sender, message.text)


def _back_to_sim_storage(modem: Modem) -> None:
    try:
        modem.set_sms_storage("SM")
    except HarnessError as exc:
        log.debug("%s: could not select SM storage again: %s", modem.name, exc)


def _stat_name(stat: RegStatus) -> str:
    return stat.name.lower().replace("_", " ")
