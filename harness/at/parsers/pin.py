"""+CPIN, +CLCK and +CPINR answers (TS 27.007 §8.3, §7.4, §8.65; docs/sources.md §1.2-1.4)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from harness.at.parsers.fields import payload, split_fields, to_int, unquote
from harness.errors import CodecError


class CpinCode(Enum):
    """The <code> of +CPIN: what the MT waits for (27.007 §8.3), plus values seen in the wild.

    The wire vocabulary, as parsed; the driver folds it with +CME errors into
    `harness.modem.SimState` (why both: see there)."""

    READY = "READY"
    SIM_PIN = "SIM PIN"
    SIM_PUK = "SIM PUK"
    SIM_PIN2 = "SIM PIN2"
    SIM_PUK2 = "SIM PUK2"
    PH_SIM_PIN = "PH-SIM PIN"
    PH_FSIM_PIN = "PH-FSIM PIN"
    PH_FSIM_PUK = "PH-FSIM PUK"
    PH_NET_PIN = "PH-NET PIN"
    PH_NET_PUK = "PH-NET PUK"
    PH_NETSUB_PIN = "PH-NETSUB PIN"
    PH_NETSUB_PUK = "PH-NETSUB PUK"
    PH_SP_PIN = "PH-SP PIN"
    PH_SP_PUK = "PH-SP PUK"
    PH_CORP_PIN = "PH-CORP PIN"
    PH_CORP_PUK = "PH-CORP PUK"
    # Not 27.007: Quectel URC on SIM removal, "NOT INSERTED" (docs/sources.md §1.2),
    # and the Android emulator's "ABSENT".
    NOT_READY = "NOT READY"
    NOT_INSERTED = "NOT INSERTED"
    ABSENT = "ABSENT"


# Longest first, so "SIM PIN2" is not read as "SIM PIN" (ModemManager does the same).
_BY_LENGTH = sorted(CpinCode, key=lambda state: len(state.value), reverse=True)


def cpin_code(code: str, line: str = "") -> CpinCode:
    """Map a +CPIN <code> (any case, quoted or not, trailing junk tolerated) to CpinCode."""
    value = unquote(code.strip()).strip().strip('"').strip().upper()
    for state in _BY_LENGTH:
        if value == state.value:
            return state
    for state in _BY_LENGTH:
        if value.startswith(state.value):
            return state
    raise CodecError(f"unknown +CPIN code {code!r} in {line or code!r}")


def parse_cpin(line: str) -> CpinCode:
    """`+CPIN: SIM PIN`, `+CPIN:READY`, `+CPIN: "SIM PUK"` -> CpinCode."""
    return cpin_code(payload(line, "+CPIN:"), line)


@dataclass(frozen=True)
class LockStatus:
    """One +CLCK query line: `+CLCK: <status>[,<class>]`."""

    active: bool
    service_class: int | None = None


def parse_clck(line: str) -> LockStatus:
    """`+CLCK: 1` -> LockStatus(active=True)."""
    fields = split_fields(payload(line, "+CLCK:"))
    status = to_int(fields[0], line, "+CLCK status")
    if status not in (0, 1):
        raise CodecError(f"+CLCK status must be 0 or 1, got {status} in {line!r}")
    service_class = (
        to_int(fields[1], line, "+CLCK class") if len(fields) > 1 and fields[1] else None
    )
    return LockStatus(status == 1, service_class)


@dataclass(frozen=True)
class CpinrEntry:
    """One +CPINR line: the code, tries left and (when given) the initial count."""

    code: CpinCode
    retries: int
    default_retries: int | None = None


def parse_cpinr(line: str) -> CpinrEntry:
    """`+CPINR: SIM PIN,3,3` (also 2-field `+CPINR: SIM PIN,3` and quoted codes)."""
    fields = [field for field in split_fields(payload(line, "+CPINR:"))]
    if len(fields) < 2:
        raise CodecError(f"+CPINR needs <code>,<retries>, got {line!r}")
    code = cpin_code(fields[0], line)
    retries = to_int(fields[1], line, "+CPINR retries")
    default = to_int(fields[2], line, "+CPINR default") if len(fields) > 2 and fields[2] else None
    return CpinrEntry(code, retries, default)
