"""SMS information lines (TS 27.005 §3.1, §3.4.1, §3.4.2, §3.4.3; docs/sources.md §3).

+CPMS (set/read/test), +CMTI/+CDSI indications, and the headers of +CMGL,
+CMGR, +CMT and +CDS in both PDU and text mode. The data line after a header
is carried separately (AtResponse lines / Urc.data) and decoded by harness.sms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from harness.at.parsers.fields import (
    groups,
    is_decimal,
    is_quoted,
    opt_int,
    opt_str,
    payload,
    split_fields,
    to_int,
    unquote,
)
from harness.errors import CodecError


class MessageStatus(IntEnum):
    """<stat> (27.005 §3.1; docs/sources.md §3.3); `text` is the text-mode spelling."""

    REC_UNREAD = 0
    REC_READ = 1
    STO_UNSENT = 2
    STO_SENT = 3
    ALL = 4

    @property
    def text(self) -> str:
        return self.name.replace("_", " ")


_STATUS_BY_TEXT = {status.text: status for status in MessageStatus}
_TIMESTAMP = re.compile(r"^\d\d/\d\d/\d\d,\d\d:\d\d:\d\d[+-]\d\d$")


def _status(field: str, line: str) -> MessageStatus | None:
    value = unquote(field).strip()
    if not value:
        return None  # ZTE answers `+CMGR: ,,27` for a status report
    if value.upper() in _STATUS_BY_TEXT:
        return _STATUS_BY_TEXT[value.upper()]
    number = to_int(field, line, "<stat>")
    try:
        return MessageStatus(number)
    except ValueError:
        raise CodecError(f"<stat> {number} is not defined in {line!r}") from None


@dataclass(frozen=True)
class MemoryUsage:
    """One storage of +CPMS: name (read form only), used and total slots."""

    memory: str | None
    used: int | None
    total: int | None


def parse_cpms(line: str) -> list[MemoryUsage]:
    """Set answer `+CPMS: 14,50,14,50[,..]` or read answer `+CPMS: "SM",1,30,...`.

    Nokia's unreachable storage `+CPMS: ,,,,,,,,` gives three all-None entries.
    """
    fields = split_fields(payload(line, "+CPMS:"))
    named = any(is_quoted(field) for field in fields) or (len(fields) % 3 == 0 and not any(fields))
    size = 3 if named else 2
    if len(fields) % size:
        raise CodecError(f"+CPMS fields do not group by {size}: {line!r}")
    out: list[MemoryUsage] = []
    for start in range(0, len(fields), size):
        chunk = fields[start : start + size]
        memory = opt_str(chunk[0]) if named else None
        used, total = chunk[-2:]
        out.append(
            MemoryUsage(
                memory, opt_int(used, line, "+CPMS used"), opt_int(total, line, "+CPMS total")
            )
        )
    return out


def parse_cpms_test(line: str) -> list[tuple[str, ...]]:
    """`+CPMS: ("ME","SM"),("ME","SM"),("SM")` -> one tuple of memories per group.

    Also Wavecom's nested `(("SM","BM","SR"),("SM"))` and Nokia's empty `(),(),()`.
    """
    text = payload(line, "+CPMS:")
    found = groups(text, line)
    if len(found) == 1 and found[0].startswith("("):
        found = groups(found[0], line)
    return [tuple(unquote(item) for item in split_fields(group) if item) for group in found]


@dataclass(frozen=True)
class StoredIndication:
    """`+CMTI: "SM",26` / `+CDSI: "SR",3`: a message was stored at <mem>,<index>."""

    memory: str
    index: int


def _stored(line: str, prefix: str) -> StoredIndication:
    fields = split_fields(payload(line, prefix))
    if len(fields) != 2 or not unquote(fields[0]):
        raise CodecError(f"{prefix} needs <mem>,<index>, got {line!r}")
    return StoredIndication(unquote(fields[0]), to_int(fields[1], line, f"{prefix} <index>"))


def parse_cmti(line: str) -> StoredIndication:
    return _stored(line, "+CMTI:")


def parse_cdsi(line: str) -> StoredIndication:
    return _stored(line, "+CDSI:")


@dataclass(frozen=True)
class MessageHeader:
    """The header of a listed/read/routed message.

    PDU mode: `length` (TPDU octets) is set, `address`/`timestamp` are None.
    Text mode: `address` (<oa>/<da>) and, for received messages, `timestamp`.
    """

    index: int | None
    status: MessageStatus | None
    alpha: str | None
    length: int | None
    address: str | None = None
    timestamp: str | None = None

    @property
    def pdu_mode(self) -> bool:
        return self.address is None and self.length is not None


@dataclass(frozen=True)
class TextStatusReport:
    """A text-mode SMS-STATUS-REPORT: `<fo>,<mr>,[<ra>],[<tora>],<scts>,<dt>,<st>`."""

    index: int | None
    status: MessageStatus | None
    first_octet: int
    reference: int
    recipient: str | None
    recipient_type: int | None
    sc_timestamp: str
    discharge_time: str
    report_status: int


def _is_status_report(fields: list[str]) -> bool:
    stamps = [field for field in fields if _TIMESTAMP.match(unquote(field))]
    return len(stamps) >= 2


def _status_report(
    index: int | None, status: MessageStatus | None, rest: list[str], line: str
) -> TextStatusReport:
    if len(rest) != 7:
        raise CodecError(f"text status report needs 7 fields after <stat>, got {line!r}")
    return TextStatusReport(
        index,
        status,
        to_int(rest[0], line, "<fo>"),
        to_int(rest[1], line, "<mr>"),
        opt_str(rest[2]),
        opt_int(rest[3], line, "<tora>"),
        unquote(rest[4]),
        unquote(rest[5]),
        to_int(rest[6], line, "<st>"),
    )


def _pdu_or_text(
    index: int | None, status: MessageStatus | None, rest: list[str], line: str
) -> MessageHeader | TextStatusReport:
    """`rest` is what follows <stat>: PDU `[<alpha>],<length>` or text `<oa/da>,...`."""
    if _is_status_report(rest):
        return _status_report(index, status, rest, line)
    if not rest:
        raise CodecError(f"message header without <length> or address: {line!r}")
    if len(rest) <= 2 and is_decimal(rest[-1]):
        alpha = unquote(rest[0]) if len(rest) == 2 else None
        return MessageHeader(index, status, alpha or None, int(rest[-1]))
    address = opt_str(rest[0])
    alpha = opt_str(rest[1]) if len(rest) > 1 else None
    timestamp = next((unquote(f) for f in rest[2:] if _TIMESTAMP.match(unquote(f))), None)
    # With +CSDH=1 the header ends in <length> (27.005 §3.4.2, §3.4.3).
    length = int(rest[-1]) if len(rest) >= 5 and is_decimal(rest[-1]) else None
    return MessageHeader(index, status, alpha, length, address, timestamp)


def parse_cmgl(line: str) -> MessageHeader | TextStatusReport:
    """`+CMGL: 0,0,,35`, `+CMGL: 17,3,35`, `+CMGL: 0,"REC UNREAD","+27748577604",,"13/01/28,...`."""
    fields = split_fields(payload(line, "+CMGL:"))
    if len(fields) < 3:
        raise CodecError(f"+CMGL needs <index>,<stat>,..., got {line!r}")
    index = to_int(fields[0], line, "+CMGL <index>")
    return _pdu_or_text(index, _status(fields[1], line), fields[2:], line)


def parse_cmgr(line: str) -> MessageHeader | TextStatusReport:
    """`+CMGR: 0,,35`, `+CMGR: 0,"abc123",29`, `+CMGR: 0,Test User 123,29`, `+CMGR: ,,27`,
    `+CMGR: "REC UNREAD","<num>",,"13/03/08,15:02:16+08"`, and text status reports."""
    fields = split_fields(payload(line, "+CMGR:"))
    if len(fields) < 2:
        raise CodecError(f"+CMGR needs <stat>,..., got {line!r}")
    return _pdu_or_text(None, _status(fields[0], line), fields[1:], line)


def parse_cmt(line: str) -> MessageHeader:
    """PDU `+CMT: [<alpha>],<length>` (also `+CMT: 0`) or text `+CMT: <oa>,[<alpha>],<scts>...`."""
    fields = split_fields(payload(line, "+CMT:"))
    header = _pdu_or_text(None, None, fields, line)
    if isinstance(header, TextStatusReport):
        raise CodecError(f"+CMT carries a deliver, not a status report: {line!r}")
    return header


def parse_cds(line: str) -> int | TextStatusReport:
    """PDU `+CDS: <length>` -> the length; text `+CDS: <fo>,<mr>,...` -> TextStatusReport."""
    fields = split_fields(payload(line, "+CDS:"))
    if len(fields) == 1:
        return to_int(fields[0], line, "+CDS <length>")
    return _status_report(None, None, fields, line)
