"""TP-UDL + TP-UD: text or data, with an optional user data header (23.040 §9.2.3.16, .24).

For GSM 7-bit, TP-UDL counts septets including the header and its fill bits,
which pad the header to a septet boundary; for 8-bit, UCS2 and compressed data
it counts octets. UCS2 is read and written as UTF-16BE, so characters outside
the BMP travel as surrogate pairs; a lone surrogate (half a pair split by some
sender across two parts) is kept as is, for `concat` to rejoin.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import CodecError
from harness.sms.dcs import Alphabet, DataCoding
from harness.sms.gsm7 import (
    pack_septets,
    packed_length,
    septets_to_text,
    text_to_septets,
    unpack_septets,
)
from harness.sms.udh import UserDataHeader

MAX_OCTETS = 140
"""TP-UD capacity of one SMS-DELIVER/SUBMIT (23.040 §9.2.3.24)."""
MAX_SEPTETS = 160


@dataclass(frozen=True)
class UserData:
    """Decoded TP-UD: `text` for GSM7/UCS2, `data` for 8-bit or compressed user data.

    `fill` is the value of the fill bits between a header and GSM 7-bit text.
    23.040 §9.2.3.24 does not fix it (senders use 0 or 1s), so it is kept for an
    exact re-encode; it is 0 unless a decoded PDU said otherwise.
    """

    text: str = ""
    data: bytes = b""
    header: UserDataHeader | None = None
    fill: int = 0


def header_septets(header_octets: int) -> tuple[int, int]:
    """(septets the header occupies, fill bits after it) in GSM 7-bit user data."""
    septets = (8 * header_octets + 6) // 7
    return septets, 7 * septets - 8 * header_octets


def encode_ucs2(text: str) -> bytes:
    return text.encode("utf-16-be", "surrogatepass")


def decode_ucs2(data: bytes) -> str:
    if len(data) % 2:
        raise CodecError(f"UCS2 user data has an odd number of octets ({len(data)})")
    return data.decode("utf-16-be", "surrogatepass")


def encode_user_data(dcs: DataCoding, user_data: UserData) -> tuple[int, bytes]:
    """Return (TP-UDL, TP-UD octets); CodecError when it does not fit one SM."""
    header = user_data.header.encode() if user_data.header is not None else b""
    if dcs.septet_coded:
        if user_data.data:
            raise CodecError(f"{dcs!r} is GSM 7-bit text; raw data needs an 8-bit DCS")
        h_septets, fill = header_septets(len(header)) if header else (0, 0)
        septets = text_to_septets(user_data.text)
        udl = h_septets + len(septets)
        if udl > MAX_SEPTETS:
            raise CodecError(
                f"user data is {udl} septets, one SM holds {MAX_SEPTETS}; "
                "split it with harness.sms.concat"
            )
        if not 0 <= user_data.fill < 1 << fill:
            raise CodecError(f"fill value {user_data.fill} does not fit {fill} fill bit(s)")
        packed = bytearray(pack_septets(septets, fill))
        if fill:
            packed[0] |= user_data.fill
        return udl, header + bytes(packed)
    if dcs.alphabet is Alphabet.UCS2 and not dcs.compressed:
        if user_data.data:
            raise CodecError(f"{dcs!r} is UCS2 text; raw data needs an 8-bit DCS")
        payload = encode_ucs2(user_data.text)
    else:
        if user_data.text:
            raise CodecError(f"{dcs!r} carries octets (8-bit or compressed); pass data, not text")
        payload = user_data.data
    octets = header + payload
    if len(octets) > MAX_OCTETS:
        raise CodecError(
            f"user data is {len(octets)} octets, one SM holds {MAX_OCTETS}; "
            "split it with harness.sms.concat"
        )
    return len(octets), octets


def decode_user_data(dcs: DataCoding, udhi: bool, udl: int, body: bytes) -> UserData:
    """Decode TP-UD from `body`; octets after the `udl` worth (padding) are ignored."""
    if dcs.septet_coded:
        needed = packed_length(udl)
        if len(body) < needed:
            raise CodecError(
                f"TP-UDL {udl} septets needs {needed} octets of user data, only {len(body)} present"
            )
        ud = body[:needed]
        header = UserDataHeader.decode(ud) if udhi else None
        h_octets = ud[0] + 1 if header is not None else 0
        h_septets, fill = header_septets(h_octets)
        if h_septets > udl:
            raise CodecError(
                f"TP-UDL {udl} septets is shorter than the {h_septets}-septet user data header"
            )
        septets = unpack_septets(ud[h_octets:], udl - h_septets, fill)
        fill_value = ud[h_octets] & ((1 << fill) - 1) if fill else 0
        return UserData(text=septets_to_text(septets), header=header, fill=fill_value)
    if len(body) < udl:
        raise CodecError(f"TP-UDL {udl} octets, only {len(body)} octets of user data present")
    ud = body[:udl]
    header = UserDataHeader.decode(ud) if udhi else None
    payload = ud[ud[0] + 1 :] if header is not None else ud
    if dcs.alphabet is Alphabet.UCS2 and not dcs.compressed:
        return UserData(text=decode_ucs2(payload), header=header)
    return UserData(data=payload, header=header)
