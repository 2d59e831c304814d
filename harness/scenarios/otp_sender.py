"""`ModemOtpSource`: a sender modem on a real bench plays the bank that texts a code."""

from __future__ import annotations

import secrets

from harness.modem import Modem
from harness.scenarios.interfaces import SentOtp

__all__ = ["ModemOtpSource", "otp_message"]

OTP_DIGITS = 6


def otp_message(code: str) -> str:
    return f"Your verification code is {code}"


class ModemOtpSource:
    """Sends a fresh random code from `modem` (registered, with a SIM of its own)."""

    def __init__(self, modem: Modem) -> None:
        self._modem = modem

    @property
    def name(self) -> str:
        return f"sender modem {self._modem.name}"

    def send_otp(self, msisdn: str, label: str) -> SentOtp:
        code = f"{secrets.randbelow(10**OTP_DIGITS):0{OTP_DIGITS}d}"
        self._modem.send_sms(msisdn, otp_message(code))
        return SentOtp(msisdn, label, None, code)
