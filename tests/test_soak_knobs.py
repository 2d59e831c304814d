"""`make soak` drives every fault knob of the virtual modem: a new knob needs a setting
there, or the opt-in run refuses to start (found once the run had rotted)."""

from __future__ import annotations

from harness.virtual.modem import FaultConfig
from soak.__main__ import KNOB_SETTINGS


def test_every_fault_knob_has_a_soak_setting() -> None:
    assert set(FaultConfig.knobs()) - {"seed"} == set(KNOB_SETTINGS)
