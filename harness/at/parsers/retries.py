"""PIN/PUK retry counters from every vendor's dialect, as one PinRetries value.

Formats and field orders: docs/sources.md §2.1, checked against oFono
drivers/atmodem/sim.c and ModemManager's plugins (mbm *EPIN, novatel-lte
$NWPINR, mtk +EPINC, altair %CPININFO). The generic 27.007 path is +CPINR;
the portable fallback is an empty VERIFY/UNBLOCK over +CSIM, read with
`retries_from_status_word`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from harness.at.parsers.fields import payload, split_fields, to_int, unquote
from harness.at.parsers.pin import CpinCode, parse_cpinr
from harness.errors import CodecError


@dataclass(frozen=True)
class PinRetries:
    """Attempts left per secret; None where the answer did not say."""

    pin1: int | None = None
    puk1: int | None = None
    pin2: int | None = None
    puk2: int | None = None

    def merged(self, other: PinRetries) -> PinRetries:
        """Fill this value's unknowns from `other` (for one-counter-per-query vendors)."""
        return PinRetries(
            *(
                mine if mine is not None else theirs
                for mine, theirs in zip(self._values(), other._values(), strict=True)
            )
        )

    def _values(self) -> tuple[int | None, int | None, int | None, int | None]:
        return (self.pin1, self.puk1, self.pin2, self.puk2)


# prefix -> field order of a one-line, all-numbers answer.
_ORDERS: dict[str, tuple[str, ...]] = {
    "+SPIC:": ("pin1", "puk1", "pin2", "puk2"),  # SIMCom AT+SPIC
    "+CPINC:": ("pin1", "pin2", "puk1", "puk2"),  # Sierra / Wavecom AT+CPINC?
    "+UPINCNT:": ("pin1", "pin2", "puk1", "puk2"),  # u-blox AT+UPINCNT
    "+TPIN:": ("pin1", "puk1", "pin2", "puk2"),  # Motorola AT+TPIN?
    "+ZPINPUK:": ("pin1", "puk1"),  # ZTE AT+ZPINPUK=?
    "+XPINCNT:": ("pin1", "pin2", "puk1", "puk2"),  # Intel/IFX AT+XPINCNT
    "*EPIN:": ("pin1", "puk1", "pin2", "puk2"),  # Ericsson MBM AT*EPIN?
    "%PINNUM:": ("pin1", "puk1", "pin2", "puk2"),  # Icera AT%PINNUM?
    "_OERCN:": ("pin1", "puk1"),  # Option HSO AT_OERCN?
    "+PNNM:": ("pin1", "puk1"),  # Alcatel AT+PNNM?
    "+EPINC:": ("pin1", "pin2", "puk1", "puk2"),  # MediaTek AT+EPINC?
    "%CPININFO:": ("pin1", "puk1", "pin2", "puk2"),  # Altair AT%CPININFO
}

_PENDING_FIELD = {
    CpinCode.SIM_PIN: "pin1",
    CpinCode.SIM_PUK: "puk1",
    CpinCode.SIM_PIN2: "pin2",
    CpinCode.SIM_PUK2: "puk2",
}

_LONGCHEER = re.compile(r"^(PIN1|PUK1|PIN2|PUK2)=(\d+)$")
_NOVATEL = re.compile(r"^PIN([12]),\s*(\d+)$")


def _numbers(line: str, prefix: str) -> list[int]:
    fields = split_fields(payload(line, prefix))
    while fields and not fields[-1]:  # a trailing comma (vendor quirk)
        fields.pop()
    return [to_int(field, line, prefix) for field in fields]


def parse_ordered(line: str, prefix: str) -> PinRetries:
    """A one-line vendor answer whose field order is in the table above."""
    order = _ORDERS[prefix]
    values = _numbers(line, prefix)
    if len(values) < len(order):
        raise CodecError(f"{prefix} needs {len(order)} counters, got {line!r}")
    return PinRetries(**dict(zip(order, values, strict=False)))


def parse_huawei_cpin(line: str) -> PinRetries:
    """`^CPIN: <code>,[<times>],<puk>,<pin>,<puk2>,<pin2>`; values above 10 are not counters
    (ModemManager rejects them), so they become None."""
    fields = split_fields(payload(line, "^CPIN:"))
    if len(fields) < 6:
        raise CodecError(f"^CPIN needs 6 fields, got {line!r}")
    values = [to_int(field, line, "^CPIN counter") for field in fields[2:6]]
    puk1, pin1, puk2, pin2 = (value if value <= 10 else None for value in values)
    return PinRetries(pin1=pin1, puk1=puk1, pin2=pin2, puk2=puk2)


def parse_quectel_qpinc(lines: Sequence[str]) -> PinRetries:
    """`+QPINC: "SC",3,10` (PIN1/PUK1) and `+QPINC: "P2",3,10` (PIN2/PUK2)."""
    found: dict[str, int] = {}
    for line in lines:
        fields = split_fields(payload(line, "+QPINC:"))
        if len(fields) < 3:
            raise CodecError(f"+QPINC needs <fac>,<pin>,<puk>, got {line!r}")
        facility = unquote(fields[0]).upper()
        pin, puk = (to_int(field, line, "+QPINC counter") for field in fields[1:3])
        if facility == "SC":
            found.update(pin1=pin, puk1=puk)
        elif facility == "P2":
            found.update(pin2=pin, puk2=puk)
    return PinRetries(**found)


