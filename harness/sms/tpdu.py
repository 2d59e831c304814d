"""SMS-DELIVER (SC -> MS) and SMS-SUBMIT (MS -> SC) TPDUs (23.040 §9.2.2.1, §9.2.2.2).

Decoders ignore octets after TP-UDL's worth of user data, so a TPDU read from a
0xFF-padded SIM record (EF.SMS) decodes. Unused first-octet bits are not kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from harness.errors import CodecError
from harness.sms.address import Address, decode_address, encode_address
from harness.sms.dcs import DataCoding, data_coding
from harness.sms.octets import OctetReader
from harness.sms.status_report import MTI_STATUS_REPORT, SmsStatusReport
from harness.sms.timestamps import TIMESTAMP_LENGTH, decode_timestamp, encode_timestamp
from harness.sms.userdata import UserData, decode_user_data, encode_user_data
from harness.sms.validity import Validity, decode_validity, encode_validity, validity_format

MTI_DELIVER = 0b00
MTI_SUBMIT = 0b01

# First-octet bits shared by both types (23.040 §9.2.3.1 ff.).
_MMS_OR_RD = 0x04  # DELIVER: TP-MMS (1 = no more messages); SUBMIT: TP-RD
_LP = 0x08  # DELIVER: TP-LP
_SRI_OR_SRR = 0x20  # DELIVER: TP-SRI; SUBMIT: TP-SRR
_UDHI = 0x40
_RP = 0x80


def _check_octet(name: str, value: int) -> None:
    if not 0 <= value <= 0xFF:
        raise CodecError(f"{name} {value} is outside 0..255")


def _user_data_octets(dcs: DataCoding, user_data: UserData) -> bytes:
    udl, ud = encode_user_data(dcs, user_data)
    return bytes((udl,)) + ud


@dataclass(frozen=True)
class SmsDeliver:
    """A message as the SC delivers it to the MS (what +CMT/+CMGR show for a received SM).

    `more_messages` is TP-MMS inverted: True when the SC holds more for this MS.
    """

    originator: Address
    timestamp: datetime
    user_data: UserData = field(default_factory=UserData)
    dcs: DataCoding = field(default_factory=DataCoding)
    pid: int = 0
    more_messages: bool = False
    loop_prevention: bool = False
    status_report_indication: bool = False
    reply_path: bool = False

    @property
    def text(self) -> str:
        return self.user_data.text

    def encode(self) -> bytes:
        _check_octet("TP-PID", self.pid)
        first = MTI_DELIVER
        first |= 0 if self.more_messages else _MMS_OR_RD
        first |= _LP if self.loop_prevention else 0
        first |= _SRI_OR_SRR if self.status_report_indication else 0
        first |= _UDHI if self.user_data.header is not None else 0
        first |= _RP if self.reply_path else 0
        return (
            bytes((first,))
            + encode_address(self.originator)
            + bytes((self.pid, self.dcs.value))
            + encode_timestamp(self.timestamp)
            + _user_data_octets(self.dcs, self.user_data)
        )

    @classmethod
    def decode(cls, data: bytes) -> SmsDeliver:
        reader = OctetReader(data)
        first = reader.u8("first octet")
        if first & 0x03 != MTI_DELIVER:
            raise CodecError(f"first octet {first:02X}: TP-MTI is not SMS-DELIVER (00)")
        originator, reader.offset = decode_address(data, reader.offset)
        pid = reader.u8("TP-PID")
        dcs = data_coding(reader.u8("TP-DCS"))
        timestamp = decode_timestamp(data, reader.offset)
        reader.offset += TIMESTAMP_LENGTH
        udl = reader.u8("TP-UDL")
        return cls(
            originator=originator,
            timestamp=timestamp,
            user_data=decode_user_data(dcs, bool(first & _UDHI), udl, reader.rest()),
            dcs=dcs,
            pid=pid,
            more_messages=not first & _MMS_OR_RD,
            loop_prevention=bool(first & _LP),
            status_report_indication=bool(first & _SRI_OR_SRR),
            reply_path=bool(first & _RP),
        )


@dataclass(frozen=True)
class SmsSubmit:
    """A message the MS submits to the SC (the TPDU of AT+CMGS / AT+CMGW)."""

    destination: Address
    user_data: UserData = field(default_factory=UserData)
    dcs: DataCoding = field(default_factory=DataCoding)
    message_reference: int = 0
    pid: int = 0
    validity: Validity | None = None
    reject_duplicates: bool = False
    status_report_request: bool = False
    reply_path: bool = False

    @property
    def text(self) -> str:
        return self.user_data.text

    def encode(self) -> bytes:
        _check_octet("TP-MR", self.message_reference)
        _check_octet("TP-PID", self.pid)
        first = MTI_SUBMIT | (validity_format(self.validity) << 3)
        first |= _MMS_OR_RD if self.reject_duplicates else 0
        first |= _SRI_OR_SRR if self.status_report_request else 0
        first |= _UDHI if self.user_data.header is not None else 0
        first |= _RP if self.reply_path else 0
        return (
            bytes((first, self.message_reference))
            + encode_address(self.destination)
            + bytes((self.pid, self.dcs.value))
            + encode_validity(self.validity)
            + _user_data_octets(self.dcs, self.user_data)
        )

    @classmethod
    def decode(cls, data: bytes) -> SmsSubmit:
        reader = OctetReader(data)
        first = reader.u8("first octet")
        if first & 0x03 != MTI_SUBMIT:
            raise CodecError(f"first octet {first:02X}: TP-MTI is not SMS-SUBMIT (01)")
        reference = reader.u8("TP-MR")
        destination, reader.offset = decode_address(data, reader.offset)
        pid = reader.u8("TP-PID")
        dcs = data_coding(reader.u8("TP-DCS"))
        validity, reader.offset = decode_validity((first >> 3) & 0x03, data, reader.offset)
        udl = reader.u8("TP-UDL")
        return cls(
            destination=destination,
            user_data=decode_user_data(dcs, bool(first & _UDHI), udl, reader.rest()),
            dcs=dcs,
            message_reference=reference,
            pid=pid,
            validity=validity,
            reject_duplicates=bool(first & _MMS_OR_RD),
            status_report_request=bool(first & _SRI_OR_SRR),
            reply_path=bool(first & _RP),
        )


Tpdu = SmsDeliver | SmsSubmit | SmsStatusReport


def decode_tpdu(data: bytes) -> Tpdu:
    """Decode by TP-MTI: 00 DELIVER, 01 SUBMIT, 10 STATUS-REPORT.

    MTI 00/01 are also DELIVER-REPORT/SUBMIT-REPORT and 10 is COMMAND in the
    other direction (23.040 §9.2.3.1); those are not what a modem stores or
    forwards in PDU mode, so they are not supported.
    """
    if not data:
        raise CodecError("empty TPDU")
    mti = data[0] & 0x03
    if mti == MTI_DELIVER:
        return SmsDeliver.decode(data)
    if mti == MTI_SUBMIT:
        return SmsSubmit.decode(data)
    if mti == MTI_STATUS_REPORT:
        return SmsStatusReport.decode(data)
    raise CodecError(f"first octet {data[0]:02X}: TP-MTI 11 is reserved")
