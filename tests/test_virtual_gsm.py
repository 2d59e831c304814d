"""The virtual card's GSM SIM personality (CLA A0, TS 51.011) byte for byte, as raw APDUs.

SELECT answers 9Fxx; GET RESPONSE gives the §9.2.1 status bytes, decoded here with
harness.sim.gsm_response. CHV results are 9804 / 9840 / 9808 (docs/sources.md §4.5).
"""

from __future__ import annotations

import pytest

from harness.sim.ef.identity import decode_imsi
from harness.sim.gsm_response import (
    ChvStatus,
    GsmStructure,
    decode_gsm_df_status,
    decode_gsm_ef_status,
)
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc

PROFILE = load_profile(DEFAULT_PROFILE)


def field(digits: str) -> bytes:
    return digits.encode("ascii").ljust(8, b"\xff")


CHV1, CHV2 = field(PROFILE.pin1), field(PROFILE.pin2)
PUK1, PUK2 = field(PROFILE.puk1), field(PROFILE.puk2)
NEW = field("24680")
WRONG = b"\xff" * 8


def tx(card: VirtualUicc, apdu: bytes | str) -> tuple[bytes, int]:
    raw = bytes.fromhex(apdu) if isinstance(apdu, str) else apdu
    reply = card.transmit(raw)
    assert len(reply) >= 2
    return reply[:-2], int.from_bytes(reply[-2:], "big")


def a0(ins: int, p2: int, data: bytes = b"", p1: int = 0x00) -> bytes:
    return bytes((0xA0, ins, p1, p2, len(data))) + data


def sw_of(card: VirtualUicc, apdu: bytes | str) -> int:
    data, sw = tx(card, apdu)
    assert data == b""
    return sw


def select(card: VirtualUicc, fid: int) -> bytes:
    """SELECT -> 9Fxx -> GET RESPONSE with P3 = xx; the status bytes."""
    sw = sw_of(card, a0(0xA4, 0x00, fid.to_bytes(2, "big")))
    assert sw >> 8 == 0x9F
    data, sw2 = tx(card, bytes((0xA0, 0xC0, 0, 0, sw & 0xFF)))
    assert sw2 == 0x9000 and len(data) == sw & 0xFF
    return data


def df_status(card: VirtualUicc, fid: int = 0x3F00) -> bytes:
    data = select(card, fid)
    assert len(data) == 22
    return data


def chv_bytes(card: VirtualUicc) -> tuple[int, int, int, int]:
    """Bytes 19-22 of the MF status: CHV1, UNBLOCK CHV1, CHV2, UNBLOCK CHV2."""
    data = df_status(card)
    return data[18], data[19], data[20], data[21]


def read_imsi(card: VirtualUicc) -> tuple[bytes, int]:
    select(card, 0x3F00)
    select(card, 0x7F20)
    select(card, 0x6F07)
    return tx(card, "A0B0000009")


# --- docs/sources.md §4.12 reference sequence (2G) -------------------------------------


def test_reference_sequence_2g(card: VirtualUicc) -> None:
    assert tx(card, "A0A40000023F00") == (b"", 0x9F16)
    data, sw = tx(card, "A0C0000016")
    assert sw == 0x9000 and len(data) == 0x16
    assert data[18] == 0x83  # byte 19 = 80 | CHV1 tries
    steps: list[tuple[bytes, int]] = [
        (a0(0x20, 0x01, CHV1), 0x9000),
        (a0(0x26, 0x01, CHV1), 0x9000),  # disable
        (a0(0x20, 0x01, CHV1), 0x9808),  # verify while disabled: contradiction
        (a0(0x28, 0x01, CHV1), 0x9000),  # enable
        (a0(0x24, 0x01, CHV1 + NEW), 0x9000),  # change
        (a0(0x20, 0x01, WRONG), 0x9804),
        (a0(0x20, 0x01, WRONG), 0x9804),
        (a0(0x20, 0x01, WRONG), 0x9840),
        (a0(0x20, 0x01, NEW), 0x9840),  # blocked, even with the right CHV1
        (a0(0x2C, 0x00, PUK1 + CHV1), 0x9000),  # UNBLOCK CHV1 is P2 = 00
        (a0(0x2C, 0x00, WRONG + CHV1), 0x9804),
        (a0(0x2C, 0x02, PUK2 + CHV2), 0x9000),  # UNBLOCK CHV2 is P2 = 02
    ]
    for apdu, expected in steps:
        assert sw_of(card, apdu) == expected, apdu.hex()
    assert chv_bytes(card) == (0x83, 0x89, 0x83, 0x8A)


