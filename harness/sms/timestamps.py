"""TP-SCTS and other 7-octet time stamps (23.040 §9.2.3.11).

Seven swapped-BCD octets YY MM DD hh mm ss TZ. The time zone is the offset
from GMT in quarters of an hour; bit 3 of the TZ octet is its sign (docs/sources.md §5.3).
The two-digit year is read as 2000-2099: the field has no century and SMS
post-dates 1990, so this is the reading every modem uses.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from harness.errors import CodecError

TIMESTAMP_LENGTH = 7
_MAX_QUARTERS = 79  # two BCD digits with the sign bit taken: 7 in the tens place at most


def _swap_bcd(value: int) -> int:
    return (value // 10) | ((value % 10) << 4)


# Swapped-BCD octet -> value, None where a nibble is not a digit (decoding by table).
_UNSWAPPED: tuple[int | None, ...] = tuple(
    (o & 0x0F) * 10 + (o >> 4) if (o & 0x0F) <= 9 and (o >> 4) <= 9 else None for o in range(256)
)
_NAMES = ("year", "month", "day", "hour", "minute", "second")
_ZONES: dict[int, timezone] = {}


def _zone(quarters: int) -> timezone:
    """The fixed-offset zone of `quarters` quarter hours, built once per offset."""
    zone = _ZONES.get(quarters)
    if zone is None:
        zone = _ZONES[quarters] = timezone(timedelta(minutes=15 * quarters))
    return zone


def _unswap_bcd(octet: int, field: str) -> int:
    low, high = octet & 0x0F, octet >> 4
    if low > 9 or high > 9:
        raise CodecError(f"time stamp {field} octet {octet:02X} is not two BCD digits")
    return low * 10 + high


def encode_timestamp(moment: datetime) -> bytes:
    """Encode an aware datetime; microseconds are dropped (the field has whole seconds)."""
    offset = moment.utcoffset()
    if offset is None:
        raise CodecError(f"time stamp {moment.isoformat()} has no time zone; give it a tzinfo")
    if not 2000 <= moment.year <= 2099:
        raise CodecError(f"time stamp year {moment.year} is outside 2000..2099")
    quarters, remainder = divmod(abs(offset), timedelta(minutes=15))
    if remainder or quarters > _MAX_QUARTERS:
        raise CodecError(
            f"time zone offset {offset} is not a whole number of quarter hours within ±19:45"
        )
    zone = _swap_bcd(quarters) | (0x08 if offset < timedelta(0) else 0)
    fields = (moment.year % 100, moment.month, moment.day, moment.hour, moment.minute)
    return bytes(_swap_bcd(v) for v in (*fields, moment.second)) + bytes((zone,))


def decode_timestamp(data: bytes, offset: int = 0) -> datetime:
    """Decode 7 octets at `offset` to an aware datetime."""
    raw = data[offset : offset + TIMESTAMP_LENGTH]
    if len(raw) < TIMESTAMP_LENGTH:
        raise CodecError(
            f"PDU truncated: time stamp needs {TIMESTAMP_LENGTH} octets at offset {offset}, "
            f"only {len(raw)} left"
        )
    looked_up = [_UNSWAPPED[octet] for octet in raw[:6]]
    values = [v for v in looked_up if v is not None]
    if len(values) != 6:
        for octet, name in zip(raw, _NAMES, strict=False):
            _unswap_bcd(octet, name)  # raises, naming the field
    year, month, day, hour, minute, second = values
    zone = raw[6]
    quarters = _unswap_bcd(zone & 0xF7, "time zone")
    sign = -1 if zone & 0x08 else 1
    tz = _zone(sign * quarters)
    try:
        return datetime(2000 + year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError as exc:
        raise CodecError(f"time stamp {raw.hex().upper()} is not a valid date: {exc}") from exc
