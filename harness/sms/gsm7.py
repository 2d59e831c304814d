"""GSM 7-bit default alphabet and septet packing (3GPP TS 23.038 §6.1.2, §6.2.1).

Used for SMS user data (packed) and for SIM alpha identifiers (unpacked, one
septet per octet, TS 51.011 / TS 31.102). Only the default alphabet and its
default extension table are supported (no national language shift tables).
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.errors import CodecError

ESC = 0x1B
"""Escape to the extension table (23.038 §6.2.1.1)."""

# 23.038 §6.2.1, index = septet value. 0x1B is ESC, never produced as text.
GSM7_BASIC: str = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)

# 23.038 §6.2.1.1 default extension table: character -> code following ESC.
# 0x0A is the page break (form feed); 0x0D (CR2) and 0x1B (SS2) are controls
# with no character, so they are not listed.
GSM7_EXTENSION: dict[str, int] = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}

_BASIC_INDEX: dict[str, int] = {ch: i for i, ch in enumerate(GSM7_BASIC) if i != ESC}
_EXTENSION_CHAR: dict[int, str] = {code: ch for ch, code in GSM7_EXTENSION.items()}

assert len(GSM7_BASIC) == 128


def text_to_septets(text: str) -> list[int]:
    """Encode text as septet values (0..127); extension characters take ESC + code."""
    septets: list[int] = []
    for position, ch in enumerate(text):
        basic = _BASIC_INDEX.get(ch)
        if basic is not None:
            septets.append(basic)
            continue
        extension = GSM7_EXTENSION.get(ch)
        if extension is None:
            raise CodecError(
                f"character {ch!r} (U+{ord(ch):04X}) at position {position} is not in the "
                "GSM 7-bit default alphabet; use UCS2"
            )
        septets.extend((ESC, extension))
    return septets


def septets_to_text(septets: Sequence[int]) -> str:
    """Decode septet values to text, tolerating any ESC sequence.

    Per 23.038 §6.2.1.1 an ESC code with no extension character is shown as the
    basic-table character of that code; ESC ESC (reserved for another extension
    table) and a trailing lone ESC are shown as a space.
    """
    try:
        text = "".join(map(GSM7_BASIC.__getitem__, septets))
    except (IndexError, TypeError):
        text = "\x1b"  # a value outside the table: the checking path names it
    if "\x1b" not in text and min(septets, default=0) >= 0:
        return text  # fast path: every value in the table, no escapes
    out: list[str] = []
    i = 0
    count = len(septets)
    while i < count:
        value = septets[i]
        if not 0 <= value <= 0x7F:
            raise CodecError(f"septet {value} at position {i} is outside 0..127")
        if value != ESC:
            out.append(GSM7_BASIC[value])
            i += 1
            continue
        if i + 1 >= count:
            out.append(" ")
            break
        code = septets[i + 1]
        if not 0 <= code <= 0x7F:
            raise CodecError(f"septet {code} at position {i + 1} is outside 0..127")
        if code == ESC:
            out.append(" ")
        else:
            out.append(_EXTENSION_CHAR.get(code, GSM7_BASIC[code]))
        i += 2
    return "".join(out)


def is_gsm7(text: str) -> bool:
    """True when every character has a default-alphabet or extension code."""
    return all(ch in _BASIC_INDEX or ch in GSM7_EXTENSION for ch in text)


def septet_length(text: str) -> int:
    """Septets the text takes in GSM 7-bit (extension characters count 2).

    Raises CodecError, like `text_to_septets`, for a character with no code.
    """
    total = 0
    for position, ch in enumerate(text):
        if ch in _BASIC_INDEX:
            total += 1
        elif ch in GSM7_EXTENSION:
            total += 2
        else:
            raise CodecError(
                f"character {ch!r} (U+{ord(ch):04X}) at position {position} is not in the "
                "GSM 7-bit default alphabet"
            )
    return total


def packed_length(count: int, fill_bits: int = 0) -> int:
    """Octets needed for `count` packed septets after `fill_bits` leading fill bits."""
    return (fill_bits + 7 * count + 7) // 8


def pack_septets(septets: Sequence[int], fill_bits: int = 0) -> bytes:
    """Pack septets into octets, LSB first (23.038 §6.1.2.1.1).

    `fill_bits` zero bits come first: they align text that follows a user data
    header to a septet boundary (23.040 §9.2.3.24).
    """
    if not 0 <= fill_bits <= 6:
        raise CodecError(f"fill_bits must be 0..6, got {fill_bits}")
    accumulator = 0
    for index, value in enumerate(septets):
        if not 0 <= value <= 0x7F:
            raise CodecError(f"septet {value} at position {index} is outside 0..127")
        accumulator |= value << (fill_bits + 7 * index)
    return accumulator.to_bytes(packed_length(len(septets), fill_bits), "little")


def unpack_septets(data: bytes, count: int, fill_bits: int = 0) -> list[int]:
    """Read `count` septets that start after `fill_bits` bits; extra octets are ignored."""
    if not 0 <= fill_bits <= 6:
        raise CodecError(f"fill_bits must be 0..6, got {fill_bits}")
    if count < 0:
        raise CodecError(f"septet count must not be negative, got {count}")
    needed = packed_length(count, fill_bits)
    if len(data) < needed:
        raise CodecError(
            f"{count} septets need {needed} octets of packed data, only {len(data)} present"
        )
    accumulator = int.from_bytes(data[:needed], "little") >> fill_bits
    return [(accumulator >> (7 * i)) & 0x7F for i in range(count)]
