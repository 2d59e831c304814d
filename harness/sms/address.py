"""Address fields: TP-OA/TP-DA (23.040 §9.1.2.5) and the SMSC/RP address (24.011 §8.2.5).

Both share the type-of-address octet and swapped BCD digits (24.008 §10.5.4.7);
they differ in the length octet: a TP address counts useful semi-octets (digits),
an SMSC field counts octets after itself (type octet included). An alphanumeric
TP address (TON 101) holds GSM 7-bit packed text (23.040 §9.1.2.5).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from harness.errors import CodecError
from harness.sms.gsm7 import pack_septets, septets_to_text, text_to_septets, unpack_septets

MAX_DIGITS = 20
"""23.040 §9.1.2.5: the whole address field is at most 12 octets, i.e. 10 octets of digits."""
MAX_ALPHA_SEPTETS = 11
"""Septets that fit the same 10 octets when packed (77 bits)."""

# 24.008 table 10.5.118: BCD nibble values 10..14 are * # a b c; 15 is the end mark.
_NIBBLE_CHARS = "0123456789*#abc"
_CHAR_NIBBLE = {ch: i for i, ch in enumerate(_NIBBLE_CHARS)}
_FILLER = "F"  # stands for nibble F while decoding; never a digit character
# Each octet -> its two swapped-BCD characters, low nibble first (decoding by table).
_OCTET_DIGITS = tuple(
    ((_NIBBLE_CHARS + _FILLER)[octet & 0x0F]) + ((_NIBBLE_CHARS + _FILLER)[octet >> 4])
    for octet in range(256)
)


class TypeOfNumber(IntEnum):
    """TON, bits 6..4 of the type-of-address octet (23.040 §9.1.2.5)."""

    UNKNOWN = 0
    INTERNATIONAL = 1
    NATIONAL = 2
    NETWORK_SPECIFIC = 3
    SUBSCRIBER = 4
    ALPHANUMERIC = 5
    ABBREVIATED = 6
    RESERVED = 7


class NumberingPlan(IntEnum):
    """NPI, bits 3..0 of the type-of-address octet (23.040 §9.1.2.5)."""

    UNKNOWN = 0
    ISDN = 1
    DATA = 3
    TELEX = 4
    SC_SPECIFIC_1 = 5
    SC_SPECIFIC_2 = 6
    NATIONAL = 8
    PRIVATE = 9
    ERMES = 10
    RESERVED = 15


_TONS = tuple(TypeOfNumber(ton) for ton in range(8))  # members by value, looked up fast
_NPIS: dict[int, NumberingPlan] = {int(plan): plan for plan in NumberingPlan}


@dataclass(frozen=True)
class Address:
    """A phone number (digits, no '+') or, for TON alphanumeric, a sender name.

    `ton`/`npi` are ints so reserved values read off the air survive a round trip;
    use the TypeOfNumber/NumberingPlan constants to build one.
    """

    value: str
    ton: int = TypeOfNumber.UNKNOWN
    npi: int = NumberingPlan.ISDN

    def __post_init__(self) -> None:
        if not 0 <= self.ton <= 7 or not 0 <= self.npi <= 15:
            raise CodecError(f"TON {self.ton} / NPI {self.npi} out of range (0..7 / 0..15)")
        # Show named constants where the value has one (reserved NPIs stay plain ints).
        object.__setattr__(self, "ton", _TONS[self.ton])
        npi = _NPIS.get(self.npi)
        if npi is not None:
            object.__setattr__(self, "npi", npi)
        if self.is_alphanumeric:
            text_to_septets(self.value)  # raises CodecError naming the bad character
            return
        if _CHAR_NIBBLE.keys() >= set(self.value):
            return  # the common case, checked at C speed
        for position, ch in enumerate(self.value):
            if ch not in _CHAR_NIBBLE:
                raise CodecError(
                    f"address {self.value!r}: character {ch!r} at position {position} is not "
                    "a BCD digit (0-9 * # a b c)"
                )

    @classmethod
    def parse(cls, text: str) -> Address:
        """'+4930…' -> international/ISDN; digits -> unknown/ISDN; anything else -> alphanumeric."""
        if text.startswith("+"):
            return cls(text[1:], TypeOfNumber.INTERNATIONAL, NumberingPlan.ISDN)
        if all(ch in _CHAR_NIBBLE for ch in text):
            return cls(text, TypeOfNumber.UNKNOWN, NumberingPlan.ISDN)
        return cls.alphanumeric(text)

    @classmethod
    def alphanumeric(cls, text: str) -> Address:
        """A sender name such as 'InternetSMS' (TOA 0xD0)."""
        return cls(text, TypeOfNumber.ALPHANUMERIC, NumberingPlan.UNKNOWN)

    @property
    def is_alphanumeric(self) -> bool:
        return self.ton == TypeOfNumber.ALPHANUMERIC

    @property
    def type_octet(self) -> int:
        """Type-of-address octet; bit 7 is always 1 (24.008 §10.5.4.7 'ext')."""
        return 0x80 | (self.ton << 4) | self.npi

    def __str__(self) -> str:
        if self.ton == TypeOfNumber.INTERNATIONAL:
            return "+" + self.value
        return self.value


def _encode_bcd(digits: str) -> bytes:
    nibbles = [_CHAR_NIBBLE[ch] for ch in digits]
    if len(nibbles) % 2:
        nibbles.append(0xF)
    return bytes(nibbles[i] | (nibbles[i + 1] << 4) for i in range(0, len(nibbles), 2))


def _decode_bcd(octets: bytes, digits: int | None, field: str) -> str:
    """Swapped-BCD digits; `digits=None` means 'up to an end mark in the last octet'."""
    text = "".join(map(_OCTET_DIGITS.__getitem__, octets))
    if digits is None:
        digits = len(text) - 1 if text.endswith(_FILLER) else len(text)
    text = text[:digits]
    if _FILLER in text:
        raise CodecError(f"{field}: filler nibble F at digit {text.index(_FILLER) + 1} of {digits}")
    if len(text) < digits:
        raise CodecError(f"{field}: {digits} digits do not fit {len(octets)} octets")
    return text


def encode_address(address: Address) -> bytes:
    """TP-OA / TP-DA: semi-octet count, type octet, digits (or packed alphanumeric)."""
    if address.is_alphanumeric:
        septets = text_to_septets(address.value)
        if len(septets) > MAX_ALPHA_SEPTETS:
            raise CodecError(
                f"alphanumeric address {address.value!r} takes {len(septets)} septets, "
                f"at most {MAX_ALPHA_SEPTETS} fit"
            )
        packed = pack_septets(septets)
        semi_octets = (7 * len(septets) + 3) // 4
        return bytes((semi_octets, address.type_octet)) + packed
    if len(address.value) > MAX_DIGITS:
        raise CodecError(f"address {address.value!r} has more than {MAX_DIGITS} digits")
    return bytes((len(address.value), address.type_octet)) + _encode_bcd(address.value)


def _decoded(digits: str, ton: int, npi: int) -> Address:
    """An Address from fields the BCD decoder already vouches for (digits from its
    table, TON from 3 bits, NPI from 4): what __post_init__ would check and convert,
    done by lookup; decoding runs once per PDU, so this is its hot path."""
    address = object.__new__(Address)
    address.__dict__.update(value=digits, ton=_TONS[ton], npi=_NPIS.get(npi, npi))
    return address


def decode_address(data: bytes, offset: int = 0) -> tuple[Address, int]:
    """Read a TP address at `offset`; return it and the offset just past it."""
    if offset + 2 > len(data):
        raise CodecError(f"PDU truncated: TP address needs 2 octets at offset {offset}")
    semi_octets, toa = data[offset], data[offset + 1]
    size = (semi_octets + 1) // 2
    start = offset + 2
    body = data[start : start + size]
    if len(body) < size:
        raise CodecError(
            f"PDU truncated: TP address of {semi_octets} semi-octets needs {size} octets "
            f"at offset {start}, only {len(body)} left"
        )
    ton, npi = (toa >> 4) & 0x07, toa & 0x0F
    if ton == TypeOfNumber.ALPHANUMERIC:
        text = septets_to_text(unpack_septets(body, semi_octets * 4 // 7))
        return Address(text, ton, npi), start + size
    return _decoded(_decode_bcd(body, semi_octets, "TP address"), ton, npi), start + size


def encode_smsc(address: Address | None) -> bytes:
    """SMSC field of AT PDU mode / EF.SMS; `None` is the single octet 00 ('use +CSCA')."""
    if address is None:
        return b"\x00"
    if address.is_alphanumeric:
        raise CodecError(f"SMSC address {address.value!r} must be a number, not alphanumeric")
    if len(address.value) > MAX_DIGITS:
        raise CodecError(f"SMSC address {address.value!r} has more than {MAX_DIGITS} digits")
    digits = _encode_bcd(address.value)
    return bytes((len(digits) + 1, address.type_octet)) + digits


def decode_smsc(data: bytes, offset: int = 0) -> tuple[Address | None, int]:
    """Read an SMSC field (length in octets, type octet included) at `offset`."""
    if offset >= len(data):
        raise CodecError(f"PDU truncated: SMSC length octet missing at offset {offset}")
    length = data[offset]
    if length == 0:
        return None, offset + 1
    body = data[offset + 1 : offset + 1 + length]
    if len(body) < length:
        raise CodecError(
            f"PDU truncated: SMSC field declares {length} octets, only {len(body)} present"
        )
    toa = body[0]
    ton, npi = (toa >> 4) & 0x07, toa & 0x0F
    if ton == TypeOfNumber.ALPHANUMERIC:
        raise CodecError(f"SMSC field has type-of-address {toa:02X} (alphanumeric)")
    return _decoded(_decode_bcd(body[1:], None, "SMSC address"), ton, npi), offset + 1 + length
