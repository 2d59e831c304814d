"""The small interfaces a scenario needs besides the drivers (labgrid's "protocols").

A scenario asks for these, never for a bench: moving a SIM, an operator's
action and a one-time code being sent are done by simulators on the virtual
bench, by a bench engineer (harness.scenarios.manual) or by a sender modem on
a real one. What happened is then read back through the drivers only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol

__all__ = [
    "CODE_PATTERN",
    "OneTimePasswordSms",
    "Operator",
    "OtpSource",
    "SentOtp",
    "SimSlot",
    "SimSwapCheck",
    "codes_in",
]

CODE_PATTERN = re.compile(r"(?<!\d)\d{4,8}(?!\d)")
"""What a one-time code looks like inside an SMS text."""


def codes_in(text: str) -> list[str]:
    return CODE_PATTERN.findall(text)


@dataclass(frozen=True)
class SentOtp:
    """A code the source sent: what the bank knows, not what the network did with it.

    `code` is None when the source cannot know it (a code triggered by hand):
    then any code-shaped number in an SMS from `sender` counts as the OTP.
    """

    msisdn: str
    label: str  # "OTP 1", "OTP 2": how reports name it
    sender: str | None = None
    code: str | None = field(default=None, repr=False)

    def matches(self, text: str, sender: str | None = None) -> bool:
        found = codes_in(text)
        if self.code is not None:
            return self.code in found
        return bool(found) and (self.sender is None or sender == self.sender)


class SimSlot(Protocol):
    """Moves SIM cards between devices, as a hand does."""

    def move(self, sim: str, device: str) -> None:
        """Take `sim` out of wherever it is and insert it into `device` (which must be empty)."""
        ...

    def take_out(self, sim: str) -> None:
        """Take `sim` out of whatever device holds it."""
        ...


class Operator(Protocol):
    """The mobile operator's customer service. `by` names who asked (for the record)."""

    def report_lost(self, msisdn: str, *, by: str) -> None:
        """Bar the line: its SIM is denied and SMS to it are held."""
        ...

    def reactivate(self, msisdn: str, *, by: str) -> None:
        """Unbar the line for the SIM it had (the one reported lost)."""
        ...

    def swap_sim(self, msisdn: str, sim: str, *, by: str) -> None:
        """Bind the number to the new SIM `sim`; the old SIM is refused for good."""
        ...


class OtpSource(Protocol):
    """Sends a one-time code by SMS, as a bank or a government app does."""

    @property
    def name(self) -> str: ...

    def send_otp(self, msisdn: str, label: str) -> SentOtp: ...


class SimSwapCheck(Protocol):
    """The operator's SIM Swap API as a bank calls it (CAMARA sim-swap v2 `/check`)."""

    def swapped_within(self, msisdn: str, max_age_hours: int) -> bool:
        """Was a new SIM bound to the number within the last `max_age_hours` hours?"""
        ...


class OneTimePasswordSms(Protocol):
    """The operator's OTP service as a bank uses it (CAMARA one-time-password-sms v1)."""

    def send_code(self, msisdn: str, message: str) -> str:
        """Send `message` with a fresh code in place of `{{code}}`; the authenticationId."""
        ...

    def validate_code(self, authentication_id: str, code: str) -> str | None:
        """None when `code` is valid for the attempt, else the refusal's CAMARA code."""
        ...
