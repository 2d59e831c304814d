"""TP-DCS coding groups (23.038 §4; docs/sources.md §5.4)."""

from __future__ import annotations

import pytest

from harness.errors import CodecError
from harness.sms.dcs import (
    Alphabet,
    DataCoding,
    MessageClass,
    MessageWaiting,
    WaitingKind,
)

GSM7, DATA, UCS2 = Alphabet.GSM7, Alphabet.DATA_8BIT, Alphabet.UCS2
C0, C1, C2, C3 = MessageClass


@pytest.mark.parametrize(
    ("value", "alphabet", "message_class", "compressed", "septet_coded"),
    [
        (0x00, GSM7, None, False, True),
        (0x04, DATA, None, False, False),
        (0x08, UCS2, None, False, False),
        (0x0C, GSM7, None, False, True),  # alphabet 11 reserved -> GSM7 (23.038 §4)
        (0x10, GSM7, C0, False, True),  # flash
        (0x18, UCS2, C0, False, False),
        (0x12, GSM7, C2, False, True),
        (0x03, GSM7, None, False, True),  # bit 4 clear: bits 1..0 carry no class
        (0x20, GSM7, None, True, False),  # compressed: UDL counts octets
        (0x2A, UCS2, None, True, False),
        (0x48, UCS2, None, False, False),  # automatic deletion group
        (0x85, GSM7, None, False, True),  # reserved group 1000 -> GSM7
        (0xB7, GSM7, None, False, True),  # reserved group 1011 -> GSM7
        (0xF1, GSM7, C1, False, True),
        (0xF4, DATA, C0, False, False),
        (0xF6, DATA, C2, False, False),
        (0xC8, GSM7, None, False, True),
        (0xE9, UCS2, None, False, False),
    ],
)
def test_groups(
    value: int,
    alphabet: Alphabet,
    message_class: MessageClass | None,
    compressed: bool,
    septet_coded: bool,
) -> None:
    dcs = DataCoding(value)
    assert dcs.alphabet is alphabet
    assert dcs.message_class == message_class
    assert dcs.compressed is compressed
    assert dcs.septet_coded is septet_coded


@pytest.mark.parametrize(
    ("value", "waiting"),
    [
        (0xC8, MessageWaiting(WaitingKind.VOICEMAIL, active=True, store=False)),
        (0xD3, MessageWaiting(WaitingKind.OTHER, active=False, store=True)),
        (0xDA, MessageWaiting(WaitingKind.EMAIL, active=True, store=True)),
        (0xE9, MessageWaiting(WaitingKind.FAX, active=True, store=True)),
        (0x00, None),
        (0xF0, None),
    ],
)
def test_message_waiting(value: int, waiting: MessageWaiting | None) -> None:
    assert DataCoding(value).waiting == waiting


def test_constructors() -> None:
    assert DataCoding.general().value == 0x00
    assert DataCoding.general(UCS2).value == 0x08
    assert DataCoding.general(DATA).value == 0x04
    assert DataCoding.general(GSM7, C0).value == 0x10
    assert DataCoding.general(UCS2, C0).value == 0x18
    assert DataCoding.general(GSM7, compressed=True, auto_delete=True).value == 0x60
    assert DataCoding.message_waiting(WaitingKind.VOICEMAIL, True).value == 0xD8
    assert DataCoding.message_waiting(WaitingKind.VOICEMAIL, False, store=False).value == 0xC0
    assert DataCoding.message_waiting(WaitingKind.EMAIL, True, ucs2=True).value == 0xEA
    assert DataCoding.for_text("hello €").value == 0x00
    assert DataCoding.for_text("тест", C1).value == 0x19
    assert DataCoding(0x08).auto_delete is False
    assert DataCoding(0x40).auto_delete is True
    assert repr(DataCoding(0x18)) == "DataCoding(0x18)"


def test_invalid() -> None:
    with pytest.raises(CodecError, match=r"0\.\.255"):
        DataCoding(256)
    with pytest.raises(CodecError, match="no UCS2"):
        DataCoding.message_waiting(WaitingKind.FAX, True, store=False, ucs2=True)


def test_every_octet_decodes() -> None:
    for value in range(256):
        dcs = DataCoding(value)
        assert dcs.alphabet in Alphabet
        assert dcs.group == value >> 4
