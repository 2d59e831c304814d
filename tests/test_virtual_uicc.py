"""The virtual card's UICC personality (CLA 00/80, TS 102 221) byte for byte, as raw APDUs.

Every expectation is an exact status word or exact bytes. FCPs are decoded with the
project's own codec (harness.sim.fcp), as a client would.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from harness.sim.ef.dir import decode_dir_record
from harness.sim.ef.identity import decode_iccid, decode_imsi
from harness.sim.fcp import NO_SFI, Fcp, FileKind, PinStatus, decode_fcp
from harness.virtual.card.layout import USIM_AID
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile, profile_from_dict
from harness.virtual.card.uicc import ATR, VirtualUicc

PROFILE = load_profile(DEFAULT_PROFILE)


def field(digits: str) -> bytes:
    """A PIN as the card expects it: ASCII digits, FF-padded to 8 bytes (docs/sources.md §4.3)."""
    return digits.encode("ascii").ljust(8, b"\xff")


PIN1, PIN2 = field(PROFILE.pin1), field(PROFILE.pin2)
PUK1, PUK2 = field(PROFILE.puk1), field(PROFILE.puk2)
ADM1 = PROFILE.adm1
NEW_PIN = field("97531")
WRONG = b"\xff" * 8
ISD_R = bytes.fromhex("A0000005591010FFFFFFFF8900000100")
ECASD = bytes.fromhex("A0000005591010FFFFFFFF8900000200")


def tx(card: VirtualUicc, apdu: bytes | str) -> tuple[bytes, int]:
    raw = bytes.fromhex(apdu.replace(" ", "")) if isinstance(apdu, str) else apdu
    reply = card.transmit(raw)
    assert len(reply) >= 2
    return reply[:-2], int.from_bytes(reply[-2:], "big")


def sw_of(card: VirtualUicc, apdu: bytes | str) -> int:
    data, sw = tx(card, apdu)
    assert data == b"" or sw == 0x9000 or sw >> 8 == 0x61, f"unexpected data with {sw:04X}"
    return sw


def cmd(ins: int, p2: int, data: bytes = b"", *, cla: int = 0x00, p1: int = 0x00) -> bytes:
    body = bytes((len(data),)) + data if data else b""
    return bytes((cla, ins, p1, p2)) + body


def verify(card: VirtualUicc, p2: int, pin: bytes | None) -> int:
    enter_context(card, p2)
    return sw_of(card, cmd(0x20, p2, pin or b""))


def enter_context(card: VirtualUicc, p2: int) -> None:
    """A local PIN (P2 b8=1, e.g. PIN2 = 81) lives in the USIM ADF (TS 102 221 §9.5.1)."""
    if p2 & 0x80:
        select_usim(card)


def select_usim(card: VirtualUicc) -> None:
    assert sw_of(card, cmd(0xA4, 0x0C, USIM_AID, p1=0x04)) == 0x9000


def select(card: VirtualUicc, fid: int, p2: int = 0x0C) -> int:
    return sw_of(card, cmd(0xA4, p2, fid.to_bytes(2, "big")))


def fcp_of(card: VirtualUicc, select_apdu: bytes) -> tuple[bytes, Fcp]:
    """SELECT with P2=04 under T=0: 61xx, then GET RESPONSE Le=xx gives the FCP."""
    data, sw = tx(card, select_apdu)
    assert data == b"" and sw >> 8 == 0x61
    length = sw & 0xFF
    raw, sw = tx(card, bytes((0x00, 0xC0, 0x00, 0x00, length)))
    assert sw == 0x9000 and len(raw) == length == 2 + raw[1]
    return raw, decode_fcp(raw)


def fcp_by_fid(card: VirtualUicc, fid: int) -> Fcp:
    return fcp_of(card, cmd(0xA4, 0x04, fid.to_bytes(2, "big")))[1]


def read_imsi(card: VirtualUicc) -> tuple[bytes, int]:
    select_usim(card)
    assert select(card, 0x6F07) == 0x9000
    return tx(card, "00B0000009")


def retries(card: VirtualUicc, p2: int = 0x01) -> int:
    sw = verify(card, p2, None)
    assert sw >> 4 == 0x63C, f"{sw:04X}"
    return sw & 0x0F


def puk_retries(card: VirtualUicc, p2: int = 0x01) -> int:
    enter_context(card, p2)
    sw = sw_of(card, cmd(0x2C, p2))
    assert sw >> 4 == 0x63C, f"{sw:04X}"
    return sw & 0x0F


# --- docs/sources.md §4.12 reference sequence (IDEMIA CardIO-Test, 3G) -----------------


def test_reference_sequence_3g(card: VirtualUicc) -> None:
    assert card.power_on() == ATR
    select_usim(card)
    steps: list[tuple[bytes, int]] = [
        (cmd(0x20, 0x01), 0x63C3),  # 00 20 00 01 00 -> tries left, nothing spent
        (cmd(0x20, 0x01, PIN1), 0x9000),
        (cmd(0x26, 0x01, PIN1), 0x9000),  # disable
        (cmd(0x20, 0x01, PIN1), 0x6984),  # verify while disabled
        (cmd(0x28, 0x01, PIN1), 0x9000),  # enable
        (cmd(0x24, 0x01, PIN1 + NEW_PIN), 0x9000),  # change
        (cmd(0x20, 0x01, WRONG), 0x63C2),
        (cmd(0x20, 0x01, WRONG), 0x63C1),
        (cmd(0x20, 0x01, WRONG), 0x63C0),
        (cmd(0x20, 0x01, NEW_PIN), 0x6983),  # blocked, even with the right PIN
        (cmd(0x2C, 0x01, PUK1 + PIN1), 0x9000),  # unblock
        (cmd(0x2C, 0x01, WRONG + PIN1), 0x63C9),  # wrong PUK
        (cmd(0x2C, 0x01), 0x63C9),  # PUK tries left, nothing spent
        (cmd(0x20, 0x81), 0x63C3),  # PIN2 (local, 81)
        (cmd(0x20, 0x81, PIN2), 0x9000),
    ]
    for apdu, expected in steps:
        assert sw_of(card, apdu) == expected, apdu.hex()


def test_the_sequence_exact_bytes_with_le_forms(card: VirtualUicc) -> None:
    """The query written as case 1 (no P3) and as P3=00 answer the same, no data."""
    assert card.transmit(bytes.fromhex("00200001")) == bytes.fromhex("63C3")
    assert card.transmit(bytes.fromhex("0020000100")) == bytes.fromhex("63C3")
    assert card.transmit(bytes.fromhex("002C0001")) == bytes.fromhex("63CA")
    assert card.transmit(bytes.fromhex("002C000100")) == bytes.fromhex("63CA")


# --- PIN1 counting -------------------------------------------------------------------------


def test_empty_verify_never_decrements(card: VirtualUicc) -> None:
    for _ in range(5):
        assert verify(card, 0x01, None) == 0x63C3
    assert verify(card, 0x01, WRONG) == 0x63C2
    for _ in range(5):
        assert verify(card, 0x01, None) == 0x63C2
        assert sw_of(card, cmd(0x2C, 0x01)) == 0x63CA


def test_empty_verify_after_verification_and_when_disabled(card: VirtualUicc) -> None:
    assert verify(card, 0x01, PIN1) == 0x9000
    assert verify(card, 0x01, None) == 0x9000  # already verified
    assert sw_of(card, cmd(0x26, 0x01, PIN1)) == 0x9000
    assert verify(card, 0x01, None) == 0x63C3  # disabled: the counter, nothing spent
    assert verify(card, 0x01, None) == 0x63C3


def test_right_pin_restores_the_counter(card: VirtualUicc) -> None:
    assert verify(card, 0x01, WRONG) == 0x63C2
    assert verify(card, 0x01, WRONG) == 0x63C1
    assert verify(card, 0x01, PIN1) == 0x9000
    card.reset()
    assert retries(card) == 3


@pytest.mark.parametrize("ins", [0x20, 0x24, 0x26, 0x28])
def test_every_pin_command_on_a_blocked_pin_answers_6983(card: VirtualUicc, ins: int) -> None:
    for expected in (0x63C2, 0x63C1, 0x63C0):
        assert verify(card, 0x01, WRONG) == expected
    data = PIN1 + NEW_PIN if ins == 0x24 else PIN1
    assert sw_of(card, cmd(ins, 0x01, data)) == 0x6983
    assert retries(card) == 0
    assert read_imsi(card) == (b"", 0x6982)


def test_wrong_pin_in_change_disable_enable_counts(card: VirtualUicc) -> None:
    assert sw_of(card, cmd(0x24, 0x01, WRONG + NEW_PIN)) == 0x63C2
    assert sw_of(card, cmd(0x26, 0x01, WRONG)) == 0x63C1
    assert sw_of(card, cmd(0x26, 0x01, PIN1)) == 0x9000
    assert retries(card) == 3
    assert sw_of(card, cmd(0x28, 0x01, WRONG)) == 0x63C2
    assert verify(card, 0x01, PIN1) == 0x6984  # still disabled


def test_change_sets_the_new_value(card: VirtualUicc) -> None:
    assert sw_of(card, cmd(0x24, 0x01, PIN1 + NEW_PIN)) == 0x9000
    card.reset()
    assert verify(card, 0x01, PIN1) == 0x63C2
    assert verify(card, 0x01, NEW_PIN) == 0x9000


def test_disable_enable_contradictions(card: VirtualUicc) -> None:
    assert sw_of(card, cmd(0x28, 0x01, PIN1)) == 0x6985  # enable when enabled
    assert sw_of(card, cmd(0x26, 0x01, PIN1)) == 0x9000
    assert sw_of(card, cmd(0x26, 0x01, PIN1)) == 0x6985  # disable when disabled
    assert sw_of(card, cmd(0x24, 0x01, PIN1 + NEW_PIN)) == 0x6984  # change while disabled
    assert retries(card) == 3


# --- UNBLOCK and PUK ------------------------------------------------------------------------


def block_pin1(card: VirtualUicc) -> None:
    for _ in range(3):
        verify(card, 0x01, WRONG)
    assert retries(card) == 0


def test_unblock_sets_enables_and_verifies(card: VirtualUicc) -> None:
    assert sw_of(card, cmd(0x26, 0x01, PIN1)) == 0x9000
    assert verify(card, 0x01, WRONG) == 0x6984  # a disabled PIN is not presented by VERIFY
    assert retries(card) == 3
    for expected in (0x63C2, 0x63C1, 0x63C0):
        assert sw_of(card, cmd(0x28, 0x01, WRONG)) == expected
    assert sw_of(card, cmd(0x2C, 0x01, WRONG + NEW_PIN)) == 0x63C9
    assert sw_of(card, cmd(0x2C, 0x01, PUK1 + NEW_PIN)) == 0x9000
    assert puk_retries(card) == 10
    assert read_imsi(card)[1] == 0x9000  # enabled and verified by UNBLOCK
    _, fcp = fcp_of(card, cmd(0xA4, 0x04, USIM_AID, p1=0x04))
    assert fcp.pin_statuses[0] == PinStatus(0x01, True)
    card.reset()
    assert retries(card) == 3
    assert verify(card, 0x01, NEW_PIN) == 0x9000


def test_unblock_without_block_is_allowed(card: VirtualUicc) -> None:
    assert verify(card, 0x01, WRONG) == 0x63C2
    assert sw_of(card, cmd(0x2C, 0x01, PUK1 + PIN1)) == 0x9000
    card.reset()
    assert retries(card) == 3


def test_puk_exhaustion_is_for_good(card: VirtualUicc) -> None:
    block_pin1(card)
    for left in range(9, -1, -1):
        assert sw_of(card, cmd(0x2C, 0x01, WRONG + NEW_PIN)) == 0x63C0 | left
    for _ in range(3):
        assert sw_of(card, cmd(0x2C, 0x01, PUK1 + NEW_PIN)) == 0x6983
        assert sw_of(card, cmd(0x2C, 0x01)) == 0x63C0
        assert verify(card, 0x01, PIN1) == 0x6983
        assert read_imsi(card) == (b"", 0x6982)
        card.power_off()
        card.power_on()
    assert sw_of(card, cmd(0x2C, 0x00, PUK1 + PIN1, cla=0xA0)) == 0x9840


def test_wrong_puk_leaves_the_pin_alone(card: VirtualUicc) -> None:
    assert verify(card, 0x01, WRONG) == 0x63C2
    assert sw_of(card, cmd(0x2C, 0x01, WRONG + NEW_PIN)) == 0x63C9
    assert retries(card) == 2
    assert verify(card, 0x01, PIN1) == 0x9000


# --- PIN2 and other key references ---------------------------------------------------------


def test_pin2_local_reference_81(card: VirtualUicc) -> None:
    assert verify(card, 0x81, None) == 0x63C3
    assert verify(card, 0x81, PIN1) == 0x63C2  # PIN1's value is not PIN2's
    assert retries(card, 0x01) == 3
    assert verify(card, 0x81, PIN2) == 0x9000
    assert verify(card, 0x81, None) == 0x9000
    for expected in (0x63C2, 0x63C1, 0x63C0):
        assert verify(card, 0x81, WRONG) == expected
    assert verify(card, 0x81, PIN2) == 0x6983
    assert puk_retries(card, 0x81) == 10
    assert sw_of(card, cmd(0x2C, 0x81, PUK1 + NEW_PIN)) == 0x63C9  # PUK1 is not PUK2
    assert sw_of(card, cmd(0x2C, 0x81, PUK2 + NEW_PIN)) == 0x9000
    assert puk_retries(card, 0x01) == 10
    card.reset()
    assert verify(card, 0x81, NEW_PIN) == 0x9000
    assert sw_of(card, cmd(0x26, 0x81, NEW_PIN)) == 0x6985  # PIN2 cannot be disabled


@pytest.mark.parametrize(
    ("p1", "p2", "expected"),
    [
        (0x00, 0x02, 0x6A88),  # PIN Appl 2: a valid reference this card has not
        (0x00, 0x11, 0x6A88),  # universal PIN
        (0x00, 0x00, 0x6B00),  # P2=00 is not a key reference (102 221 Table 9.3)
        (0x00, 0x20, 0x6B00),
        (0x00, 0xFF, 0x6B00),
        (0x01, 0x01, 0x6B00),  # P1 must be 00
    ],
)
def test_unknown_key_references(card: VirtualUicc, p1: int, p2: int, expected: int) -> None:
    assert sw_of(card, cmd(0x20, p2, PIN1, p1=p1)) == expected
    assert retries(card) == 3


@pytest.mark.parametrize(
    ("ins", "data"),
    [
        (0x20, PIN1[:4]),
        (0x20, PIN1 + b"\xff"),
        (0x26, PIN1[:7]),
        (0x28, b"\x31"),
        (0x24, PIN1),
        (0x24, PIN1 + NEW_PIN + b"\xff"),
        (0x2C, PUK1),
        (0x2C, PUK1 + NEW_PIN[:7]),
    ],
)
def test_pin_data_of_wrong_length_is_6700(card: VirtualUicc, ins: int, data: bytes) -> None:
    assert sw_of(card, cmd(ins, 0x01, data)) == 0x6700
    assert retries(card) == 3
    assert puk_retries(card) == 10


@pytest.mark.parametrize(
    "new",
    [
        b"12a4\xff\xff\xff\xff",
        b"123\xff\xff\xff\xff\xff",
        b"12\xff34\xff\xff\xff",
        WRONG,
        b"\x00" * 8,
    ],
)
def test_malformed_new_pin_is_6a80_and_spends_nothing(card: VirtualUicc, new: bytes) -> None:
    assert verify(card, 0x01, WRONG) == 0x63C2
    assert sw_of(card, cmd(0x24, 0x01, PIN1 + new)) == 0x6A80
    assert sw_of(card, cmd(0x2C, 0x01, PUK1 + new)) == 0x6A80
    assert sw_of(card, cmd(0x2C, 0x01, WRONG + new)) == 0x6A80
    assert retries(card) == 2
    assert puk_retries(card) == 10
    assert verify(card, 0x01, PIN1) == 0x9000


def test_adm1_verify_and_counter(card: VirtualUicc) -> None:
    assert len(ADM1) == 8
    assert verify(card, 0x0A, None) == 0x63CA
    assert verify(card, 0x0A, WRONG) == 0x63C9
    assert verify(card, 0x0A, ADM1) == 0x9000
    card.reset()
    assert verify(card, 0x0A, None) == 0x63CA
    assert sw_of(card, cmd(0x2C, 0x0A)) == 0x6A88  # no PUK for ADM


# --- access conditions ---------------------------------------------------------------------


PROTECTED = [
    ("ADF.USIM/EF.IMSI", None, 0x6F07, "transparent"),
    ("DF.GSM/EF.IMSI", 0x7F20, 0x6F07, "transparent"),
    ("DF.GSM/EF.LOCI", 0x7F20, 0x6F7E, "transparent"),
    ("ADF.USIM/EF.SMS", None, 0x6F3C, "record"),
    ("DF.TELECOM/EF.SMS", 0x7F10, 0x6F3C, "record"),
    ("ADF.USIM/EF.MSISDN", None, 0x6F40, "record"),
    ("DF.TELECOM/EF.MSISDN", 0x7F10, 0x6F40, "record"),
]


def read_protected(card: VirtualUicc, df: int | None, fid: int, kind: str) -> tuple[bytes, int]:
    if df is None:
        select_usim(card)
    else:
        assert select(card, 0x3F00) == 0x9000
        assert select(card, df) == 0x9000
    assert select(card, fid) == 0x9000
    fcp = fcp_by_fid(card, fid)
    if kind == "transparent":
        return tx(card, bytes((0x00, 0xB0, 0x00, 0x00, fcp.size or 0)))
    return tx(card, bytes((0x00, 0xB2, 0x01, 0x04, fcp.record_length or 0)))


@pytest.mark.parametrize(("name", "df", "fid", "kind"), PROTECTED, ids=[p[0] for p in PROTECTED])
def test_pin_protected_files(
    card: VirtualUicc, name: str, df: int | None, fid: int, kind: str
) -> None:
    assert read_protected(card, df, fid, kind) == (b"", 0x6982)
    assert verify(card, 0x01, PIN1) == 0x9000
    data, sw = read_protected(card, df, fid, kind)
    assert sw == 0x9000 and data
    card.reset()
    assert read_protected(card, df, fid, kind) == (b"", 0x6982)


@pytest.mark.parametrize(("name", "df", "fid", "kind"), PROTECTED, ids=[p[0] for p in PROTECTED])
def test_readable_when_pin1_disabled(
    card: VirtualUicc, name: str, df: int | None, fid: int, kind: str
) -> None:
    assert sw_of(card, cmd(0x26, 0x01, PIN1)) == 0x9000
    card.power_off()
    card.power_on()  # nothing verified now; the PIN is simply not required
    assert read_protected(card, df, fid, kind)[1] == 0x9000


def test_profile_with_pin1_disabled_reads_imsi_at_once() -> None:
    raw = {
        "card": {"iccid": PROFILE.iccid, "imsi": PROFILE.imsi, "msisdn": PROFILE.msisdn},
        "pins": {
            "pin1": "1234",
            "pin2": "5678",
            "puk1": "12345678",
            "puk2": "87654321",
            "adm1": "88888888",
            "pin1_enabled": False,
        },
    }
    card = VirtualUicc(profile_from_dict(raw))
    data, sw = read_imsi(card)
    assert sw == 0x9000 and decode_imsi(data) == PROFILE.imsi
    assert verify(card, 0x01, PIN1) == 0x6984


def test_always_readable_files(card: VirtualUicc) -> None:
    assert select(card, 0x2FE2) == 0x9000
    data, sw = tx(card, "00B000000A")
    assert sw == 0x9000 and decode_iccid(data) == PROFILE.iccid
    assert select(card, 0x2F00) == 0x9000
    data, sw = tx(card, "00B2010426")  # EF.DIR, record length 38
    assert sw == 0x9000
    record = decode_dir_record(data)
    assert record is not None and record.aid == USIM_AID
    select_usim(card)
    assert select(card, 0x6FAD) == 0x9000
    assert tx(card, "00B0000004")[1] == 0x9000


def test_identity_updates_need_adm1(card: VirtualUicc) -> None:
    new_imsi = bytes.fromhex("080910100000000091")
    assert verify(card, 0x01, PIN1) == 0x9000
    select_usim(card)
    assert select(card, 0x6F07) == 0x9000
    assert sw_of(card, b"\x00\xd6\x00\x00\x09" + new_imsi) == 0x6982
    assert select(card, 0x3F00) == 0x9000
    assert select(card, 0x2FE2) == 0x9000
    assert sw_of(card, b"\x00\xd6\x00\x00\x0a" + b"\x98" * 10) == 0x6982
    assert verify(card, 0x0A, ADM1) == 0x9000
    assert sw_of(card, b"\x00\xd6\x00\x00\x0a" + bytes.fromhex("98881201000000001088")) == 0x9000
    select_usim(card)
    assert select(card, 0x6F07) == 0x9000
    assert sw_of(card, b"\x00\xd6\x00\x00\x09" + new_imsi) == 0x9000
    card.reset()
    assert verify(card, 0x01, PIN1) == 0x9000
    data, sw = read_imsi(card)
    assert (data, sw) == (new_imsi, 0x9000)
    # The same body through DF.GSM (linked file, TS 31.102 §4.2.2).
    assert select(card, 0x3F00) == 0x9000
    assert select(card, 0x7F20) == 0x9000
    assert select(card, 0x6F07) == 0x9000
    assert tx(card, "00B0000009") == (new_imsi, 0x9000)
    assert select(card, 0x3F00) == 0x9000
    assert select(card, 0x2FE2) == 0x9000
    assert tx(card, "00B000000A")[0] == bytes.fromhex("98881201000000001088")


def test_spn_update_needs_adm1_not_pin1(card: VirtualUicc) -> None:
    assert verify(card, 0x01, PIN1) == 0x9000
    select_usim(card)
    assert select(card, 0x6F46) == 0x9000
    assert sw_of(card, b"\x00\xd6\x00\x00\x01\x00") == 0x6982


# --- FCP -----------------------------------------------------------------------------------


def test_fcp_of_mf(card: VirtualUicc) -> None:
    fcp = fcp_by_fid(card, 0x3F00)
    assert fcp.fid == 0x3F00 and fcp.kind is FileKind.DF and fcp.aid is None
    assert fcp.life_cycle == 0x05
    assert fcp.arr == (0x2F06, 1)
    assert fcp.pin_statuses == (PinStatus(0x01, True), PinStatus(0x81, True), PinStatus(0x0A, True))


def test_fcp_of_usim_adf_and_live_ps_do(card: VirtualUicc) -> None:
    select_by_aid = cmd(0xA4, 0x04, USIM_AID, p1=0x04)
    raw, fcp = fcp_of(card, select_by_aid)
    assert fcp.fid is None and fcp.aid == USIM_AID and fcp.kind is FileKind.DF
    assert bytes.fromhex("C60C9001E0830101830181") in raw
    assert sw_of(card, cmd(0x26, 0x01, PIN1)) == 0x9000
    raw, fcp = fcp_of(card, select_by_aid)
    assert bytes.fromhex("C60C900160830101830181") in raw
    assert fcp.pin_statuses[0] == PinStatus(0x01, False)
    assert fcp.pin_statuses[1:] == (PinStatus(0x81, True), PinStatus(0x0A, True))
    assert sw_of(card, cmd(0x28, 0x01, PIN1)) == 0x9000
    assert fcp_by_fid(card, 0x3F00).pin_statuses[0] == PinStatus(0x01, True)


def test_fcp_of_ef_imsi(card: VirtualUicc) -> None:
    select_usim(card)
    raw, fcp = fcp_of(card, cmd(0xA4, 0x04, b"\x6f\x07"))
    assert raw == bytes.fromhex("62178202412183026F078A01058B036F060280020009880138")
    assert (fcp.fid, fcp.kind, fcp.size, fcp.sfi, fcp.arr) == (
        0x6F07,
        FileKind.TRANSPARENT,
        9,
        7,
        (0x6F06, 2),
    )


def test_fcp_of_ef_sms_has_no_sfi(card: VirtualUicc) -> None:
    select_usim(card)
    raw, fcp = fcp_of(card, cmd(0xA4, 0x04, b"\x6f\x3c"))
    assert raw.endswith(bytes.fromhex("8800"))
    assert fcp.kind is FileKind.LINEAR_FIXED
    assert (fcp.record_length, fcp.record_count, fcp.size) == (176, 10, 1760)
    assert fcp.sfi == NO_SFI and fcp.arr == (0x6F06, 3)


def test_fcp_of_mf_files(card: VirtualUicc) -> None:
    iccid = fcp_by_fid(card, 0x2FE2)
    assert (iccid.fid, iccid.kind, iccid.size, iccid.sfi, iccid.arr) == (
        0x2FE2,
        FileKind.TRANSPARENT,
        10,
        2,
        (0x2F06, 1),
    )
    ef_dir = fcp_by_fid(card, 0x2F00)
    assert (ef_dir.kind, ef_dir.record_length, ef_dir.record_count, ef_dir.sfi) == (
        FileKind.LINEAR_FIXED,
        38,
        1,
        0x1E,
    )


def test_arr_records_describe_the_real_rules(card: VirtualUicc) -> None:
    """The EF.ARR record named in EF.IMSI's FCP: READ PIN1, UPDATE ADM1 (docs/sources.md §4.11)."""
    select_usim(card)
    arr_fid, record = fcp_by_fid(card, 0x6F07).arr or (0, 0)
    assert select(card, arr_fid) == 0x9000
    length = fcp_by_fid(card, arr_fid).record_length or 0
    data, sw = tx(card, bytes((0x00, 0xB2, record, 0x04, length)))
    assert sw == 0x9000
    assert data.startswith(bytes.fromhex("800101A406830101950108800102A40683010A950108"))


