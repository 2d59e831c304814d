"""+CREG / +CGREG / +CEREG / +C5GREG: the read answer and the URC (TS 27.007 §7.2, §10.1.20).

The same prefix carries two shapes (docs/sources.md §1.7):

* read answer: `<n>,<stat>[,<lac>,<ci>[,<AcT>[,...]]]` - 2, or 4 and more fields;
* URC:         `<stat>[,<lac>,<ci>[,<AcT>[,...]]]`    - 1, or 3 and more fields.

Given `solicited`, the caller's context decides. Without it the shape does:
1 or 3 fields are a URC, 2 fields a read answer; with 4 or more, the line is a
read answer when its second field is a bare 1-2 digit <stat> (0..11) after a
one-digit <n>, and a URC when the second field is a location (quoted, or hex
of 3+ characters). lac/tac/ci are returned as upper-case hex strings, quoted or
not (`+CREG: 1,84CD,00D30173`); an AcT that is not a number (Samsung's
`+CREG: 2,1,000B,2816, B, C2816`) is None and kept in `extra`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import IntEnum

from harness.at.parsers.fields import is_decimal, opt_str, payload, split_fields, to_int, unquote
from harness.errors import CodecError

_HEX = re.compile(r"[0-9A-Fa-f]+")
PREFIXES = ("+CREG:", "+CGREG:", "+CEREG:", "+C5GREG:")


class RegStatus(IntEnum):
    """<stat> (27.007 §7.2; docs/sources.md §1.7)."""

    NOT_SEARCHING = 0
    HOME = 1
    SEARCHING = 2
    DENIED = 3
    UNKNOWN = 4
    ROAMING = 5
    HOME_SMS_ONLY = 6
    ROAMING_SMS_ONLY = 7
    EMERGENCY_ONLY = 8
    HOME_CSFB_NOT_PREFERRED = 9
    ROAMING_CSFB_NOT_PREFERRED = 10
    EMERGENCY_ATTACHED = 11

    @property
    def registered(self) -> bool:
        return self in _REGISTERED


_REGISTERED = frozenset(
    {
        RegStatus.HOME,
        RegStatus.ROAMING,
        RegStatus.HOME_SMS_ONLY,
        RegStatus.ROAMING_SMS_ONLY,
        RegStatus.HOME_CSFB_NOT_PREFERRED,
        RegStatus.ROAMING_CSFB_NOT_PREFERRED,
    }
)


@dataclass(frozen=True)
class Registration:
    """One registration line; `n` is None for a URC."""

    prefix: str
    stat: RegStatus
    n: int | None = None
    lac: str | None = None
    ci: str | None = None
    act: int | None = None
    extra: tuple[str, ...] = ()

    @property
    def solicited(self) -> bool:
        return self.n is not None


def _looks_like_read(fields: list[str]) -> bool:
    if len(fields) in (1, 3):
        return False
    if len(fields) == 2:
        return True
    first, second = fields[0], fields[1]
    return (
        len(first) == 1
        and is_decimal(first)
        and is_decimal(second)
        and len(second) <= 2
        and int(second) <= max(RegStatus)
    )


def _prefix_of(line: str) -> str:
    text = line.strip()
    for prefix in PREFIXES:
        if text.startswith(prefix):
            return prefix
    raise CodecError(f"not a registration line: {line!r}")


def _location(field: str, line: str) -> str | None:
    value = opt_str(field)
    if value is None:
        return None
    if _HEX.fullmatch(value) is None:
        raise CodecError(f"location {field!r} is not hexadecimal in {line!r}")
    return value.upper()


def parse_registration(line: str, *, solicited: bool | None = None) -> Registration:
    """Parse a +CREG/+CGREG/+CEREG/+C5GREG line (read answer or URC, see module doc)."""
    prefix = _prefix_of(line)
    fields = split_fields(payload(line, prefix))
    read = _looks_like_read(fields) if solicited is None else solicited
    n: int | None = None
    if read:
        if len(fields) < 2:
            raise CodecError(f"{prefix} read answer needs <n>,<stat>, got {line!r}")
        n = to_int(fields[0], line, f"{prefix} <n>")
        fields = fields[1:]
    stat_value = to_int(fields[0], line, f"{prefix} <stat>")
    try:
        stat = RegStatus(stat_value)
    except ValueError:
        raise CodecError(f"{prefix} <stat> {stat_value} is not defined in {line!r}") from None
    rest = fields[1:]
    if len(rest) == 1:
        raise CodecError(f"{prefix} gives a location without its cell id in {line!r}")
    lac = _location(rest[0], line) if rest else None
    ci = _location(rest[1], line) if len(rest) > 1 else None
    act: int | None = None
    extra: tuple[str, ...] = ()
    if len(rest) > 2:
        act_text = unquote(rest[2]).strip()
        act = int(act_text) if is_decimal(act_text) else None
        extra = tuple(rest[3:] if act is not None or not act_text else rest[2:])
    return Registration(prefix, stat, n, lac, ci, act, extra)
