"""Concatenated SMS (23.040 §9.2.3.24.1): split long text into parts, reassemble parts.

Splitting picks one alphabet for the whole message, GSM 7-bit when every
character has a code and UCS2 otherwise (as handsets do), and fills every part
to capacity, which gives the fewest parts: 160 septets / 70 UCS2 code units
alone, 153 / 67 with an 8-bit reference header, 152 / 66 with a 16-bit one. An
ESC pair or a surrogate pair is never split across parts.

Reassembly accepts parts in any order and with duplicates; missing parts are an
`Incomplete` result, since waiting for them is normal, not an error.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from harness.errors import CodecError
from harness.sms.address import Address
from harness.sms.dcs import Alphabet, DataCoding, MessageClass
from harness.sms.gsm7 import GSM7_EXTENSION, is_gsm7
from harness.sms.tpdu import SmsDeliver, SmsSubmit
from harness.sms.udh import Concatenation, UserDataHeader
from harness.sms.userdata import MAX_OCTETS, MAX_SEPTETS, UserData, header_septets
from harness.sms.validity import Validity

MAX_PARTS = 255
Message = SmsDeliver | SmsSubmit


@dataclass(frozen=True)
class Segment:
    """One part's user data and coding, ready to put into a DELIVER or SUBMIT."""

    user_data: UserData
    dcs: DataCoding


def _concat_header_octets(wide: bool) -> int:
    return 1 + 2 + (4 if wide else 3)  # UDHL + IEI/length + IE data


def _utf16_units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _gsm7_weight(ch: str) -> int:
    return 2 if ch in GSM7_EXTENSION else 1


def _chunks(text: str, capacity: int, gsm7: bool) -> list[str]:
    """Fill each chunk to `capacity` (septets or UTF-16 units); characters stay whole.

    Greedy filling is optimal here: any run inside a feasible chunk is feasible,
    so taking as much as fits never forces an extra part later.
    """
    chunks: list[str] = []
    start = 0
    used = 0
    for index, ch in enumerate(text):
        size = _gsm7_weight(ch) if gsm7 else _utf16_units(ch)
        if used + size > capacity:
            chunks.append(text[start:index])
            start, used = index, 0
        used += size
    chunks.append(text[start:])
    return chunks


def split_text(
    text: str,
    reference: int = 0,
    *,
    wide_reference: bool = False,
    message_class: MessageClass | None = None,
) -> list[Segment]:
    """Split `text` into the fewest parts; one part carries no header at all."""
    gsm7 = is_gsm7(text)
    dcs = DataCoding.general(Alphabet.GSM7 if gsm7 else Alphabet.UCS2, message_class)
    if gsm7:
        single = MAX_SEPTETS
        header_size, _ = header_septets(_concat_header_octets(wide_reference))
        per_part = MAX_SEPTETS - header_size
    else:
        single = MAX_OCTETS // 2
        per_part = (MAX_OCTETS - _concat_header_octets(wide_reference)) // 2
    chunks = _chunks(text, single, gsm7)
    if len(chunks) == 1:
        return [Segment(UserData(text=text), dcs)]
    return _with_headers(
        [UserData(text=chunk) for chunk in _chunks(text, per_part, gsm7)],
        dcs,
        reference,
        wide_reference,
    )


def split_data(data: bytes, reference: int = 0, *, wide_reference: bool = False) -> list[Segment]:
    """Split 8-bit data: 140 octets alone, else 134 (133 with a 16-bit reference) per part."""
    dcs = DataCoding.general(Alphabet.DATA_8BIT)
    if len(data) <= MAX_OCTETS:
        return [Segment(UserData(data=data), dcs)]
    size = MAX_OCTETS - _concat_header_octets(wide_reference)
    pieces = [UserData(data=data[i : i + size]) for i in range(0, len(data), size)]
    return _with_headers(pieces, dcs, reference, wide_reference)


def _with_headers(
    pieces: list[UserData], dcs: DataCoding, reference: int, wide: bool
) -> list[Segment]:
    if len(pieces) > MAX_PARTS:
        raise CodecError(f"message needs {len(pieces)} parts; concatenation allows {MAX_PARTS}")
    total = len(pieces)
    return [
        Segment(
            dataclasses.replace(
                piece,
                header=UserDataHeader.build(Concatenation(reference, total, number, wide)),
            ),
            dcs,
        )
        for number, piece in enumerate(pieces, start=1)
    ]


