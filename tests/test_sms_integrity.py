"""A received PDU is believed only when every length and bit it carries agrees
(harness.sms.integrity), and the modem driver never hands back one that does not."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_virtual_modem_support import new_card

from harness.errors import HarnessError
from harness.modem import Modem
from harness.sms.address import Address
from harness.sms.concat import deliver_parts
from harness.sms.integrity import pdu_problem
from harness.sms.pdu import SmsPdu
from harness.sms.tpdu import SmsDeliver
from harness.sms.userdata import UserData
from harness.sms.vectors import PDU_VECTORS
from harness.virtual.modem import FaultConfig, VirtualModem

WHEN = datetime(2024, 1, 2, tzinfo=UTC)
SENDER = Address.parse("+15550001111")


def deliver_hex(text: str, **kwargs: object) -> tuple[str, int]:
    pdu = SmsPdu(SmsDeliver(SENDER, WHEN, UserData(text), **kwargs))  # type: ignore[arg-type]
    return pdu.to_hex(), pdu.tpdu_length


@pytest.mark.parametrize("vector", PDU_VECTORS, ids=lambda v: v.name)
def test_every_known_pdu_is_whole(vector: object) -> None:
    assert pdu_problem(vector.hex, vector.tpdu_length) is None  # type: ignore[attr-defined]


def test_each_damage_is_named() -> None:
    good, length = deliver_hex("Your code is 123456")
    assert pdu_problem(good, length) is None
    assert "<length> says" in (pdu_problem(good, length + 1) or "")
    assert "TP-UDL ends" in (pdu_problem(good + "00", length + 1) or "")
    assert "TP-UDL ends" in (pdu_problem(good[:-2], length - 1) or "")
    assert "does not decode" in (pdu_problem(good[:-1], length) or "")
    spare = bytearray.fromhex(good)
    spare[-1] |= 0x80  # 19 septets = 133 bits in 17 octets: 3 spare bits, now one set
    assert "spare bit" in (pdu_problem(spare.hex(), length) or "")


def test_mixed_fill_bits_and_an_impossible_part_are_damage() -> None:
    (first, _) = deliver_parts(SENDER, "x" * 200, WHEN, reference=7)
    pdu = SmsPdu(first)
    raw = bytearray(pdu.to_bytes())
    assert pdu_problem(raw.hex(), pdu.tpdu_length) is None
    header_at = len(raw) - (len(first.encode()) - first.encode().index(bytes((0x05, 0x00, 0x03))))
    raw[header_at + 6] |= 0x01  # 6 header octets: 1 fill bit; senders set it 0 or 1, both fine
    assert pdu_problem(raw.hex(), pdu.tpdu_length) is None
    raw[header_at + 5] = 3  # part 3 ...
    raw[header_at + 4] = 2  # ... of 2: a receiver would ignore the element
    assert "names no valid part" in (pdu_problem(raw.hex(), pdu.tpdu_length) or "")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=160), st.data())
def test_a_dropped_octet_or_digit_is_always_caught(text: str, data: st.DataObject) -> None:
    try:
        good, length = deliver_hex(text)
    except HarnessError:
        return  # does not fit one SM
    cut = data.draw(st.integers(0, len(good) - 1))
    width = data.draw(st.sampled_from([1, 2, 3, 4]))
    damaged = good[:cut] + good[cut + width :]
    assert pdu_problem(damaged, length) is not None


def test_wait_for_sms_never_returns_a_mangled_text_on_a_lossy_line() -> None:
    """The bug of issue 14: drop_bytes=0.01 gave 4 mangled texts in 9, silently."""
    rng = random.Random(14)
    outcomes = {"intact": 0, "typed error": 0}
    card = new_card(pins__pin1_enabled=False)
    with VirtualModem(card, faults=FaultConfig(drop_bytes=0.02, seed=3)) as device:
        path = device.start_pty()
        for n in range(6):
            text = f"Your code is {rng.randrange(10**6):06d} ({n})"
            try:
                with Modem(path, default_timeout=0.5) as modem:
                    modem.enable_sms_indications()
                    device.deliver_sms(SmsDeliver(SENDER, WHEN, UserData(text)))
                    message = modem.wait_for_sms(1.5)
            except HarnessError:
                outcomes["typed error"] += 1
                continue
            assert message.intact and message.text == text, (message.text, message.error)
            outcomes["intact"] += 1
    assert sum(outcomes.values()) == 6, outcomes
