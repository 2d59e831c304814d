"""AT PDU mode: SMSC field + TPDU as hex (27.005 §3.1), and the docs/sources.md §5.8 vectors."""

from __future__ import annotations

import pytest

from harness.errors import CodecError
from harness.sms.address import Address
from harness.sms.pdu import SmsPdu, hex_to_bytes
from harness.sms.tpdu import SmsDeliver, SmsSubmit
from harness.sms.userdata import UserData
from harness.sms.vectors import PDU_VECTORS, PduVector


@pytest.mark.parametrize("vector", PDU_VECTORS, ids=[v.name.split(":")[0] for v in PDU_VECTORS])
def test_vector_decodes_and_re_encodes_exactly(vector: PduVector) -> None:
    decoded = SmsPdu.from_hex(vector.hex)
    assert decoded == vector.decoded
    assert decoded.to_hex() == vector.hex
    assert vector.decoded.to_hex() == vector.hex
    assert decoded.tpdu_length == vector.tpdu_length
    smsc_octets = bytes.fromhex(vector.hex)[0] + 1
    assert decoded.tpdu_length == len(bytes.fromhex(vector.hex)) - smsc_octets


def _vector(prefix: str) -> PduVector:
    return next(v for v in PDU_VECTORS if v.name.startswith(prefix))


def test_selected_vector_fields() -> None:
    """Spot checks written from docs/sources.md §5.8 text, independent of vectors.py."""
    v1 = SmsPdu.from_hex(_vector("V1").hex)
    assert isinstance(v1.tpdu, SmsDeliver)
    assert str(v1.smsc) == "+12345678901"
    assert str(v1.tpdu.originator) == "+18005551212"
    assert v1.tpdu.timestamp.isoformat() == "2011-01-01T12:34:56+00:00"
    assert v1.tpdu.text == "hellohello"
    v2 = SmsPdu.from_hex(_vector("V2").hex).tpdu
    assert isinstance(v2, SmsDeliver)
    assert (str(v2.originator), v2.text, v2.dcs.value) == ("InternetSMS", "тест", 0x08)
    v4 = SmsPdu.from_hex(_vector("V4").hex)
    assert v4.smsc is None
    assert v4.tpdu_length == 24  # AT+CMGS=24
    v5 = SmsPdu.from_hex(_vector("V5").hex).tpdu
    assert isinstance(v5, SmsSubmit)
    assert v5.validity is not None and v5.message_reference == 0x0D
    v6 = SmsPdu.from_hex(_vector("V6").hex).tpdu
    assert isinstance(v6, SmsDeliver) and v6.user_data.header is not None
    assert v6.user_data.header.encode().hex().upper() == "050003C30101"
    v8 = SmsPdu.from_hex(_vector("V8").hex).tpdu
    assert isinstance(v8, SmsDeliver)
    assert v8.timestamp.isoformat() == "2011-02-28T11:50:50-05:00"
    assert "[{with some extended characters}]" in v8.text


@pytest.mark.parametrize("vector", PDU_VECTORS, ids=[v.name.split(":")[0] for v in PDU_VECTORS])
def test_padding_after_user_data_is_ignored(vector: PduVector) -> None:
    raw = bytes.fromhex(vector.hex)
    record = raw + b"\xff" * (176 - len(raw))  # EF.SMS: 175 octets after the status octet
    assert SmsPdu.from_bytes(record) == vector.decoded


@pytest.mark.parametrize("vector", PDU_VECTORS, ids=[v.name.split(":")[0] for v in PDU_VECTORS])
def test_every_truncation_is_a_codec_error(vector: PduVector) -> None:
    raw = bytes.fromhex(vector.hex)
    for end in range(len(raw)):
        with pytest.raises(CodecError):
            SmsPdu.from_bytes(raw[:end])


def test_tpdu_without_smsc_field() -> None:
    tpdu_hex = _vector("V1").hex[16:]
    assert SmsPdu.from_hex(tpdu_hex, with_smsc=False) == SmsPdu(_vector("V1").decoded.tpdu)


def test_hex_input_rules() -> None:
    assert hex_to_bytes(" 00ff\r\n") == b"\x00\xff"
    assert SmsPdu.from_hex(_vector("V4").hex.lower()) == _vector("V4").decoded
    with pytest.raises(CodecError, match="odd number of digits"):
        hex_to_bytes("000")
    with pytest.raises(CodecError, match="non-hex character 'G' at position 2"):
        hex_to_bytes("00G0")
    with pytest.raises(CodecError, match="non-hex character ' '"):
        hex_to_bytes("00 00")
    with pytest.raises(CodecError, match="SMSC length octet missing"):
        SmsPdu.from_hex("")


def test_build_submit_for_cmgs() -> None:
    pdu = SmsPdu(SmsSubmit(Address.parse("+27820001111"), UserData("Hello World!")))
    assert pdu.to_hex() == _vector("V4").hex
    assert pdu.tpdu_length == 24
    with_smsc = SmsPdu(pdu.tpdu, Address.parse("+12345678901"))
    assert with_smsc.to_hex().startswith("07912143658709F1")
    assert with_smsc.tpdu_length == 24


def test_length_from_the_at_command_is_checked() -> None:
    v4 = _vector("V4")
    assert SmsPdu.from_hex(v4.hex, tpdu_length=24) == v4.decoded
    with pytest.raises(CodecError, match="says 23 TPDU octets, the PDU carries 24"):
        SmsPdu.from_hex(v4.hex, tpdu_length=23)
    v1 = _vector("V1")
    assert SmsPdu.from_hex(v1.hex, tpdu_length=28) == v1.decoded
    assert SmsPdu.from_hex(v1.hex[16:], with_smsc=False, tpdu_length=28).smsc is None
