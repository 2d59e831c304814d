"""Blocking and unblocking: only under `destructive`, on a SIM the bench file lists as
sacrificial (--allow-destructive). TS 102 221 §11.1.9 (the third false PIN blocks it:
63C0, then 6983), §11.1.13 (UNBLOCK PIN: a false PUK counts down from 10; the right one
resets PIN to 3 and PUK to 10 and enables the PIN); TS 31.121 §6.1 (unblock PIN).

Each test ends with the SIM unblocked, its PIN as before and both counters full,
so the plugin's guard finds nothing lowered. Without --allow-destructive they are
skipped before any device is touched.
"""

from __future__ import annotations

import pytest

from harness.conformance.preconditions import (
    MAX_PIN_TRIES,
    MAX_PUK_TRIES,
    ask_for_pin,
    require_tries,
    wrong_pin,
)
from harness.errors import PinBlockedError, WrongPinError
from harness.modem import Modem, SimState
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef


def _wrong_puk(puk: Secret) -> str:
    return "00000000" if puk.reveal() != "00000000" else "11111111"


@pytest.mark.destructive
@pytest.mark.conformance("PUK-001", "TS 102 221 §11.1.9, §11.1.13; TS 31.121 §6.1 (unblock PIN)")
def test_block_and_unblock_through_modem(
    modem: Modem, device_pin: Secret, device_puk: Secret
) -> None:
    """Three wrong PINs block PIN1 (+CPIN: SIM PUK); the PUK unblocks it and resets both."""
    ask_for_pin(modem, device_pin)
    left = require_tries(modem.pin_retries().pin1, 1, "PIN1", modem.name)
    puk_before = require_tries(modem.pin_retries().puk1, 2, "PUK1", modem.name)
    for expected in range(left - 1, -1, -1):
        with pytest.raises(WrongPinError) as wrong:
            modem.unlock(wrong_pin(device_pin))
        assert wrong.value.retries_left == expected
    assert modem.sim_state() is SimState.SIM_PUK
    assert modem.pin_retries().puk1 == puk_before  # blocking spends no PUK try
    assert modem.unblock(device_puk, device_pin) is SimState.READY
    counters = modem.pin_retries()
    assert (counters.pin1, counters.puk1) == (MAX_PIN_TRIES, MAX_PUK_TRIES)


@pytest.mark.destructive
@pytest.mark.conformance("PUK-002", "TS 102 221 §11.1.9 (63C0, 6983), §11.1.13 (UNBLOCK PIN)")
def test_block_and_unblock_on_card(
    sim_card: SimCard, device_pin: Secret, device_puk: Secret
) -> None:
    """VERIFY blocks at the third false PIN; a false PUK spends one PUK try; the right PUK
    resets PIN to 3 and PUK to 10 and leaves the PIN enabled."""
    pins = sim_card.pins
    left = require_tries(pins.retries(PinRef.PIN1), 1, "PIN1", sim_card.link.name)
    puk_before = require_tries(pins.puk_retries(PinRef.PIN1), 2, "PUK1", sim_card.link.name)
    if not pins.enabled(PinRef.PIN1):
        pins.enable(device_pin)
        left = MAX_PIN_TRIES
    for expected in range(left - 1, -1, -1):
        with pytest.raises(WrongPinError) as wrong:
            pins.verify(PinRef.PIN1, wrong_pin(device_pin))
        assert wrong.value.retries_left == expected
    with pytest.raises(PinBlockedError):
        pins.verify(PinRef.PIN1, device_pin)  # blocked: even the right PIN is refused
    assert pins.retries(PinRef.PIN1) == 0
    with pytest.raises(WrongPinError) as wrong_puk:
        pins.unblock(PinRef.PIN1, _wrong_puk(device_puk), device_pin)
    assert wrong_puk.value.retries_left == puk_before - 1
    pins.unblock(PinRef.PIN1, device_puk, device_pin)
    assert (pins.retries(PinRef.PIN1), pins.puk_retries(PinRef.PIN1)) == (
        MAX_PIN_TRIES,
        MAX_PUK_TRIES,
    )
    assert pins.enabled(PinRef.PIN1) is True