def test_chv1_tries_in_df_status(card: VirtualUicc) -> None:
    for fid in (0x3F00, 0x7F20, 0x7F10):
        assert df_status(card, fid)[18] == 0x83
    for left, sw in ((2, 0x9804), (1, 0x9804), (0, 0x9840)):
        assert sw_of(card, a0(0x20, 0x01, WRONG)) == sw
        assert chv_bytes(card) == (0x80 | left, 0x8A, 0x83, 0x8A)
    assert df_status(card, 0x7F20)[18] == 0x80


def test_df_status_layout(card: VirtualUicc) -> None:
    mf = decode_gsm_df_status(df_status(card))
    assert (mf.fid, mf.is_mf, mf.child_dfs, mf.child_efs, mf.chv_count) == (0x3F00, True, 2, 4, 4)
    assert not mf.chv1_disabled
    assert (mf.chv1, mf.unblock_chv1) == (ChvStatus(True, 3), ChvStatus(True, 10))
    assert (mf.chv2, mf.unblock_chv2) == (ChvStatus(True, 3), ChvStatus(True, 10))
    gsm = decode_gsm_df_status(df_status(card, 0x7F20))
    assert (gsm.fid, gsm.is_mf, gsm.child_dfs, gsm.child_efs) == (0x7F20, False, 0, 6)
    telecom = df_status(card, 0x7F10)
    assert telecom[4:7] == bytes.fromhex("7F1002") and telecom[12] == 9


def test_byte_14_b8_is_chv1_disabled(card: VirtualUicc) -> None:
    assert df_status(card)[13] & 0x80 == 0
    assert sw_of(card, a0(0x26, 0x01, CHV1)) == 0x9000
    assert df_status(card)[13] & 0x80 == 0x80
    assert df_status(card, 0x7F20)[13] & 0x80 == 0x80
    assert decode_gsm_df_status(df_status(card)).chv1_disabled
    card.reset()
    assert df_status(card)[13] & 0x80 == 0x80  # non-volatile
    assert sw_of(card, a0(0x28, 0x01, CHV1)) == 0x9000
    assert df_status(card)[13] & 0x80 == 0


def test_disable_enable_contradictions(card: VirtualUicc) -> None:
    assert sw_of(card, a0(0x28, 0x01, CHV1)) == 0x9808  # enable when enabled
    assert sw_of(card, a0(0x26, 0x01, CHV1)) == 0x9000
    assert sw_of(card, a0(0x26, 0x01, CHV1)) == 0x9808  # disable when disabled
    assert sw_of(card, a0(0x24, 0x01, CHV1 + NEW)) == 0x9808  # change while disabled
    assert sw_of(card, a0(0x26, 0x02, CHV2)) == 0x9808  # CHV2 cannot be disabled
    assert chv_bytes(card) == (0x83, 0x8A, 0x83, 0x8A)


def test_wrong_chv_in_change_and_disable_counts(card: VirtualUicc) -> None:
    assert sw_of(card, a0(0x24, 0x01, WRONG + NEW)) == 0x9804
    assert sw_of(card, a0(0x26, 0x01, WRONG)) == 0x9804
    assert chv_bytes(card)[0] == 0x81
    assert sw_of(card, a0(0x26, 0x01, WRONG)) == 0x9840
    assert sw_of(card, a0(0x26, 0x01, CHV1)) == 0x9840
    assert sw_of(card, a0(0x24, 0x01, CHV1 + NEW)) == 0x9840


def test_chv2(card: VirtualUicc) -> None:
    assert sw_of(card, a0(0x20, 0x02, CHV1)) == 0x9804
    assert chv_bytes(card) == (0x83, 0x8A, 0x82, 0x8A)
    assert sw_of(card, a0(0x20, 0x02, CHV2)) == 0x9000
    assert sw_of(card, a0(0x24, 0x02, CHV2 + NEW)) == 0x9000
    for sw in (0x9804, 0x9804, 0x9840):
        assert sw_of(card, a0(0x20, 0x02, WRONG)) == sw
    assert sw_of(card, a0(0x20, 0x02, NEW)) == 0x9840
    assert sw_of(card, a0(0x2C, 0x02, PUK1 + CHV2)) == 0x9804  # PUK1 is not PUK2
    assert chv_bytes(card) == (0x83, 0x8A, 0x80, 0x89)
    assert sw_of(card, a0(0x2C, 0x02, PUK2 + CHV2)) == 0x9000
    assert chv_bytes(card) == (0x83, 0x8A, 0x83, 0x8A)
    assert sw_of(card, a0(0x20, 0x01, CHV2)) == 0x9804  # CHV2's value is not CHV1's