# --- T=0 delivery and GET RESPONSE ---------------------------------------------------------


def test_select_p2_0c_returns_no_data(card: VirtualUicc) -> None:
    assert tx(card, "00A4000C023F00") == (b"", 0x9000)
    assert tx(card, "00C0000010") == (b"", 0x6985)


def test_get_response_rules(card: VirtualUicc) -> None:
    assert tx(card, "00C0000010") == (b"", 0x6985)  # nothing pending: never 61xx
    data, sw = tx(card, "00A40004022FE2")
    length = sw & 0xFF
    assert sw >> 8 == 0x61 and data == b""
    full = fcp_by_fid(card, 0x2FE2)
    assert tx(card, "00A40004022FE2") == (b"", 0x6100 | length)
    assert tx(card, bytes((0, 0xC0, 0, 0, length + 1))) == (b"", 0x6C00 | length)
    assert tx(card, "00C0000000") == (b"", 0x6C00 | length)  # Le=256
    # After 6Cxx the same GET RESPONSE with Le=xx still finds the data.
    head, sw = tx(card, "00C0000005")
    assert len(head) == 5 and sw == 0x6100 | (length - 5)
    rest, sw = tx(card, bytes((0, 0xC0, 0, 0, length - 5)))
    assert sw == 0x9000 and decode_fcp(head + rest) == full
    assert tx(card, bytes((0, 0xC0, 0, 0, length))) == (b"", 0x6985)  # delivered once


