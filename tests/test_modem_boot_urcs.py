"""Start-up URCs after a power cycle: each personality sends what its vendor profile
declares, and the Modem driver's reset waits for that URC instead of probing blind."""

from __future__ import annotations

import time

import pytest
from test_virtual_modem_support import modem_on_pty, new_card

from harness.modem import Modem, SimState
from harness.modem.vendors import profile_named
from harness.safety import SafetyPolicy
from harness.transcript import Direction, Transcript
from harness.virtual.modem import PERSONALITIES, VirtualModem

ALLOW = SafetyPolicy.unrestricted("virtual modem")


@pytest.mark.parametrize("personality", sorted(PERSONALITIES))
def test_the_virtual_modem_sends_the_start_up_urcs_its_profile_waits_for(
    personality: str,
) -> None:
    declared = profile_named(personality).boot_urcs
    with modem_on_pty(new_card(), personality=personality) as (modem, port):
        modem.power_cycle()
        lines = [line for line in port.drain(0.2).decode().split("\r\n") if line]
    if declared:
        assert any(line.startswith(declared) for line in lines), (personality, lines)
    else:
        assert not any(line in ("RDY", "^SYSSTART") for line in lines), lines


@pytest.mark.parametrize("personality", ["quectel", "huawei", "ublox", "simcom"])
def test_the_reset_waits_for_the_start_up_urc(personality: str) -> None:
    with (
        VirtualModem(new_card(), personality=personality) as device,
        Modem(device.start_pty(), safety=ALLOW, default_timeout=3.0) as modem,
    ):
        assert modem.profile.boot_urcs
        before = modem.boot_events.count
        started = time.monotonic()
        assert modem.power_cycle(timeout=10) is SimState.SIM_PIN
        took = time.monotonic() - started
        assert modem.boot_events.count > before
        assert took < 1.5, took  # no 2 s probe pause: the URC ended the wait


def test_a_port_without_the_start_up_urc_is_found_by_probing() -> None:
    """A Huawei profile on a device that never sends ^SYSSTART (its USB port does not):
    the reset still completes, one probe interval later."""
    with (
        VirtualModem(new_card(), personality="generic") as device,
        Modem(device.start_pty(), vendor="huawei", safety=ALLOW, default_timeout=3.0) as m,
    ):
        started = time.monotonic()
        assert m.power_cycle(timeout=10) is SimState.SIM_PIN
        took = time.monotonic() - started
        assert m.boot_events.count == 0
        assert 1.5 < took < 6.0, took


@pytest.mark.parametrize("personality", ["simcom", "huawei", "telit", "sierra", "quectel"])
def test_the_profile_reset_command_is_the_one_that_resets(personality: str) -> None:
    transcript = Transcript()
    with (
        VirtualModem(new_card(), personality=personality) as device,
        Modem(device.start_pty(), safety=ALLOW, transcript=transcript, default_timeout=3.0) as m,
    ):
        assert m.power_cycle(timeout=10) is SimState.SIM_PIN
        reset = m.profile.reset_command
    sent = b"".join(e.data for e in transcript.entries if e.direction is Direction.TX)
    assert reset.encode() + b"\r" in sent
    if reset != "AT+CFUN=1,1":
        assert b"AT+CFUN=1,1" not in sent  # no fallback needed
