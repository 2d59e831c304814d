"""TP-VP, the validity period of an SMS-SUBMIT (23.040 §9.2.3.12).

Its format is chosen by TP-VPF (first octet bits 4..3): 00 absent, 10 relative
(1 octet), 11 absolute (7-octet time stamp), 01 enhanced (7 octets).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from harness.errors import CodecError
from harness.sms.timestamps import TIMESTAMP_LENGTH, decode_timestamp, encode_timestamp

VPF_NONE = 0b00
VPF_ENHANCED = 0b01
VPF_RELATIVE = 0b10
VPF_ABSOLUTE = 0b11


def _relative_duration(value: int) -> timedelta:
    """23.040 §9.2.3.12.1 table (docs/sources.md §5.5)."""
    if value <= 143:
        return timedelta(minutes=5 * (value + 1))
    if value <= 167:
        return timedelta(hours=12, minutes=30 * (value - 143))
    if value <= 196:
        return timedelta(days=value - 166)
    return timedelta(weeks=value - 192)


@dataclass(frozen=True)
class RelativeValidity:
    """The one-octet TP-VP value; `duration` says what it means."""

    value: int

    def __post_init__(self) -> None:
        if not 0 <= self.value <= 255:
            raise CodecError(f"relative TP-VP {self.value} is outside 0..255")

    @property
    def duration(self) -> timedelta:
        return _relative_duration(self.value)

    @classmethod
    def from_duration(cls, duration: timedelta) -> RelativeValidity:
        """The shortest TP-VP that lasts at least `duration` (never expire early)."""
        for value in range(256):
            if _relative_duration(value) >= duration:
                return cls(value)
        raise CodecError(f"validity {duration} exceeds the relative maximum of 63 weeks")


@dataclass(frozen=True)
class AbsoluteValidity:
    """Expiry as a time stamp (23.040 §9.2.3.12.2)."""

    expires: datetime


# Enhanced format, 23.040 §9.2.3.12.3: octet 1 is the functionality indicator
# (b7 extension, b6 single shot, b2..b0 format), the rest is format-specific.
ENHANCED_NONE = 0b000
ENHANCED_RELATIVE = 0b001
ENHANCED_SECONDS = 0b010
ENHANCED_HHMMSS = 0b011


@dataclass(frozen=True)
class EnhancedValidity:
    """The 7 raw octets, kept as sent so a decode/encode round trip is exact."""

    octets: bytes

    def __post_init__(self) -> None:
        if len(self.octets) != 7:
            raise CodecError(f"enhanced TP-VP must be 7 octets, got {len(self.octets)}")

    @classmethod
    def build(cls, duration: timedelta | None, *, single_shot: bool = False) -> EnhancedValidity:
        """Pick the most exact format: seconds (1..255 s), hh:mm:ss, else relative."""
        indicator = 0x40 if single_shot else 0
        if duration is None:
            return cls(bytes((indicator | ENHANCED_NONE,)) + bytes(6))
        seconds = duration.total_seconds()
        if seconds == int(seconds) and 1 <= seconds <= 255:
            return cls(bytes((indicator | ENHANCED_SECONDS, int(seconds))) + bytes(5))
        whole = int(seconds)
        if seconds == whole and 0 <= whole < 100 * 3600:
            hours, rest = divmod(whole, 3600)
            fields = (hours, rest // 60, rest % 60)
            hhmmss = bytes((v // 10) | ((v % 10) << 4) for v in fields)
            return cls(bytes((indicator | ENHANCED_HHMMSS,)) + hhmmss + bytes(3))
        relative = RelativeValidity.from_duration(duration).value
        return cls(bytes((indicator | ENHANCED_RELATIVE, relative)) + bytes(5))

    def _data_start(self) -> int:
        index = 0
        while index < 6 and self.octets[index] & 0x80:  # extension octets follow
            index += 1
        return index + 1

    @property
    def single_shot(self) -> bool:
        return bool(self.octets[0] & 0x40)

    @property
    def format(self) -> int:
        return self.octets[0] & 0x07

    @property
    def duration(self) -> timedelta | None:
        """The period, or None when absent, reserved, or not decodable."""
        start = self._data_start()
        data = self.octets[start:]
        if self.format == ENHANCED_RELATIVE and data:
            return _relative_duration(data[0])
        if self.format == ENHANCED_SECONDS and data and data[0]:
            return timedelta(seconds=data[0])
        if self.format == ENHANCED_HHMMSS and len(data) >= 3:
            digits = [(o & 0x0F) * 10 + (o >> 4) for o in data[:3]]
            if all((o & 0x0F) <= 9 and (o >> 4) <= 9 for o in data[:3]):
                return timedelta(hours=digits[0], minutes=digits[1], seconds=digits[2])
        return None


Validity = RelativeValidity | AbsoluteValidity | EnhancedValidity


def validity_format(validity: Validity | None) -> int:
    """TP-VPF bits (not yet shifted into the first octet)."""
    if validity is None:
        return VPF_NONE
    if isinstance(validity, RelativeValidity):
        return VPF_RELATIVE
    if isinstance(validity, AbsoluteValidity):
        return VPF_ABSOLUTE
    return VPF_ENHANCED


def encode_validity(validity: Validity | None) -> bytes:
    if validity is None:
        return b""
    if isinstance(validity, RelativeValidity):
        return bytes((validity.value,))
    if isinstance(validity, AbsoluteValidity):
        return encode_timestamp(validity.expires)
    return validity.octets


def decode_validity(vpf: int, data: bytes, offset: int) -> tuple[Validity | None, int]:
    """Read the TP-VP that TP-VPF announces; return it and the offset past it."""
    if vpf == VPF_NONE:
        return None, offset
    if vpf == VPF_RELATIVE:
        if offset >= len(data):
            raise CodecError(f"PDU truncated: relative TP-VP missing at offset {offset}")
        return RelativeValidity(data[offset]), offset + 1
    if vpf == VPF_ABSOLUTE:
        return AbsoluteValidity(decode_timestamp(data, offset)), offset + TIMESTAMP_LENGTH
    raw = data[offset : offset + 7]
    if len(raw) < 7:
        raise CodecError(
            f"PDU truncated: enhanced TP-VP needs 7 octets at offset {offset}, only {len(raw)} left"
        )
    return EnhancedValidity(raw), offset + 7