def submit_parts(
    destination: Address,
    text: str,
    *,
    reference: int = 0,
    first_message_reference: int = 0,
    wide_reference: bool = False,
    validity: Validity | None = None,
    status_report_request: bool = False,
) -> list[SmsSubmit]:
    """SMS-SUBMITs for `text`; each part gets the next TP-MR (mod 256)."""
    return [
        SmsSubmit(
            destination=destination,
            user_data=segment.user_data,
            dcs=segment.dcs,
            message_reference=(first_message_reference + index) % 256,
            validity=validity,
            status_report_request=status_report_request,
        )
        for index, segment in enumerate(split_text(text, reference, wide_reference=wide_reference))
    ]


def deliver_parts(
    originator: Address,
    text: str,
    timestamp: datetime,
    *,
    reference: int = 0,
    wide_reference: bool = False,
) -> list[SmsDeliver]:
    """SMS-DELIVERs for `text`, as an SC sends them; TP-MMS says more parts follow."""
    segments = split_text(text, reference, wide_reference=wide_reference)
    return [
        SmsDeliver(
            originator=originator,
            timestamp=timestamp,
            user_data=segment.user_data,
            dcs=segment.dcs,
            more_messages=index < len(segments) - 1,
        )
        for index, segment in enumerate(segments)
    ]


@dataclass(frozen=True)
class ConcatKey:
    """What identifies one concatenated message: the other party and the IE fields."""

    party: Address
    reference: int
    total: int
    wide: bool


@dataclass(frozen=True)
class Reassembled:
    """All parts present: the joined text (and data, for 8-bit parts), parts in order."""

    text: str
    data: bytes
    parts: tuple[Message, ...]
    duplicates: int = 0


@dataclass(frozen=True)
class Incomplete:
    """Some parts have not arrived (yet); `missing` holds their 1-based numbers."""

    key: ConcatKey
    missing: tuple[int, ...]
    received: tuple[Message, ...]


def _party(message: Message) -> Address:
    return message.originator if isinstance(message, SmsDeliver) else message.destination


def concat_key(message: Message) -> ConcatKey | None:
    """The key of a concatenated part, or None for a stand-alone message."""
    header = message.user_data.header
    concat = header.concatenation if header is not None else None
    if concat is None:
        return None
    return ConcatKey(_party(message), concat.reference, concat.total, concat.wide)


def group_parts(messages: Iterable[Message]) -> list[list[Message]]:
    """Group messages into one list per concatenated message, first-seen order."""
    groups: dict[ConcatKey, list[Message]] = {}
    out: list[list[Message]] = []
    for message in messages:
        key = concat_key(message)
        if key is None:
            out.append([message])
        elif key in groups:
            groups[key].append(message)
        else:
            groups[key] = [message]
            out.append(groups[key])
    return out


def _join_text(texts: Iterable[str]) -> str:
    """Join part texts, fusing a surrogate pair that a sender split across parts."""
    return "".join(texts).encode("utf-16-be", "surrogatepass").decode("utf-16-be", "surrogatepass")


def reassemble(parts: Iterable[Message]) -> Reassembled | Incomplete:
    """Reassemble the parts of one message (any order, duplicates ignored)."""
    messages = list(parts)
    if not messages:
        raise CodecError("reassemble() needs at least one part")
    keys = {concat_key(message) for message in messages}
    if len(keys) != 1:
        described = ", ".join(sorted(repr(key) for key in keys))
        raise CodecError(f"parts belong to different messages: {described}")
    key = keys.pop()
    if key is None:
        if len(messages) > 1:
            raise CodecError(f"{len(messages)} stand-alone messages are not one message")
        single = messages[0]
        return Reassembled(single.user_data.text, single.user_data.data, (single,))
    by_number: dict[int, Message] = {}
    for message in messages:
        header = message.user_data.header
        concat = header.concatenation if header is not None else None
        if concat is not None:  # always true: the key says so
            by_number.setdefault(concat.sequence, message)
    missing = tuple(n for n in range(1, key.total + 1) if n not in by_number)
    ordered = tuple(by_number[n] for n in sorted(by_number))
    if missing:
        return Incomplete(key, missing, ordered)
    return Reassembled(
        text=_join_text(message.user_data.text for message in ordered),
        data=b"".join(message.user_data.data for message in ordered),
        parts=ordered,
        duplicates=len(messages) - len(ordered),
    )
