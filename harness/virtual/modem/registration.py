"""+CREG / +CGREG / +CEREG lines (TS 27.007 §7.2, §10.1.20, §10.1.22; docs/sources.md §1.7).

Read: `<n>,<stat>[,<lac>,<ci>[,<AcT>]]`; URC: `<stat>[,<lac>,<ci>[,<AcT>]]`, the
location only with n=2 and only while registered. The virtual cell is fixed.
"""

from __future__ import annotations

from harness.at.parsers.registration import RegStatus

AREA_CODE = "00C3"  # LAC (+CREG/+CGREG) and TAC (+CEREG) of the virtual cell
CELL_ID = "0001A2B3"
ACT_EUTRAN = 7
PREFIXES = ("+CREG", "+CGREG", "+CEREG")


def _location(n: int, stat: RegStatus) -> str:
    if n >= 2 and stat.registered:
        return f',"{AREA_CODE}","{CELL_ID}",{ACT_EUTRAN}'
    return ""


def read_line(prefix: str, n: int, stat: RegStatus) -> str:
    return f"{prefix}: {n},{int(stat)}{_location(n, stat)}"


def urc_line(prefix: str, n: int, stat: RegStatus) -> str | None:
    """The URC for a change to `stat`, or None when n=0 asks for none."""
    if n == 0:
        return None
    return f"{prefix}: {int(stat)}{_location(n, stat)}"
