"""One-time codes as a bank or a government app sends them: six digits from an alphanumeric sender.

The ledger keeps every code with its destination and time, so a scenario can
ask afterwards whether a code it captured off a modem is one the network sent
to that number — the proof that an SMS code was (or was not) readable. Codes
stay out of reprs and the event log.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from harness.virtual.network.subscribers import msisdn_key

__all__ = ["CODE_LABEL", "DEFAULT_SENDER", "OTP_DIGITS", "OtpLedger", "OtpRecord", "otp_text"]

OTP_DIGITS = 6
DEFAULT_SENDER = "HarnessBank"
CODE_LABEL = "{{code}}"  # where a CAMARA send-code message template puts the code


def otp_text(code: str) -> str:
    return f"Your verification code is {code}"


@dataclass(frozen=True)
class OtpRecord:
    msisdn: str
    sender: str
    sent_at: datetime
    message_id: int  # the SMSC message that carries it (see VirtualNetwork.message_state)
    code: str = field(repr=False)


class OtpLedger:
    """Issued codes; not thread-safe by itself (the network's lock guards it)."""

    def __init__(self, rng: random.Random | None = None) -> None:
        self._rng: random.Random = rng if rng is not None else secrets.SystemRandom()
        self.records: list[OtpRecord] = []

    def new_code(self) -> str:
        return f"{self._rng.randrange(10**OTP_DIGITS):0{OTP_DIGITS}d}"

    def add(self, record: OtpRecord) -> None:
        self.records.append(record)

    def match(self, code: str, msisdn: str | None = None) -> OtpRecord | None:
        """The latest code equal to `code` (sent to `msisdn`, when given), or None."""
        if not code.isascii():
            return None  # never one of ours, and compare_digest takes ASCII only
        key = msisdn_key(msisdn) if msisdn is not None else None
        for record in reversed(self.records):
            if secrets.compare_digest(record.code, code) and (
                key is None or msisdn_key(record.msisdn) == key
            ):
                return record
        return None
