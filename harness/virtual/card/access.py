"""Access rules of the virtual card, in both personalities' codings.

UICC: each file's FCP references a record of EF.ARR (tag 8B), in the expanded
format of TS 102 221 §9.2.4 (AM_DO 80 + SC_DOs: 90 00 always, 97 00 never,
A4 CRT with key reference 83 and usage qualifier 95 08 = user PIN).
GSM: the 51.011 §9.3 access-condition nibbles (0 ALW, 1 CHV1, 2 CHV2, A ADM, F NEV).
"""

from __future__ import annotations

from harness.sim.key_refs import UICC_ADM1, UICC_PIN1, UICC_PIN2
from harness.virtual.card.fs import Access, Level

_ALWAYS = bytes.fromhex("9000")
_NEVER = bytes.fromhex("9700")
_KEYREF = {Level.PIN1: UICC_PIN1, Level.PIN2: UICC_PIN2, Level.ADM1: UICC_ADM1}


def _sc_do(level: Level) -> bytes:
    if level is Level.ALW:
        return _ALWAYS
    if level is Level.NEV:
        return _NEVER
    return bytes((0xA4, 0x06, 0x83, 0x01, _KEYREF[level], 0x95, 0x01, 0x08))


def _rule(access: Access) -> bytes:
    """READ (AM bit 1) under `access.read`; UPDATE (bit 2) under `access.update`;
    DEACTIVATE/ACTIVATE (bits 4, 5) under ADM1."""
    admin = bytes((0x80, 0x01, 0x18)) + _sc_do(Level.ADM1)
    if access.read == access.update:
        return bytes((0x80, 0x01, 0x03)) + _sc_do(access.read) + admin
    return (
        bytes((0x80, 0x01, 0x01))
        + _sc_do(access.read)
        + bytes((0x80, 0x01, 0x02))
        + _sc_do(access.update)
        + admin
    )


_ORDER = [
    Access(Level.ALW, Level.ADM1),
    Access(Level.PIN1, Level.ADM1),
    Access(Level.PIN1, Level.PIN1),
    Access(Level.ALW, Level.PIN1),
    Access(Level.PIN2, Level.PIN2),
    Access(Level.ALW, Level.NEV),
]
ARR_RECORD_OF: dict[Access, int] = {access: i + 1 for i, access in enumerate(_ORDER)}
ARR_RECORDS: dict[int, bytes] = {i + 1: _rule(access) for i, access in enumerate(_ORDER)}

GSM_NIBBLE: dict[Level, int] = {
    Level.ALW: 0x0,
    Level.PIN1: 0x1,
    Level.PIN2: 0x2,
    Level.ADM1: 0xA,
    Level.NEV: 0xF,
}


def arr_record(access: Access) -> int:
    return ARR_RECORD_OF[access]
