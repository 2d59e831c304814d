"""Where the USIM says it is and what it may use: PLMN codes, LOCI, PSLOCI, FPLMN, keys.

* PLMN (TS 24.008 §10.5.1.3, 3 bytes): MCC digit 2|1, MNC digit 3|MCC digit 3,
  MNC digit 2|1 (low nibble first); a 2-digit MNC puts 'F' in MNC digit 3.
  '246'/'81' -> 42 F6 18 (the TS 31.102 §4.2.16 example).
* EF.LOCI (6F7E, TS 31.102 §4.2.17): TMSI (4), LAI = PLMN + LAC (5), RFU (1),
  location update status (1; b3..b1: 0 updated, 1 not updated, 2 PLMN not
  allowed, 3 LA not allowed).
* EF.PSLOCI (6F73, §4.2.23): P-TMSI (4), P-TMSI signature (3), RAI = PLMN +
  LAC + RAC (6), routing area update status (1, coded as the LOCI status).
* EF.FPLMN (6F7B, §4.2.16): n >= 4 PLMNs of 3 bytes, 'FFFFFF' = unused
  anywhere in the list.
* EF.Keys / EF.KeysPS (6F08 / 6F09, §4.2.3 / §4.2.4): KSI (b3..b1; 7 = no
  key available, TS 24.008 §10.5.1.2), CK (16), IK (16).
* EF.START-HFN (6F5B, §4.2.51): START_CS and START_PS, 3 bytes each (20 bits,
  LSB in bit 1 of the third byte, unused nibbles 'F'); EF.THRESHOLD (6F5C,
  §4.2.52): one such 3-byte value.
* EF.ECC (6FB7, §4.2.21): records of X+4 bytes - the emergency call code
  (3 bytes nibble-swapped BCD, 'F'-padded, up to 6 digits), an optional alpha
  identifier (X bytes), the emergency service category (TS 24.008); an unused
  record starts 'FFFFFF'.
* EF.LI (6F05, §4.2.1): 2-byte ISO 639 codes in the GSM default alphabet,
  'FFFF' unused. EF.SMSS (6F43, §4.2.28): last used TP-MR, then the "memory
  capacity exceeded" flag (b1 = 1: memory available; b2..b8 set to 1).

Shared by the virtual card (to build the files) and any driver-side reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import CodecError
from harness.sim.bcd import decode_swapped_bcd, encode_swapped_bcd
from harness.sim.codec_vectors import CodecVector

LOCI_LENGTH = 11
PSLOCI_LENGTH = 14
KEYS_LENGTH = 33
START_LENGTH = 3
NO_KEY = 0x07  # KSI "no key is available" (TS 24.008 §10.5.1.2)
NOT_UPDATED = 0x01


def encode_plmn(mcc: str, mnc: str) -> bytes:
    """MCC (3 digits) + MNC (2 or 3) -> the 3 bytes of TS 24.008 §10.5.1.3."""
    if len(mcc) != 3 or not mcc.isdigit() or len(mnc) not in (2, 3) or not mnc.isdigit():
        raise CodecError(f"PLMN {mcc}/{mnc}: MCC is 3 digits and MNC 2 or 3")
    d = [int(c) for c in mcc + mnc]
    mnc3 = d[5] if len(mnc) == 3 else 0xF
    return bytes(((d[1] << 4) | d[0], (mnc3 << 4) | d[2], (d[4] << 4) | d[3]))


def decode_plmn(raw: bytes) -> tuple[str, str] | None:
    """3 bytes -> (MCC, MNC); None for 'FFFFFF' (no PLMN stored)."""
    if len(raw) != 3:
        raise CodecError(f"a PLMN is 3 bytes, got {len(raw)}")
    if raw == b"\xff\xff\xff":
        return None
    nibbles = [raw[0] & 0xF, raw[0] >> 4, raw[1] & 0xF, raw[2] & 0xF, raw[2] >> 4, raw[1] >> 4]
    digits = nibbles[:5] + ([] if nibbles[5] == 0xF else [nibbles[5]])
    if any(n > 9 for n in digits):
        raise CodecError(f"PLMN {raw.hex().upper()} has a non-decimal digit")
    text = "".join(str(n) for n in digits)
    return text[:3], text[3:]


@dataclass(frozen=True)
class Loci:
    """EF.LOCI. `plmn` None with LAC FFFE is the "deleted" LAI (TS 24.008 §4.4)."""

    tmsi: bytes = b"\xff\xff\xff\xff"
    plmn: tuple[str, str] | None = None
    lac: int = 0xFFFE
    status: int = NOT_UPDATED


def encode_loci(loci: Loci) -> bytes:
    _check_len(loci.tmsi, 4, "TMSI")
    plmn = encode_plmn(*loci.plmn) if loci.plmn else b"\xff\xff\xff"
    return loci.tmsi + plmn + loci.lac.to_bytes(2, "big") + b"\xff" + bytes((loci.status,))


def decode_loci(raw: bytes) -> Loci:
    _check_len(raw, LOCI_LENGTH, "EF.LOCI")
    return Loci(raw[:4], decode_plmn(raw[4:7]), int.from_bytes(raw[7:9], "big"), raw[10] & 0x07)


@dataclass(frozen=True)
class PsLoci:
    """EF.PSLOCI: P-TMSI, its signature, the RAI and the routing area update status."""

    ptmsi: bytes = b"\xff\xff\xff\xff"
    signature: bytes = b"\xff\xff\xff"
    plmn: tuple[str, str] | None = None
    lac: int = 0xFFFE
    rac: int = 0xFF
    status: int = NOT_UPDATED


def encode_psloci(loci: PsLoci) -> bytes:
    _check_len(loci.ptmsi, 4, "P-TMSI")
    _check_len(loci.signature, 3, "P-TMSI signature")
    plmn = encode_plmn(*loci.plmn) if loci.plmn else b"\xff\xff\xff"
    rai = plmn + loci.lac.to_bytes(2, "big") + bytes((loci.rac,))
    return loci.ptmsi + loci.signature + rai + bytes((loci.status,))


def decode_psloci(raw: bytes) -> PsLoci:
    _check_len(raw, PSLOCI_LENGTH, "EF.PSLOCI")
    return PsLoci(
        raw[:4],
        raw[4:7],
        decode_plmn(raw[7:10]),
        int.from_bytes(raw[10:12], "big"),
        raw[12],
        raw[13] & 0x07,
    )


def encode_fplmn(plmns: list[tuple[str, str]], count: int = 4) -> bytes:
    """`count` (>= 4) slots, the PLMNs first, the rest 'FFFFFF'."""
    if count < 4 or len(plmns) > count:
        raise CodecError(f"EF.FPLMN holds n >= 4 PLMNs; {len(plmns)} do not fit {count}")
    return b"".join(encode_plmn(*p) for p in plmns) + b"\xff\xff\xff" * (count - len(plmns))


def decode_fplmn(raw: bytes) -> list[tuple[str, str]]:
    """Every stored PLMN, wherever it is ('FFFFFF' does not end the list)."""
    if len(raw) < 12 or len(raw) % 3:
        raise CodecError(f"EF.FPLMN is 3n bytes with n >= 4, got {len(raw)}")
    found = (decode_plmn(raw[i : i + 3]) for i in range(0, len(raw), 3))
    return [p for p in found if p is not None]


@dataclass(frozen=True)
class Keys:
    """EF.Keys / EF.KeysPS: KSI (7 = no key) with CK and IK."""

    ksi: int = NO_KEY
    ck: bytes = b"\xff" * 16
    ik: bytes = b"\xff" * 16


def encode_keys(keys: Keys) -> bytes:
    _check_len(keys.ck, 16, "CK")
    _check_len(keys.ik, 16, "IK")
    if not 0 <= keys.ksi <= 7:
        raise CodecError(f"KSI {keys.ksi} is 3 bits")
    return bytes((keys.ksi,)) + keys.ck + keys.ik


def decode_keys(raw: bytes) -> Keys:
    _check_len(raw, KEYS_LENGTH, "EF.Keys")
    return Keys(raw[0] & 0x07, raw[1:17], raw[17:33])


def encode_start(value: int) -> bytes:
    """A 20-bit START value in 3 bytes, unused high nibble 'F' (§4.2.51)."""
    if not 0 <= value < 1 << 20:
        raise CodecError(f"START {value} does not fit 20 bits")
    return (0xF00000 | value).to_bytes(3, "big")


def decode_start(raw: bytes) -> int:
    _check_len(raw, START_LENGTH, "START")
    return int.from_bytes(raw, "big") & 0xFFFFF


def encode_li(languages: list[str], count: int = 1) -> bytes:
    """ISO 639 codes ('en'), 2 bytes each, padded with 'FFFF' to `count` entries."""
    if len(languages) > count or any(len(c) != 2 or not c.isascii() for c in languages):
        raise CodecError(f"EF.LI: {languages} are not {count} or fewer 2-letter codes")
    return b"".join(c.encode("ascii") for c in languages) + b"\xff\xff" * (count - len(languages))


def decode_li(raw: bytes) -> list[str]:
    if not raw or len(raw) % 2:
        raise CodecError(f"EF.LI is 2n bytes, got {len(raw)}")
    pairs = (raw[i : i + 2] for i in range(0, len(raw), 2))
    return [p.decode("ascii") for p in pairs if p != b"\xff\xff"]


@dataclass(frozen=True)
class Smss:
    """EF.SMSS: the last TP-MR used (FF: none yet) and whether memory is available."""

    last_mr: int = 0xFF
    memory_available: bool = True


def encode_smss(smss: Smss) -> bytes:
    return bytes((smss.last_mr, 0xFF if smss.memory_available else 0xFE))


def decode_smss(raw: bytes) -> Smss:
    if len(raw) < 2:
        raise CodecError(f"EF.SMSS is 2 or more bytes, got {len(raw)}")
    return Smss(raw[0], bool(raw[1] & 0x01))


@dataclass(frozen=True)
class EccRecord:
    """One emergency call code; `category` 0 = no category given (TS 24.008 §10.5.4.33)."""

    code: str
    category: int = 0


def encode_ecc_record(record: EccRecord | None, length: int = 4) -> bytes:
    """A record of `length` (X+4) bytes; None is an unused one (all 'FF')."""
    if length < 4:
        raise CodecError(f"an EF.ECC record is X+4 >= 4 bytes, not {length}")
    if record is None:
        return b"\xff" * length
    if not 1 <= len(record.code) <= 6:
        raise CodecError(f"emergency call code {record.code!r}: 1 to 6 digits")
    alpha = b"\xff" * (length - 4)
    return encode_swapped_bcd(record.code, 3) + alpha + bytes((record.category,))


def decode_ecc_record(raw: bytes) -> EccRecord | None:
    if len(raw) < 4:
        raise CodecError(f"an EF.ECC record is X+4 >= 4 bytes, got {len(raw)}")
    if raw[:3] == b"\xff\xff\xff":
        return None
    return EccRecord(decode_swapped_bcd(raw[:3]), raw[-1])


def _check_len(raw: bytes, length: int, what: str) -> None:
    if len(raw) != length:
        raise CodecError(f"{what} is {length} bytes, got {len(raw)}")


def _plmn(pair: tuple[str, str]) -> bytes:
    return encode_plmn(*pair)


VECTORS: list[CodecVector] = [
    # TS 31.102 §4.2.16: MCC 246, MNC 81 -> 42 F6 18
    CodecVector("PLMN 246/81", bytes.fromhex("42F618"), ("246", "81"), _plmn, decode_plmn),
    CodecVector("PLMN 310/410", bytes.fromhex("130014"), ("310", "410"), _plmn, decode_plmn),
    CodecVector(
        "EF.LOCI not updated, LAI deleted",
        bytes.fromhex("FFFFFFFFFFFFFFFFFEFF01"),
        Loci(),
        encode_loci,
        decode_loci,
    ),
    CodecVector(
        "EF.LOCI updated in 001/01 LAC 0001",
        bytes.fromhex("0A0B0C0D00F1100001FF00"),
        Loci(bytes.fromhex("0A0B0C0D"), ("001", "01"), 0x0001, 0x00),
        encode_loci,
        decode_loci,
    ),
    CodecVector(
        "EF.PSLOCI not updated",
        bytes.fromhex("FFFFFFFFFFFFFFFFFFFFFFFEFF01"),
        PsLoci(),
        encode_psloci,
        decode_psloci,
    ),
    CodecVector(
        "EF.FPLMN one of four",
        bytes.fromhex("42F618" + "FFFFFF" * 3),
        [("246", "81")],
        encode_fplmn,
        decode_fplmn,
    ),
    CodecVector(
        "EF.Keys no key", bytes.fromhex("07" + "FF" * 32), Keys(), encode_keys, decode_keys
    ),
    CodecVector("START F00000", bytes.fromhex("F00000"), 0, encode_start, decode_start),
    CodecVector("THRESHOLD FFFFFF", bytes.fromhex("FFFFFF"), 0xFFFFF, encode_start, decode_start),
    CodecVector("EF.LI en", b"en", ["en"], encode_li, decode_li),
    CodecVector(
        "EF.ECC 112",
        bytes.fromhex("11F2FF00"),
        EccRecord("112"),
        encode_ecc_record,
        decode_ecc_record,
    ),
    CodecVector("EF.ECC unused", b"\xff" * 4, None, encode_ecc_record, decode_ecc_record),
    CodecVector("EF.SMSS fresh", bytes.fromhex("FFFF"), Smss(), encode_smss, decode_smss),
]
