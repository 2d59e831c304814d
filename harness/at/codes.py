"""+CME / +CMS ERROR numbers and texts, both ways (TS 27.007 §9.2, TS 27.005 §3.2.5).

A modem reports an error by number (`AT+CMEE=1`) or by text (`AT+CMEE=2`); the
harness wants both, so a verbose answer is mapped back to its number the way
ModemManager does it (`mm-error-helpers.c`): lower-case the text and drop every
character that is not a letter or digit. Newer 27.007 editions write "(U)SIM"
where older ones write "SIM" (docs/sources.md §1.5, §3.4), so that prefix is folded too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# TS 27.007 §9.2.1/§9.2.2 texts, numbered as ModemManager's MMMobileEquipmentError
# (docs/sources.md §1.5; 103..150 from ModemManager-errors.h). 515 is not in 27.007: it is
# the "device busy" code recorded from real modems (docs/sources.md §R).
CME_TEXTS: dict[int, str] = {
    0: "phone failure",
    1: "no connection to phone",
    2: "phone-adaptor link reserved",
    3: "operation not allowed",
    4: "operation not supported",
    5: "PH-SIM PIN required",
    6: "PH-FSIM PIN required",
    7: "PH-FSIM PUK required",
    10: "SIM not inserted",
    11: "SIM PIN required",
    12: "SIM PUK required",
    13: "SIM failure",
    14: "SIM busy",
    15: "SIM wrong",
    16: "incorrect password",
    17: "SIM PIN2 required",
    18: "SIM PUK2 required",
    20: "memory full",
    21: "invalid index",
    22: "not found",
    23: "memory failure",
    24: "text string too long",
    25: "invalid characters in text string",
    26: "dial string too long",
    27: "invalid characters in dial string",
    30: "no network service",
    31: "network timeout",
    32: "network not allowed - emergency calls only",
    40: "network personalization PIN required",
    41: "network personalization PUK required",
    42: "network subset personalization PIN required",
    43: "network subset personalization PUK required",
    44: "service provider personalization PIN required",
    45: "service provider personalization PUK required",
    46: "corporate personalization PIN required",
    47: "corporate personalization PUK required",
    48: "hidden key required",
    50: "incorrect parameters",
    100: "unknown",
    103: "illegal MS",
    106: "illegal ME",
    107: "GPRS services not allowed",
    111: "PLMN not allowed",
    112: "location area not allowed",
    113: "roaming not allowed in this location area",
    132: "service option not supported",
    133: "requested service option not subscribed",
    134: "service option temporarily out of order",
    148: "unspecified GPRS error",
    149: "PDP authentication failure",
    150: "invalid mobile class",
    515: "device busy (vendor code, not in TS 27.007)",
}

# TS 27.005 §3.2.5 (docs/sources.md §3.4).
CMS_TEXTS: dict[int, str] = {
    300: "ME failure",
    301: "SMS service of ME reserved",
    302: "operation not allowed",
    303: "operation not supported",
    304: "invalid PDU mode parameter",
    305: "invalid text mode parameter",
    310: "SIM not inserted",
    311: "SIM PIN required",
    312: "PH-SIM PIN required",
    313: "SIM failure",
    314: "SIM busy",
    315: "SIM wrong",
    316: "SIM PUK required",
    317: "SIM PIN2 required",
    318: "SIM PUK2 required",
    320: "memory failure",
    321: "invalid memory index",
    322: "memory full",
    330: "SMSC address unknown",
    331: "no network service",
    332: "network timeout",
    340: "no +CNMA acknowledgement expected",
    500: "unknown error",
}

# Other spellings seen in the wild (ModemManager's normalised keys, UK/US spelling).
_CME_ALIASES: dict[str, int] = {
    "phoneadapterlinkreserved": 2,
    "unknownerror": 100,
    "networkpersonalisationpinrequired": 40,
    "networkpersonalisationpukrequired": 41,
    "serviceoperationnotsupported": 132,
}
_CMS_ALIASES: dict[str, int] = {
    "smsservicereserved": 301,
    "invalidpduparameter": 304,
    "invalidtextparameter": 305,
    "invalidindex": 321,
    "nonetwork": 331,
    "nocnmaackexpected": 340,
    "unknown": 500,
}

# 0..255 are network / TP causes carried through (27.005 §3.2.5 via 24.011 E.2, 23.040).
_CMS_NETWORK_CAUSE = "network or TP cause (TS 24.011 annex E.2 / TS 23.040 §9.2.3.22)"

_USIM = re.compile(r"\(u\)sim|\busim\b", re.IGNORECASE)
_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def normalise_error_text(text: str) -> str:
    """Fold a verbose error text to its matching key: 'SIM PIN required' -> 'simpinrequired'.

    '(U)SIM PIN required' and 'USIM PIN required' fold to the same key as 'SIM PIN required'.
    """
    folded = _USIM.sub("sim", text).lower()
    return _NOT_ALNUM.sub("", folded)


def _index(texts: dict[int, str], aliases: dict[str, int]) -> dict[str, int]:
    index = {normalise_error_text(text): code for code, text in texts.items()}
    index.update(aliases)
    return index


_CME_BY_KEY = _index(CME_TEXTS, _CME_ALIASES)
_CMS_BY_KEY = _index(CMS_TEXTS, _CMS_ALIASES)


@dataclass(frozen=True)
class ErrorCode:
    """One decoded +CME/+CMS error: the number (None when the text is unknown) and its text."""

    code: int | None
    text: str


def cme_text(code: int) -> str:
    """The 27.007 text for a +CME ERROR number; an explicit 'unlisted' text when unknown."""
    return CME_TEXTS.get(code, f"unlisted CME error {code}")


def cms_text(code: int) -> str:
    """The 27.005 text for a +CMS ERROR number; network causes below 300 are named as such."""
    if code in CMS_TEXTS:
        return CMS_TEXTS[code]
    if 0 <= code <= 255:
        return _CMS_NETWORK_CAUSE
    return f"unlisted CMS error {code}"


def _decode(
    payload: str, by_key: dict[str, int], texts: dict[int, str], text_of: Callable[[int], str]
) -> ErrorCode:
    value = payload.strip().strip('"').strip()
    if value.isascii() and value.isdigit():
        code = int(value)
        return ErrorCode(code, text_of(code))
    found = by_key.get(normalise_error_text(value))
    if found is None:
        return ErrorCode(None, value)
    return ErrorCode(found, texts[found])


def decode_cme(payload: str) -> ErrorCode:
    """Decode what follows '+CME ERROR:' (a number or a verbose text)."""
    return _decode(payload, _CME_BY_KEY, CME_TEXTS, cme_text)


def decode_cms(payload: str) -> ErrorCode:
    """Decode what follows '+CMS ERROR:' (a number or a verbose text)."""
    return _decode(payload, _CMS_BY_KEY, CMS_TEXTS, cms_text)
