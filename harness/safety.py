"""The one safety gate for every call that may spend a PIN or PUK attempt.

DESIGN.md "Safety": a real SIM is destroyed by an exhausted PUK. Before any
presentation of a secret, the caller reads the remaining counter (free) and asks
`SafetyPolicy.check`: by default the last PIN attempt and every PUK attempt are
refused. Only a caller that knows the target may be spent (a virtual card, or a
sacrificial SIM in an explicitly destructive run) passes a policy that allows it.

A policy may also keep a *floor*: a number of tries it never spends
(`SafetyPolicy.with_floor`). A guessing campaign (harness.attack.campaign)
decides its floor and hands the policy to the driver; the driver still does the
checking, here, so there is one gate and no second path to a card.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from harness.errors import SafetyRefusal


class Spend(Enum):
    PIN = "PIN"
    PUK = "PUK"


@dataclass(frozen=True)
class SafetyPolicy:
    allow_last_pin_attempt: bool = False
    allow_puk_attempts: bool = False
    reason: str = ""
    pin_floor: int = 0  # PIN tries never spent (1 is what allow_last_pin_attempt=False keeps)
    puk_floor: int = 0  # PUK tries never spent, when PUK attempts are allowed at all

    def __post_init__(self) -> None:
        if self.pin_floor < 0 or self.puk_floor < 0:
            raise ValueError("a safety floor counts tries to keep: 0 or more")

    @classmethod
    def strict(cls) -> SafetyPolicy:
        return cls()

    @classmethod
    def unrestricted(cls, reason: str) -> SafetyPolicy:
        """Every attempt allowed; `reason` says why (e.g. "virtual card", "destructive run")."""
        if not reason:
            raise ValueError("an unrestricted safety policy needs a reason")
        return cls(allow_last_pin_attempt=True, allow_puk_attempts=True, reason=reason)

    @classmethod
    def with_floor(cls, pin_floor: int, puk_floor: int | None, reason: str) -> SafetyPolicy:
        """Never leave fewer than `pin_floor` PIN tries or `puk_floor` PUK tries after a
        wrong value; `puk_floor` None spends no PUK attempt at all. Floors of 0 allow
        every attempt and need a `reason`, as `unrestricted` does."""
        if (pin_floor == 0 or puk_floor == 0) and not reason:
            raise ValueError("a safety policy that may block or destroy a SIM needs a reason")
        return cls(
            allow_last_pin_attempt=pin_floor == 0,
            allow_puk_attempts=puk_floor is not None,
            reason=reason,
            pin_floor=pin_floor,
            puk_floor=puk_floor or 0,
        )

    def describe(self) -> str:
        """The policy in words, for plans and reports."""
        pin_keep = max(self.pin_floor, 0 if self.allow_last_pin_attempt else 1)
        tries = "try" if pin_keep == 1 else "tries"
        pin = f"keeps at least {pin_keep} PIN {tries}" if pin_keep else "may block the PIN"
        if not self.allow_puk_attempts:
            puk = "spends no PUK tries"
        elif self.puk_floor:
            puk = f"keeps at least {self.puk_floor} PUK {'try' if self.puk_floor == 1 else 'tries'}"
        else:
            puk = "may exhaust the PUK"
        return f"{pin}, {puk}" + (f" ({self.reason})" if self.reason else "")

    def check(self, kind: Spend, what: str, remaining: int | None, target: str) -> None:
        """Raise `SafetyRefusal` if presenting `what` with `remaining` tries is not allowed."""
        if kind is Spend.PUK and not self.allow_puk_attempts:
            left = "an unknown number of" if remaining is None else str(remaining)
            attempts = "attempt" if remaining == 1 else "attempts"
            raise SafetyRefusal(
                f"{target}: refused to present the {what}: {left} PUK {attempts} left and "
                f"every PUK attempt risks the SIM. Enter the PUK on a phone, or allow PUK "
                f"attempts explicitly (--allow-puk-attempt with the card's ICCID confirmed; a "
                f"campaign's --allow-destructive on a virtual or sacrificial SIM)."
            )
        if kind is Spend.PIN and remaining is None and not self.allow_last_pin_attempt:
            raise SafetyRefusal(
                f"{target}: refused to present the {what}: its retry counter could not be "
                f"read, so this might be the last attempt. Read the counter first."
            )
        if kind is Spend.PIN and remaining == 1 and not self.allow_last_pin_attempt:
            raise SafetyRefusal(
                f"{target}: refused to present the {what}: only 1 attempt left, and a wrong "
                f"value would block it. Enter it on a phone, or allow the last attempt explicitly "
                f"(--allow-last-attempt, with the card's ICCID confirmed)."
            )
        floor = self.pin_floor if kind is Spend.PIN else self.puk_floor
        if floor and (remaining is None or remaining <= floor):
            left = "an unknown number of" if remaining is None else str(remaining)
            attempts = "attempt" if remaining == 1 else "attempts"
            raise SafetyRefusal(
                f"{target}: refused to present the {what}: {left} {attempts} left and this run "
                f"keeps at least {floor} untouched (its safety floor). Nothing was spent."
            )
