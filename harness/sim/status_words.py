"""Status words and their meaning: UICC (TS 102 221 §10.2) and GSM SIM (TS 51.011 §9.4).

`describe()` turns SW1/SW2 into the text an engineer needs; the virtual card
takes its constants from here so that both sides agree byte for byte.
"""

from __future__ import annotations

from enum import IntEnum


class Sw(IntEnum):
    """Fixed status words used by both sides (docs/sources.md §4.6)."""

    OK = 0x9000
    # TS 102 221 §10.2.1 (UICC, CLA 00/80)
    WARN_NV_UNCHANGED = 0x6200
    EOF_BEFORE_LE = 0x6282
    FILE_INVALIDATED = 0x6283
    VERIFY_FAILED_NO_INFO = 0x6300
    MEMORY_PROBLEM = 0x6581
    WRONG_LENGTH = 0x6700
    CHANNEL_NOT_SUPPORTED = 0x6881
    INCOMPATIBLE_FILE_STRUCTURE = 0x6981
    SECURITY_NOT_SATISFIED = 0x6982
    AUTH_METHOD_BLOCKED = 0x6983
    REFERENCED_DATA_INVALIDATED = 0x6984
    CONDITIONS_NOT_SATISFIED = 0x6985
    NO_EF_SELECTED = 0x6986
    INCORRECT_DATA = 0x6A80
    FILE_NOT_FOUND = 0x6A82
    RECORD_NOT_FOUND = 0x6A83
    NOT_ENOUGH_MEMORY = 0x6A84
    WRONG_P1P2_6A86 = 0x6A86
    REFERENCE_NOT_FOUND = 0x6A88
    WRONG_P1P2 = 0x6B00
    INS_NOT_SUPPORTED = 0x6D00
    CLA_NOT_SUPPORTED = 0x6E00
    TECHNICAL_PROBLEM = 0x6F00
    # TS 51.011 §9.4 (GSM SIM, CLA A0)
    GSM_MEMORY_PROBLEM = 0x9240
    GSM_NO_EF_SELECTED = 0x9400
    GSM_OUT_OF_RANGE = 0x9402
    GSM_FILE_NOT_FOUND = 0x9404
    GSM_FILE_INCONSISTENT = 0x9408
    GSM_NO_CHV_INITIALISED = 0x9802
    GSM_ACCESS_NOT_FULFILLED = 0x9804
    GSM_CHV_CONTRADICTION = 0x9808
    GSM_INVALIDATION_CONTRADICTION = 0x9810
    GSM_CHV_BLOCKED = 0x9840
    GSM_INCORRECT_P3 = 0x6700
    GSM_INCORRECT_P1P2 = 0x6B00
    GSM_UNKNOWN_INS = 0x6D00
    GSM_WRONG_CLASS = 0x6E00
    GSM_TECHNICAL_PROBLEM = 0x6F00


_UICC_EXACT: dict[int, str] = {
    0x9000: "normal ending of the command",
    0x6200: "warning: no information given, non-volatile memory unchanged",
    0x6281: "warning: part of returned data may be corrupted",
    0x6282: "warning: end of file/record reached before reading Le bytes",
    0x6283: "warning: selected file invalidated",
    0x6285: "warning: selected file in termination state",
    0x62F1: "warning: more data available",
    0x6300: "verification failed, no retry information",
    0x63F1: "warning: more data available",
    0x6400: "execution error: non-volatile memory unchanged",
    0x6500: "execution error: no information given, memory changed",
    0x6581: "memory problem",
    0x6700: "wrong length",
    0x6800: "functions in CLA not supported",
    0x6881: "logical channel not supported",
    0x6882: "secure messaging not supported",
    0x6981: "command incompatible with file structure",
    0x6982: "security status not satisfied (verify the PIN first)",
    0x6983: "authentication/PIN method blocked",
    0x6984: "referenced data invalidated",
    0x6985: "conditions of use not satisfied",
    0x6986: "command not allowed (no EF selected)",
    0x6989: "command not allowed: secure channel security not satisfied",
    0x6A80: "incorrect parameters in the data field",
    0x6A81: "function not supported",
    0x6A82: "file or application not found",
    0x6A83: "record not found",
    0x6A84: "not enough memory space",
    0x6A86: "incorrect parameters P1 to P2",
    0x6A87: "Lc inconsistent with P1 to P2",
    0x6A88: "referenced data not found (no such PIN reference)",
    0x6B00: "wrong parameter(s) P1-P2",
    0x6D00: "instruction code not supported or invalid",
    0x6E00: "class not supported",
    0x6F00: "technical problem, no precise diagnosis",
    0x9300: "SIM Application Toolkit busy",
    0x9862: "authentication error, application specific",
    0x9863: "security session or association expired",
}

_GSM_EXACT: dict[int, str] = {
    0x9000: "normal ending of the command",
    0x9240: "memory problem",
    0x9300: "SIM Application Toolkit busy",
    0x9400: "no EF selected",
    0x9402: "out of range (invalid address or record)",
    0x9404: "file ID not found / pattern not found",
    0x9408: "file is inconsistent with the command",
    0x9802: "no CHV initialised",
    0x9804: "access condition not fulfilled / unsuccessful CHV verification, attempts left",
    0x9808: "in contradiction with CHV status",
    0x9810: "in contradiction with invalidation status",
    0x9840: "unsuccessful CHV verification, no attempt left (CHV/UNBLOCK CHV blocked)",
    0x9850: "increase cannot be performed, max value reached",
    0x6F00: "technical problem with no diagnostic given",
}


def describe(sw1: int, sw2: int, *, gsm: bool = False) -> str:
    """Meaning of SW1 SW2; `gsm=True` for a CLA A0 (TS 51.011) exchange."""
    sw = (sw1 << 8) | sw2
    exact = _GSM_EXACT if gsm else _UICC_EXACT
    if sw in exact:
        return exact[sw]
    if sw1 == 0x61:
        return f"{sw2} response bytes available (GET RESPONSE)"
    if sw1 == 0x9F:
        return f"{sw2} response bytes available (GET RESPONSE)"
    if sw1 == 0x6C:
        return f"wrong Le: resend with Le={sw2}"
    if sw1 == 0x91:
        return f"normal ending, proactive command of {sw2} bytes pending"
    if sw1 == 0x92 and sw2 & 0xF0 == 0:
        return f"command successful after {sw2 & 0x0F} internal retries"
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return f"verification failed, {sw2 & 0x0F} retries left"
    if gsm and sw1 in (0x67, 0x6B, 0x6D, 0x6E, 0x6F):
        return {
            0x67: "incorrect parameter P3",
            0x6B: "incorrect parameter P1 or P2",
            0x6D: "unknown instruction code",
            0x6E: "wrong instruction class",
            0x6F: "technical problem with no diagnostic given",
        }[sw1]
    return "unknown status word"


def is_success(sw1: int, sw2: int) -> bool:
    """Normal processing (9000, 91xx, 92xx) — the command did what it was asked."""
    return (sw1, sw2) == (0x90, 0x00) or sw1 in (0x91, 0x92)


def retries_from_63cx(sw1: int, sw2: int) -> int | None:
    """The retry count of a 63CX answer, or None for any other status word."""
    if sw1 == 0x63 and sw2 & 0xF0 == 0xC0:
        return sw2 & 0x0F
    return None
