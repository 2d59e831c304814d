"""SMS bytes as the modem shows them: TPDU extents, <stat> codes, text-mode lines.

EF.SMS records hold no TPDU length (51.011 §10.5.3), so the modem walks the
TPDU's own fields to find where it ends, as firmware does to answer +CMGR's
<length>. Text mode (27.005 §3.1, §4) renders addresses and time stamps the
way modems print them: "+15551234",,"24/01/31,12:00:00+00".
"""

from __future__ import annotations

from datetime import datetime

from harness.errors import CodecError
from harness.sms.address import decode_smsc
from harness.sms.dcs import Alphabet, DataCoding
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver, SmsSubmit, Tpdu, decode_tpdu

# <stat> (27.005 §3.1) <-> EF.SMS status byte (51.011 §10.5.3)
STAT_TO_STATUS = {0: 0x03, 1: 0x01, 2: 0x07, 3: 0x05}
STAT_TEXT = {0: "REC UNREAD", 1: "REC READ", 2: "STO UNSENT", 3: "STO SENT", 4: "ALL"}
TEXT_STAT = {text: stat for stat, text in STAT_TEXT.items()}


def at_stat(status: int) -> int:
    """EF.SMS status byte -> <stat>: 03 unread, 01 read, 07 unsent, 05/0D/15/1D sent."""
    return {0x03: 0, 0x01: 1, 0x07: 2, 0x05: 3}.get(status & 0x07, 1)


def _address_octets(data: bytes, offset: int) -> int:
    if offset >= len(data):
        raise CodecError("TPDU truncated in an address")
    return 2 + (data[offset] + 1) // 2


def _ud_octets(dcs: int, udl: int) -> int:
    return (udl * 7 + 7) // 8 if DataCoding(dcs).septet_coded else udl


def tpdu_extent(data: bytes) -> int:
    """Octets the TPDU at the start of `data` occupies (trailing record padding ignored)."""
    if not data:
        raise CodecError("empty TPDU")
    mti = data[0] & 0x03
    if mti == 0b00:  # SMS-DELIVER: FO, OA, PID, DCS, SCTS(7), UDL, UD
        offset = 1 + _address_octets(data, 1)
        dcs, udl = data[offset + 1], data[offset + 9]
        return offset + 10 + _ud_octets(dcs, udl)
    if mti == 0b01:  # SMS-SUBMIT: FO, MR, DA, PID, DCS, VP(0/1/7), UDL, UD
        offset = 2 + _address_octets(data, 2)
        dcs = data[offset + 1]
        vp = {0b00: 0, 0b10: 1, 0b01: 7, 0b11: 7}[(data[0] >> 3) & 0x03]
        udl = data[offset + 2 + vp]
        return offset + 3 + vp + _ud_octets(dcs, udl)
    if mti == 0b10:  # SMS-STATUS-REPORT: FO, MR, RA, SCTS, DT, ST[, PI, PID, DCS, UDL, UD]
        offset = 2 + _address_octets(data, 2) + 15
        if offset >= len(data) or data[offset] & 0x78 or data[offset] == 0xFF:
            return min(offset, len(data))
        indicator = data[offset]
        offset += 1
        dcs = 0
        if indicator & 0x01:
            offset += 1
        if indicator & 0x02:
            dcs = data[offset]
            offset += 1
        if indicator & 0x04:
            udl = data[offset]
            offset += 1 + _ud_octets(dcs, udl)
        return offset
    raise CodecError(f"first octet {data[0]:02X}: reserved TP-MTI")


def split_body(body: bytes) -> tuple[bytes, bytes]:
    """(SMSC field, TPDU) of a stored or routed message; padding after the TPDU dropped."""
    _, offset = decode_smsc(body)
    tpdu = body[offset:]
    try:
        return body[:offset], tpdu[: tpdu_extent(tpdu)]
    except (CodecError, IndexError):
        return body[:offset], tpdu.rstrip(b"\xff")


def pdu_lines(header: str, body: bytes) -> list[str]:
    """PDU mode: `<header>,<length>` then the PDU (SMSC field + TPDU) in hex."""
    smsc, tpdu = split_body(body)
    return [f"{header}{len(tpdu)}", (smsc + tpdu).hex().upper()]


def timestamp_text(moment: datetime) -> str:
    """27.005 <scts>: "yy/MM/dd,hh:mm:ss±zz", zz in quarter hours."""
    offset = moment.utcoffset()
    quarters = int(offset.total_seconds() // 900) if offset is not None else 0
    sign = "-" if quarters < 0 else "+"
    return moment.strftime("%y/%m/%d,%H:%M:%S") + f"{sign}{abs(quarters):02d}"


def _toa(address_text: str) -> int:
    return 145 if address_text.startswith("+") else 129


def user_text(tpdu: SmsDeliver | SmsSubmit, charset: str) -> str:
    """The message body as text mode shows it: text, or hex for 8-bit data / UCS2 charset."""
    if tpdu.dcs.alphabet is Alphabet.DATA_8BIT:
        return tpdu.user_data.data.hex().upper()
    if charset == "UCS2":
        return tpdu.text.encode("utf-16-be", "surrogatepass").hex().upper()
    return tpdu.text


def decode_body(body: bytes) -> Tpdu:
    _, tpdu = split_body(body)
    return decode_tpdu(tpdu)


def text_header(prefix: str, stat: int | None, tpdu: Tpdu) -> str:
    """Text-mode +CMGR/+CMGL/+CMT header; `prefix` ends in ': ' or ': <index>,'."""
    state = f'"{STAT_TEXT[stat]}",' if stat is not None else ""
    if isinstance(tpdu, SmsDeliver):
        return f'{prefix}{state}"{tpdu.originator}",,"{timestamp_text(tpdu.timestamp)}"'
    if isinstance(tpdu, SmsSubmit):
        return f'{prefix}{state}"{tpdu.destination}",'
    return prefix + state + status_report_fields(tpdu)


def status_report_fields(report: SmsStatusReport) -> str:
    """`<fo>,<mr>,"<ra>",<tora>,"<scts>","<dt>",<st>` (27.005 §3.4.3 text mode)."""
    recipient = str(report.recipient)
    first = 0x02 | (0 if report.more_messages else 0x04) | (0x08 if report.loop_prevention else 0)
    first |= 0x20 if report.for_command else 0
    return (
        f'{first},{report.message_reference},"{recipient}",{_toa(recipient)},'
        f'"{timestamp_text(report.timestamp)}","{timestamp_text(report.discharge_time)}",'
        f"{report.status}"
    )
