"""The retry counter survives taking the SIM out and putting it back (TS 102 221 §11.1.9:
false presentations count "not necessarily in the same card session"; TS 31.121 §6.1.1
CR1: after insertion the terminal checks the PIN state again).

Runs on the stage's owner phone, where the bench can move a SIM (`sim_move`:
the virtual bench, or a person or robot on a real one).
"""

from __future__ import annotations

import pytest

from harness.conformance.preconditions import MAX_PIN_TRIES, require_tries, wrong_pin
from harness.errors import WrongPinError
from harness.modem import SimState
from harness.scenarios.interfaces import SimSlot
from harness.scenarios.stage import OWNER, Stage

_SETTLE_S = 30.0  # a SIM put back takes a real modem a few seconds to read


@pytest.mark.sim_move
@pytest.mark.conformance("PIN-007", "TS 102 221 §11.1.9; TS 31.121 §6.1.1 (after insertion)")
def test_counter_survives_sim_reinsert(stage: Stage, sim_slot: SimSlot) -> None:
    """A wrong PIN's lowered counter is the same after the SIM is taken out and put back."""
    owner, pin = stage.owner, stage.pin_for(stage.sim)
    if owner.wait_sim_settled(_SETTLE_S) is SimState.SIM_PIN:
        require_tries(owner.pin_retries().pin1, 2, "PIN1", owner.name)
        owner.unlock(pin)
    was_enabled = owner.pin_lock_enabled()
    require_tries(owner.pin_retries().pin1, 3, "PIN1", owner.name)
    owner.set_pin_lock(True, pin)
    try:
        assert owner.power_cycle() is SimState.SIM_PIN
        before = require_tries(owner.pin_retries().pin1, 3, "PIN1", owner.name)
        with pytest.raises(WrongPinError):
            owner.unlock(wrong_pin(pin))
        sim_slot.take_out(stage.sim)
        sim_slot.move(stage.sim, OWNER)
        state = owner.wait_sim_settled(_SETTLE_S)
        if state is not SimState.SIM_PIN:  # some modems miss the hot-plug: restart
            state = owner.power_cycle()
        assert state is SimState.SIM_PIN
        assert owner.pin_retries().pin1 == before - 1
        assert owner.unlock(pin) is SimState.READY
        assert owner.pin_retries().pin1 == MAX_PIN_TRIES
    finally:
        if owner.sim_state() is SimState.SIM_PIN and (owner.pin_retries().pin1 or 0) >= 2:
            owner.unlock(pin)
        if owner.sim_state().ready:
            owner.set_pin_lock(was_enabled, pin)