def test_get_response_lost_after_another_command(card: VirtualUicc) -> None:
    assert tx(card, "00A40004023F00")[1] >> 8 == 0x61
    assert tx(card, "0020000100")[1] == 0x63C3
    assert tx(card, "00C0000010") == (b"", 0x6985)


def test_get_response_bad_p1p2_keeps_the_data(card: VirtualUicc) -> None:
    sw = tx(card, "00A40004023F00")[1]
    assert tx(card, bytes((0, 0xC0, 1, 0, sw & 0xFF))) == (b"", 0x6B00)
    data, sw2 = tx(card, bytes((0, 0xC0, 0, 0, sw & 0xFF)))
    assert sw2 == 0x9000 and decode_fcp(data).fid == 0x3F00


def test_select_case4_with_exact_and_long_le(card: VirtualUicc) -> None:
    length = tx(card, "00A40004023F00")[1] & 0xFF
    data, sw = tx(card, bytes.fromhex("00A40004023F00") + bytes((length,)))
    assert sw == 0x9000 and decode_fcp(data).fid == 0x3F00
    assert tx(card, "00A40004023F0000") == (b"", 0x6C00 | length)


# --- READ / UPDATE BINARY ------------------------------------------------------------------


ICCID_RAW = bytes.fromhex("988812010000000010F8")  # 8988211000000000018, nibble-swapped


