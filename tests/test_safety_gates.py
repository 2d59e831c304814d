"""Every path that could spend a PIN/PUK attempt goes through the one gate.

Found by review: the raw command path of the Modem, the +CSIM link's raw
exchange, a bench file marking a real port `virtual`, and a lifted policy that
outlived its campaign.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.attack.target import CardTarget
from harness.bench import DeviceConfig, OpenedDevice
from harness.errors import SafetyRefusal
from harness.modem import Modem
from harness.safety import SafetyPolicy
from harness.sim.apdu import Apdu
from harness.sim.card import SimCard
from harness.sim.virtual_link import VirtualLink
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem
from harness.virtual.sim_view import SimView


@pytest.fixture
def modem_and_card() -> Iterator[tuple[Modem, VirtualUicc]]:
    card = VirtualUicc.from_files()
    with VirtualModem(card) as device, Modem(device.start_pty()) as modem:
        yield modem, card


def counters(card: VirtualUicc) -> tuple[int, int]:
    view = SimView(card).read()
    return view.pin1, view.puk1


def test_a_raw_pin_command_through_the_modem_is_refused(
    modem_and_card: tuple[Modem, VirtualUicc],
) -> None:
    modem, card = modem_and_card
    for line in (
        'AT+CPIN="4711"',
        'AT+CLCK="SC",0,"4711"',
        'AT+CPWD="SC","4711","1111"',
        'AT+CSIM=26,"002000010834373131FFFFFFFF"',
    ):
        with pytest.raises(SafetyRefusal) as refused:
            modem.command(line)
        assert "4711" not in str(refused.value) and "34373131" not in str(refused.value)
    assert counters(card) == (3, 10), "nothing reached the card"


def test_the_csim_link_refuses_an_ungated_verify_even_raw(
    modem_and_card: tuple[Modem, VirtualUicc],
) -> None:
    modem, card = modem_and_card
    with modem.sim_link() as link:
        with pytest.raises(SafetyRefusal):
            link.transmit_raw(bytes.fromhex("002000010830303030FFFFFFFF"))
        assert link.transmit_raw(bytes.fromhex("0020000100")).sw == 0x63C3  # a query is free
    assert counters(card) == (3, 10)


def test_virtual_true_next_to_a_real_port_does_not_count_as_virtual() -> None:
    config = DeviceConfig("q0", "modem", True, port="/dev/serial/by-id/usb-Quectel-if02")
    assert not config.simulated
    assert not OpenedDevice(config).virtual, "a bench-file flag alone must not lift the floor"
    assert OpenedDevice(DeviceConfig("sim", "modem", True)).virtual


def test_a_campaign_policy_is_put_back_when_the_campaign_ends() -> None:
    card = SimCard(VirtualLink(VirtualUicc.from_files()))
    original = card.pins.safety
    target = CardTarget(card, virtual=True, name="card")
    lifted = SafetyPolicy.unrestricted("test")
    assert target.use_policy(lifted) is original
    assert card.pins.safety is lifted
    assert target.use_policy(original) is lifted
    assert card.pins.safety is original


# Logical channels 1-3 and 4-19, secure messaging bits, proprietary and GSM classes.
ANY_CLASS = [0x00, 0x01, 0x03, 0x04, 0x0C, 0x40, 0x4F, 0x60, 0x80, 0x84, 0xA0, 0xC0, 0xE3, 0xFF]
SPENDING_INS = [0x20, 0x24, 0x26, 0x28, 0x2C]


@pytest.mark.parametrize("ins", SPENDING_INS)
def test_a_pin_instruction_is_a_spend_whatever_the_class_through_transmit_raw(ins: int) -> None:
    card = VirtualUicc.from_files()
    link = VirtualLink(card)
    for cla in ANY_CLASS:
        raw = bytes((cla, ins, 0x00, 0x01, 0x08)) + b"0000\xff\xff\xff\xff"
        with pytest.raises(SafetyRefusal):
            link.transmit_raw(raw)
        with pytest.raises(SafetyRefusal):
            link.transmit(Apdu.from_bytes(raw))
    assert counters(card) == (3, 10), "nothing reached the card"


def test_a_pin_instruction_is_a_spend_whatever_the_class_through_csim(
    modem_and_card: tuple[Modem, VirtualUicc],
) -> None:
    modem, card = modem_and_card
    with modem.sim_link() as link:
        for cla in ANY_CLASS:
            for ins in SPENDING_INS:
                raw = bytes((cla, ins, 0x00, 0x01, 0x08)) + b"0000\xff\xff\xff\xff"
                with pytest.raises(SafetyRefusal):
                    link.transmit_raw(raw)
                command = f'AT+CSIM={len(raw) * 2},"{raw.hex()}"'
                with pytest.raises(SafetyRefusal):
                    modem.command(command)
                with pytest.raises(SafetyRefusal):
                    modem.command(command.upper())
    assert counters(card) == (3, 10)
