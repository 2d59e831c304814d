"""`Stage`: what the stolen-phone scenarios run on — two open modems and the three interfaces.

A stage is built by a bench (harness.bench.virtual_stage for the virtual one);
the scenarios see only this: the owner's and the thief's device as `Modem`
drivers, the SIMs by name, the owner's PINs, and a SimSlot, an Operator and an
OtpSource. The names "owner" and "thief" are the device names the SimSlot knows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from harness.modem import Modem
from harness.scenarios.interfaces import (
    OneTimePasswordSms,
    Operator,
    OtpSource,
    SentOtp,
    SimSlot,
    SimSwapCheck,
)
from harness.scenarios.result import Participant
from harness.secrets import Secret
from harness.transcript import Transcript

__all__ = ["OWNER", "PARTICIPANTS", "THIEF", "Stage"]

OWNER, THIEF = "owner", "thief"

PARTICIPANTS = [
    Participant("Owner", "Owner's phone"),
    Participant("Thief", "Thief's phone"),
    Participant("Operator", "Operator"),
    Participant("Network", "Network / SMSC"),
    Participant("Bank", "OTP service"),
]


@dataclass
class Stage:
    owner: Modem
    thief: Modem
    slot: SimSlot
    operator: Operator
    otp: OtpSource
    msisdn: str  # the victim's number
    pins: Mapping[str, Secret]  # the owner's PIN of each SIM, by SIM name
    sim: str = "victim"  # the SIM in the owner's phone at the start
    replacement: str = "replacement"  # the new SIM a SIM swap binds
    window_s: float = 0.5  # how long a thief waits for an SMS
    delivery_timeout_s: float = 10.0  # how long the rightful owner may wait for one
    bench: str = "virtual"
    transcripts: dict[str, Transcript] = field(default_factory=dict)
    sent: list[SentOtp] = field(default_factory=list)
    # The operator APIs a bank calls (the bank scenario needs them; None: not on this bench)
    sim_swap: SimSwapCheck | None = None
    otp_sms: OneTimePasswordSms | None = None
    operator_api: str = ""  # where those APIs are, for the report

    def next_label(self) -> str:
        return f"OTP {len(self.sent) + 1}"

    def pin_for(self, sim: str) -> Secret:
        try:
            return self.pins[sim]
        except KeyError:
            raise KeyError(f"the stage knows no PIN for SIM {sim!r}") from None
