"""A wrong old PIN in CHANGE PIN: counter down, verification kept (TS 102 221 §11.1.10) by
default, dropped with the Java Card OwnerPIN profile option; drivers see the true counter."""

from __future__ import annotations

from dataclasses import replace

import pytest

from harness.errors import WrongPinError
from harness.modem import Modem, SimState
from harness.safety import SafetyPolicy
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef
from harness.sim.virtual_link import VirtualLink
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile, profile_from_dict
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem

ALLOW = SafetyPolicy.unrestricted("virtual card")
PROFILE = load_profile(DEFAULT_PROFILE)


def test_the_profile_option_is_read_and_checked() -> None:
    import tomllib

    raw = tomllib.loads(DEFAULT_PROFILE.read_text())
    assert PROFILE.change_wrong_pin_drops_verification is False
    raw["pins"]["change_wrong_pin_drops_verification"] = True
    assert profile_from_dict(raw).change_wrong_pin_drops_verification is True
    raw["pins"]["change_wrong_pin_drops_verification"] = "yes"
    with pytest.raises(Exception, match="change_wrong_pin_drops_verification"):
        profile_from_dict(raw)


@pytest.mark.parametrize("drops", [False, True])
def test_simcard_sees_the_spent_attempt_and_the_verification(drops: bool) -> None:
    card = VirtualUicc(replace(PROFILE, change_wrong_pin_drops_verification=drops))
    sim = SimCard(VirtualLink(card), safety=ALLOW)
    sim.pins.verify(PinRef.PIN1, PROFILE.pin1)
    with pytest.raises(WrongPinError) as wrong:
        sim.pins.change(PinRef.PIN1, "0000", "4321")
    assert wrong.value.retries_left == 2
    state = sim.pins.state(PinRef.PIN1)
    assert (state.retries, state.verified) == (2, not drops)


def test_the_modem_stays_unlocked_and_reports_the_true_counter() -> None:
    with VirtualModem(VirtualUicc(PROFILE)) as device:
        path = device.start_pty()
        with Modem(path, safety=ALLOW, default_timeout=3.0) as modem:
            modem.unlock(PROFILE.pin1)
            with pytest.raises(WrongPinError) as wrong:
                modem.change_pin("0000", "4321")
            assert wrong.value.retries_left == 2
            assert modem.sim_state() is SimState.READY
            assert modem.pin_retries().pin1 == 2
            modem.change_pin(PROFILE.pin1, "4321")  # right old PIN: counter back to 3
            assert modem.pin_retries().pin1 == 3