def test_6cxx_on_relative_select_selects_nothing(card: VirtualUicc) -> None:
    length = tx(card, "00A40004027F20")[1] & 0xFF  # DF.GSM selected
    assert tx(card, "00A4030400") == (b"", 0x6C00 | length)  # parent, Le too long
    data, sw = tx(card, "00A40304" + f"{length:02X}")  # the resend: still DF.GSM's parent
    assert sw == 0x9000 and decode_fcp(data).fid == 0x3F00
    assert select(card, 0x3F00) == 0x9000
    assert tx(card, "00A40904027F2000") == (b"", 0x6C00 | length)  # path from the MF
    data, sw = tx(card, "00A40904027F20" + f"{length:02X}")
    assert sw == 0x9000 and decode_fcp(data).fid == 0x7F20


def test_read_binary_le_forms(card: VirtualUicc) -> None:
    assert select(card, 0x2FE2) == 0x9000
    assert tx(card, "00B000000A") == (ICCID_RAW, 0x9000)
    assert tx(card, "00B0000004") == (ICCID_RAW[:4], 0x9000)
    assert tx(card, "00B0000603") == (ICCID_RAW[6:9], 0x9000)
    assert tx(card, "00B000000B") == (b"", 0x6C0A)
    assert tx(card, "00B0000000") == (b"", 0x6C0A)
    assert tx(card, "00B0000806") == (b"", 0x6C02)
    assert tx(card, "00B00000") == (b"", 0x6700)
    assert tx(card, "00B0000A01") == (b"", 0x6B00)  # offset past the end
    assert tx(card, "00B0FF0001") == (b"", 0x6B00)