def test_unblock_chv1_enables_and_verifies(card: VirtualUicc) -> None:
    assert sw_of(card, a0(0x26, 0x01, CHV1)) == 0x9000
    assert sw_of(card, a0(0x2C, 0x00, PUK1 + NEW)) == 0x9000
    status = decode_gsm_df_status(df_status(card))
    assert not status.chv1_disabled and status.chv1 == ChvStatus(True, 3)
    data, sw = read_imsi(card)
    assert sw == 0x9000 and decode_imsi(data) == PROFILE.imsi
    card.reset()
    assert read_imsi(card) == (b"", 0x9804)
    assert sw_of(card, a0(0x20, 0x01, NEW)) == 0x9000


def test_puk_exhaustion_is_for_good(card: VirtualUicc) -> None:
    for _ in range(3):
        sw_of(card, a0(0x20, 0x01, WRONG))
    for left in range(9, -1, -1):
        expected = 0x9804 if left else 0x9840
        assert sw_of(card, a0(0x2C, 0x00, WRONG + CHV1)) == expected
        assert chv_bytes(card)[1] == 0x80 | left
    for _ in range(3):
        assert sw_of(card, a0(0x2C, 0x00, PUK1 + CHV1)) == 0x9840
        assert sw_of(card, a0(0x20, 0x01, CHV1)) == 0x9840
        assert chv_bytes(card)[:2] == (0x80, 0x80)
        assert read_imsi(card) == (b"", 0x9804)
        assert card.transmit(bytes.fromhex("002C000100")) == bytes.fromhex("63C0")
        uicc_unblock = bytes.fromhex("002C000110") + PUK1 + CHV1
        assert card.transmit(uicc_unblock) == bytes.fromhex("6983")
        card.power_off()
        card.power_on()


def test_malformed_new_chv_spends_nothing(card: VirtualUicc) -> None:
    bad = b"12a4\xff\xff\xff\xff"
    assert sw_of(card, a0(0x20, 0x01, WRONG)) == 0x9804
    assert sw_of(card, a0(0x24, 0x01, CHV1 + bad)) == 0x6A80
    assert sw_of(card, a0(0x2C, 0x00, PUK1 + bad)) == 0x6A80
    assert sw_of(card, a0(0x2C, 0x00, WRONG + b"123\xff\xff\xff\xff\xff")) == 0x6A80
    assert chv_bytes(card) == (0x82, 0x8A, 0x83, 0x8A)


@pytest.mark.parametrize(
    ("apdu", "expected"),
    [
        (a0(0x20, 0x01), 0x6708),  # no empty-VERIFY query in 51.011
        (a0(0x20, 0x01, CHV1[:4]), 0x6708),
        (a0(0x20, 0x01, CHV1 + b"\xff"), 0x6708),
        (a0(0x26, 0x01, CHV1[:7]), 0x6708),
        (a0(0x28, 0x01, b"1"), 0x6708),
        (a0(0x24, 0x01, CHV1), 0x6710),
        (a0(0x2C, 0x00, PUK1), 0x6710),
        (a0(0x2C, 0x00, PUK1 + CHV1 + b"\xff"), 0x6710),
        (a0(0x20, 0x00, CHV1), 0x6B00),  # CHV numbers are 01 and 02
        (a0(0x20, 0x03, CHV1), 0x6B00),
        (a0(0x20, 0x81, CHV1), 0x6B00),
        (a0(0x2C, 0x01, PUK1 + CHV1), 0x6B00),  # UNBLOCK CHV1 is 00, not 01
        (a0(0x20, 0x01, CHV1, p1=0x01), 0x6B00),
    ],
)
def test_chv_parameter_errors_spend_nothing(card: VirtualUicc, apdu: bytes, expected: int) -> None:
    assert sw_of(card, apdu) == expected
    assert chv_bytes(card) == (0x83, 0x8A, 0x83, 0x8A)


