"""TP-UD handling and the SMS-DELIVER / SUBMIT / STATUS-REPORT TPDUs (23.040 §9.2.2)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.errors import CodecError
from harness.sms.address import Address, TypeOfNumber
from harness.sms.dcs import Alphabet, DataCoding
from harness.sms.gsm7 import ESC, GSM7_BASIC, GSM7_EXTENSION, septet_length
from harness.sms.status_report import SmsStatusReport, StatusCategory
from harness.sms.tpdu import SmsDeliver, SmsSubmit, decode_tpdu
from harness.sms.udh import Concatenation, PortAddressing, UserDataHeader
from harness.sms.userdata import (
    UserData,
    decode_user_data,
    encode_ucs2,
    encode_user_data,
    header_septets,
)
from harness.sms.validity import AbsoluteValidity, EnhancedValidity, RelativeValidity

GSM7_CHARS = sorted({ch for i, ch in enumerate(GSM7_BASIC) if i != ESC} | set(GSM7_EXTENSION))
GSM7 = DataCoding(0x00)
UCS2 = DataCoding(0x08)
DATA = DataCoding(0x04)
NOON = datetime(2024, 2, 29, 12, 0, 0, tzinfo=UTC)
CONCAT = UserDataHeader.build(Concatenation(7, 2, 1))


def test_header_septets() -> None:
    assert header_septets(6) == (7, 1)  # docs/sources.md §5.6: 6-octet UDH -> 7 septets
    assert header_septets(7) == (8, 0)
    assert header_septets(1) == (2, 6)


def test_gsm7_with_header_counts_header_septets() -> None:
    udl, ud = encode_user_data(GSM7, UserData("hi", header=CONCAT))
    assert udl == 9
    assert ud[:6] == bytes.fromhex("050003070201")
    assert ud[6] & 0x01 == 0  # the fill bit
    assert decode_user_data(GSM7, True, udl, ud) == UserData("hi", header=CONCAT)


def test_fill_value_is_kept() -> None:
    udl, ud = encode_user_data(GSM7, UserData("hi", header=CONCAT, fill=1))
    assert ud[6] & 0x01 == 1
    assert decode_user_data(GSM7, True, udl, ud).fill == 1
    with pytest.raises(CodecError, match="fill value 2"):
        encode_user_data(GSM7, UserData("hi", header=CONCAT, fill=2))


def test_ucs2_surrogate_pairs() -> None:
    udl, ud = encode_user_data(UCS2, UserData("a😀"))
    assert (udl, ud) == (6, bytes.fromhex("0061D83DDE00"))
    assert decode_user_data(UCS2, False, udl, ud).text == "a😀"
    lone = decode_user_data(UCS2, False, 2, bytes.fromhex("D83D")).text
    assert lone == "\ud83d"  # half a pair is kept for concat to rejoin
    assert encode_user_data(UCS2, UserData(lone)) == (2, bytes.fromhex("D83D"))


def test_data_and_headers_in_octet_codings() -> None:
    header = UserDataHeader.build(ports=PortAddressing(2948, 9200))
    udl, ud = encode_user_data(DATA, UserData(data=b"\x01\x02", header=header))
    assert udl == 9
    assert decode_user_data(DATA, True, udl, ud + b"\xff\xff") == UserData(
        data=b"\x01\x02", header=header
    )
    compressed = DataCoding(0x20)
    assert encode_user_data(compressed, UserData(data=b"\x99")) == (1, b"\x99")
    assert decode_user_data(compressed, False, 1, b"\x99") == UserData(data=b"\x99")


@pytest.mark.parametrize(
    ("dcs", "user_data", "message"),
    [
        (GSM7, UserData("x" * 161), "161 septets"),
        (GSM7, UserData("€" * 81), "162 septets"),
        (GSM7, UserData("x" * 154, header=CONCAT), "161 septets"),
        (UCS2, UserData("ы" * 71), "142 octets"),
        (DATA, UserData(data=bytes(141)), "141 octets"),
        (GSM7, UserData("тест"), "not in the GSM 7-bit"),
        (GSM7, UserData(data=b"\x01"), "raw data needs an 8-bit DCS"),
        (UCS2, UserData(data=b"\x01"), "raw data needs an 8-bit DCS"),
        (DATA, UserData("text"), "pass data, not text"),
    ],
)
def test_encode_errors(dcs: DataCoding, user_data: UserData, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        encode_user_data(dcs, user_data)


def test_limits_are_inclusive() -> None:
    assert encode_user_data(GSM7, UserData("x" * 160))[0] == 160
    assert encode_user_data(GSM7, UserData("x" * 153, header=CONCAT))[0] == 160
    assert encode_user_data(UCS2, UserData("ы" * 70))[0] == 140
    assert encode_user_data(UCS2, UserData("ы" * 67, header=CONCAT))[0] == 140


@pytest.mark.parametrize(
    ("dcs", "udhi", "udl", "hex_ud", "message"),
    [
        (GSM7, False, 10, "E8329BFD4697D9EC", "needs 9 octets"),
        (GSM7, True, 6, "050003070201", "shorter than the 7-septet"),
        (GSM7, True, 10, "0900030702010000000000", "declares 9 octets"),
        (UCS2, False, 3, "004100", "odd number"),
        (UCS2, False, 4, "0041", "only 2 octets"),
        (DATA, True, 0, "", "user data header missing"),
    ],
)
def test_decode_errors(dcs: DataCoding, udhi: bool, udl: int, hex_ud: str, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        decode_user_data(dcs, udhi, udl, bytes.fromhex(hex_ud))


def test_deliver_flags_and_first_octet() -> None:
    message = SmsDeliver(
        Address.parse("+4912"),
        NOON,
        UserData("x", header=CONCAT),
        more_messages=True,
        loop_prevention=True,
        status_report_indication=True,
        reply_path=True,
    )
    raw = message.encode()
    assert raw[0] == 0b1110_1000  # RP UDHI SRI LP, MMS=0 (more waiting), MTI 00
    assert SmsDeliver.decode(raw) == message


def test_submit_first_octet_carries_vpf() -> None:
    destination = Address.parse("+4912")
    assert SmsSubmit(destination).encode()[0] == 0x01
    assert SmsSubmit(destination, validity=RelativeValidity(1)).encode()[0] == 0x11
    assert SmsSubmit(destination, validity=EnhancedValidity(bytes(7))).encode()[0] == 0x09
    assert SmsSubmit(destination, validity=AbsoluteValidity(NOON)).encode()[0] == 0x19
    assert SmsSubmit(destination, reject_duplicates=True).encode()[0] == 0x05
    with pytest.raises(CodecError, match="TP-MR 256"):
        SmsSubmit(destination, message_reference=256).encode()
    with pytest.raises(CodecError, match="TP-PID -1"):
        SmsSubmit(destination, pid=-1).encode()


def test_decode_checks_mti() -> None:
    deliver = SmsDeliver(Address("1"), NOON).encode()
    submit = SmsSubmit(Address("1")).encode()
    with pytest.raises(CodecError, match="not SMS-SUBMIT"):
        SmsSubmit.decode(deliver)
    with pytest.raises(CodecError, match="not SMS-DELIVER"):
        SmsDeliver.decode(submit)
    with pytest.raises(CodecError, match="not SMS-STATUS-REPORT"):
        SmsStatusReport.decode(submit)
    with pytest.raises(CodecError, match="reserved"):
        decode_tpdu(b"\x03\x00")
    with pytest.raises(CodecError, match="empty"):
        decode_tpdu(b"")
    assert isinstance(decode_tpdu(deliver), SmsDeliver)
    assert isinstance(decode_tpdu(submit), SmsSubmit)


REPORT = SmsStatusReport(
    message_reference=0x27,
    recipient=Address.parse("+77777777777"),
    timestamp=NOON,
    discharge_time=NOON + timedelta(seconds=2),
)


def test_status_categories() -> None:
    cases = {0x00: StatusCategory.COMPLETED, 0x02: StatusCategory.COMPLETED,
             0x20: StatusCategory.TEMPORARY_TRYING, 0x41: StatusCategory.PERMANENT,
             0x63: StatusCategory.TEMPORARY_GAVE_UP, 0x80: StatusCategory.RESERVED}  # fmt: skip
    for status, category in cases.items():
        report = SmsStatusReport(**{**REPORT.__dict__, "status": status})
        assert report.category is category
        assert report.delivered is (category is StatusCategory.COMPLETED)


def test_status_report_optional_parameters() -> None:
    full = SmsStatusReport(
        **{**REPORT.__dict__, "pid": 0x00, "dcs": UCS2, "user_data": UserData("ок")}
    )
    raw = full.encode()
    assert raw[25:] == bytes.fromhex("07 00 08 04 043E043A")  # PI PID DCS UDL UD
    assert SmsStatusReport.decode(raw) == full
    gsm_default = SmsStatusReport(**{**REPORT.__dict__, "user_data": UserData("ok")})
    assert gsm_default.encode()[25] == 0x04  # UDL only: DCS absent means GSM 7-bit
    assert SmsStatusReport.decode(gsm_default.encode()) == gsm_default


def test_status_report_padding_and_reserved_indicator() -> None:
    raw = REPORT.encode()
    assert len(raw) == 25
    # 0xFF padding (EF.SMSR record) would read as a TP-PI with reserved bits: ignored.
    assert SmsStatusReport.decode(raw + b"\xff" * 4) == REPORT
    # An extension octet after TP-PI is skipped; its bits are all reserved.
    assert SmsStatusReport.decode(raw + bytes.fromhex("8100 7F")) == SmsStatusReport(
        **{**REPORT.__dict__, "pid": 0x7F}
    )
    with pytest.raises(CodecError, match="TP-PID"):
        SmsStatusReport.decode(raw + b"\x01")


digits = st.text(alphabet="0123456789", min_size=1, max_size=20)
addresses = st.builds(Address, digits, st.sampled_from([0, 1, 2]), st.sampled_from([0, 1, 8])) | (
    st.text(alphabet=st.sampled_from(GSM7_CHARS), max_size=11)
    .map(lambda t: _fit(t, lambda x: septet_length(x) <= 11))
    .map(Address.alphanumeric)
)
moments = st.builds(
    lambda moment, quarters: moment.replace(
        microsecond=0, tzinfo=timezone(timedelta(minutes=15 * quarters))
    ),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)),
    st.integers(-79, 79),
)
headers = st.none() | st.builds(
    lambda ref, total, seq: UserDataHeader.build(Concatenation(ref, total, min(seq, total))),
    st.integers(0, 255),
    st.integers(1, 255),
    st.integers(1, 255),
)


def _fit(text: str, fits: Callable[[str], bool]) -> str:
    """Longest prefix of `text` that fits (shrinking beats filtering for speed)."""
    while not fits(text):
        text = text[:-1]
    return text


@st.composite
def user_data_with_coding(draw: st.DrawFn) -> tuple[UserData, DataCoding]:
    alphabet = draw(st.sampled_from(list(Alphabet)))
    dcs = DataCoding.general(alphabet)
    header = draw(headers)
    room = 140 - (header.length if header is not None else 0)
    if alphabet is Alphabet.GSM7:
        limit = 160 - (header_septets(header.length)[0] if header is not None else 0)
        text = draw(st.text(alphabet=st.sampled_from(GSM7_CHARS), max_size=limit))
        return UserData(_fit(text, lambda t: septet_length(t) <= limit), header=header), dcs
    if alphabet is Alphabet.UCS2:
        text = _fit(draw(st.text(max_size=room // 2)), lambda t: len(encode_ucs2(t)) <= room)
        return UserData(text, header=header), dcs
    return UserData(data=draw(st.binary(max_size=room)), header=header), dcs


@given(addresses, moments, user_data_with_coding(), st.integers(0, 255), st.booleans())
def test_deliver_round_trip(
    originator: Address,
    timestamp: datetime,
    payload: tuple[UserData, DataCoding],
    pid: int,
    flag: bool,
) -> None:
    user_data, dcs = payload
    message = SmsDeliver(originator, timestamp, user_data, dcs, pid, flag, not flag, flag, flag)
    assert SmsDeliver.decode(message.encode()) == message


validities = st.none() | st.one_of(
    st.builds(RelativeValidity, st.integers(0, 255)),
    st.builds(AbsoluteValidity, moments),
    st.builds(EnhancedValidity, st.binary(min_size=7, max_size=7)),
)


@given(addresses, user_data_with_coding(), st.integers(0, 255), validities, st.booleans())
def test_submit_round_trip(
    destination: Address,
    payload: tuple[UserData, DataCoding],
    reference: int,
    validity: RelativeValidity | AbsoluteValidity | EnhancedValidity | None,
    flag: bool,
) -> None:
    user_data, dcs = payload
    message = SmsSubmit(destination, user_data, dcs, reference, 0x41, validity, flag, flag, flag)
    assert decode_tpdu(message.encode()) == message


@given(addresses, moments, moments, st.integers(0, 255), st.booleans())
def test_status_report_round_trip(
    recipient: Address, sent: datetime, done: datetime, status: int, flag: bool
) -> None:
    report = SmsStatusReport(7, recipient, sent, done, status, flag, flag, not flag)
    assert decode_tpdu(report.encode()) == report


def test_alphanumeric_type_constant() -> None:
    assert Address.alphanumeric("x").ton is TypeOfNumber.ALPHANUMERIC
