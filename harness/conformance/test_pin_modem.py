"""PIN handling through the modem (TS 31.121 / TS 31.127 §6.1, TS 51.010-1 §27.14).

The terminal side of PIN entry, change and disable/enable, and the retry
counter as the modem reports it, driven with +CPIN, +CPWD and +CLCK "SC"
(TS 27.007 §8.3, §7.5, §7.4). The plugin's guard leaves each SIM as found.
"""

from __future__ import annotations

import pytest

from harness.conformance.preconditions import (
    MAX_PIN_TRIES,
    ask_for_pin,
    make_ready,
    require_tries,
    wrong_pin,
)
from harness.errors import WrongPinError
from harness.modem import Modem, SimState
from harness.secrets import Secret


@pytest.mark.conformance("PIN-001", "TS 31.121 §6.1.1; TS 31.127 §6.1.1; TS 51.010-1 §27.14.1")
def test_entry_of_pin(modem: Modem, device_pin: Secret) -> None:
    """Entry of PIN: with the lock on, the SIM asks for PIN1 at power-up; the right PIN opens it."""
    ask_for_pin(modem, device_pin)
    assert modem.sim_state() is SimState.SIM_PIN  # CR1: the terminal asks for the PIN
    require_tries(modem.pin_retries().pin1, 2, "PIN1", modem.name)
    assert modem.unlock(device_pin) is SimState.READY  # CR2/CR3: VERIFY accepted, shown
    assert modem.pin_retries().pin1 == MAX_PIN_TRIES


@pytest.mark.conformance("PIN-002", "TS 102 221 §11.1.9; TS 31.121 §6.1")
def test_wrong_pin_spends_exactly_one_try(modem: Modem, device_pin: Secret) -> None:
    """A wrong PIN spends exactly one try and leaves the SIM asking; the right PIN restores 3."""
    ask_for_pin(modem, device_pin)
    before = require_tries(modem.pin_retries().pin1, 3, "PIN1", modem.name)
    with pytest.raises(WrongPinError) as wrong:
        modem.unlock(wrong_pin(device_pin))
    assert wrong.value.retries_left == before - 1
    assert modem.pin_retries().pin1 == before - 1
    assert modem.sim_state() is SimState.SIM_PIN
    assert modem.unlock(device_pin) is SimState.READY
    assert modem.pin_retries().pin1 == MAX_PIN_TRIES


@pytest.mark.conformance("PIN-003", "TS 102 221 §11.1.9 (false PINs count across card sessions)")
def test_counter_survives_power_cycle(modem: Modem, device_pin: Secret) -> None:
    """The counter a wrong PIN lowered is the same after a power cycle (+CFUN / vendor reset)."""
    ask_for_pin(modem, device_pin)
    before = require_tries(modem.pin_retries().pin1, 3, "PIN1", modem.name)
    with pytest.raises(WrongPinError):
        modem.unlock(wrong_pin(device_pin))
    assert modem.power_cycle() is SimState.SIM_PIN
    assert modem.pin_retries().pin1 == before - 1
    assert modem.unlock(device_pin) is SimState.READY
    assert modem.pin_retries().pin1 == MAX_PIN_TRIES


@pytest.mark.conformance("PIN-004", "TS 51.010-1 §27.14.2; TS 31.121 §6.1; TS 102 221 §11.1.10")
def test_change_of_pin(modem: Modem, device_pin: Secret) -> None:
    """Change of PIN: after +CPWD the new PIN opens the SIM at power-up and the old one is gone."""
    ask_for_pin(modem, device_pin)
    require_tries(modem.pin_retries().pin1, 3, "PIN1", modem.name)
    make_ready(modem, device_pin)
    new = Secret("2468" if device_pin.reveal() != "2468" else "1357")
    modem.change_pin(device_pin, new)
    current = new
    try:
        assert modem.power_cycle() is SimState.SIM_PIN
        try:
            assert modem.unlock(new) is SimState.READY
        except WrongPinError:
            current = device_pin  # +CPWD said OK but the card kept the old PIN
            raise
        assert modem.pin_retries().pin1 == MAX_PIN_TRIES
    finally:
        # Back, whatever failed above -- but not with a PIN the card just refused (a try
        # for nothing). Without that proof the card is taken to hold the new PIN: a wrong
        # guess costs one try (3 were required), leaving it changed would cost the bench.
        if current is new:
            modem.change_pin(new, device_pin)
    assert modem.pin_retries().pin1 == MAX_PIN_TRIES


@pytest.mark.conformance("PIN-005", "TS 102 221 §11.1.10 (false old PIN)")
def test_change_with_false_old_pin(modem: Modem, device_pin: Secret) -> None:
    """A change with a false old PIN spends one try and leaves the PIN as it was."""
    ask_for_pin(modem, device_pin)
    require_tries(modem.pin_retries().pin1, 3, "PIN1", modem.name)
    make_ready(modem, device_pin)
    before = modem.pin_retries().pin1
    assert before == MAX_PIN_TRIES
    with pytest.raises(WrongPinError):
        modem.change_pin(wrong_pin(device_pin), Secret("9753"))
    assert modem.pin_retries().pin1 == before - 1
    assert modem.power_cycle() is SimState.SIM_PIN
    assert modem.unlock(device_pin) is SimState.READY  # the old PIN is still the PIN
    assert modem.pin_retries().pin1 == MAX_PIN_TRIES


@pytest.mark.conformance("PIN-006", "TS 31.121 §6.1; TS 102 221 §11.1.11, §11.1.12")
def test_disable_and_enable_pin(modem: Modem, device_pin: Secret) -> None:
    """Disable/enable: PIN disabled, the SIM is READY at power-up; enabled, it asks again."""
    ask_for_pin(modem, device_pin)
    require_tries(modem.pin_retries().pin1, 3, "PIN1", modem.name)
    make_ready(modem, device_pin)
    modem.set_pin_lock(False, device_pin)
    try:
        assert modem.pin_lock_enabled() is False
        assert modem.power_cycle() is SimState.READY
    finally:
        modem.set_pin_lock(True, device_pin)
    assert modem.pin_lock_enabled() is True
    assert modem.power_cycle() is SimState.SIM_PIN
    assert modem.pin_retries().pin1 == MAX_PIN_TRIES
