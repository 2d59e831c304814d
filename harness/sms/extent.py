"""Where a TPDU ends inside a longer buffer (TS 23.040 §9.2.2 layouts).

EF.SMS records (51.011 §10.5.3) and +CMGR answers built from them carry no TPDU
length: the extent is found by walking the TPDU's own fields up to TP-UDL, so
trailing FF padding of a record is never taken for user data.
"""

from __future__ import annotations

from harness.errors import CodecError
from harness.sms.dcs import data_coding


def _address_octets(data: bytes, offset: int) -> int:
    if offset >= len(data):
        raise CodecError("TPDU truncated in an address")
    return 2 + (data[offset] + 1) // 2


def _ud_octets(dcs: int, udl: int) -> int:
    return (udl * 7 + 7) // 8 if data_coding(dcs).septet_coded else udl


def user_data_field(data: bytes) -> tuple[int, int, int] | None:
    """(TP-DCS, TP-UDL, offset of TP-UD) of a DELIVER or SUBMIT; None for other types."""
    if not data:
        raise CodecError("empty TPDU")
    mti = data[0] & 0x03
    if mti == 0b00:  # SMS-DELIVER: FO, OA, PID, DCS, SCTS(7), UDL, UD
        offset = 1 + _address_octets(data, 1)
        dcs, udl = _octet(data, offset + 1), _octet(data, offset + 9)
        return dcs, udl, offset + 10
    if mti == 0b01:  # SMS-SUBMIT: FO, MR, DA, PID, DCS, VP(0/1/7), UDL, UD
        offset = 2 + _address_octets(data, 2)
        dcs = _octet(data, offset + 1)
        vp = {0b00: 0, 0b10: 1, 0b01: 7, 0b11: 7}[(data[0] >> 3) & 0x03]
        return dcs, _octet(data, offset + 2 + vp), offset + 3 + vp
    return None


def _octet(data: bytes, offset: int) -> int:
    if offset >= len(data):
        raise CodecError("TPDU truncated before its user data")
    return data[offset]


def tpdu_extent(data: bytes) -> int:
    """Octets the TPDU at the start of `data` occupies (trailing record padding ignored)."""
    field = user_data_field(data)
    if field is not None:
        dcs, udl, start = field
        return start + _ud_octets(dcs, udl)
    mti = data[0] & 0x03
    if mti == 0b10:  # SMS-STATUS-REPORT: FO, MR, RA, SCTS, DT, ST[, PI, PID, DCS, UDL, UD]
        offset = 2 + _address_octets(data, 2) + 15
        if offset >= len(data) or data[offset] & 0x78 or data[offset] == 0xFF:
            return min(offset, len(data))
        indicator = data[offset]
        offset += 1
        dcs = 0
        if indicator & 0x01:
            offset += 1
        if indicator & 0x02:
            dcs = data[offset]
            offset += 1
        if indicator & 0x04:
            udl = data[offset]
            offset += 1 + _ud_octets(dcs, udl)
        return offset
    raise CodecError(f"first octet {data[0]:02X}: reserved TP-MTI")
