"""Nibble-swapped BCD as SIM files store digits.

Digit 1 sits in the low nibble of byte 1, digit 2 in its high nibble, and so on;
'F' is the end mark that pads an odd count and unused bytes (TS 102 221 §13.2
EF.ICCID, TS 31.102 §4.2.2 EF.IMSI). Dialling numbers add the "extended BCD"
values of TS 51.011 §10.5.1 table 12 / TS 31.102 §4.4.2.3:
A '*', B '#', C DTMF control digit separator (written 'p'), D wild value
(written '?'), E expansion digit (not supported: its meaning is "for further
study").
"""

from __future__ import annotations

from harness.errors import CodecError
from harness.sim.codec_vectors import CodecVector

_FILLER = 0xF

_DIGITS: dict[str, int] = {str(d): d for d in range(10)}
_DIALLING_TO_NIBBLE: dict[str, int] = {**_DIGITS, "*": 0xA, "#": 0xB, "p": 0xC, "?": 0xD}
# Accepted on encode only: the pause written the way AT dial strings and phones write it.
_DIALLING_ALIASES: dict[str, int] = {"P": 0xC, ",": 0xC}
_NIBBLE_TO_DIALLING: dict[int, str] = {v: k for k, v in _DIALLING_TO_NIBBLE.items()}


def bcd_length(count: int) -> int:
    """Bytes needed for `count` BCD digits."""
    return (count + 1) // 2


def _pack(nibbles: list[int], length: int, what: str) -> bytes:
    if length < 0:
        raise CodecError(f"{what}: field length {length} is negative")
    if len(nibbles) > 2 * length:
        raise CodecError(
            f"{what}: {len(nibbles)} digits do not fit in {length} bytes "
            f"(at most {2 * length} digits)"
        )
    padded = nibbles + [_FILLER] * (2 * length - len(nibbles))
    return bytes(padded[i] | (padded[i + 1] << 4) for i in range(0, len(padded), 2))


def _unpack(raw: bytes) -> list[int]:
    """All nibbles of `raw` up to the first F end mark; anything but F after it is an error."""
    nibbles: list[int] = []
    for index, byte in enumerate(raw):
        for position, nibble in enumerate((byte & 0x0F, byte >> 4)):
            if nibble == _FILLER:
                rest = raw[index + 1 :]
                trailing_high = byte >> 4 if position == 0 else _FILLER
                if trailing_high != _FILLER or any(b != 0xFF for b in rest):
                    raise CodecError(
                        f"BCD {raw.hex().upper()}: digits follow the F end mark in byte {index + 1}"
                    )
                return nibbles
            nibbles.append(nibble)
    return nibbles


def encode_swapped_bcd(digits: str, length: int) -> bytes:
    """Digits 0-9 as nibble-swapped BCD, F-padded to exactly `length` bytes."""
    nibbles: list[int] = []
    for position, ch in enumerate(digits):
        value = _DIGITS.get(ch)
        if value is None:
            raise CodecError(f"BCD digits: {ch!r} at position {position} is not a digit 0-9")
        nibbles.append(value)
    return _pack(nibbles, length, "BCD digits")


def decode_swapped_bcd(raw: bytes) -> str:
    """Digits up to the first F nibble; a nibble A-E is an error."""
    out: list[str] = []
    for nibble in _unpack(raw):
        if nibble > 9:
            raise CodecError(
                f"BCD {raw.hex().upper()}: nibble {nibble:X} is not a digit "
                "(use decode_dialling_bcd for * # p ?)"
            )
        out.append(str(nibble))
    return "".join(out)


def encode_dialling_bcd(number: str, length: int) -> bytes:
    """A dialling string (0-9 * # p ?) as extended BCD, F-padded to `length` bytes."""
    nibbles: list[int] = []
    for position, ch in enumerate(number):
        value = _DIALLING_TO_NIBBLE.get(ch, _DIALLING_ALIASES.get(ch))
        if value is None:
            raise CodecError(
                f"dialling number: {ch!r} at position {position} is not one of 0-9 * # p ?"
            )
        nibbles.append(value)
    return _pack(nibbles, length, "dialling number")


def decode_dialling_bcd(raw: bytes) -> str:
    """Extended BCD up to the first F nibble; the expansion digit E is an error."""
    out: list[str] = []
    for nibble in _unpack(raw):
        ch = _NIBBLE_TO_DIALLING.get(nibble)
        if ch is None:
            raise CodecError(
                f"dialling number {raw.hex().upper()}: expansion digit E is not supported"
            )
        out.append(ch)
    return "".join(out)


VECTORS: list[CodecVector] = [
    CodecVector(
        name="bcd: EF.ICCID 19 digits, F-padded (docs/sources.md §4.10)",
        encoded=bytes.fromhex("988812010000400310F0"),
        decoded="8988211000000430010",
        encode=lambda digits: encode_swapped_bcd(digits, 10),
        decode=decode_swapped_bcd,
    ),
    CodecVector(
        name="bcd: Android emulator ICCID 20 digits (docs/sources.md §1.10)",
        encoded=bytes.fromhex("98101430121181157002"),
        decoded="89014103211118510720",
        encode=lambda digits: encode_swapped_bcd(digits, 10),
        decode=decode_swapped_bcd,
    ),
    CodecVector(
        name="bcd: dialling string with * and # (51.011 table 12)",
        encoded=bytes.fromhex("7A351B02F0FF"),
        decoded="*753#1200",
        encode=lambda number: encode_dialling_bcd(number, 6),
        decode=decode_dialling_bcd,
    ),
    CodecVector(
        name="bcd: dialling string with DTMF separator and wild value",
        encoded=bytes.fromhex("213C4D"),
        decoded="12p3?4",
        encode=lambda number: encode_dialling_bcd(number, 3),
        decode=decode_dialling_bcd,
    ),
]
