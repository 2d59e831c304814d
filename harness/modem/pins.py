"""PIN operations through the modem: +CPIN, +CLCK "SC", +CPWD "SC" (TS 27.007 §8.3, §7.4, §7.5).

Every call that presents a PIN or PUK passes the one safety gate first
(`harness.safety.SafetyPolicy`, DESIGN.md "Safety"): the counter is read with
`pin_retries()` (free), and the last PIN attempt, any PUK attempt, or an
attempt whose counter could not be read is refused unless the policy allows
it. A refusal spends nothing. PIN values go to the modem only; errors name the
command with the secret masked (the AT channel does that) and never the value.
"""

from __future__ import annotations

import logging

from harness.at.parsers import PinRetries, parse_clck
from harness.errors import (
    CmeError,
    HarnessError,
    PinBlockedError,
    PinStateError,
    WrongPinError,
)
from harness.modem.retries import read_pin_retries
from harness.modem.session import ModemSession
from harness.modem.states import SimState
from harness.safety import Spend
from harness.secrets import Secret
from harness.sim.pin_service import encode_pin

log = logging.getLogger(__name__)

_PUK_LENGTH = range(8, 9)
_CME_INCORRECT_PASSWORD = 16
_CME_NOT_ALLOWED = (3, 4)
_SETTLE_S = 10.0  # how long the SIM may stay busy after a PIN operation

# Which counter a presentation spends, by what +CPIN? asks for.
_COUNTER = {
    SimState.SIM_PIN: ("pin1", "PIN1"),
    SimState.SIM_PIN2: ("pin2", "PIN2"),
    SimState.SIM_PUK: ("puk1", "PUK1"),
    SimState.SIM_PUK2: ("puk2", "PUK2"),
}


def _text(value: Secret | str, what: str, lengths: range | None = None) -> str:
    """The digits to send; PinFormatError (which never quotes the value) otherwise."""
    if lengths is None:
        encode_pin(value, what)
    else:
        encode_pin(value, what, lengths)
    return value.reveal() if isinstance(value, Secret) else value


class PinOps(ModemSession):
    """PIN1/PIN2 state, counters and the spending operations, each gated."""

    def pin_retries(self) -> PinRetries:
        """PIN1/PUK1/PIN2/PUK2 attempts left, by the profile's ways in order (None: unknown)."""
        return read_pin_retries(self)

    def pin_lock_enabled(self) -> bool:
        """Whether the SIM asks for PIN1 at power-up (AT+CLCK="SC",2)."""
        response = self.command('AT+CLCK="SC",2', prefixes=("+CLCK:",))
        lines = response.with_prefix("+CLCK:")
        if not lines:
            raise HarnessError(f'{self.name}: AT+CLCK="SC",2 answered without a +CLCK line')
        return parse_clck(lines[0]).active

    def unlock(self, pin: Secret | str) -> SimState:
        """Enter the PIN that +CPIN? asks for (PIN1, or PIN2 after CME 17); returns the
        state after. READY already: nothing is sent. A PUK state: PinBlockedError."""
        state = self.sim_state()
        if state.ready:
            return state
        if state.needs_puk:
            raise PinBlockedError(_COUNTER[state][1].replace("PUK", "PIN"), f"{self.name}: +CPIN")
        if state not in _COUNTER:
            raise PinStateError(
                f"{self.name}: +CPIN? says {state.value}; there is no SIM PIN to enter "
                f"(insert the SIM, or unlock the device lock by hand)"
            )
        field, what = _COUNTER[state]
        digits = _text(pin, what)
        self._gate(Spend.PIN, field, what)
        self._spend(f'AT+CPIN="{digits}"', field, what)
        return self.wait_sim_settled(_SETTLE_S)

    def unblock(self, puk: Secret | str, new_pin: Secret | str) -> SimState:
        """Enter the PUK and a new PIN while +CPIN? asks for SIM PUK (or SIM PUK2)."""
        state = self.sim_state()
        if not state.needs_puk:
            raise PinStateError(
                f"{self.name}: +CPIN? says {state.value}, not SIM PUK; a PUK is entered only "
                f"once the PIN is blocked"
            )
        field, what = _COUNTER[state]
        digits = _text(puk, what, _PUK_LENGTH)
        new_digits = _text(new_pin, f"new {what.replace('PUK', 'PIN')}")
        self._gate(Spend.PUK, field, what)
        self._spend(f'AT+CPIN="{digits}","{new_digits}"', field, what)
        return self.wait_sim_settled(_SETTLE_S)

    def set_pin_lock(self, enabled: bool, pin: Secret | str) -> None:
        """Enable or disable the PIN1 request (AT+CLCK="SC",1|0,<pin>). Already in that
        state: nothing is sent, no attempt is spent."""
        digits = _text(pin, "PIN1")
        try:
            if self.pin_lock_enabled() == enabled:
                return
        except CmeError as exc:
            raise self._typed(exc, "pin1", "PIN1") from None
        self._gate(Spend.PIN, "pin1", "PIN1")
        self._spend(f'AT+CLCK="SC",{1 if enabled else 0},"{digits}"', "pin1", "PIN1")

    def change_pin(self, old: Secret | str, new: Secret | str) -> None:
        """Change PIN1 (AT+CPWD="SC",<old>,<new>); the PIN must be enabled."""
        old_digits = _text(old, "old PIN1")
        new_digits = _text(new, "new PIN1")
        self._gate(Spend.PIN, "pin1", "PIN1")
        self._spend(f'AT+CPWD="SC","{old_digits}","{new_digits}"', "pin1", "PIN1")

    # ---- the gate and the spend ----------------------------------------------------

    def _gate(self, kind: Spend, field: str, what: str) -> int | None:
        """Read the counter (free) and ask the safety policy; SafetyRefusal spends nothing."""
        try:
            remaining: int | None = getattr(self.pin_retries(), field)
        except HarnessError as exc:
            log.warning("%s: %s counter unreadable: %s", self.name, what, exc)
            remaining = None
        if remaining == 0:
            raise PinBlockedError(what, f"{self.name}: {what}")
        self.safety.check(kind, what, remaining, self.name)
        return remaining

    def _spend(self, cmd: str, field: str, what: str) -> None:
        """Send a command that presents a secret, once (never retried), typed errors."""
        try:
            self.command(cmd, retry_busy=False, gate_checked=True)
        except CmeError as exc:
            raise self._typed(exc, field, what) from None

    def _typed(self, exc: CmeError, field: str, what: str) -> HarnessError:
        code = exc.code
        if code == _CME_INCORRECT_PASSWORD or code in (12, 18):
            left: int | None
            try:
                left = getattr(self.pin_retries(), field)
            except HarnessError:
                left = 0 if code in (12, 18) else None
            return WrongPinError(what, left, exc.command)
        if code == 13:
            return PinBlockedError(what.replace("PIN", "PUK"), exc.command)
        if code in (11, 17):
            return PinStateError(f"{exc.command}: the SIM first wants its PIN entered ({exc.text})")
        if code in _CME_NOT_ALLOWED:
            return PinStateError(
                f"{exc.command}: refused ({exc.text}); check whether the PIN is enabled and "
                f"whether +CPIN? asks for something else first"
            )
        return exc
