"""Stored short messages and their parameters: EF.SMS and EF.SMSP.

* EF.SMS (6F3C, TS 51.011 §10.5.3 / TS 31.102 §4.2.25): 176-byte records.
  Byte 1 status: b1 = 0 free; 001 MT read, 011 MT to be read, 101 MO sent,
  111 MO to be sent; for MO sent b5..b4 = status report not requested (00),
  requested not received (01), received not stored (10), received and stored
  in EF.SMSR (11); b8..b6 RFU. Bytes 2-176: the SC address as in TS 24.011 RP
  (length in octets including TOA, TOA, BCD) followed by the TPDU, 'FF'-padded.
  The record holds no TPDU length: SMS decoders honour TP-UDL and ignore the
  padding, so `SmsRecord.body` keeps all 175 bytes as stored.
* EF.SMSP (6F42, TS 51.011 §10.5.6 / TS 31.102 §4.2.27): 28+Y byte
  records: alpha identifier (Y) | parameter indicators (bit = 0 means present:
  b1 TP-DA, b2 SC address, b3 PID, b4 DCS, b5 VP; b8..b6 set to 1) | TP-DA
  (12, TS 23.040 address: length in digits, TOA, BCD) | SC address (12, TS
  24.011: length in octets incl. TOA) | PID | DCS | relative VP. Absent fields
  are 'FF'.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from harness.errors import CodecError
from harness.sim.bcd import bcd_length, decode_dialling_bcd, encode_dialling_bcd
from harness.sim.codec_vectors import CodecVector
from harness.sim.ef.identity import decode_alpha_id, encode_alpha_id, number_text, number_toa

SMS_RECORD_LENGTH = 176
SMS_BODY_LENGTH = SMS_RECORD_LENGTH - 1
SMSP_FIXED_PART = 28
_ADDRESS_FIELD = 12
_MAX_ADDRESS_DIGITS = 20
_MAX_SC_OCTETS = 11  # TOA + 10 BCD octets (TS 24.011 §8.2.5.1, 12-octet IE)
_TON_ALPHANUMERIC = 0x5


class SmsStatus(IntEnum):
    """Status byte values of an EF.SMS record."""

    FREE = 0x00
    MT_READ = 0x01
    MT_UNREAD = 0x03
    MO_SENT = 0x05
    MO_UNSENT = 0x07
    MO_SENT_SR_REQUESTED = 0x0D
    MO_SENT_SR_RECEIVED_NOT_STORED = 0x15
    MO_SENT_SR_RECEIVED_STORED = 0x1D


@dataclass(frozen=True)
class SmsRecord:
    """One EF.SMS record: status byte and the 175-byte body as stored (padding included)."""

    status: int
    body: bytes

    @property
    def is_free(self) -> bool:
        return not self.status & 0x01

    @property
    def sc_address_raw(self) -> bytes:
        """The SC address field: length octet, TOA, BCD (just b'\\x00' when empty)."""
        if not self.body:
            raise CodecError("EF.SMS record has no body")
        length = self.body[0]
        if length > _MAX_SC_OCTETS or 1 + length > len(self.body):
            raise CodecError(f"EF.SMS SC address length {length:02X} is not 0..11")
        return self.body[: 1 + length]

    @property
    def tpdu_padded(self) -> bytes:
        """The TPDU followed by the record's 'FF' padding."""
        return self.body[len(self.sc_address_raw) :]


def encode_sms_record(rec: SmsRecord) -> bytes:
    """One 176-byte record; the body is 'FF'-padded."""
    if not 0 <= rec.status <= 0xFF:
        raise CodecError(f"EF.SMS status {rec.status} is not a byte")
    if len(rec.body) > SMS_BODY_LENGTH:
        raise CodecError(f"EF.SMS body of {len(rec.body)} bytes; at most {SMS_BODY_LENGTH}")
    return bytes((rec.status,)) + rec.body + b"\xff" * (SMS_BODY_LENGTH - len(rec.body))


def decode_sms_record(raw: bytes) -> SmsRecord:
    """One record; a free record decodes to status 00 with its body as stored."""
    if len(raw) != SMS_RECORD_LENGTH:
        raise CodecError(f"EF.SMS record of {len(raw)} bytes; {SMS_RECORD_LENGTH} expected")
    return SmsRecord(raw[0], raw[1:])


