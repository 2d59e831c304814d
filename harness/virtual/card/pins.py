"""PIN/PUK/ADM state of the virtual card: values, retry counters, enabled and verified flags.

Pure logic, personality-neutral: each operation returns a `PinResult` that the
UICC (CLA 00) and GSM (CLA A0) command handlers map to their status words.
Rules follow TS 102 221 §11.1.9-11.1.13 and TS 51.011 §8.9-8.13 (docs/sources.md §4.4/4.5):
- a wrong presentation decrements the counter; at 0 the PIN is blocked;
- a right one resets it to its initial value;
- UNBLOCK resets PIN and PUK counters, sets the new PIN, enables and verifies it;
- a PUK at 0 is blocked for good.
A wrong PIN in VERIFY, DISABLE or ENABLE ends a verification obtained earlier
(as Java Card's `OwnerPIN.check` does). A wrong *old* PIN in CHANGE keeps it by
default: TS 102 221 §11.1.10 only says the counter is decremented and the PIN
left unchanged, and the phones users know stay unlocked after a mistyped old
PIN. `drop_on_wrong_change=True` (the card profile's
`[pins] change_wrong_pin_drops_verification`) gives the `OwnerPIN` behaviour.
Anti-tearing, as real cards do: the counter is decremented and persisted
*before* the comparison, and restored only after a match, so a power cut in
the middle never gives an attempt back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from harness.sim.key_refs import PIN_BLOCK_LENGTH


class SecretId(Enum):
    PIN1 = "pin1"
    PIN2 = "pin2"
    PUK1 = "puk1"
    PUK2 = "puk2"
    ADM1 = "adm1"


PUK_OF: dict[SecretId, SecretId] = {SecretId.PIN1: SecretId.PUK1, SecretId.PIN2: SecretId.PUK2}


class Outcome(Enum):
    OK = "ok"
    WRONG = "wrong"  # counter decremented, `retries` left (0 = now blocked)
    BLOCKED = "blocked"  # counter already at 0
    QUERY = "query"  # no data: `retries` left, nothing spent
    VERIFIED_ALREADY = "verified"  # empty VERIFY while enabled and verified
    DISABLED = "disabled"  # VERIFY/CHANGE on a disabled PIN
    CONTRADICTION = "contradiction"  # DISABLE when disabled, ENABLE when enabled
    NOT_ALLOWED = "not-allowed"  # operation not defined for this secret
    BAD_FORMAT = "bad-format"  # new PIN is not 4-8 digits padded with FF


@dataclass(frozen=True)
class PinResult:
    outcome: Outcome
    retries: int | None = None


@dataclass
class SecretRecord:
    """Non-volatile record of one secret. `value` is the 8-byte padded field."""

    value: bytes = field(repr=False)
    retries: int
    max_retries: int
    enabled: bool = True


def is_well_formed_pin(field: bytes) -> bool:
    """4-8 ASCII digits followed by FF padding (TS 102 221 §9.5.1, 51.011 §9.3)."""
    if len(field) != PIN_BLOCK_LENGTH:
        return False
    digits = field.rstrip(b"\xff")
    return 4 <= len(digits) <= 8 and all(0x30 <= b <= 0x39 for b in digits)


class PinBank:
    """All secrets of one card. `persist` is called after every non-volatile change."""

    def __init__(
        self,
        records: dict[SecretId, SecretRecord],
        persist: Callable[[], None],
        *,
        drop_on_wrong_change: bool = False,
    ) -> None:
        self.records = records
        self._persist = persist
        self.verified: set[SecretId] = set()
        self.drop_on_wrong_change = drop_on_wrong_change

    # --- volatile state -------------------------------------------------
    def clear_volatile(self) -> None:
        """Power off / reset: nothing stays verified (TS 102 221 §9.5.1)."""
        self.verified.clear()

    def satisfied(self, secret: SecretId) -> bool:
        """Whether an access condition on `secret` is met right now.

        A disabled PIN1 satisfies its condition (TS 102 221 §9.5.1: the access
        condition is then considered fulfilled); PIN2 and ADM must be verified.
        """
        record = self.records[secret]
        if secret is SecretId.PIN1 and not record.enabled:
            return True
        return secret in self.verified

    # --- operations -------------------------------------------------------
    def query(self, secret: SecretId) -> PinResult:
        """Empty VERIFY (TS 102 221 §11.1.9.1.2): the remaining attempts, 63CX.

        Verified with a full counter: 9000, as most cards answer. Verified after a wrong
        CHANGE cost an attempt: 63CX all the same, so that a terminal never reads a
        full counter that is not (a host learns "verified" from the files it can read).
        """
        record = self.records[secret]
        if record.enabled and secret in self.verified and record.retries == record.max_retries:
            return PinResult(Outcome.VERIFIED_ALREADY, record.retries)
        return PinResult(Outcome.QUERY, record.retries)

    def verify(self, secret: SecretId, presented: bytes) -> PinResult:
        record = self.records[secret]
        if record.retries == 0:
            return PinResult(Outcome.BLOCKED, 0)
        if not record.enabled:
            return PinResult(Outcome.DISABLED, record.retries)
        return self._check(secret, presented)

    def change(self, secret: SecretId, old: bytes, new: bytes) -> PinResult:
        record = self.records[secret]
        if record.retries == 0:
            return PinResult(Outcome.BLOCKED, 0)
        if not record.enabled:
            return PinResult(Outcome.DISABLED, record.retries)
        if not is_well_formed_pin(new):
            return PinResult(Outcome.BAD_FORMAT, record.retries)
        was_verified = secret in self.verified
        result = self._check(secret, old)
        if result.outcome is Outcome.OK:
            record.value = new
            self._persist()
        elif was_verified and result.retries and not self.drop_on_wrong_change:
            self.verified.add(secret)  # §11.1.10: the security status is not touched
        return result

    def set_enabled(self, secret: SecretId, presented: bytes, *, enable: bool) -> PinResult:
        if secret is not SecretId.PIN1:
            # Only PIN1 may be disabled (51.011 §8.11: CHV1 only; TS 31.102 service n°?).
            return PinResult(Outcome.NOT_ALLOWED)
        record = self.records[secret]
        if record.retries == 0:
            return PinResult(Outcome.BLOCKED, 0)
        if record.enabled == enable:
            return PinResult(Outcome.CONTRADICTION, record.retries)
        result = self._check(secret, presented)
        if result.outcome is Outcome.OK:
            record.enabled = enable
            self._persist()
        return result

    def unblock(self, secret: SecretId, puk_presented: bytes, new_pin: bytes) -> PinResult:
        puk_id = PUK_OF.get(secret)
        if puk_id is None:
            return PinResult(Outcome.NOT_ALLOWED)
        puk = self.records[puk_id]
        if puk.retries == 0:
            return PinResult(Outcome.BLOCKED, 0)
        if not is_well_formed_pin(new_pin):
            return PinResult(Outcome.BAD_FORMAT, puk.retries)
        result = self._check(puk_id, puk_presented)
        if result.outcome is Outcome.OK:
            pin = self.records[secret]
            pin.value = new_pin
            pin.retries = pin.max_retries
            pin.enabled = True
            self.verified.add(secret)
            self._persist()
        return result

    def query_unblock(self, secret: SecretId) -> PinResult:
        puk_id = PUK_OF.get(secret)
        if puk_id is None:
            return PinResult(Outcome.NOT_ALLOWED)
        return PinResult(Outcome.QUERY, self.records[puk_id].retries)

    def _check(self, secret: SecretId, presented: bytes) -> PinResult:
        """Decrement-then-compare, persisting before the comparison (anti-tearing)."""
        record = self.records[secret]
        record.retries -= 1
        self._persist()
        if presented == record.value:
            record.retries = record.max_retries
            self._persist()
            self.verified.add(secret)
            return PinResult(Outcome.OK, record.retries)
        # A failed presentation ends a previous verification, as Java Card's
        # OwnerPIN.check does on the SIM OSes built on it (TS 102 221 leaves this
        # open); `change` puts it back unless the profile asks for OwnerPIN behaviour.
        self.verified.discard(secret)
        return PinResult(Outcome.WRONG, record.retries)