def parse_cpinr_lines(lines: Sequence[str]) -> PinRetries:
    """27.007 +CPINR lines (`+CPINR: SIM PIN,3,3` ...); +CPINRE lines are ignored."""
    found: dict[str, int] = {}
    for line in lines:
        if not line.startswith("+CPINR:"):
            continue
        entry = parse_cpinr(line)
        field = _PENDING_FIELD.get(entry.code)
        if field is not None:
            found[field] = entry.retries
    return PinRetries(**found)


def parse_telit_pct(line: str, pending: CpinCode | None) -> PinRetries:
    """`#PCT: <n>` counts the tries of the password currently required, so the caller
    must say which one that is (from +CPIN?); with none pending the answer says nothing
    this parser can attribute, and every field stays None."""
    values = _numbers(line, "#PCT:")
    if len(values) != 1:
        raise CodecError(f"#PCT carries one counter, got {line!r}")
    field = _PENDING_FIELD.get(pending) if pending is not None else None
    return PinRetries(**({field: values[0]} if field else {}))


def parse_cinterion_spic(line: str) -> int:
    """`^SPIC: <counter>`: one counter, for the facility the query named."""
    values = _numbers(line, "^SPIC:")
    if len(values) != 1:
        raise CodecError(f"^SPIC carries one counter, got {line!r}")
    return values[0]


def retries_from_spic(
    *,
    pin1: str | None = None,
    puk1: str | None = None,
    pin2: str | None = None,
    puk2: str | None = None,
) -> PinRetries:
    """Cinterion: one ^SPIC answer per query (`AT^SPIC="SC",0` -> pin1, `"SC",1` -> puk1,
    `"P2",0` -> pin2, `"P2",1` -> puk2)."""
    return PinRetries(
        *(None if line is None else parse_cinterion_spic(line) for line in (pin1, puk1, pin2, puk2))
    )


def parse_longcheer(line: str) -> PinRetries:
    """Longcheer/Speedup AT+CPNNUM: `PIN1=3; PUK1=10; PIN2=3; PUK2=10` (no prefix)."""
    found: dict[str, int] = {}
    for entry in line.split(";"):
        match = _LONGCHEER.match(entry.strip())
        if match:
            found[match.group(1).lower()] = int(match.group(2))
    if not found:
        raise CodecError(f"no PINn=/PUKn= counters in {line!r}")
    return PinRetries(**found)


def parse_novatel(lines: Sequence[str]) -> PinRetries:
    """Novatel LTE `$NWPINR: PIN1, 3` lines (ModemManager novatel-lte plugin)."""
    found: dict[str, int] = {}
    for line in lines:
        match = _NOVATEL.match(payload(line, "$NWPINR:"))
        if match is None:
            raise CodecError(f"expected '$NWPINR: PIN<n>, <count>', got {line!r}")
        found["pin1" if match.group(1) == "1" else "pin2"] = int(match.group(2))
    return PinRetries(**found)


def retries_from_status_word(sw1: int, sw2: int) -> int | None:
    """Tries left from the answer to an empty VERIFY/UNBLOCK (TS 102 221 §11.1.9.1.2):
    63Cx -> x; 6983 (blocked) -> 0 (as ModemManager issue #11 suggests); else None."""
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return sw2 & 0x0F
    if (sw1, sw2) == (0x69, 0x83):
        return 0
    return None


def parse_pin_retries(lines: Sequence[str], *, pending: CpinCode | None = None) -> PinRetries:
    """Any vendor's retry answer (the info lines of one command) -> PinRetries.

    `pending` is the +CPIN? state, needed only for Telit #PCT. Cinterion ^SPIC answers
    one counter per query: use `retries_from_spic`.
    """
    useful = [line.strip() for line in lines if line.strip()]
    if not useful:
        raise CodecError("no retry-counter line in the answer")
    first = useful[0]
    for prefix in _ORDERS:
        if first.startswith(prefix):
            return parse_ordered(first, prefix)
    if first.startswith("+CPINR"):
        return parse_cpinr_lines(useful)
    if first.startswith("+QPINC:"):
        return parse_quectel_qpinc([line for line in useful if line.startswith("+QPINC:")])
    if first.startswith("^CPIN:"):
        return parse_huawei_cpin(first)
    if first.startswith("#PCT:"):
        return parse_telit_pct(first, pending)
    if first.startswith("$NWPINR:"):
        return parse_novatel([line for line in useful if line.startswith("$NWPINR:")])
    if first.startswith("^SPIC:"):
        raise CodecError("^SPIC answers one counter per query; combine them with retries_from_spic")
    if first.startswith(("PIN1=", "PUK1=", "PIN2=", "PUK2=")):
        return parse_longcheer(first)
    raise CodecError(f"unknown retry-counter answer {first!r}")
