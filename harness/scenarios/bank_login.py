"""A bank's login by "phone number + SMS code", with or without a SIM swap check first.

The bank sends the code through the operator's one-time-password SMS API and
validates what the customer types. A bank that checks SIM swap then asks the
operator's SIM Swap API whether the number got a new SIM within `max_age_hours`
(CAMARA sim-swap `/check`, default 240 h) and refuses a valid code when it did:
the code reached a SIM, but maybe not the customer's.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.scenarios.interfaces import OneTimePasswordSms, SimSwapCheck

__all__ = ["LOGIN_MESSAGE", "Bank", "LoginOutcome"]

LOGIN_MESSAGE = "{{code}} is your HarnessBank login code. Never share it."


@dataclass(frozen=True)
class LoginOutcome:
    granted: bool
    reason: str
    code_valid: bool
    swapped: bool | None  # what the SIM Swap check answered; None: not asked

    def summary(self) -> str:
        return f"login {'GRANTED' if self.granted else 'refused'}: {self.reason}"


class Bank:
    """One bank's login policy over the operator's APIs."""

    def __init__(
        self,
        name: str,
        otp: OneTimePasswordSms,
        sim_swap: SimSwapCheck | None,
        *,
        max_age_hours: int = 240,
    ) -> None:
        self.name = name
        self._otp = otp
        self._sim_swap = sim_swap  # None: the bank trusts the SMS code alone
        self.max_age_hours = max_age_hours

    @property
    def checks_sim_swap(self) -> bool:
        return self._sim_swap is not None

    def start_login(self, msisdn: str) -> str:
        """Send the login code to `msisdn`; the attempt's authenticationId."""
        return self._otp.send_code(msisdn, LOGIN_MESSAGE)

    def finish_login(self, msisdn: str, authentication_id: str, code: str | None) -> LoginOutcome:
        """The customer typed `code` (None: nothing arrived to type)."""
        if code is None:
            return LoginOutcome(False, "no code was entered", False, None)
        refusal = self._otp.validate_code(authentication_id, code)
        if refusal is not None:
            return LoginOutcome(False, f"validate-code refused it ({refusal})", False, None)
        if self._sim_swap is None:
            return LoginOutcome(True, "the SMS code is valid (validate-code: 204)", True, None)
        swapped = self._sim_swap.swapped_within(msisdn, self.max_age_hours)
        if swapped:
            return LoginOutcome(
                False,
                f"valid code, but SIM Swap /check says swapped within {self.max_age_hours} h",
                True,
                True,
            )
        return LoginOutcome(
            True, f"valid code, no SIM swap within {self.max_age_hours} h", True, False
        )