def test_read_binary_by_sfi(card: VirtualUicc) -> None:
    assert tx(card, "00B082000A") == (ICCID_RAW, 0x9000)  # SFI 2 in the MF
    assert tx(card, "00B0000002") == (ICCID_RAW[:2], 0x9000)  # EF.ICCID is now current
    assert tx(card, "00B0820801") == (ICCID_RAW[8:9], 0x9000)  # P2 = offset
    assert tx(card, "00B0830001") == (b"", 0x6A82)  # no SFI 3 in the MF
    assert tx(card, "00B0A20001") == (b"", 0x6B00)  # P1 b7-b6 must be 00
    select_usim(card)
    assert tx(card, "00B0870009") == (b"", 0x6982)
    assert verify(card, 0x01, PIN1) == 0x9000
    data, sw = tx(card, "00B0870009")
    assert sw == 0x9000 and decode_imsi(data) == PROFILE.imsi


def test_read_binary_structure_errors(card: VirtualUicc) -> None:
    assert tx(card, "00B0000001") == (b"", 0x6986)  # MF selected: no EF
    assert select(card, 0x2F00) == 0x9000
    assert tx(card, "00B0000001") == (b"", 0x6981)  # a record EF
    assert tx(card, "00B20102FF")[1] == 0x6C26


