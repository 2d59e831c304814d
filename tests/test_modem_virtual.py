"""The Modem driver against the virtual modem in every personality, plain and with faults.

After every PIN operation three views of the one card must agree (DESIGN.md:
the card is the one source of truth):
- the AT path: +CPIN?, the profile's retry command(s), +CLCK "SC",2;
- SimCard over the modem's +CSIM link (harness.modem.csim_link);
- SimCard over a VirtualLink straight into the same card object.
Verdicts come from driver calls and the card's own answers, never from
simulator internals.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from harness.errors import PinStateError, SafetyRefusal, WrongPinError
from harness.modem import Modem, SimState
from harness.safety import SafetyPolicy
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef
from harness.sim.virtual_link import VirtualLink
from harness.sms.address import Address
from harness.sms.concat import deliver_parts
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import PERSONALITIES, FaultConfig, VirtualModem

PIN, PUK = "1234", "12345678"
ALLOW = SafetyPolicy.unrestricted("virtual modem and card in the driver suite")
# Firmware faults a correct host must survive, on every personality. Byte-level shaping
# (split, merge, latency, garbage) costs milliseconds per write, so it runs on its own
# below, on the state queries.
FAULTS = FaultConfig(
    seed=7,
    urc_burst=2,
    urc_in_response=True,
    urc_after_prompt=True,
    echo_ignores_ate0=True,
    verbose_cmee=True,
)
MODES = {"plain": None, "faults": FAULTS}
CASES = [(name, mode) for name in sorted(PERSONALITIES) for mode in MODES]


def _card(**retries: int) -> VirtualUicc:
    profile = load_profile(DEFAULT_PROFILE)
    return VirtualUicc(replace(profile, retries=retries) if retries else profile)


@dataclass
class Bench:
    device: VirtualModem
    card: VirtualUicc
    direct: SimCard  # over VirtualLink, same card object

    def modem(self, safety: SafetyPolicy = ALLOW, target: str | None = None) -> Modem:
        path = target or self.device.port_path
        assert path is not None
        return Modem(path, safety=safety, default_timeout=3.0)


@pytest.fixture
def bench(request: pytest.FixtureRequest) -> Iterator[Bench]:
    personality, mode, *counters = request.param  # counters: optional {"pin1": 1}
    card = _card(**counters[0]) if counters else _card()
    direct = SimCard(VirtualLink(card))  # before the modem powers the card: nothing reset later
    device = VirtualModem(card, personality=personality, faults=MODES[mode])
    device.start_pty()
    try:
        yield Bench(device, card, direct)
    finally:
        device.close()


def views_agree(modem: Modem, bench: Bench) -> tuple[SimState, int, int]:
    """AT path == SimCard over +CSIM == SimCard over VirtualLink; returns (state, pin1, puk1)."""
    state = modem.sim_state()
    at = modem.pin_retries()
    with modem.sim_link() as link:
        over_modem = SimCard(link)
        tunnel = over_modem.pins.state(PinRef.PIN1), over_modem.pins.state(PinRef.PIN2)
    direct = bench.direct.pins.state(PinRef.PIN1), bench.direct.pins.state(PinRef.PIN2)
    for pin1, pin2 in (tunnel, direct):
        assert (at.pin1, at.puk1) == (pin1.retries, pin1.puk_retries), (at, pin1)
        if at.pin2 is not None:
            assert (at.pin2, at.puk2) == (pin2.retries, pin2.puk_retries), (at, pin2)
    assert tunnel == direct
    enabled, verified = direct[0].enabled, direct[0].verified
    if direct[0].puk_retries == 0:
        assert state is SimState.FAILURE
    elif not enabled or verified:
        assert state is SimState.READY
        assert modem.pin_lock_enabled() is enabled
    else:
        assert state is (SimState.SIM_PIN if direct[0].retries else SimState.SIM_PUK)
    return state, direct[0].retries, direct[0].puk_retries or 0


@pytest.mark.parametrize("bench", CASES, indirect=True, ids=[f"{p}-{m}" for p, m in CASES])
def test_pin_lifecycle(bench: Bench) -> None:
    with bench.modem() as modem:
        assert modem.profile.name == bench.device.personality.name
        assert views_agree(modem, bench) == (SimState.SIM_PIN, 3, 10)
        with pytest.raises(WrongPinError) as wrong:
            modem.unlock("0000")
        assert wrong.value.retries_left == 2 and "0000" not in str(wrong.value)
        assert views_agree(modem, bench) == (SimState.SIM_PIN, 2, 10)
        assert modem.unlock(PIN) is SimState.READY
        assert views_agree(modem, bench) == (SimState.READY, 3, 10)
        identity = modem.identity()
        assert identity.iccid == "8988211000000000018"
        assert identity.imsi == "001010000000018"
        assert identity.imei == bench.device.imei
        modem.set_pin_lock(False, PIN)
        assert not modem.pin_lock_enabled()
        views_agree(modem, bench)
        with pytest.raises(PinStateError):
            modem.change_pin(PIN, "4321")  # the SIM refuses CHANGE while the PIN is disabled
        modem.set_pin_lock(True, PIN)
        modem.change_pin(PIN, "4321")
        assert views_agree(modem, bench) == (SimState.READY, 3, 10)
        assert modem.power_cycle(timeout=20) is SimState.SIM_PIN
        assert views_agree(modem, bench) == (SimState.SIM_PIN, 3, 10)
        assert modem.unlock("4321") is SimState.READY


@pytest.mark.parametrize("bench", CASES, indirect=True, ids=[f"{p}-{m}" for p, m in CASES])
def test_block_and_unblock(bench: Bench) -> None:
    with bench.modem() as modem:
        for left in (2, 1, 0):
            with pytest.raises(WrongPinError) as wrong:
                modem.unlock("9999")
            assert wrong.value.retries_left == left
        assert views_agree(modem, bench) == (SimState.SIM_PUK, 0, 10)
        with pytest.raises(WrongPinError):
            modem.unblock("00000000", "2468")
        assert views_agree(modem, bench) == (SimState.SIM_PUK, 0, 9)
        assert modem.unblock(PUK, "2468") is SimState.READY
        assert views_agree(modem, bench) == (SimState.READY, 3, 10)


GATE_CASES = [(name, "plain", {"pin1": 1}) for name in sorted(PERSONALITIES)]


@pytest.mark.parametrize("bench", GATE_CASES, indirect=True, ids=[c[0] for c in GATE_CASES])
def test_gate_refuses_and_spends_nothing(bench: Bench) -> None:
    with bench.modem(safety=SafetyPolicy.strict()) as modem:
        with pytest.raises(SafetyRefusal, match="1 attempt left"):
            modem.unlock(PIN)
        assert bench.direct.pins.retries(PinRef.PIN1) == 1
    with bench.modem(safety=ALLOW) as modem, pytest.raises(WrongPinError):
        modem.unlock("0000")  # allowed explicitly: the last attempt goes, the PIN blocks
    with bench.modem(safety=SafetyPolicy.strict()) as modem:
        assert modem.sim_state() is SimState.SIM_PUK
        with pytest.raises(SafetyRefusal, match="PUK"):
            modem.unblock(PUK, PIN)
        assert bench.direct.pins.puk_retries(PinRef.PIN1) == 10


@pytest.mark.parametrize("bench", CASES, indirect=True, ids=[f"{p}-{m}" for p, m in CASES])
def test_sms_both_ways(bench: Bench) -> None:
    with bench.modem() as modem:
        modem.unlock(PIN)
        modem.wait_for_registration(10)
        refs = modem.send_sms("+15555550100", "x" * 200)
        assert len(refs) == 2
        sent = bench.device.sent_messages
        assert [pdu.tpdu.message_reference for pdu in sent] == refs  # type: ignore[union-attr]
        modem.enable_sms_indications()
        text = "Your code is 424242 " * 10
        for part in deliver_parts(Address.parse("+15555550199"), text, datetime.now(UTC)):
            assert bench.device.deliver_sms(part)
        message = modem.wait_for_message(10)
        assert message.text == text and message.sender == "+15555550199"
        stored = modem.list_sms()
        assert {m.text for m in stored} >= {p.text for p in message.parts}
        for m in stored:
            assert m.index is not None
            modem.delete_sms(m.index)
        assert modem.list_sms() == []
        assert modem.signal().rssi is not None


@pytest.mark.parametrize("personality", ["generic", "quectel"])
def test_power_cycle_survives_usb_reenumeration(personality: str, tmp_path: Path) -> None:
    """The 5th command line (the reset, after ATE0, +CMEE, +CGMI, +CGMM) half-answers and the
    modem re-enumerates on a new pty; the by-id style link is the stable name."""
    card = _card()
    link = tmp_path / "usb-virtual-modem-if00"
    device = VirtualModem(card, personality=personality, faults=FaultConfig(reboot_on_command=5))
    device.start_pty(link=link)
    try:
        before = device.port_path
        with Modem(str(link), safety=ALLOW, default_timeout=3.0) as modem:
            assert modem.power_cycle(timeout=20) is SimState.SIM_PIN
            assert device.port_path != before
            assert modem.unlock(PIN) is SimState.READY
    finally:
        device.close()


@pytest.mark.parametrize(
    "knobs", [["garbage=0.3"], ["split_writes=1"], ["merge_writes=1", "latency_ms=2"]]
)
def test_line_noise_on_state_queries(knobs: list[str]) -> None:
    """Random bytes before writes, one byte per write, or writes held and merged:
    +CPIN? still reads right."""
    device = VirtualModem(_card(), faults=FaultConfig.parse(["seed=3", *knobs]))
    path = device.start_pty()
    try:
        with Modem(path, vendor="generic", default_timeout=3.0) as modem:
            states = {modem.sim_state() for _ in range(20)}
        assert states == {SimState.SIM_PIN}
    finally:
        device.close()


def test_sim_hot_plug() -> None:
    card = _card()
    device = VirtualModem(None, personality="quectel")
    path = device.start_pty()
    try:
        with Modem(path, safety=ALLOW, default_timeout=3.0) as modem:
            assert modem.sim_state() is SimState.ABSENT
            device.insert_sim(card)
            assert modem.wait_sim_settled(5) is SimState.SIM_PIN
            assert any(urc.line.startswith("+QUSIM") for urc in modem.sim_events.drain())
            device.remove_sim()
            assert modem.sim_state() is SimState.ABSENT
    finally:
        device.close()


def test_tcp_port_by_url() -> None:
    device = VirtualModem(_card(), personality="simcom")
    port = device.start_tcp()
    try:
        with Modem(f"socket://127.0.0.1:{port}", safety=ALLOW, default_timeout=3.0) as modem:
            assert modem.profile.name == "simcom"
            assert modem.unlock(PIN) is SimState.READY
            assert modem.pin_retries().pin1 == 3
    finally:
        device.close()
