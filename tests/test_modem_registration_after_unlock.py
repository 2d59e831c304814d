"""+CREG refused while the SIM PIN is pending must be asked again after the unlock."""

from __future__ import annotations

from harness.modem import Modem
from harness.safety import SafetyPolicy
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem


def test_registration_is_read_again_once_the_pin_is_entered() -> None:
    with VirtualModem(VirtualUicc.from_files()) as device:
        policy = SafetyPolicy.unrestricted("virtual modem under test")
        with Modem(device.start_pty(), safety=policy) as modem:
            assert not modem.registration().registered  # CME 11 while PIN-locked
            modem.unlock("1234")
            state = modem.wait_for_registration(5)
            assert state.registered and state.cs is not None
