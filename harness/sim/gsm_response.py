"""GSM SIM SELECT / GET RESPONSE data (TS 51.011 §9.2.1, detail coding §9.3).

A 2G card (CLA A0) answers SELECT with 9Fxx and GET RESPONSE gives these fixed
layouts instead of an FCP template (docs/sources.md §4.9):

EF, 15 bytes: 1-2 RFU | 3-4 file size | 5-6 FID | 7 type 04 | 8 b7 = INCREASE
allowed (cyclic) | 9 read/update | 10 increase/RFU | 11 rehabilitate/invalidate
| 12 file status | 13 length of what follows (02) | 14 structure | 15 record
length (may be omitted for a transparent EF, which codes it 00).

MF/DF, 22 bytes: 1-2 RFU | 3-4 free memory | 5-6 FID | 7 type 01 MF / 02 DF |
8-12 RFU | 13 length of the GSM data from byte 14 | 14 file characteristics
(b8 = CHV1 disabled) | 15 child DFs | 16 child EFs | 17 number of CHVs,
UNBLOCK CHVs and ADM codes | 18 RFU | 19-22 CHV1, UNBLOCK CHV1, CHV2,
UNBLOCK CHV2 status (b8 initialised, b4..b1 attempts left) | 23.. RFU and ADM
status bytes (optional, kept raw in `extra`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from harness.errors import CodecError
from harness.sim.codec_vectors import CodecVector

# Access condition nibbles (§9.3): 3 is RFU, 4..E are administrative.
AC_ALWAYS = 0x0
AC_CHV1 = 0x1
AC_CHV2 = 0x2
AC_NEVER = 0xF

_TYPE_MF = 0x01
_TYPE_DF = 0x02
_TYPE_EF = 0x04
_INCREASE_ALLOWED = 0x40
_NOT_INVALIDATED = 0x01
_READABLE_WHEN_INVALIDATED = 0x04
_CHV1_DISABLED = 0x80


class GsmStructure(IntEnum):
    """Structure of an EF, byte 14."""

    TRANSPARENT = 0
    LINEAR_FIXED = 1
    CYCLIC = 3


@dataclass(frozen=True)
class GsmAccess:
    """Access condition nibbles: 0 ALW, 1 CHV1, 2 CHV2, 4..E ADM, F NEV."""

    read: int
    update: int
    increase: int
    rehabilitate: int
    invalidate: int

    def to_bytes(self) -> bytes:
        for name in ("read", "update", "increase", "rehabilitate", "invalidate"):
            value = getattr(self, name)
            if not 0 <= value <= 0xF:
                raise CodecError(f"GSM access condition {name}={value} is not a nibble 0..F")
        return bytes(
            (
                (self.read << 4) | self.update,
                self.increase << 4,
                (self.rehabilitate << 4) | self.invalidate,
            )
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> GsmAccess:
        return cls(raw[0] >> 4, raw[0] & 0xF, raw[1] >> 4, raw[2] >> 4, raw[2] & 0xF)


@dataclass(frozen=True)
class GsmEfStatus:
    """EF response; `record_length` is None for a transparent EF."""

    fid: int
    size: int
    structure: GsmStructure
    record_length: int | None
    access: GsmAccess
    invalidated: bool = False
    readable_when_invalidated: bool = False
    increase_allowed: bool = False


@dataclass(frozen=True)
class ChvStatus:
    """Status byte of a secret code (§9.3 detail 2)."""

    initialised: bool
    retries: int

    def to_byte(self) -> int:
        if not 0 <= self.retries <= 0xF:
            raise CodecError(f"CHV attempts left {self.retries} is not 0..15")
        return (0x80 if self.initialised else 0) | self.retries

    @classmethod
    def from_byte(cls, value: int) -> ChvStatus:
        return cls(bool(value & 0x80), value & 0x0F)


@dataclass(frozen=True)
class GsmDfStatus:
    """MF/DF response; `characteristics` excludes b8, which is `chv1_disabled`."""

    fid: int
    is_mf: bool
    free_memory: int
    chv1_disabled: bool
    child_dfs: int
    child_efs: int
    chv_count: int
    chv1: ChvStatus
    unblock_chv1: ChvStatus
    chv2: ChvStatus
    unblock_chv2: ChvStatus
    characteristics: int = 0x01  # b1: clock stop allowed, no preferred level
    extra: bytes = b""  # bytes 23.. (RFU, ADM status), kept raw


def _word(value: int, what: str) -> bytes:
    if not 0 <= value <= 0xFFFF:
        raise CodecError(f"GSM response {what} {value:#x} does not fit in two bytes")
    return value.to_bytes(2, "big")


def _byte(value: int, what: str) -> int:
    if not 0 <= value <= 0xFF:
        raise CodecError(f"GSM response {what} {value} is not a byte")
    return value


def encode_gsm_ef_status(status: GsmEfStatus) -> bytes:
    """The 15-byte EF response."""
    structure = GsmStructure(status.structure)
    if structure is GsmStructure.TRANSPARENT:
        if status.record_length not in (None, 0):
            raise CodecError("a transparent EF has no record length")
        record_length = 0
    else:
        if not status.record_length:
            raise CodecError(f"a {structure.name} EF needs a record length")
        record_length = _byte(status.record_length, "record length")
    file_status = (0 if status.invalidated else _NOT_INVALIDATED) | (
        _READABLE_WHEN_INVALIDATED if status.readable_when_invalidated else 0
    )
    return (
        bytes(2)
        + _word(status.size, "file size")
        + _word(status.fid, "FID")
        + bytes((_TYPE_EF, _INCREASE_ALLOWED if status.increase_allowed else 0))
        + status.access.to_bytes()
        + bytes((file_status, 0x02, structure, record_length))
    )


def decode_gsm_ef_status(raw: bytes) -> GsmEfStatus:
    """Parse an EF response (14 bytes for a transparent EF, else at least 15)."""
    if len(raw) < 14:
        raise CodecError(f"GSM EF response of {len(raw)} bytes; at least 14 expected")
    if raw[6] != _TYPE_EF:
        raise CodecError(f"GSM response type {raw[6]:02X} is not an EF (04)")
    try:
        structure = GsmStructure(raw[13])
    except ValueError:
        raise CodecError(f"GSM EF structure {raw[13]:02X} is not 00, 01 or 03") from None
    record_length: int | None = None
    if structure is not GsmStructure.TRANSPARENT:
        if len(raw) < 15:
            raise CodecError(f"GSM {structure.name} EF response lacks the record length")
        record_length = raw[14]
    return GsmEfStatus(
        fid=int.from_bytes(raw[4:6], "big"),
        size=int.from_bytes(raw[2:4], "big"),
        structure=structure,
        record_length=record_length,
        access=GsmAccess.from_bytes(raw[8:11]),
        invalidated=not raw[11] & _NOT_INVALIDATED,
        readable_when_invalidated=bool(raw[11] & _READABLE_WHEN_INVALIDATED),
        increase_allowed=bool(raw[7] & _INCREASE_ALLOWED),
    )


def encode_gsm_df_status(status: GsmDfStatus) -> bytes:
    """The 22-byte MF/DF response, followed by `extra`."""
    if status.characteristics & _CHV1_DISABLED:
        raise CodecError("file characteristics b8 is chv1_disabled; leave it out of the byte")
    characteristics = _byte(status.characteristics, "file characteristics") | (
        _CHV1_DISABLED if status.chv1_disabled else 0
    )
    gsm_data = bytes(
        (
            characteristics,
            _byte(status.child_dfs, "child DF count"),
            _byte(status.child_efs, "child EF count"),
            _byte(status.chv_count, "CHV count"),
            0x00,
            status.chv1.to_byte(),
            status.unblock_chv1.to_byte(),
            status.chv2.to_byte(),
            status.unblock_chv2.to_byte(),
        )
    )
    length = _byte(len(gsm_data) + len(status.extra), "GSM data length")
    return (
        bytes(2)
        + _word(status.free_memory, "free memory")
        + _word(status.fid, "FID")
        + bytes((_TYPE_MF if status.is_mf else _TYPE_DF,))
        + bytes(5)
        + bytes((length,))
        + gsm_data
        + status.extra
    )


def decode_gsm_df_status(raw: bytes) -> GsmDfStatus:
    """Parse an MF/DF response; bytes after 22 (RFU, ADM status) land in `extra`."""
    if len(raw) < 22:
        raise CodecError(f"GSM DF response of {len(raw)} bytes; at least 22 expected")
    if raw[6] not in (_TYPE_MF, _TYPE_DF):
        raise CodecError(f"GSM response type {raw[6]:02X} is not an MF (01) or DF (02)")
    return GsmDfStatus(
        fid=int.from_bytes(raw[4:6], "big"),
        is_mf=raw[6] == _TYPE_MF,
        free_memory=int.from_bytes(raw[2:4], "big"),
        chv1_disabled=bool(raw[13] & _CHV1_DISABLED),
        child_dfs=raw[14],
        child_efs=raw[15],
        chv_count=raw[16],
        chv1=ChvStatus.from_byte(raw[18]),
        unblock_chv1=ChvStatus.from_byte(raw[19]),
        chv2=ChvStatus.from_byte(raw[20]),
        unblock_chv2=ChvStatus.from_byte(raw[21]),
        characteristics=raw[13] & ~_CHV1_DISABLED & 0xFF,
        extra=raw[22:],
    )


VECTORS: list[CodecVector] = [
    CodecVector(
        name="gsm_response: EF.ICCID, read ALW update NEV (Android emulator; sources §1.10)",
        encoded=bytes.fromhex("0000000A2FE204000FA0AA01020000"),
        decoded=GsmEfStatus(
            fid=0x2FE2,
            size=10,
            structure=GsmStructure.TRANSPARENT,
            record_length=None,
            access=GsmAccess(AC_ALWAYS, AC_NEVER, 0xA, 0xA, 0xA),
        ),
        encode=encode_gsm_ef_status,
        decode=decode_gsm_ef_status,
    ),
    CodecVector(
        name="gsm_response: EF.SMS 10 x 176, read/update CHV1",
        encoded=bytes.fromhex("000006E06F3C040011A0AA010201B0"),
        decoded=GsmEfStatus(
            fid=0x6F3C,
            size=1760,
            structure=GsmStructure.LINEAR_FIXED,
            record_length=176,
            access=GsmAccess(AC_CHV1, AC_CHV1, 0xA, 0xA, 0xA),
        ),
        encode=encode_gsm_ef_status,
        decode=decode_gsm_ef_status,
    ),
    CodecVector(
        name="gsm_response: MF, CHV1 enabled with 3 attempts, PUK 10",
        encoded=bytes.fromhex("00001F403F0001000000000009010206040083 8A 83 8A"),
        decoded=GsmDfStatus(
            fid=0x3F00,
            is_mf=True,
            free_memory=0x1F40,
            chv1_disabled=False,
            child_dfs=2,
            child_efs=6,
            chv_count=4,
            chv1=ChvStatus(True, 3),
            unblock_chv1=ChvStatus(True, 10),
            chv2=ChvStatus(True, 3),
            unblock_chv2=ChvStatus(True, 10),
        ),
        encode=encode_gsm_df_status,
        decode=decode_gsm_df_status,
    ),
    CodecVector(
        name="gsm_response: DF.GSM, CHV1 disabled, CHV1 blocked, ADM bytes kept",
        encoded=bytes.fromhex("000000007F200200000000000C 83 00 0E 05 00 80 8A 82 8A 00 8A 8A"),
        decoded=GsmDfStatus(
            fid=0x7F20,
            is_mf=False,
            free_memory=0,
            chv1_disabled=True,
            child_dfs=0,
            child_efs=14,
            chv_count=5,
            chv1=ChvStatus(True, 0),
            unblock_chv1=ChvStatus(True, 10),
            chv2=ChvStatus(True, 2),
            unblock_chv2=ChvStatus(True, 10),
            characteristics=0x03,
            extra=bytes.fromhex("008A8A"),
        ),
        encode=encode_gsm_df_status,
        decode=decode_gsm_df_status,
    ),
]