def test_update_binary_length_rules(card: VirtualUicc) -> None:
    assert verify(card, 0x0A, ADM1) == 0x9000
    assert select(card, 0x2FE2) == 0x9000
    assert sw_of(card, "00D6000902AAAA") == 0x6B00  # past the end
    assert sw_of(card, "00D60009") == 0x6700  # no data
    assert sw_of(card, "00D6000901AA") == 0x9000
    assert tx(card, "00B0000901") == (b"\xaa", 0x9000)


# --- READ / UPDATE RECORD ------------------------------------------------------------------


def test_record_navigation(card: VirtualUicc) -> None:
    assert verify(card, 0x01, PIN1) == 0x9000
    select_usim(card)
    assert select(card, 0x6F3C) == 0x9000
    for number in range(1, 11):
        row = bytes((number,)) + bytes(175)
        assert sw_of(card, b"\x00\xdc" + bytes((number, 0x04, 176)) + row) == 0x9000

    def first(apdu: str) -> int | str:
        data, sw = tx(card, apdu)
        return data[0] if sw == 0x9000 else f"{sw:04X}"

    assert first("00B20004B0") == 10  # absolute 0 = current record: the last one written
    assert select(card, 0x6F3C) == 0x9000  # a new SELECT forgets the current record
    assert first("00B20004B0") == "6A83"
    assert first("00B20002B0") == 1  # next from none: the first
    assert first("00B20002B0") == 2
    assert first("00B20003B0") == 1  # previous
    assert first("00B20003B0") == "6A83"
    assert first("00B20504B0") == 5
    assert first("00B20004B0") == 5
    assert first("00B2FF04B0") == "6A83"
    assert first("00B20B04B0") == "6A83"
    assert select(card, 0x6F3C) == 0x9000
    assert first("00B20003B0") == 10  # previous from none: the last
    assert first("00B20002B0") == "6A83"  # next past the end
    assert first("00B20100B0") == "6A86"  # P2 mode 00 is not defined
    assert first("00B20105B0") == "6A86"
    assert tx(card, "00B20104FF") == (b"", 0x6CB0)
    assert tx(card, "00B20104") == (b"", 0x6700)


def test_6cxx_on_read_record_does_not_move_the_record_pointer(card: VirtualUicc) -> None:
    assert verify(card, 0x01, PIN1) == 0x9000
    select_usim(card)
    assert select(card, 0x6F3C) == 0x9000
    for number in (1, 2, 3):
        assert (
            sw_of(card, b"\x00\xdc" + bytes((number, 0x04, 176)) + bytes((number,)) * 176) == 0x9000
        )
    assert select(card, 0x6F3C) == 0x9000
    assert tx(card, "00B20002FF") == (b"", 0x6CB0)
    assert tx(card, "00B20002B0")[0][:1] == b"\x01"  # the resend reads record 1
    assert tx(card, "00B2000200") == (b"", 0x6CB0)
    assert tx(card, "00B20002B0")[0][:1] == b"\x02"
    assert tx(card, "00B20003FF") == (b"", 0x6CB0)
    assert tx(card, "00B20003B0")[0][:1] == b"\x01"
    assert select(card, 0x3F00) == 0x9000
    assert tx(card, "00B201F4FF") == (b"", 0x6C26)  # by SFI: EF.DIR
    assert tx(card, "00B200F426")[1] == 0x6A83  # no current record yet


def test_read_record_by_sfi(card: VirtualUicc) -> None:
    select_usim(card)
    data, sw = tx(card, "00B201F426")  # SFI 1E is in the MF, not in the ADF
    assert (data, sw) == (b"", 0x6A82)
    assert select(card, 0x3F00) == 0x9000
    data, sw = tx(card, "00B201F426")  # P2 = 1E << 3 | 04
    assert sw == 0x9000
    record = decode_dir_record(data)
    assert record is not None and record.aid == USIM_AID and record.label == "USIM"
    assert tx(card, "00B2000426") == (data, 0x9000)  # EF.DIR now current, record 1 too
    assert tx(card, "00B2000226") == (b"", 0x6A83)  # one record only


def test_update_record_rules(card: VirtualUicc) -> None:
    select_usim(card)
    assert select(card, 0x6F3C) == 0x9000
    row = b"\x03" + bytes(range(175))
    assert sw_of(card, b"\x00\xdc\x02\x04\xb0" + row) == 0x6982
    assert verify(card, 0x01, PIN1) == 0x9000
    assert sw_of(card, b"\x00\xdc\x02\x04\xaf" + row[:-1]) == 0x6700
    assert sw_of(card, b"\x00\xdc\x0b\x04\xb0" + row) == 0x6A83
    assert sw_of(card, b"\x00\xdc\x02\x04\xb0" + row) == 0x9000
    assert tx(card, "00B20204B0") == (row, 0x9000)
    assert select(card, 0x6F07) == 0x9000
    assert sw_of(card, b"\x00\xdc\x01\x04\xb0" + row) == 0x6981


# --- MANAGE CHANNEL and STATUS -------------------------------------------------------------


