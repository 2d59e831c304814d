"""The one safety gate for every call that may spend a PIN or PUK attempt.

DESIGN.md "Safety": a real SIM is destroyed by an exhausted PUK. Before any
presentation of a secret, the caller reads the remaining counter (free) and asks
`SafetyPolicy.check`: by default the last PIN attempt and every PUK attempt are
refused. Only a caller that knows the target may be spent (a virtual card, or a
sacrificial SIM in an explicitly destructive run) passes a policy that allows it.
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

    @classmethod
    def strict(cls) -> SafetyPolicy:
        return cls()

    @classmethod
    def unrestricted(cls, reason: str) -> SafetyPolicy:
        """Every attempt allowed; `reason` says why (e.g. "virtual card", "destructive run")."""
        if not reason:
            raise ValueError("an unrestricted safety policy needs a reason")
        return cls(allow_last_pin_attempt=True, allow_puk_attempts=True, reason=reason)

    def check(self, kind: Spend, what: str, remaining: int | None, target: str) -> None:
        """Raise `SafetyRefusal` if presenting `what` with `remaining` tries is not allowed."""
        if kind is Spend.PUK and not self.allow_puk_attempts:
            raise SafetyRefusal(
                f"{target}: refused to present the {what}: {remaining} PUK attempts left and "
                f"every PUK attempt risks the SIM. Allow PUK attempts explicitly (a virtual card, "
                f"or a destructive run on a sacrificial SIM) to proceed."
            )
        if kind is Spend.PIN and remaining is None and not self.allow_last_pin_attempt:
            raise SafetyRefusal(
                f"{target}: refused to present the {what}: its retry counter could not be "
                f"read, so this might be the last attempt. Read the counter first."
            )
        if kind is Spend.PIN and remaining == 1 and not self.allow_last_pin_attempt:
            raise SafetyRefusal(
                f"{target}: refused to present the {what}: only 1 attempt left, and a wrong "
                f"value would block it. Enter it by hand, or allow the last attempt explicitly."
            )
