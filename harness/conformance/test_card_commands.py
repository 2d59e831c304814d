"""The card commands behind PIN handling, sent straight to the SIM in a reader (ETSI TS 102 221
§11.1.9 to §11.1.13 for a UICC; TS 51.011 §9.2.9 to §9.2.12 for a GSM SIM; the driver picks).

`SimCard.pins` reads counters with VERIFY / UNBLOCK without data (free) and
passes every presentation through the strict safety gate. The plugin's guard
leaves the SIM's lock and counters as it found them.
"""

from __future__ import annotations

import pytest

from harness.conformance.preconditions import MAX_PIN_TRIES, require_tries, wrong_pin
from harness.errors import StatusWordError, WrongPinError
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef


def _enabled_and_fresh(card: SimCard, pin: Secret, needed: int) -> int:
    """PIN1 enabled, a new card session (reset: nothing verified); the counter."""
    left = require_tries(card.pins.retries(PinRef.PIN1), needed, "PIN1", card.link.name)
    if not card.pins.enabled(PinRef.PIN1):
        card.pins.enable(pin)  # a right PIN: the counter goes back to 3
    card.link.reset()
    return max(left, card.pins.retries(PinRef.PIN1))


@pytest.mark.conformance("CARD-001", "TS 102 221 §11.1.9.1.2 (VERIFY without data)")
def test_counter_query_spends_nothing(sim_card: SimCard) -> None:
    """VERIFY / UNBLOCK without data report the tries left and spend none."""
    first = (sim_card.pins.retries(PinRef.PIN1), sim_card.pins.puk_retries(PinRef.PIN1))
    again = (sim_card.pins.retries(PinRef.PIN1), sim_card.pins.puk_retries(PinRef.PIN1))
    assert first == again
    assert 0 <= first[0] <= MAX_PIN_TRIES
    assert 0 <= first[1] <= 10


@pytest.mark.conformance("CARD-002", "TS 102 221 §11.1.9; TS 31.102 §6 (access conditions)")
def test_pin_protected_file_needs_verify(sim_card: SimCard, device_pin: Secret) -> None:
    """With PIN1 enabled, EF IMSI is refused in a fresh card session until VERIFY succeeds."""
    _enabled_and_fresh(sim_card, device_pin, 2)
    with pytest.raises(StatusWordError) as refused:
        sim_card.read_imsi()
    assert refused.value.sw1 in (0x69, 0x98)  # 6982 (UICC) / 9804 (GSM): access not granted
    sim_card.pins.verify(PinRef.PIN1, device_pin)
    assert sim_card.read_imsi().isdigit()


@pytest.mark.conformance("CARD-003", "TS 102 221 §11.1.9 (63CX after a false PIN)")
def test_false_verify_spends_one_and_right_resets(sim_card: SimCard, device_pin: Secret) -> None:
    """A false VERIFY answers 63CX with one try fewer; the right PIN resets the counter to 3."""
    before = _enabled_and_fresh(sim_card, device_pin, 3)
    with pytest.raises(WrongPinError) as wrong:
        sim_card.pins.verify(PinRef.PIN1, wrong_pin(device_pin))
    assert wrong.value.retries_left == before - 1
    assert sim_card.pins.retries(PinRef.PIN1) == before - 1
    sim_card.pins.verify(PinRef.PIN1, device_pin)
    assert sim_card.pins.retries(PinRef.PIN1) == MAX_PIN_TRIES


@pytest.mark.conformance("CARD-004", "TS 102 221 §11.1.9 (false PINs count across card sessions)")
def test_counter_survives_card_reset(sim_card: SimCard, device_pin: Secret) -> None:
    """The counter a false PIN lowered is the same after a card reset (a new card session)."""
    before = _enabled_and_fresh(sim_card, device_pin, 3)
    with pytest.raises(WrongPinError):
        sim_card.pins.verify(PinRef.PIN1, wrong_pin(device_pin))
    sim_card.link.reset()
    assert sim_card.pins.retries(PinRef.PIN1) == before - 1
    sim_card.pins.verify(PinRef.PIN1, device_pin)
    assert sim_card.pins.retries(PinRef.PIN1) == MAX_PIN_TRIES


@pytest.mark.conformance("CARD-005", "TS 102 221 §11.1.10; TS 51.010-1 §27.14.2")
def test_change_pin(sim_card: SimCard, device_pin: Secret) -> None:
    """CHANGE PIN: the new PIN verifies in the next session and the old one is refused."""
    _enabled_and_fresh(sim_card, device_pin, 3)
    new = Secret("2468" if device_pin.reveal() != "2468" else "1357")
    sim_card.pins.change(PinRef.PIN1, device_pin, new)
    try:
        sim_card.link.reset()
        sim_card.pins.verify(PinRef.PIN1, new)
        assert sim_card.pins.retries(PinRef.PIN1) == MAX_PIN_TRIES
    finally:
        sim_card.pins.change(PinRef.PIN1, new, device_pin)
    sim_card.link.reset()
    sim_card.pins.verify(PinRef.PIN1, device_pin)


@pytest.mark.conformance("CARD-006", "TS 102 221 §11.1.10 (false old PIN)")
def test_change_with_false_old_pin(sim_card: SimCard, device_pin: Secret) -> None:
    """CHANGE PIN with a false old PIN spends one try and leaves the PIN unchanged."""
    before = _enabled_and_fresh(sim_card, device_pin, 3)
    with pytest.raises(WrongPinError) as wrong:
        sim_card.pins.change(PinRef.PIN1, wrong_pin(device_pin), Secret("9753"))
    assert wrong.value.retries_left == before - 1
    sim_card.pins.verify(PinRef.PIN1, device_pin)  # still the PIN
    assert sim_card.pins.retries(PinRef.PIN1) == MAX_PIN_TRIES


@pytest.mark.conformance("CARD-007", "TS 102 221 §11.1.11, §11.1.12")
def test_disable_and_enable_pin(sim_card: SimCard, device_pin: Secret) -> None:
    """DISABLE PIN opens PIN-protected files without VERIFY; ENABLE PIN closes them again."""
    _enabled_and_fresh(sim_card, device_pin, 3)
    sim_card.pins.disable(device_pin)
    try:
        assert sim_card.pins.enabled(PinRef.PIN1) is False
        sim_card.link.reset()
        assert sim_card.read_imsi().isdigit()  # no VERIFY needed
    finally:
        sim_card.pins.enable(device_pin)
    assert sim_card.pins.enabled(PinRef.PIN1) is True
    sim_card.link.reset()
    with pytest.raises(StatusWordError):
        sim_card.read_imsi()
