"""AT PDU mode (3GPP TS 27.005 §3.1 <pdu>): SMSC field + TPDU, written as hex.

The same layout is stored in an EF.SMS record after its status octet (TS 51.011
§10.5.3), padded with 0xFF; decoding honours TP-UDL and ignores the padding.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

from harness.errors import CodecError
from harness.sms.address import Address, decode_smsc, encode_smsc
from harness.sms.tpdu import Tpdu, decode_tpdu

_HEX = frozenset(string.hexdigits)


def hex_to_bytes(text: str) -> bytes:
    """Strict hex: surrounding whitespace is dropped, anything else odd is a CodecError."""
    cleaned = text.strip()
    if not _HEX.issuperset(cleaned):
        position, ch = next((i, c) for i, c in enumerate(cleaned) if c not in _HEX)
        raise CodecError(f"PDU hex has non-hex character {ch!r} at position {position}")
    if len(cleaned) % 2:
        raise CodecError(f"PDU hex has an odd number of digits ({len(cleaned)})")
    return bytes.fromhex(cleaned)


@dataclass(frozen=True)
class SmsPdu:
    """What AT+CMGS/+CMGW take and +CMT/+CMGR/+CMGL/+CDS give in PDU mode.

    `smsc` None encodes as the single octet 00: 'use the +CSCA address'.
    """

    tpdu: Tpdu
    smsc: Address | None = None

    def to_bytes(self) -> bytes:
        return encode_smsc(self.smsc) + self.tpdu.encode()

    def to_hex(self) -> str:
        return self.to_bytes().hex().upper()

    @property
    def tpdu_length(self) -> int:
        """TPDU octets, SMSC field excluded: the <length> of AT+CMGS/+CMGW (27.005 §3.5.1)."""
        return len(self.tpdu.encode())

    @classmethod
    def from_bytes(
        cls, data: bytes, *, with_smsc: bool = True, tpdu_length: int | None = None
    ) -> SmsPdu:
        """Decode; `with_smsc=False` for modems that send the TPDU alone.

        `tpdu_length` is the <length> that came with the PDU (AT+CMGS=<length>,
        +CMT/+CMGR/+CDS); when given, the octets after the SMSC field must match
        it exactly (a mismatch is what a modem answers with +CMS ERROR 304).
        """
        if with_smsc:
            smsc, offset = decode_smsc(data)
        else:
            smsc, offset = None, 0
        if tpdu_length is not None and len(data) - offset != tpdu_length:
            raise CodecError(
                f"<length> says {tpdu_length} TPDU octets, the PDU carries {len(data) - offset} "
                f"after its {offset}-octet SMSC field"
            )
        return cls(tpdu=decode_tpdu(data[offset:]), smsc=smsc)

    @classmethod
    def from_hex(
        cls, text: str, *, with_smsc: bool = True, tpdu_length: int | None = None
    ) -> SmsPdu:
        return cls.from_bytes(hex_to_bytes(text), with_smsc=with_smsc, tpdu_length=tpdu_length)
