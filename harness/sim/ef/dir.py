"""EF.DIR records: the applications on a UICC (TS 102 221 §13.1).

A record is an application template `61 L` holding the AID `4F` (5..16
bytes, ISO/IEC 7816-5 RID + PIX) and optionally the application label `50`
(coded as an alpha field, TS 102 221 annex A), then 'FF' padding up to the
record length. Other objects a card puts in the template (e.g. 73
discretionary data) are kept raw in `AppRecord.extra` and written back after
the label.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import CodecError
from harness.sim.codec_vectors import CodecVector
from harness.sim.ef.identity import alpha_id_body, decode_alpha_id
from harness.sim.tlv import decode_tlvs, encode_tlv

_TEMPLATE = 0x61
_AID = 0x4F
_LABEL = 0x50


@dataclass(frozen=True)
class AppRecord:
    """One application: AID, label ("" = no label object) and any other objects, raw."""

    aid: bytes
    label: str
    extra: bytes = b""


def _check_aid(aid: bytes) -> None:
    if not 5 <= len(aid) <= 16:
        raise CodecError(f"EF.DIR AID of {len(aid)} bytes; 5..16 expected")


def encode_dir_record(rec: AppRecord, record_length: int) -> bytes:
    """One record of `record_length` bytes."""
    _check_aid(rec.aid)
    body = encode_tlv(_AID, rec.aid)
    if rec.label:
        body += encode_tlv(_LABEL, alpha_id_body(rec.label))
    if rec.extra:
        decode_tlvs(rec.extra)  # must be well-formed objects
        body += rec.extra
    record = encode_tlv(_TEMPLATE, body)
    if len(record) > record_length:
        raise CodecError(f"EF.DIR record needs {len(record)} bytes, record length {record_length}")
    return record + b"\xff" * (record_length - len(record))


def decode_dir_record(raw: bytes) -> AppRecord | None:
    """One record; None for an empty (all 'FF') record."""
    if all(b == 0xFF for b in raw):
        return None
    items = decode_tlvs(raw)
    if len(items) != 1 or items[0][0] != _TEMPLATE:
        raise CodecError(f"EF.DIR record {raw[:4].hex().upper()}... is not one template (61)")
    aid: bytes | None = None
    label = ""
    extra = bytearray()
    for tag, value in decode_tlvs(items[0][1]):
        if tag == _AID and aid is None:
            aid = value
        elif tag == _LABEL and not label:
            label = decode_alpha_id(value)
        else:
            extra += encode_tlv(tag, value)
    if aid is None:
        raise CodecError("EF.DIR application template has no AID (4F)")
    _check_aid(aid)
    return AppRecord(aid, label, bytes(extra))


_USIM_AID = bytes.fromhex("A0000000871002FFFFFFFF8907090000")

VECTORS: list[CodecVector] = [
    CodecVector(
        name="ef.dir: USIM 'USim1' (docs/sources.md §4.10, without the 73 object)",
        encoded=bytes.fromhex("61194F10" + _USIM_AID.hex() + "50055553696D31") + b"\xff" * 11,
        decoded=AppRecord(_USIM_AID, "USim1"),
        encode=lambda rec: encode_dir_record(rec, 38),
        decode=decode_dir_record,
    ),
    CodecVector(
        name="ef.dir: ISIM with a discretionary data object kept",
        encoded=bytes.fromhex(
            "611F4F10A0000000871004FFFFFFFF8907090000" + "500449536D31" + "7305800301FF00"
        )
        + b"\xff" * 5,
        decoded=AppRecord(
            bytes.fromhex("A0000000871004FFFFFFFF8907090000"),
            "ISm1",
            bytes.fromhex("7305800301FF00"),
        ),
        encode=lambda rec: encode_dir_record(rec, 38),
        decode=decode_dir_record,
    ),
]
