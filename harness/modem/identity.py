"""Who the modem and its SIM are: +CGMI/+CGMM/+CGMR/+CGSN/+CIMI and the ICCID.

Answers are bare text on most modems; some prefix them with the command name
(`+CGSN: 35...`, `+CIMI: 0010...`, ModemManager strips both; docs/sources.md §1.9).
The ICCID has no 27.007 command: vendors answer `+QCCID:`, `+ICCID:`,
`^ICCID:`, `!ICCID:`, `+CCID:`, `#CCID:` or bare digits, sometimes still
nibble-swapped as stored in EF.ICCID (`98...`) and F-padded; the portable
route is READ BINARY of EF.ICCID by +CRSM (decoded by harness.sim.ef.identity).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from harness.at.parsers.fields import unquote
from harness.at.urc import line_prefix
from harness.errors import CodecError

_ICCID = re.compile(r"[0-9]{18,20}")


@dataclass(frozen=True)
class ModemIdentity:
    """Identity of the modem and, where the SIM allows, of its subscription.

    `imsi` is None while the PIN is pending (the modem refuses +CIMI); `iccid` is
    None when neither the vendor command nor +CRSM answered.
    """

    manufacturer: str
    model: str
    revision: str
    imei: str
    imsi: str | None
    iccid: str | None


def first_text(lines: Sequence[str], prefix: str | None = None) -> str:
    """The first information line with `prefix` (or any own `+XXX:` prefix) removed."""
    for line in lines:
        text = line.strip()
        if not text:
            continue
        own = prefix if prefix and text.startswith(prefix) else line_prefix(text)
        if own is not None and text.startswith(own):
            text = text[len(own) :].strip()
        return unquote(text).strip()
    raise CodecError("the answer has no information line")


def digits_answer(lines: Sequence[str], prefix: str, what: str, lengths: range) -> str:
    """An IMEI or IMSI answer: digits only, of an allowed length."""
    text = first_text(lines, prefix)
    if not (text.isascii() and text.isdigit() and len(text) in lengths):
        raise CodecError(
            f"{what}: expected {lengths.start}-{lengths.stop - 1} digits, got {text!r}"
        )
    return text


def normalise_iccid(text: str) -> str:
    """`8988...F`, `"8988..."`, or the raw swapped `9888...` -> the ICCID digits.

    ModemManager's rule (mm_3gpp_parse_iccid): 20 characters starting `98` are the
    EF bytes as stored, so each pair is swapped back; a trailing F is padding.
    """
    value = unquote(text.strip()).strip().upper()
    if len(value) == 20 and value.startswith("98") and re.fullmatch(r"[0-9F]{20}", value):
        value = "".join(value[i + 1] + value[i] for i in range(0, 20, 2))
    value = value.rstrip("F")
    if _ICCID.fullmatch(value) is None:
        raise CodecError(f"not an ICCID (18-20 digits): {text!r}")
    return value
