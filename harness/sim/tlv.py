"""BER-TLV as UICCs use it (ISO/IEC 7816-4 §5.2, TS 102 221 §11.1.1.3.0 / annex D).

Tags are one or two bytes (a first byte with b5..b1 = 11111 announces a second
byte, whose b8 must be 0 since three-byte tags do not occur on a UICC). Lengths
use the short form (00..7F) or the long forms 81 xx and 82 xx xx. Records and
responses are often padded with 'FF' after the last object; that padding is
skipped, anything else that does not parse is a `CodecError`.
"""

from __future__ import annotations

from collections.abc import Iterable

from harness.errors import CodecError
from harness.sim.codec_vectors import CodecVector


def _tag_bytes(tag: int) -> bytes:
    if 0 < tag <= 0xFF:
        if tag & 0x1F == 0x1F:
            raise CodecError(f"tag {tag:02X} announces a second tag byte; give the 2-byte tag")
        if tag == 0xFF:
            raise CodecError("tag FF is padding, not a tag")
        return bytes((tag,))
    if 0x100 <= tag <= 0xFFFF:
        first, second = tag >> 8, tag & 0xFF
        if first & 0x1F != 0x1F or second & 0x80:
            raise CodecError(f"tag {tag:04X} is not a valid two-byte BER-TLV tag")
        return bytes((first, second))
    raise CodecError(f"tag {tag:#x} is not a one- or two-byte BER-TLV tag")


def _length_bytes(length: int) -> bytes:
    if length < 0x80:
        return bytes((length,))
    if length <= 0xFF:
        return bytes((0x81, length))
    if length <= 0xFFFF:
        return bytes((0x82, length >> 8, length & 0xFF))
    raise CodecError(f"TLV value of {length} bytes is longer than 65535")


def encode_tlv(tag: int, value: bytes) -> bytes:
    """One BER-TLV object with the shortest length form."""
    return _tag_bytes(tag) + _length_bytes(len(value)) + value


def decode_tlvs(raw: bytes) -> list[tuple[int, bytes]]:
    """All top-level objects in order, as (tag, value); trailing 'FF' padding is skipped."""
    items: list[tuple[int, bytes]] = []
    pos = 0
    end = len(raw)
    while pos < end:
        if raw[pos] == 0xFF and all(b == 0xFF for b in raw[pos:]):
            break
        start = pos
        tag = raw[pos]
        pos += 1
        if tag in (0x00, 0xFF):
            raise CodecError(f"TLV at offset {start}: byte {tag:02X} is not a tag")
        if tag & 0x1F == 0x1F:
            if pos >= end:
                raise CodecError(f"TLV at offset {start}: two-byte tag cut off")
            second = raw[pos]
            pos += 1
            if second & 0x80:
                raise CodecError(f"TLV at offset {start}: tags longer than two bytes unsupported")
            tag = (tag << 8) | second
        if pos >= end:
            raise CodecError(f"TLV {tag:02X} at offset {start}: length byte missing")
        first_length = raw[pos]
        pos += 1
        if first_length < 0x80:
            length = first_length
        elif first_length in (0x81, 0x82):
            count = first_length & 0x7F
            if pos + count > end:
                raise CodecError(f"TLV {tag:02X} at offset {start}: length bytes cut off")
            length = int.from_bytes(raw[pos : pos + count], "big")
            pos += count
        else:
            raise CodecError(
                f"TLV {tag:02X} at offset {start}: length form {first_length:02X} unsupported"
            )
        if pos + length > end:
            raise CodecError(
                f"TLV {tag:02X} at offset {start}: value of {length} bytes, "
                f"only {end - pos} present"
            )
        items.append((tag, raw[pos : pos + length]))
        pos += length
    return items


def find_tlv(items: Iterable[tuple[int, bytes]], tag: int) -> bytes | None:
    """Value of the first object with `tag`, or None."""
    for item_tag, value in items:
        if item_tag == tag:
            return value
    return None


def encode_tlvs(items: Iterable[tuple[int, bytes]]) -> bytes:
    """Objects concatenated in the order given."""
    return b"".join(encode_tlv(tag, value) for tag, value in items)


VECTORS: list[CodecVector] = [
    CodecVector(
        name="tlv: FCP objects 82, 83, 8A (docs/sources.md §4.8 EF.IMSI)",
        encoded=bytes.fromhex("820241218302 6F07 8A0105"),
        decoded=[(0x82, b"\x41\x21"), (0x83, b"\x6f\x07"), (0x8A, b"\x05")],
        encode=encode_tlvs,
        decode=decode_tlvs,
    ),
    CodecVector(
        name="tlv: empty value (88 00) and two-byte tag 5F50",
        encoded=bytes.fromhex("88005F5003616263"),
        decoded=[(0x88, b""), (0x5F50, b"abc")],
        encode=encode_tlvs,
        decode=decode_tlvs,
    ),
    CodecVector(
        name="tlv: long length form 81",
        encoded=bytes.fromhex("5381C8") + bytes(200),
        decoded=[(0x53, bytes(200))],
        encode=encode_tlvs,
        decode=decode_tlvs,
    ),
    CodecVector(
        name="tlv: long length form 82",
        encoded=bytes.fromhex("73820120") + bytes(288),
        decoded=[(0x73, bytes(288))],
        encode=encode_tlvs,
        decode=decode_tlvs,
    ),
]
