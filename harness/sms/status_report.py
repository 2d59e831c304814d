"""SMS-STATUS-REPORT, SC -> MS (23.040 §9.2.2.3), as a modem hands it over in +CDS."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from harness.errors import CodecError
from harness.sms.address import Address, decode_address, encode_address
from harness.sms.dcs import DataCoding, data_coding
from harness.sms.octets import OctetReader
from harness.sms.timestamps import TIMESTAMP_LENGTH, decode_timestamp, encode_timestamp
from harness.sms.userdata import UserData, decode_user_data, encode_user_data

MTI_STATUS_REPORT = 0b10

# TP-PI bits (23.040 §9.2.3.27); bits 3..6 are reserved.
_PI_PID, _PI_DCS, _PI_UDL, _PI_RESERVED, _PI_EXTENSION = 0x01, 0x02, 0x04, 0x78, 0x80


class StatusCategory(Enum):
    """The four ranges of TP-ST (23.040 §9.2.3.15)."""

    COMPLETED = "transaction completed"  # 0x00-0x1F
    TEMPORARY_TRYING = "temporary error, SC still trying"  # 0x20-0x3F
    PERMANENT = "permanent error, SC not making more attempts"  # 0x40-0x5F
    TEMPORARY_GAVE_UP = "temporary error, SC not making more attempts"  # 0x60-0x7F
    RESERVED = "reserved"  # bit 7 set


_CATEGORY_BY_RANGE = (
    StatusCategory.COMPLETED,
    StatusCategory.TEMPORARY_TRYING,
    StatusCategory.PERMANENT,
    StatusCategory.TEMPORARY_GAVE_UP,
)


@dataclass(frozen=True)
class SmsStatusReport:
    """A delivery report for an earlier SMS-SUBMIT (or COMMAND, when `for_command`).

    The optional TP-PID/TP-DCS/TP-UD are present when not None; a TP-PI octet is
    written only then. Without a TP-DCS, user data is GSM 7-bit (DCS 00).
    """

    message_reference: int
    recipient: Address
    timestamp: datetime
    discharge_time: datetime
    status: int = 0
    more_messages: bool = False
    loop_prevention: bool = False
    for_command: bool = False
    pid: int | None = None
    dcs: DataCoding | None = None
    user_data: UserData | None = None

    @property
    def category(self) -> StatusCategory:
        if self.status & 0x80:
            return StatusCategory.RESERVED
        return _CATEGORY_BY_RANGE[self.status >> 5]

    @property
    def delivered(self) -> bool:
        """True for TP-ST 0x00-0x1F (received, forwarded, or replaced)."""
        return self.category is StatusCategory.COMPLETED

    def encode(self) -> bytes:
        for name, value in (("TP-MR", self.message_reference), ("TP-ST", self.status)):
            if not 0 <= value <= 0xFF:
                raise CodecError(f"{name} {value} is outside 0..255")
        if self.pid is not None and not 0 <= self.pid <= 0xFF:
            raise CodecError(f"TP-PID {self.pid} is outside 0..255")
        first = MTI_STATUS_REPORT
        first |= 0 if self.more_messages else 0x04
        first |= 0x08 if self.loop_prevention else 0
        first |= 0x20 if self.for_command else 0
        if self.user_data is not None and self.user_data.header is not None:
            first |= 0x40
        out = bytearray((first, self.message_reference))
        out += encode_address(self.recipient)
        out += encode_timestamp(self.timestamp) + encode_timestamp(self.discharge_time)
        out.append(self.status)
        indicator = (
            (_PI_PID if self.pid is not None else 0)
            | (_PI_DCS if self.dcs is not None else 0)
            | (_PI_UDL if self.user_data is not None else 0)
        )
        if not indicator:
            return bytes(out)
        out.append(indicator)
        if self.pid is not None:
            out.append(self.pid)
        if self.dcs is not None:
            out.append(self.dcs.value)
        if self.user_data is not None:
            udl, ud = encode_user_data(self.dcs or DataCoding(), self.user_data)
            out.append(udl)
            out += ud
        return bytes(out)

    @classmethod
    def decode(cls, data: bytes) -> SmsStatusReport:
        """Decode a TPDU; trailing octets (e.g. 0xFF record padding) are ignored.

        A TP-PI with reserved bits 3..6 set is ignored together with the optional
        fields: 23.040 §9.2.3.27 reserves them, and it is what 0xFF padding of a
        SIM record (EF.SMSR) looks like when no TP-PI was sent.
        """
        reader = OctetReader(data)
        first = reader.u8("first octet")
        if first & 0x03 != MTI_STATUS_REPORT:
            raise CodecError(f"first octet {first:02X}: TP-MTI is not SMS-STATUS-REPORT (10)")
        reference = reader.u8("TP-MR")
        recipient, reader.offset = decode_address(data, reader.offset)
        timestamp = decode_timestamp(data, reader.offset)
        discharge = decode_timestamp(data, reader.offset + TIMESTAMP_LENGTH)
        reader.offset += 2 * TIMESTAMP_LENGTH
        status = reader.u8("TP-ST")
        pid: int | None = None
        dcs: DataCoding | None = None
        user_data: UserData | None = None
        if reader.remaining:
            indicator = reader.u8("TP-PI")
            if not indicator & _PI_RESERVED:
                extension = indicator
                while extension & _PI_EXTENSION:  # extension octets: all bits reserved
                    extension = reader.u8("TP-PI extension")
                if indicator & _PI_PID:
                    pid = reader.u8("TP-PID")
                if indicator & _PI_DCS:
                    dcs = data_coding(reader.u8("TP-DCS"))
                if indicator & _PI_UDL:
                    udl = reader.u8("TP-UDL")
                    user_data = decode_user_data(
                        dcs or DataCoding(), bool(first & 0x40), udl, reader.rest()
                    )
        return cls(
            message_reference=reference,
            recipient=recipient,
            timestamp=timestamp,
            discharge_time=discharge,
            status=status,
            more_messages=not first & 0x04,
            loop_prevention=bool(first & 0x08),
            for_command=bool(first & 0x20),
            pid=pid,
            dcs=dcs,
            user_data=user_data,
        )