@dataclass(frozen=True)
class Smsp:
    """One EF.SMSP record; None = parameter absent. A '+' number is TON international.

    The TOA fields are derived (91 with '+', else 81) when None on encode and
    always filled in by the decoder for present addresses.
    """

    alpha_id: str = ""
    tp_destination: str | None = None
    sc_address: str | None = None
    pid: int | None = None
    dcs: int | None = None
    validity: int | None = None
    tp_destination_toa: int | None = None
    sc_address_toa: int | None = None


def _pad(field: bytes, size: int) -> bytes:
    return field + b"\xff" * (size - len(field))


def _encode_sc(number: str, toa: int | None) -> bytes:
    digits, toa = number_toa(number, toa)
    if len(digits) > _MAX_ADDRESS_DIGITS:
        raise CodecError(f"SC address {number!r} has more than {_MAX_ADDRESS_DIGITS} digits")
    bcd = encode_dialling_bcd(digits, bcd_length(len(digits)))
    return _pad(bytes((1 + len(bcd), toa)) + bcd, _ADDRESS_FIELD)


def _decode_sc(field: bytes) -> tuple[str, int]:
    length = field[0]
    if not 1 <= length <= _MAX_SC_OCTETS:
        raise CodecError(f"EF.SMSP SC address length {length:02X} is not 1..11")
    toa = field[1]
    return number_text(decode_dialling_bcd(field[2 : 1 + length]), toa), toa


def _encode_tp(number: str, toa: int | None) -> bytes:
    digits, toa = number_toa(number, toa)
    if len(digits) > _MAX_ADDRESS_DIGITS:
        raise CodecError(f"TP-DA {number!r} has more than {_MAX_ADDRESS_DIGITS} digits")
    bcd = encode_dialling_bcd(digits, bcd_length(len(digits)))
    return _pad(bytes((len(digits), toa)) + bcd, _ADDRESS_FIELD)


def _decode_tp(field: bytes) -> tuple[str, int]:
    count, toa = field[0], field[1]
    if count > _MAX_ADDRESS_DIGITS:
        raise CodecError(f"EF.SMSP TP-DA length {count} digits exceeds {_MAX_ADDRESS_DIGITS}")
    if (toa >> 4) & 0x7 == _TON_ALPHANUMERIC:
        raise CodecError("EF.SMSP TP-DA is alphanumeric; only numbers are supported")
    digits = decode_dialling_bcd(field[2 : 2 + bcd_length(count)])
    if len(digits) != count:
        raise CodecError(f"EF.SMSP TP-DA announces {count} digits, holds {len(digits)}")
    return number_text(digits, toa), toa


def _optional_byte(value: int | None, what: str) -> int:
    if value is None:
        return 0xFF
    if not 0 <= value <= 0xFF:
        raise CodecError(f"EF.SMSP {what} {value} is not a byte")
    return value


def encode_smsp(smsp: Smsp, record_length: int) -> bytes:
    """One record of `record_length` (28 + Y) bytes."""
    alpha_length = record_length - SMSP_FIXED_PART
    if alpha_length < 0:
        raise CodecError(f"EF.SMSP record length {record_length} is below {SMSP_FIXED_PART}")
    present = (
        smsp.tp_destination is not None,
        smsp.sc_address is not None,
        smsp.pid is not None,
        smsp.dcs is not None,
        smsp.validity is not None,
    )
    indicators = 0xFF
    for bit, is_present in enumerate(present):
        if is_present:
            indicators &= ~(1 << bit) & 0xFF
    tp = (
        b"\xff" * _ADDRESS_FIELD
        if smsp.tp_destination is None
        else _encode_tp(smsp.tp_destination, smsp.tp_destination_toa)
    )
    sc = (
        b"\xff" * _ADDRESS_FIELD
        if smsp.sc_address is None
        else _encode_sc(smsp.sc_address, smsp.sc_address_toa)
    )
    tail = bytes(
        (
            _optional_byte(smsp.pid, "PID"),
            _optional_byte(smsp.dcs, "DCS"),
            _optional_byte(smsp.validity, "validity period"),
        )
    )
    alpha = encode_alpha_id(smsp.alpha_id, alpha_length)
    return alpha + bytes((indicators,)) + tp + sc + tail