def test_manage_channel(card: VirtualUicc) -> None:
    assert tx(card, "0070000001") == (b"\x01", 0x9000)
    assert tx(card, "01A4000C022FE2") == (b"", 0x9000)
    assert tx(card, "01B0000002") == (ICCID_RAW[:2], 0x9000)
    assert tx(card, "00B0000002") == (b"", 0x6986)  # channel 0 still on the MF
    assert verify(card, 0x01, PIN1) == 0x9000  # PIN status is valid on all channels
    select_usim(card)
    assert tx(card, "01A4040C" + f"{len(USIM_AID):02X}" + USIM_AID.hex())[1] == 0x9000
    assert tx(card, "01A4000C026F07")[1] == 0x9000
    assert tx(card, "01B0000009")[1] == 0x9000
    assert tx(card, "0070000001") == (b"\x02", 0x9000)
    assert tx(card, "0070000001") == (b"\x03", 0x9000)
    assert tx(card, "0070000001") == (b"", 0x6881)  # channels 1-3 only
    assert sw_of(card, "0070800200") == 0x9000
    assert sw_of(card, "02A4000C023F00") == 0x6881
    assert sw_of(card, "0070800200") == 0x6A86  # closed already
    assert sw_of(card, "0070800000") == 0x6A86  # the basic channel stays
    assert sw_of(card, "0070000200") == 0x9000  # open channel 2 by number
    assert sw_of(card, "0070000200") == 0x6A86  # already open


def test_manage_channel_wrong_le_opens_nothing(card: VirtualUicc) -> None:
    assert tx(card, "0070000000") == (b"", 0x6C01)
    assert tx(card, "0070000002") == (b"", 0x6C01)
    assert sw_of(card, "01A4000C023F00") == 0x6881
    assert tx(card, "0070000001") == (b"\x01", 0x9000)  # the resend opens channel 1


def test_manage_channel_without_le_answers_6101(card: VirtualUicc) -> None:
    assert tx(card, "00700000") == (b"", 0x6101)
    assert tx(card, "00C0000001") == (b"\x01", 0x9000)


def test_status(card: VirtualUicc) -> None:
    select_usim(card)
    sw = tx(card, "80F20000")[1]
    assert sw >> 8 == 0x61
    data, sw2 = tx(card, bytes((0x80, 0xF2, 0, 0, sw & 0xFF)))
    assert sw2 == 0x9000 and decode_fcp(data).aid == USIM_AID
    assert tx(card, "80F2000C") == (b"", 0x9000)
    assert tx(card, "80F2010C") == (b"", 0x9000)
    data, sw = tx(card, bytes.fromhex("80F20001") + bytes((2 + len(USIM_AID),)))
    assert (data, sw) == (b"\x84" + bytes((len(USIM_AID),)) + USIM_AID, 0x9000)
    assert tx(card, "80F2030000") == (b"", 0x6A86)
    assert tx(card, "80F2000200") == (b"", 0x6A86)
    assert tx(card, "00F2000000") == (b"", 0x6E00)


# --- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "00", "00A4", "00A400", "A0A400"])
def test_too_short(card: VirtualUicc, raw: str) -> None:
    assert card.transmit(bytes.fromhex(raw)) == bytes.fromhex("6700")


@pytest.mark.parametrize(
    "raw",
    [
        "00A40004033F00",
        "00A40004013F00",
        "00A40004023F",
        "00A40004043F000000AA",
        "0020000109" + PIN1.hex(),
        "00200001000102",
    ],
)
def test_lc_not_matching_data(card: VirtualUicc, raw: str) -> None:
    assert card.transmit(bytes.fromhex(raw)) == bytes.fromhex("6700")
    assert retries(card) == 3


@pytest.mark.parametrize("cla", [0x10, 0x20, 0x84, 0x90, 0xB0, 0xC0, 0xE0, 0xFF])
def test_unknown_cla(card: VirtualUicc, cla: int) -> None:
    assert sw_of(card, bytes((cla, 0xA4, 0x00, 0x04, 0x02, 0x3F, 0x00))) == 0x6E00
    assert sw_of(card, bytes((cla, 0x20, 0x00, 0x01, 0x08)) + WRONG) == 0x6E00
    assert retries(card) == 3


@pytest.mark.parametrize("cla", [0x40, 0x41, 0x4F, 0x60, 0x7F])
def test_logical_channels_4_and_up(card: VirtualUicc, cla: int) -> None:
    assert sw_of(card, bytes((cla, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00))) == 0x6881


@pytest.mark.parametrize("cla", [0x01, 0x02, 0x03, 0x81])
def test_unopened_channels(card: VirtualUicc, cla: int) -> None:
    assert sw_of(card, bytes((cla, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00))) == 0x6881


@pytest.mark.parametrize("ins", [0x00, 0x02, 0x0E, 0x84, 0x88, 0xA2, 0xCA, 0xE2, 0xFE])
def test_unknown_ins(card: VirtualUicc, ins: int) -> None:
    assert sw_of(card, bytes((0x00, ins, 0x00, 0x00))) == 0x6D00
    assert sw_of(card, bytes((0x80, ins, 0x00, 0x00))) == 0x6D00


@pytest.mark.parametrize("ins", [0xA4, 0xB0, 0xB2, 0x20, 0x2C])
def test_interindustry_ins_under_cla_80(card: VirtualUicc, ins: int) -> None:
    assert sw_of(card, bytes((0x80, ins, 0x00, 0x01))) == 0x6E00


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00A40504023F00", 0x6A86),  # P1=05 is not a selection mode
        ("00A4FF04023F00", 0x6A86),
        ("00A40001023F00", 0x6A86),  # P2 b2-b1 on FID selection
        ("00A400FF023F00", 0x6A86),
        ("00A40042023F00", 0x6A86),
        ("00A4000C033F0000", 0x6700),  # FID of 3 bytes
        ("00A4080C033F0000", 0x6700),  # odd path
        ("00A4040C00", 0x6700),
    ],
)
def test_select_parameter_errors(card: VirtualUicc, raw: str, expected: int) -> None:
    assert sw_of(card, raw) == expected


@pytest.mark.parametrize("fid", [0x0000, 0x2FE3, 0x6F07, 0x7F30, 0xFFFF, 0x3FFF])
def test_select_unknown_fid(card: VirtualUicc, fid: int) -> None:
    for p2 in (0x04, 0x0C):
        assert select(card, fid, p2) == 0x6A82
    assert tx(card, "00C0000001") == (b"", 0x6985)