# --- files ---------------------------------------------------------------------------------


def test_ef_status_bytes(card: VirtualUicc) -> None:
    iccid = decode_gsm_ef_status(select(card, 0x2FE2))
    assert (iccid.fid, iccid.size, iccid.structure) == (0x2FE2, 10, GsmStructure.TRANSPARENT)
    assert (iccid.access.read, iccid.access.update) == (0x0, 0xA)
    select(card, 0x7F20)
    raw = select(card, 0x6F07)
    assert raw == bytes.fromhex("000000096F0704001AF0AA01020000")
    select(card, 0x7F10)
    sms = decode_gsm_ef_status(select(card, 0x6F3C))
    assert (sms.size, sms.structure, sms.record_length) == (1760, GsmStructure.LINEAR_FIXED, 176)
    assert (sms.access.read, sms.access.update) == (0x1, 0x1)


@pytest.mark.parametrize(
    ("df", "fid", "read"),
    [
        (0x7F20, 0x6F07, "A0B0000009"),
        (0x7F20, 0x6F7E, "A0B000000B"),
        (0x7F10, 0x6F3C, "A0B20104B0"),
        (0x7F10, 0x6F40, "A0B201041A"),
    ],
    ids=["IMSI", "LOCI", "SMS", "MSISDN"],
)
def test_chv1_protected_files(card: VirtualUicc, df: int, fid: int, read: str) -> None:
    def attempt() -> tuple[bytes, int]:
        select(card, 0x3F00)
        select(card, df)
        select(card, fid)
        return tx(card, read)

    assert attempt() == (b"", 0x9804)
    assert sw_of(card, a0(0x20, 0x01, CHV1)) == 0x9000
    data, sw = attempt()
    assert sw == 0x9000 and len(data) == int(read[-2:], 16)
    assert sw_of(card, a0(0x26, 0x01, CHV1)) == 0x9000
    card.power_off()
    card.power_on()
    assert attempt()[1] == 0x9000  # CHV1 disabled: no verification needed
    assert sw_of(card, a0(0x28, 0x01, CHV1)) == 0x9000
    card.reset()
    assert attempt() == (b"", 0x9804)


def test_imsi_update_needs_adm(card: VirtualUicc) -> None:
    assert sw_of(card, a0(0x20, 0x01, CHV1)) == 0x9000
    select(card, 0x7F20)
    select(card, 0x6F07)
    assert sw_of(card, a0(0xD6, 0x00, bytes(9))) == 0x9804
    assert card.transmit(bytes.fromhex("0020000A08") + PROFILE.adm1) == bytes.fromhex("9000")
    new = bytes.fromhex("080910100000000091")
    assert sw_of(card, a0(0xD6, 0x00, new)) == 0x9000
    assert tx(card, "A0B0000009") == (new, 0x9000)


def test_read_binary_p3_rules(card: VirtualUicc) -> None:
    select(card, 0x2FE2)
    data, sw = tx(card, "A0B000000A")
    assert sw == 0x9000 and data == bytes.fromhex("988812010000000010F8")
    assert tx(card, "A0B0000004") == (data[:4], 0x9000)
    assert tx(card, "A0B0000802") == (data[8:], 0x9000)
    assert tx(card, "A0B000000B") == (b"", 0x670A)
    assert tx(card, "A0B0000803") == (b"", 0x6702)
    assert tx(card, "A0B00000") == (b"", 0x670A)
    assert tx(card, "A0B0000A01") == (b"", 0x9402)  # offset out of range
    assert tx(card, "A0B2010400") == (b"", 0x9408)  # a transparent EF


def test_records(card: VirtualUicc) -> None:
    assert sw_of(card, a0(0x20, 0x01, CHV1)) == 0x9000
    select(card, 0x7F10)
    select(card, 0x6F3C)
    for number in range(1, 11):
        row = bytes((number,)) + bytes(175)
        assert sw_of(card, bytes((0xA0, 0xDC, number, 0x04, 0xB0)) + row) == 0x9000

    def first(apdu: str) -> int | str:
        data, sw = tx(card, apdu)
        return data[0] if sw == 0x9000 else f"{sw:04X}"

    select(card, 0x6F3C)
    assert first("A0B20002B0") == 1
    assert first("A0B20002B0") == 2
    assert first("A0B20003B0") == 1
    assert first("A0B20003B0") == "9402"
    assert first("A0B20704B0") == 7
    assert first("A0B20B04B0") == "9402"
    assert first("A0B20705B0") == "6B00"
    assert first("A0B20704AF") == "67B0"
    assert tx(card, "A0DC0104AF" + "00" * 0xAF) == (b"", 0x67B0)
    assert tx(card, "A0B0000001") == (b"", 0x9408)  # a record EF


