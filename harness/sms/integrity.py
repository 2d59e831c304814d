"""Is a received PDU whole? The checks a line fault cannot slip past unnoticed.

Why: a serial line that drops or garbles bytes can leave a PDU that still
decodes, and a verdict built on a mangled one-time code is a false verdict.
A decode that succeeds is therefore not enough; a PDU received from a modem
(+CMT, +CMGR, +CMGL in PDU mode) is accepted only when every length it carries
agrees with the octets that came:

* the <length> of the AT line counts exactly the TPDU octets after the SMSC
  field (TS 27.005 §3.1 <length>, §3.4.3);
* the TPDU ends exactly where TP-UDL says (TS 23.040 §9.2.3.16): no octet
  missing, none left over;
* GSM 7-bit packing: the spare bits after the last septet are zero (TS 23.038
  §6.1.2.1.1), and the fill bits after a user data header are all 0 or all 1
  (TS 23.040 §9.2.3.24 leaves their value open; senders use one or the other);
* UCS2 text has an even number of octets (TS 23.038 §6.2.3);
* a concatenation element is one a receiver would honour (TS 23.040
  §9.2.3.24.1: part 1..total); one it would ignore is taken as damage.
"""

from __future__ import annotations

from harness.errors import CodecError
from harness.sms.address import decode_smsc
from harness.sms.dcs import data_coding
from harness.sms.extent import tpdu_extent, user_data_field
from harness.sms.gsm7 import packed_length
from harness.sms.pdu import SmsPdu, hex_to_bytes
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver, SmsSubmit
from harness.sms.udh import IEI_CONCAT_8BIT, IEI_CONCAT_16BIT
from harness.sms.userdata import header_septets


def pdu_problem(pdu_hex: str, tpdu_length: int | None) -> str | None:
    """What makes this PDU-mode line untrustworthy, or None when it is whole.

    `tpdu_length` is the <length> that came with it (None when the modem gave none).
    """
    try:
        data = hex_to_bytes(pdu_hex)
        _, offset = decode_smsc(data)
        tpdu = data[offset:]
        if tpdu_length is not None and len(tpdu) != tpdu_length:
            return (
                f"<length> says {tpdu_length} TPDU octets, the line carries {len(tpdu)} "
                f"after a {offset}-octet SMSC field"
            )
        extent = tpdu_extent(tpdu)
        if extent != len(tpdu):
            return f"TP-UDL ends the TPDU at octet {extent}, the line carries {len(tpdu)}"
        decoded = SmsPdu.from_bytes(data).tpdu
    except (CodecError, IndexError, ValueError) as exc:
        return f"the PDU does not decode: {exc}"
    if isinstance(decoded, SmsStatusReport):
        return None
    return _user_data_problem(decoded, tpdu)


def _user_data_problem(tpdu_obj: SmsDeliver | SmsSubmit, tpdu: bytes) -> str | None:
    header = tpdu_obj.user_data.header
    for element in header.elements if header is not None else ():
        if element.iei in (IEI_CONCAT_8BIT, IEI_CONCAT_16BIT) and not _valid_concat(element.data):
            return f"concatenation element {element.data.hex().upper()} names no valid part"
    field = user_data_field(tpdu)
    if field is None or not data_coding(field[0]).septet_coded:
        return None  # octet user data: the extent check is all there is
    _, udl, start = field
    ud = tpdu[start : start + packed_length(udl)]
    spare = 8 * len(ud) - 7 * udl
    if spare and ud[-1] >> (8 - spare):
        return f"the {spare} spare bit(s) after the last septet are not zero"
    if header is not None:
        h_octets = ud[0] + 1
        _, fill = header_septets(h_octets)
        if fill and h_octets < len(ud):
            value = ud[h_octets] & ((1 << fill) - 1)
            if value not in (0, (1 << fill) - 1):
                return f"the {fill} fill bits after the header are mixed ({value:0{fill}b})"
    return None


def _valid_concat(data: bytes) -> bool:
    return len(data) in (3, 4) and 1 <= data[-1] <= data[-2]