@pytest.mark.parametrize(
    "aid",
    [
        ISD_R,
        ECASD,
        ISD_R[:8],
        bytes.fromhex("A0000000871004"),
        USIM_AID + b"\x00",
        bytes.fromhex("A000000151000000"),
        b"\xa1",
    ],
    ids=["ISD-R", "ECASD", "ISD-R-prefix", "ISIM", "USIM+1", "GP-ISD", "A1"],
)
def test_unknown_aids_are_6a82(card: VirtualUicc, aid: bytes) -> None:
    for p2 in (0x00, 0x04, 0x0C):
        assert sw_of(card, cmd(0xA4, p2, aid, p1=0x04)) == 0x6A82
    assert sw_of(card, cmd(0xA4, 0x0C, b"\x7f\xff")) == 0x6A82  # still no application


@pytest.mark.parametrize("length", [5, 7, len(USIM_AID)])
def test_partial_aid_selects_the_usim(card: VirtualUicc, length: int) -> None:
    _, fcp = fcp_of(card, cmd(0xA4, 0x04, USIM_AID[:length], p1=0x04))
    assert fcp.aid == USIM_AID


def test_aid_occurrences(card: VirtualUicc) -> None:
    """One application: first and last occurrence are the USIM; there is no next or
    previous one (6A82, so that tools enumerating applications stop), and an
    occurrence on FID selection is a parameter error."""
    assert sw_of(card, cmd(0xA4, 0x0D, USIM_AID[:7], p1=0x04)) == 0x9000  # last
    assert sw_of(card, cmd(0xA4, 0x0E, USIM_AID[:7], p1=0x04)) == 0x6A82  # next
    assert sw_of(card, cmd(0xA4, 0x0F, USIM_AID[:7], p1=0x04)) == 0x6A82  # previous
    assert sw_of(card, cmd(0xA4, 0x02, ISD_R, p1=0x04)) == 0x6A82
    assert sw_of(card, cmd(0xA4, 0x0D, b"\x3f\x00")) == 0x6A86
    assert sw_of(card, cmd(0xA4, 0x4C, USIM_AID, p1=0x04)) == 0x6A86  # no session termination


def test_selection_paths(card: VirtualUicc) -> None:
    assert sw_of(card, "00A4080C047F206F07") == 0x9000  # path from the MF
    assert tx(card, "00B0000009") == (b"", 0x6982)  # EF.IMSI selected
    assert sw_of(card, "00A4080C047F206F99") == 0x6A82
    assert sw_of(card, "00A4090C026F07") == 0x9000  # from the current DF (DF.GSM)
    assert sw_of(card, "00A4030C") == 0x9000  # parent of DF.GSM: the MF
    assert sw_of(card, "00A4030C") == 0x6A82  # the MF has no parent
    select_usim(card)
    assert sw_of(card, "00A4000C027FFF") == 0x9000  # the current application
    assert sw_of(card, "00A4090C047FFF6F07") == 0x9000
    assert sw_of(card, "00A4000C027F10") == 0x9000  # a sibling DF of the ADF
    assert sw_of(card, "00A4000C026F07") == 0x6A82  # not a child of DF.TELECOM


# --- volatile vs non-volatile --------------------------------------------------------------


def power_cycle(card: VirtualUicc) -> None:
    card.power_off()
    assert not card.powered
    assert card.power_on() == ATR


def warm_reset(card: VirtualUicc) -> None:
    assert card.reset() == ATR


@pytest.mark.parametrize("restart", [power_cycle, warm_reset], ids=["power-cycle", "reset"])
def test_restart_clears_volatile_state(
    card: VirtualUicc, restart: Callable[[VirtualUicc], None]
) -> None:
    assert verify(card, 0x01, PIN1) == 0x9000
    assert verify(card, 0x81, PIN2) == 0x9000
    assert verify(card, 0x0A, ADM1) == 0x9000
    assert tx(card, "0070000001") == (b"\x01", 0x9000)
    select_usim(card)
    assert select(card, 0x6F3C) == 0x9000
    row = b"\x01" + bytes(175)
    assert sw_of(card, b"\x00\xdc\x01\x04\xb0" + row) == 0x9000
    assert verify(card, 0x81, WRONG) == 0x63C2
    assert tx(card, "00A40004026F07")[1] >> 8 == 0x61  # GET RESPONSE data pending
    restart(card)
    assert tx(card, "00C0000010") == (b"", 0x6985)  # pending data gone
    assert tx(card, "00B20104B0") == (b"", 0x6986)  # current file: the MF again
    assert sw_of(card, "01A4000C023F00") == 0x6881  # channel 1 closed
    assert verify(card, 0x01, None) == 0x63C3  # not verified any more
    assert verify(card, 0x0A, None) == 0x63CA
    assert verify(card, 0x81, None) == 0x63C2  # counters kept
    assert read_imsi(card) == (b"", 0x6982)
    assert verify(card, 0x01, PIN1) == 0x9000
    select_usim(card)
    assert select(card, 0x6F3C) == 0x9000
    assert tx(card, "00B20104B0") == (row, 0x9000)  # file contents kept


def test_transmit_while_powered_off_answers_after_an_implicit_reset(card: VirtualUicc) -> None:
    assert verify(card, 0x01, PIN1) == 0x9000
    card.power_off()
    assert verify(card, 0x01, None) == 0x63C3


def test_select_child_df_by_fid(card: VirtualUicc) -> None:
    """P1=01 (TS 102 221 Table 11.1): a DF directly under the current DF, nothing else."""
    card.power_on()
    assert sw_of(card, "00A4010C027F20") == 0x9000
    assert sw_of(card, "00A4010C026F07") == 0x6A82  # an EF is not a child DF
    assert sw_of(card, "00A4010C027F10") == 0x6A82  # a sibling, not a child


def test_pin2_is_not_addressable_outside_the_application(card: VirtualUicc) -> None:
    """Key reference 81 is local to ADF.USIM: from the MF it is not found (6A88)."""
    card.power_on()
    assert sw_of(card, "0020008100") == 0x6A88
    assert sw_of(card, cmd(0x20, 0x81, PIN2)) == 0x6A88
    select_usim(card)
    assert sw_of(card, "0020008100") == 0x63C3
    assert select(card, 0x3F00) == 0x9000
    assert sw_of(card, "002C008100") == 0x6A88
