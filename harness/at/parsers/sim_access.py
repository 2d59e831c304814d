"""+CSIM and +CRSM answers: raw APDU responses through the modem (TS 27.007 §8.17, §8.18).

+CSIM: `<length>,"<response hex incl. SW1 SW2>"`, <length> counting hex
characters (docs/sources.md §1.10); +CRSM: `<sw1>,<sw2>[,<response hex>]` with the
status words in decimal and the hex quoted or not (the Android emulator leaves
it bare).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.at.parsers.fields import payload, split_fields, to_int, unquote
from harness.errors import CodecError


@dataclass(frozen=True)
class SimResponse:
    """Response data and status word of one tunnelled command."""

    data: bytes
    sw1: int
    sw2: int

    @property
    def sw(self) -> int:
        return (self.sw1 << 8) | self.sw2


def _hex(text: str, line: str) -> bytes:
    value = "".join(unquote(text).split())
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise CodecError(f"{value!r} is not an even-length hex string in {line!r}") from None


def parse_csim(line: str) -> SimResponse:
    """`+CSIM: 4,"63C3"` -> SimResponse(b"", 0x63, 0xC3). The length must match the hex
    (as characters, per 27.007; a byte count is also accepted)."""
    fields = split_fields(payload(line, "+CSIM:"))
    if len(fields) != 2:
        raise CodecError(f"+CSIM needs <length>,<response>, got {line!r}")
    length = to_int(fields[0], line, "+CSIM <length>")
    raw = _hex(fields[1], line)
    if len(raw) < 2:
        raise CodecError(f"+CSIM response lacks SW1 SW2: {line!r}")
    if length not in (2 * len(raw), len(raw)):
        raise CodecError(
            f"+CSIM <length> {length} does not match {2 * len(raw)} hex chars: {line!r}"
        )
    return SimResponse(raw[:-2], raw[-2], raw[-1])


def parse_crsm(line: str) -> SimResponse:
    """`+CRSM: 144,0,"98101430121181157002"` or `+CRSM: 148,4` -> SimResponse."""
    fields = split_fields(payload(line, "+CRSM:"))
    if len(fields) not in (2, 3):
        raise CodecError(f"+CRSM needs <sw1>,<sw2>[,<response>], got {line!r}")
    sw1, sw2 = (to_int(field, line, "+CRSM status word") for field in fields[:2])
    if sw1 > 0xFF or sw2 > 0xFF:
        raise CodecError(f"+CRSM status word out of range in {line!r}")
    data = _hex(fields[2], line) if len(fields) == 3 else b""
    return SimResponse(data, sw1, sw2)
