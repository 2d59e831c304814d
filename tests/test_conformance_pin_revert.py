"""PIN-004 puts the old PIN back without ever spending a try on a PIN the card refused.

The conformance test runs here against a small PIN model standing in for the
Modem: one card that changes its PIN as TS 102 221 §11.1.10 says, and one that
answers OK to +CPWD but keeps the old PIN (the non-conformance PIN-004 exists to
find). On the second the test must fail, and its clean-up must not present the
refused new PIN as the "old" one (a second wasted try).
"""

from __future__ import annotations

from typing import cast

import pytest

from harness.at.parsers.retries import PinRetries
from harness.conformance import test_pin_modem as pin_suite
from harness.errors import WrongPinError
from harness.modem import Modem, SimState
from harness.secrets import Secret


class PinModel:
    """The PIN side of a modem: +CPIN, +CPIN?, +CPWD, a power cycle, the PIN1 counter."""

    def __init__(self, pin: str, *, change_takes_effect: bool = True) -> None:
        self.name = "model0"
        self.pin = pin
        self.tries = 3
        self.verified = False
        self.change_takes_effect = change_takes_effect
        self.changes: list[tuple[str, str]] = []

    def _present(self, value: str) -> None:
        if value != self.pin:
            self.tries -= 1
            raise WrongPinError("PIN1", self.tries, "model0: AT+CPIN")
        self.tries = 3
        self.verified = True

    def sim_state(self) -> SimState:
        return SimState.READY if self.verified else SimState.SIM_PIN

    def pin_retries(self) -> PinRetries:
        return PinRetries(pin1=self.tries)

    def pin_lock_enabled(self) -> bool:
        return True

    def unlock(self, pin: Secret) -> SimState:
        self._present(pin.reveal())
        return SimState.READY

    def power_cycle(self) -> SimState:
        self.verified = False
        return SimState.SIM_PIN

    def change_pin(self, old: Secret, new: Secret) -> None:
        self.changes.append((old.reveal(), new.reveal()))
        self._present(old.reveal())
        if self.change_takes_effect:
            self.pin = new.reveal()


def test_a_conforming_card_ends_with_its_pin_and_a_full_counter() -> None:
    card = PinModel("1234")
    pin_suite.test_change_of_pin(cast(Modem, card), Secret("1234"))
    assert card.pin == "1234" and card.tries == 3
    assert card.changes == [("1234", "2468"), ("2468", "1234")]


def test_a_card_that_keeps_its_old_pin_fails_and_no_try_is_spent_putting_it_back() -> None:
    card = PinModel("1234", change_takes_effect=False)
    with pytest.raises(WrongPinError):
        pin_suite.test_change_of_pin(cast(Modem, card), Secret("1234"))
    assert card.changes == [("1234", "2468")]  # no "change back" with the refused PIN
    assert card.pin == "1234"
    assert card.tries == 2  # only the test's own probe of the new PIN
