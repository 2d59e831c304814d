"""+COPS, +CSQ and +CFUN answers (TS 27.007 §7.3, §8.5, §8.2; docs/sources.md §1.6, §1.8)."""

from __future__ import annotations

from dataclasses import dataclass

from harness.at.parsers.fields import groups, opt_int, opt_str, payload, split_fields, to_int
from harness.errors import CodecError


@dataclass(frozen=True)
class CurrentOperator:
    """`+COPS: <mode>[,<format>,<oper>[,<AcT>]]` (AcT absent on older modems)."""

    mode: int
    format: int | None = None
    name: str | None = None
    act: int | None = None


def parse_cops(line: str) -> CurrentOperator:
    """`+COPS: 0,0,"MTN",2`, `+COPS: 0,0,"I OMNITEL"`, `+COPS:0,2,"00101",13`, `+COPS: 0`."""
    fields = split_fields(payload(line, "+COPS:"))
    mode = to_int(fields[0], line, "+COPS <mode>")
    fmt = opt_int(fields[1], line, "+COPS <format>") if len(fields) > 1 else None
    name = opt_str(fields[2]) if len(fields) > 2 else None
    act = opt_int(fields[3], line, "+COPS <AcT>") if len(fields) > 3 else None
    return CurrentOperator(mode, fmt, name, act)


@dataclass(frozen=True)
class NetworkEntry:
    """One network of a +COPS=? scan: `(<stat>,long,short,numeric[,<AcT>])`."""

    stat: int  # 0 unknown, 1 available, 2 current, 3 forbidden
    long_name: str | None
    short_name: str | None
    numeric: str | None
    act: int | None = None


def parse_cops_scan(line: str) -> list[NetworkEntry]:
    """`+COPS: (2,"Op","Op","00101",7),(1,...),,(0-4),(0-2)` -> the network entries.

    The trailing lists of supported modes and formats (after the empty field) are
    not networks and are skipped.
    """
    entries: list[NetworkEntry] = []
    for group in groups(payload(line, "+COPS:"), line):
        fields = split_fields(group)
        if len(fields) < 4 or not any(field.startswith('"') for field in fields[1:4]):
            continue  # (0-4) / (0,1,2,3,4): lists of supported values, not networks
        entries.append(
            NetworkEntry(
                to_int(fields[0], line, "+COPS <stat>"),
                opt_str(fields[1]),
                opt_str(fields[2]),
                opt_str(fields[3]),
                opt_int(fields[4], line, "+COPS <AcT>") if len(fields) > 4 else None,
            )
        )
    return entries


@dataclass(frozen=True)
class SignalQuality:
    """`+CSQ: <rssi>,<ber>`; `dbm` and `ber` are None when unknown (99) or out of range."""

    rssi: int
    ber_raw: int

    @property
    def dbm(self) -> int | None:
        """0 -> -113 (or less), 1 -> -111, 2..30 -> -109..-53, 31 -> -51 (or more)."""
        if 0 <= self.rssi <= 31:
            return -113 + 2 * self.rssi
        return None

    @property
    def ber(self) -> int | None:
        """RXQUAL 0..7; None when unknown."""
        return self.ber_raw if 0 <= self.ber_raw <= 7 else None


def parse_csq(line: str) -> SignalQuality:
    """`+CSQ: 18,99`, `+CSQ:4,0`, `+CSQ: 99,99`."""
    fields = split_fields(payload(line, "+CSQ:"))
    if len(fields) != 2:
        raise CodecError(f"+CSQ needs <rssi>,<ber>, got {line!r}")
    return SignalQuality(
        to_int(fields[0], line, "+CSQ <rssi>"), to_int(fields[1], line, "+CSQ <ber>")
    )


def parse_cfun(line: str) -> int:
    """`+CFUN: 1` -> 1. A test-form answer (`+CFUN: (0-1,4-7),(0-1)`, seen from a ZTE
    stick for AT+CFUN?) raises CodecError instead of being read as a level."""
    fields = split_fields(payload(line, "+CFUN:"))
    if fields[0].startswith("("):
        raise CodecError(
            f"+CFUN answered with its test form (supported values), not a level: {line!r}"
        )
    return to_int(fields[0], line, "+CFUN <fun>")
