"""FCP template (tag 62) that a UICC returns for SELECT / STATUS (TS 102 221 §11.1.1.3).

Objects are written in the order real cards use (82, 83, 84, A5, 8A,
8B/8C/AB, C6, 80, 81, 88; docs/sources.md §4.8), then any unknown objects kept from
a decoded template. Content (TS 102 221 §11.1.1.4):

* 82 file descriptor: FDB, data coding byte 21, and for record EFs the record
  length (2 bytes) and number of records (1 byte). FDB b7 = shareable,
  b6..b4 = 000 working EF / 111 DF, b3..b1 = structure (§11.1.1.4.3).
* 88 SFI: absent = the SFI is the 5 low bits of the FID; present and empty
  ("88 00") = the EF has no SFI; one byte = SFI in b8..b4 (§11.1.1.4.8).
  `Fcp.sfi` is None, `NO_SFI` (0) or 1..30 for these three cases.
* 8B referenced security attributes: EF.ARR FID + record (length 3), or FID +
  (SE id, record) pairs (length 2 + 2n) (§11.1.1.4.7.3).
* C6 PIN status template DO: 90 PS_DO, then per PIN an optional 95 usage
  qualifier and 83 key reference; PS_DO b8 of byte 1 belongs to the first key
  reference, b7 to the second, ...; a set bit means the PIN is enabled
  (§9.5.2; examples in docs/sources.md §4.8 carry no usage qualifier).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from harness.errors import CodecError
from harness.sim.codec_vectors import CodecVector
from harness.sim.tlv import decode_tlvs, encode_tlv

NO_SFI = 0
"""`Fcp.sfi` value for "88 00": the EF supports no SFI."""

_DATA_CODING = 0x21  # §11.1.1.4.3: the only data coding byte UICCs use
_SHAREABLE = 0x40
_KNOWN_TAGS = frozenset((0x80, 0x81, 0x82, 0x83, 0x84, 0x88, 0x8A, 0x8B, 0x8C, 0xA5, 0xAB, 0xC6))


class FileKind(Enum):
    """File type and EF structure from the file descriptor byte."""

    DF = 0x38  # DF or ADF (b6..b4 = 111, structure 000)
    TRANSPARENT = 0x01
    LINEAR_FIXED = 0x02
    CYCLIC = 0x06
    BER_TLV = 0x39  # TS 102 221 §11.1.1.4.3: BER-TLV structure EF

    @property
    def is_record(self) -> bool:
        return self in (FileKind.LINEAR_FIXED, FileKind.CYCLIC)


_KIND_BY_FDB = {kind.value: kind for kind in FileKind}


@dataclass(frozen=True)
class PinStatus:
    """One key reference of the PIN status template and whether that PIN is enabled."""

    key_ref: int
    enabled: bool
    usage_qualifier: int | None = None  # 95 DO before the key reference, e.g. 08


@dataclass(frozen=True)
class Fcp:
    """Decoded FCP; fields left None/empty are absent from the template."""

    fid: int | None  # 83; None for an ADF selected by AID only
    kind: FileKind  # 82
    size: int | None = None  # 80, EF body size
    record_length: int | None = None  # 82, record EFs only
    record_count: int | None = None  # 82, record EFs only
    aid: bytes | None = None  # 84, DF name
    life_cycle: int | None = 0x05  # 8A, 05 = operational, activated; None = absent
    sfi: int | None = None  # 88; see module docstring
    arr: tuple[int, int] | None = None  # 8B: (EF.ARR FID, record number)
    pin_statuses: tuple[PinStatus, ...] = ()  # C6
    total_size: int | None = None  # 81
    proprietary: bytes = b""  # A5 value, raw; absent when empty
    shareable: bool = True  # FDB b7
    arr_by_se: tuple[int, tuple[tuple[int, int], ...]] | None = None  # 8B: FID, (SE id, rec)...
    security_compact: bytes | None = None  # 8C, raw
    security_expanded: bytes | None = None  # AB, raw
    other: tuple[tuple[int, bytes], ...] = ()  # unknown objects, kept in order


def _byte(value: int, what: str) -> int:
    if not 0 <= value <= 0xFF:
        raise CodecError(f"FCP {what} {value} is not a byte")
    return value


def _word(value: int, what: str) -> bytes:
    if not 0 <= value <= 0xFFFF:
        raise CodecError(f"FCP {what} {value:#x} does not fit in two bytes")
    return value.to_bytes(2, "big")


def _size_bytes(value: int, what: str) -> bytes:
    # §11.1.1.4.1/2: real cards always use at least two bytes for 80 and 81.
    if value < 0:
        raise CodecError(f"FCP {what} {value} is negative")
    return value.to_bytes(max(2, (value.bit_length() + 7) // 8), "big")


def _descriptor(fcp: Fcp) -> bytes:
    fdb = fcp.kind.value | (_SHAREABLE if fcp.shareable else 0)
    if not fcp.kind.is_record:
        if fcp.record_length is not None or fcp.record_count is not None:
            raise CodecError(f"FCP of a {fcp.kind.name} file has a record length or count")
        return bytes((fdb, _DATA_CODING))
    if fcp.record_length is None or fcp.record_count is None:
        raise CodecError(f"FCP of a {fcp.kind.name} EF needs record_length and record_count")
    return (
        bytes((fdb, _DATA_CODING))
        + _word(fcp.record_length, "record length")
        + bytes((_byte(fcp.record_count, "record count"),))
    )


def _pin_template(statuses: tuple[PinStatus, ...]) -> bytes:
    ps_do = bytearray((len(statuses) + 7) // 8)
    body = bytearray()
    for index, status in enumerate(statuses):
        if status.enabled:
            ps_do[index // 8] |= 0x80 >> (index % 8)
        if status.usage_qualifier is not None:
            body += encode_tlv(0x95, bytes((_byte(status.usage_qualifier, "usage qualifier"),)))
        body += encode_tlv(0x83, bytes((_byte(status.key_ref, "key reference"),)))
    return encode_tlv(0x90, bytes(ps_do)) + bytes(body)


def _security(fcp: Fcp) -> list[tuple[int, bytes]]:
    out: list[tuple[int, bytes]] = []
    if fcp.arr is not None and fcp.arr_by_se is not None:
        raise CodecError("FCP can carry arr or arr_by_se (one 8B object), not both")
    if fcp.arr is not None:
        arr_fid, record = fcp.arr
        out.append((0x8B, _word(arr_fid, "EF.ARR FID") + bytes((_byte(record, "ARR record"),))))
    if fcp.arr_by_se is not None:
        arr_fid, pairs = fcp.arr_by_se
        if not pairs:
            raise CodecError("FCP arr_by_se needs at least one (SE id, record) pair")
        value = bytearray(_word(arr_fid, "EF.ARR FID"))
        for se_id, record in pairs:
            value += bytes((_byte(se_id, "SE id"), _byte(record, "ARR record")))
        out.append((0x8B, bytes(value)))
    if fcp.security_compact is not None:
        out.append((0x8C, fcp.security_compact))
    if fcp.security_expanded is not None:
        out.append((0xAB, fcp.security_expanded))
    return out


def encode_fcp(fcp: Fcp) -> bytes:
    """The complete 62 template."""
    items: list[tuple[int, bytes]] = [(0x82, _descriptor(fcp))]
    if fcp.fid is not None:
        items.append((0x83, _word(fcp.fid, "FID")))
    if fcp.aid is not None:
        if not 1 <= len(fcp.aid) <= 16:
            raise CodecError(f"FCP DF name (AID) of {len(fcp.aid)} bytes; 1..16 allowed")
        items.append((0x84, fcp.aid))
    if fcp.proprietary:
        items.append((0xA5, fcp.proprietary))
    if fcp.life_cycle is not None:
        items.append((0x8A, bytes((_byte(fcp.life_cycle, "life cycle status"),))))
    items += _security(fcp)
    if fcp.pin_statuses:
        items.append((0xC6, _pin_template(fcp.pin_statuses)))
    if fcp.size is not None:
        items.append((0x80, _size_bytes(fcp.size, "file size")))
    if fcp.total_size is not None:
        items.append((0x81, _size_bytes(fcp.total_size, "total file size")))
    if fcp.sfi is not None:
        if fcp.sfi == NO_SFI:
            items.append((0x88, b""))
        elif 1 <= fcp.sfi <= 30:
            items.append((0x88, bytes((fcp.sfi << 3,))))
        else:
            raise CodecError(f"FCP SFI {fcp.sfi} out of range 1..30")
    items += fcp.other
    body = b"".join(encode_tlv(tag, value) for tag, value in items)
    return encode_tlv(0x62, body)


def _decode_descriptor(value: bytes) -> tuple[FileKind, bool, int | None, int | None]:
    if len(value) not in (2, 5):
        raise CodecError(f"FCP file descriptor (82) of {len(value)} bytes; 2 or 5 expected")
    fdb = value[0]
    kind = _KIND_BY_FDB.get(fdb & 0xBF)
    if fdb & 0x80 or kind is None:
        raise CodecError(f"FCP file descriptor byte {fdb:02X} is not a supported file type")
    shareable = bool(fdb & _SHAREABLE)
    if not kind.is_record:
        if len(value) != 2:
            raise CodecError(f"FCP descriptor {value.hex().upper()}: record data on a non-record")
        return kind, shareable, None, None
    if len(value) != 5:
        raise CodecError(f"FCP descriptor {value.hex().upper()}: record EF without record data")
    return kind, shareable, int.from_bytes(value[2:4], "big"), value[4]


def _decode_pin_template(value: bytes) -> tuple[PinStatus, ...]:
    items = decode_tlvs(value)
    if not items or items[0][0] != 0x90:
        raise CodecError("FCP PIN status template (C6) does not start with PS_DO (90)")
    ps_do = items[0][1]
    statuses: list[PinStatus] = []
    qualifier: int | None = None
    for tag, item in items[1:]:
        if tag == 0x95 and len(item) == 1:
            qualifier = item[0]
        elif tag == 0x83 and len(item) == 1:
            index = len(statuses)
            if index // 8 >= len(ps_do):
                raise CodecError(f"FCP PS_DO of {len(ps_do)} bytes has no bit for PIN {index + 1}")
            enabled = bool(ps_do[index // 8] & (0x80 >> (index % 8)))
            statuses.append(PinStatus(item[0], enabled, qualifier))
            qualifier = None
        else:
            raise CodecError(f"FCP PIN status template: unexpected object {tag:02X} {item.hex()}")
    return tuple(statuses)


def _decode_sfi(value: bytes) -> int:
    if not value:
        return NO_SFI
    if len(value) != 1 or value[0] & 0x07 or not 1 <= value[0] >> 3 <= 30:
        raise CodecError(f"FCP SFI (88) value {value.hex().upper()} is not SFI << 3")
    return value[0] >> 3


_ArrBySe = tuple[int, tuple[tuple[int, int], ...]]


def _decode_arr(value: bytes | None) -> tuple[tuple[int, int] | None, _ArrBySe | None]:
    """(arr, arr_by_se) from an 8B value: FID + record, or FID + (SE id, record) pairs."""
    if value is None:
        return None, None
    arr_fid = int.from_bytes(value[:2], "big")
    if len(value) == 3:
        return (arr_fid, value[2]), None
    if len(value) >= 4 and len(value) % 2 == 0:
        return None, (arr_fid, tuple((value[i], value[i + 1]) for i in range(2, len(value), 2)))
    raise CodecError(f"FCP security attributes (8B) {value.hex().upper()}: bad length")


def _one_byte(value: bytes, what: str) -> int:
    if len(value) != 1:
        raise CodecError(f"FCP {what} of {len(value)} bytes; 1 expected")
    return value[0]


def _fid(value: bytes | None) -> int | None:
    if value is None:
        return None
    if len(value) != 2:
        raise CodecError(f"FCP FID (83) of {len(value)} bytes; 2 expected")
    return int.from_bytes(value, "big")


def _int(value: bytes | None) -> int | None:
    return None if value is None else int.from_bytes(value, "big")


def decode_fcp(raw: bytes) -> Fcp:
    """Parse a 62 template; unknown objects land in `Fcp.other`."""
    outer = decode_tlvs(raw)
    if len(outer) != 1 or outer[0][0] != 0x62:
        raise CodecError(f"not a single FCP template (62): {raw[:4].hex().upper()}...")
    known: dict[int, bytes] = {}
    other: list[tuple[int, bytes]] = []
    for tag, value in decode_tlvs(outer[0][1]):
        if tag not in _KNOWN_TAGS:
            other.append((tag, value))
        elif tag in known:
            raise CodecError(f"FCP object {tag:02X} appears twice")
        else:
            known[tag] = value
    if 0x82 not in known:
        raise CodecError("FCP has no file descriptor (82)")
    kind, shareable, record_length, record_count = _decode_descriptor(known[0x82])
    arr, arr_by_se = _decode_arr(known.get(0x8B))
    life_cycle = known.get(0x8A)
    sfi = known.get(0x88)
    pins = known.get(0xC6)
    return Fcp(
        fid=_fid(known.get(0x83)),
        kind=kind,
        size=_int(known.get(0x80)),
        record_length=record_length,
        record_count=record_count,
        aid=known.get(0x84),
        life_cycle=None if life_cycle is None else _one_byte(life_cycle, "life cycle (8A)"),
        sfi=None if sfi is None else _decode_sfi(sfi),
        arr=arr,
        pin_statuses=() if pins is None else _decode_pin_template(pins),
        total_size=_int(known.get(0x81)),
        proprietary=known.get(0xA5, b""),
        shareable=shareable,
        arr_by_se=arr_by_se,
        security_compact=known.get(0x8C),
        security_expanded=known.get(0xAB),
        other=tuple(other),
    )


_SYSMOCOM_MF = (
    "6230 82027821 83023F00 A50C 800171 830400056450 870101 8A0105 8C04261A0000"
    " C60F 900170 830101 830181 83010A 83010B"
)
_CUTTLEFISH_MF = (
    "6233 82027821 83023F00 A50C 800161 870101 83040007DBF0 8A0105 8B062F0601020002"
    " C60C 900160 830101 83010A 83010D 8102FFFF"
)
_EF_IMSI = "621F 82024121 83026F07 A506D00120D2010F 8A0105 8B036F0603 80020009 880138"


VECTORS: list[CodecVector] = [
    CodecVector(
        name="fcp: sysmocom MF, PIN1 disabled (docs/sources.md §4.8)",
        encoded=bytes.fromhex(_SYSMOCOM_MF),
        decoded=Fcp(
            fid=0x3F00,
            kind=FileKind.DF,
            proprietary=bytes.fromhex("800171 830400056450 870101"),
            security_compact=bytes.fromhex("261A0000"),
            pin_statuses=(
                PinStatus(0x01, False),
                PinStatus(0x81, True),
                PinStatus(0x0A, True),
                PinStatus(0x0B, True),
            ),
        ),
        encode=encode_fcp,
        decode=decode_fcp,
    ),
    CodecVector(
        name="fcp: Cuttlefish MF STATUS, ARR per SE, total size (docs/sources.md §1.10)",
        encoded=bytes.fromhex(_CUTTLEFISH_MF),
        decoded=Fcp(
            fid=0x3F00,
            kind=FileKind.DF,
            proprietary=bytes.fromhex("800161 870101 83040007DBF0"),
            arr_by_se=(0x2F06, ((0x01, 0x02), (0x00, 0x02))),
            pin_statuses=(
                PinStatus(0x01, False),
                PinStatus(0x0A, True),
                PinStatus(0x0D, True),
            ),
            total_size=0xFFFF,
        ),
        encode=encode_fcp,
        decode=decode_fcp,
    ),
    CodecVector(
        name="fcp: EF.IMSI in ADF.USIM, SFI 7 (docs/sources.md §4.8)",
        encoded=bytes.fromhex(_EF_IMSI),
        decoded=Fcp(
            fid=0x6F07,
            kind=FileKind.TRANSPARENT,
            size=9,
            proprietary=bytes.fromhex("D00120D2010F"),
            arr=(0x6F06, 3),
            sfi=7,
        ),
        encode=encode_fcp,
        decode=decode_fcp,
    ),
    CodecVector(
        name="fcp: EF.SMS 30 x 176, no SFI (88 00), layout of docs/sources.md §4.8 without A5",
        encoded=bytes.fromhex("6219 82054221 00B01E 83026F3C 8A0105 8B036F0604 800214A0 8800"),
        decoded=Fcp(
            fid=0x6F3C,
            kind=FileKind.LINEAR_FIXED,
            record_length=176,
            record_count=30,
            size=30 * 176,
            arr=(0x6F06, 4),
            sfi=NO_SFI,
        ),
        encode=encode_fcp,
        decode=decode_fcp,
    ),
    CodecVector(
        name="fcp: ADF.USIM by AID, PIN1 and PIN2 enabled, universal PIN qualifier",
        encoded=bytes.fromhex(
            "6227 82027821 8410A0000000871002FFFFFFFF8907090000 8A0105"
            " C60C 9001C0 950108 830101 830181"
        ),
        decoded=Fcp(
            fid=None,
            kind=FileKind.DF,
            aid=bytes.fromhex("A0000000871002FFFFFFFF8907090000"),
            pin_statuses=(PinStatus(0x01, True, usage_qualifier=0x08), PinStatus(0x81, True)),
        ),
        encode=encode_fcp,
        decode=decode_fcp,
    ),
]