def test_get_response_and_status(card: VirtualUicc) -> None:
    assert tx(card, "A0C0000016") == (b"", 0x6F00)  # nothing pending
    assert sw_of(card, "A0A40000027F20") == 0x9F16
    assert tx(card, "A0C0000017") == (b"", 0x6716)  # P3 too long: data kept
    data, sw = tx(card, "A0C0000016")
    assert sw == 0x9000 and data[4:6] == b"\x7f\x20"
    assert tx(card, "A0C0000016") == (b"", 0x6F00)  # delivered once
    assert tx(card, "A0F2000016") == (data, 0x9000)  # STATUS: the current DF
    assert tx(card, "A0F2000017") == (b"", 0x6716)
    assert sw_of(card, "A0A40000027F20") == 0x9F16
    assert tx(card, "A0B0000001") == (b"", 0x9400)  # another command: no EF selected
    assert tx(card, "A0C0000016") == (b"", 0x6F00)  # and the response is gone


@pytest.mark.parametrize(
    ("apdu", "expected"),
    [
        ("A0A40000026F99", 0x9404),
        ("A0A40000020000", 0x9404),
        ("A0A40000027FFF", 0x9404),  # no ADF in the 2G view
        ("A0A40000022FE3", 0x9404),
        ("A0A40400023F00", 0x6B00),
        ("A0A40004023F00", 0x6B00),
        ("A0A40000033F0000", 0x6702),
        ("A0A4000001 3F".replace(" ", ""), 0x6702),
        ("A0A4000002", 0x6702),  # P3 alone, no data
        ("A0A400", 0x6700),
        ("A0A40000033F00", 0x6700),  # Lc not matching the data
        ("A070000001", 0x6D00),  # no MANAGE CHANNEL in 51.011
        ("A0CA000000", 0x6D00),
        ("A0FE000000", 0x6D00),
    ],
)
def test_bad_input(card: VirtualUicc, apdu: str, expected: int) -> None:
    assert tx(card, apdu) == (b"", expected)


def test_unknown_fid_keeps_the_current_file(card: VirtualUicc) -> None:
    select(card, 0x2FE2)
    assert sw_of(card, "A0A40000026F99") == 0x9404
    assert tx(card, "A0B0000001") == (b"\x98", 0x9000)


def test_restart_clears_verification_and_response(card: VirtualUicc) -> None:
    assert sw_of(card, a0(0x20, 0x01, CHV1)) == 0x9000
    assert sw_of(card, a0(0x20, 0x02, WRONG)) == 0x9804
    select(card, 0x7F20)
    select(card, 0x6F07)
    assert sw_of(card, "A0A40000023F00") == 0x9F16
    card.power_off()
    card.power_on()
    assert tx(card, "A0C0000016") == (b"", 0x6F00)
    assert tx(card, "A0B0000009") == (b"", 0x9400)  # the MF is current again
    assert read_imsi(card) == (b"", 0x9804)
    assert chv_bytes(card) == (0x83, 0x8A, 0x82, 0x8A)  # counters kept


def test_personalities_share_one_pin_state(card: VirtualUicc) -> None:
    assert card.transmit(bytes.fromhex("0020000108") + WRONG) == bytes.fromhex("63C2")
    assert chv_bytes(card)[0] == 0x82
    assert sw_of(card, a0(0x20, 0x01, WRONG)) == 0x9804
    assert card.transmit(bytes.fromhex("0020000100")) == bytes.fromhex("63C1")
    assert sw_of(card, a0(0x20, 0x01, CHV1)) == 0x9000
    assert card.transmit(bytes.fromhex("0020000100")) == bytes.fromhex("9000")
    assert card.transmit(bytes.fromhex("00A4040C07A0000000871002")) == bytes.fromhex("9000")
    assert card.transmit(bytes.fromhex("0020008100")) == bytes.fromhex("63C3")
