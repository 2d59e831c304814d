"""Bring a device into a test's initial condition without spending what a real SIM cannot lose.

A test that presents a wrong PIN first reads the counter (free) and skips,
saying why, unless enough tries are left to spend one and still enter the right
PIN under the strict safety gate (which never spends the last try). The PIN
value itself is never printed: only the device name and the counter are.
"""

from __future__ import annotations

import re

import pytest

from harness.modem import Modem, SimState
from harness.secrets import Secret

__all__ = [
    "MAX_PIN_TRIES",
    "MAX_PUK_TRIES",
    "ask_for_pin",
    "make_ready",
    "own_number",
    "require_tries",
    "wrong_pin",
]

MAX_PIN_TRIES = 3  # TS 102 221 §11.1.9: a right PIN resets the counter to its initial value 3
MAX_PUK_TRIES = 10  # TS 102 221 §11.1.13


def wrong_pin(pin: Secret) -> str:
    """A well-formed PIN that is not `pin` (4 digits, so the format is never the refusal)."""
    return "0000" if pin.reveal() != "0000" else "1111"


def require_tries(left: int | None, needed: int, what: str, device: str) -> int:
    """The counter, or a skip when fewer than `needed` tries are left (or it is unreadable)."""
    if left is None:
        pytest.skip(f"{device}: the {what} counter is not readable, so no try is spent blind")
    if left < needed:
        pytest.skip(
            f"{device}: {what} has {left} tries left; this test needs {needed} so that it "
            "never spends the last one (restore the SIM with its right PIN first)"
        )
    return left


def make_ready(modem: Modem, pin: Secret) -> None:
    """READY: enter the PIN if +CPIN? asks for it; skip if the SIM is in any other state."""
    state = modem.sim_state()
    if state is SimState.SIM_PIN:
        require_tries(modem.pin_retries().pin1, 2, "PIN1", modem.name)
        state = modem.unlock(pin)
    if not state.ready:
        pytest.skip(f"{modem.name}: the SIM is {state.value}, not READY; this test needs it READY")


def ask_for_pin(modem: Modem, pin: Secret) -> None:
    """The PIN lock on and +CPIN: SIM PIN (a power cycle makes the SIM ask again)."""
    if modem.sim_state() is SimState.SIM_PIN:
        return
    make_ready(modem, pin)
    if not modem.pin_lock_enabled():
        require_tries(modem.pin_retries().pin1, 2, "PIN1", modem.name)
        modem.set_pin_lock(True, pin)
    state = modem.power_cycle()
    if state is not SimState.SIM_PIN:
        pytest.fail(f"{modem.name}: PIN lock on, after a power cycle +CPIN? says {state.value}")


_CNUM = re.compile(r'\+CNUM:\s*"[^"]*"\s*,\s*"(\+?[0-9]{3,15})"')


def own_number(modem: Modem) -> str:
    """The SIM's own number as the modem reads it (AT+CNUM, TS 27.007 §7.1: EF MSISDN);
    skips when the SIM stores none (many real SIMs do not), since nothing can be sent."""
    response = modem.try_command("AT+CNUM", prefixes=("+CNUM:",))
    for line in response.with_prefix("+CNUM:") if response is not None else []:
        found = _CNUM.search(line)
        if found:
            return found.group(1)
    pytest.skip(f"{modem.name}: AT+CNUM gives no number (EF MSISDN empty): nothing to send to")
