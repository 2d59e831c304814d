"""SMS bytes as the modem shows them: record bodies, <stat> codes, text-mode lines.

EF.SMS records hold no TPDU length (51.011 §10.5.3); the modem finds where the
TPDU ends with the shared codec (harness.sms.extent), as firmware does to answer
+CMGR's <length>. Text mode (27.005 §3.1, §4) renders addresses and time stamps the
way modems print them: "+15551234",,"24/01/31,12:00:00+00".
"""

from __future__ import annotations

from datetime import datetime

from harness.errors import CodecError
from harness.sms.address import decode_smsc
from harness.sms.dcs import Alphabet
from harness.sms.extent import tpdu_extent
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver, SmsSubmit, Tpdu

# <stat> (27.005 §3.1) <-> EF.SMS status byte (51.011 §10.5.3)
STAT_TO_STATUS = {0: 0x03, 1: 0x01, 2: 0x07, 3: 0x05}
STAT_TEXT = {0: "REC UNREAD", 1: "REC READ", 2: "STO UNSENT", 3: "STO SENT", 4: "ALL"}
TEXT_STAT = {text: stat for stat, text in STAT_TEXT.items()}


def at_stat(status: int) -> int:
    """EF.SMS status byte -> <stat>: 03 unread, 01 read, 07 unsent, 05/0D/15/1D sent."""
    return {0x03: 0, 0x01: 1, 0x07: 2, 0x05: 3}.get(status & 0x07, 1)


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
