"""TP-OA/TP-DA and SMSC address fields (23.040 §9.1.2.5, 24.011 §8.2.5; docs/sources.md §5.2)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.errors import CodecError
from harness.sms.address import (
    Address,
    NumberingPlan,
    TypeOfNumber,
    decode_address,
    decode_smsc,
    encode_address,
    encode_smsc,
)
from harness.sms.gsm7 import ESC, GSM7_BASIC, GSM7_EXTENSION, septet_length

GSM7_CHARS = sorted({ch for i, ch in enumerate(GSM7_BASIC) if i != ESC} | set(GSM7_EXTENSION))


@pytest.mark.parametrize(
    ("hex_field", "address", "text"),
    [
        ("0B917228195339F4", Address.parse("+27829135934"), "+27829135934"),
        ("06D061F118", Address.alphanumeric("abc"), "abc"),
        ("0ED04669D0397C26A7", Address.alphanumeric("FRANCOIS"), "FRANCOIS"),
        ("14D04937BD2C7797E9D3E614", Address.alphanumeric("InternetSMS"), "InternetSMS"),
        ("0781721881F8", Address("2781188"), "2781188"),
        ("0080", Address("", TypeOfNumber.UNKNOWN, NumberingPlan.UNKNOWN), ""),
    ],
)
def test_tp_address_vectors(hex_field: str, address: Address, text: str) -> None:
    raw = bytes.fromhex(hex_field)
    assert decode_address(raw + b"\xaa") == (address, len(raw))
    assert encode_address(address) == raw
    assert str(address) == text


def test_parse_picks_type_of_address() -> None:
    assert Address.parse("+4930123").type_octet == 0x91
    assert Address.parse("030123").type_octet == 0x81
    assert Address.parse("*100#").type_octet == 0x81
    assert Address.parse("Bank").type_octet == 0xD0
    assert Address("123", TypeOfNumber.NATIONAL).type_octet == 0xA1


def test_bcd_special_digits_round_trip() -> None:
    # 24.008 table 10.5.118: A=* B=# C=a D=b E=c
    raw = encode_address(Address("*#abc"))
    assert raw == bytes.fromhex("0581BADCFE")
    assert decode_address(raw)[0].value == "*#abc"


def test_reserved_numbering_plan_survives() -> None:
    address, _ = decode_address(bytes.fromhex("038217F2"))
    assert (address.ton, address.npi, address.value) == (TypeOfNumber.UNKNOWN, 2, "712")
    assert encode_address(address) == bytes.fromhex("038217F2")


@pytest.mark.parametrize(
    ("hex_field", "message"),
    [
        ("0B9172281953", "truncated"),
        ("05", "truncated"),
        ("", "truncated"),
        ("0481F121", "filler nibble F at digit 2"),
    ],
)
def test_bad_tp_address(hex_field: str, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        decode_address(bytes.fromhex(hex_field))


def test_encode_limits() -> None:
    with pytest.raises(CodecError, match="more than 20 digits"):
        encode_address(Address("1" * 21))
    with pytest.raises(CodecError, match="at most 11"):
        encode_address(Address.alphanumeric("ABCDEFGHIJ€"))  # 12 septets
    with pytest.raises(CodecError, match="not a BCD digit"):
        Address("12-3")
    with pytest.raises(CodecError, match="GSM 7-bit"):
        Address.alphanumeric("Банк")
    with pytest.raises(CodecError, match="out of range"):
        Address("1", 8, 1)


def test_smsc_field() -> None:
    raw = bytes.fromhex("07912143658709F1")
    assert decode_smsc(raw + b"\x04") == (Address.parse("+12345678901"), 8)
    assert encode_smsc(Address.parse("+12345678901")) == raw
    assert encode_smsc(None) == b"\x00"
    assert decode_smsc(b"\x00\x04") == (None, 1)
    assert decode_smsc(bytes.fromhex("0591721891F1"))[0] == Address.parse("+2781191")


@pytest.mark.parametrize(
    ("hex_field", "message"),
    [("", "missing"), ("07912143", "declares 7 octets"), ("02D041", "alphanumeric"),
     ("0391F121", "filler nibble F")],
)  # fmt: skip
def test_bad_smsc(hex_field: str, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        decode_smsc(bytes.fromhex(hex_field))


def test_smsc_cannot_be_alphanumeric() -> None:
    with pytest.raises(CodecError, match="must be a number"):
        encode_smsc(Address.alphanumeric("SMSC"))


@given(
    st.text(alphabet="0123456789*#abc", max_size=20),
    st.sampled_from([t for t in TypeOfNumber if t != TypeOfNumber.ALPHANUMERIC]),
    st.integers(0, 15),
)
def test_numeric_round_trip(digits: str, ton: TypeOfNumber, npi: int) -> None:
    address = Address(digits, ton, npi)
    raw = encode_address(address)
    assert raw[0] == len(digits)
    assert decode_address(raw) == (address, len(raw))
    assert decode_smsc(encode_smsc(address))[0] == address


@given(st.text(alphabet=st.sampled_from(GSM7_CHARS)).filter(lambda t: septet_length(t) <= 11))
def test_alphanumeric_round_trip(text: str) -> None:
    address = Address.alphanumeric(text)
    raw = encode_address(address)
    assert len(raw) <= 12  # 23.040 §9.1.2.5: whole field at most 12 octets
    assert decode_address(raw) == (address, len(raw))