def decode_smsp(raw: bytes) -> Smsp:
    """One record; parameters whose indicator bit is 1 decode as None."""
    if len(raw) < SMSP_FIXED_PART:
        raise CodecError(f"EF.SMSP record of {len(raw)} bytes; at least {SMSP_FIXED_PART}")
    y = len(raw) - SMSP_FIXED_PART
    indicators = raw[y]
    tp_field = raw[y + 1 : y + 13]
    sc_field = raw[y + 13 : y + 25]
    pid, dcs, vp = raw[y + 25], raw[y + 26], raw[y + 27]

    def present(bit: int) -> bool:
        return not indicators >> bit & 1

    tp, tp_toa = _decode_tp(tp_field) if present(0) else (None, None)
    sc, sc_toa = _decode_sc(sc_field) if present(1) else (None, None)
    return Smsp(
        alpha_id=decode_alpha_id(raw[:y]),
        tp_destination=tp,
        sc_address=sc,
        pid=pid if present(2) else None,
        dcs=dcs if present(3) else None,
        validity=vp if present(4) else None,
        tp_destination_toa=tp_toa,
        sc_address_toa=sc_toa,
    )


_V1 = bytes.fromhex(
    "07912143658709F1040B918100551512F20000111010214365000AE8329BFD4697D9EC37"
)  # docs/sources.md §5.8 V1: SMSC field + SMS-DELIVER "hellohello"
_V4 = bytes.fromhex("0001000B917228001011F100000CC8329BFD065DDF72363904")  # V4: SUBMIT


def _padded_body(content: bytes) -> bytes:
    return content + b"\xff" * (SMS_BODY_LENGTH - len(content))


VECTORS: list[CodecVector] = [
    CodecVector(
        name="ef.sms: MT unread record holding docs/sources.md §5.8 V1",
        encoded=b"\x03" + _padded_body(_V1),
        decoded=SmsRecord(SmsStatus.MT_UNREAD, _padded_body(_V1)),
        encode=encode_sms_record,
        decode=decode_sms_record,
    ),
    CodecVector(
        name="ef.sms: MO to-be-sent record holding docs/sources.md §5.8 V4 (no SC address)",
        encoded=b"\x07" + _padded_body(_V4),
        decoded=SmsRecord(SmsStatus.MO_UNSENT, _padded_body(_V4)),
        encode=encode_sms_record,
        decode=decode_sms_record,
    ),
    CodecVector(
        name="ef.sms: free record",
        encoded=b"\x00" + b"\xff" * SMS_BODY_LENGTH,
        decoded=SmsRecord(SmsStatus.FREE, b"\xff" * SMS_BODY_LENGTH),
        encode=encode_sms_record,
        decode=decode_sms_record,
    ),
    CodecVector(
        name="ef.sms: EF.SMSP SC +4915790109999, PID/DCS 00, VP 3 days (docs/sources.md §4.10)",
        encoded=bytes.fromhex("FF" * 12 + "E1" + "FF" * 12 + "0891945197109099F9FFFFFF" + "0000A9"),
        decoded=Smsp(
            sc_address="+4915790109999", sc_address_toa=0x91, pid=0x00, dcs=0x00, validity=0xA9
        ),
        encode=lambda smsp: encode_smsp(smsp, 40),
        decode=decode_smsp,
    ),
    CodecVector(
        name="ef.sms: EF.SMSP with alpha, TP-DA of unknown TON, all parameters present",
        encoded=bytes.fromhex(
            "534D5343FF" + "E0" + "0A811032547698FFFFFFFFFF" + "07912143658709F1FFFFFFFF" + "000400"
        ),
        decoded=Smsp(
            alpha_id="SMSC",
            tp_destination="0123456789",
            sc_address="+12345678901",
            pid=0x00,
            dcs=0x04,
            validity=0x00,
            tp_destination_toa=0x81,
            sc_address_toa=0x91,
        ),
        encode=lambda smsp: encode_smsp(smsp, 33),
        decode=decode_smsp,
    ),
]
