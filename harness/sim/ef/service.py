"""What the card offers: EF.SPN, EF.AD and the service tables EF.SST / EF.UST.

* EF.SPN (6F46, TS 31.102 §4.2.12 / TS 51.011 §10.3.11): 17 bytes, byte 1
  display condition (b1, b2; other bits RFU), bytes 2-17 the name as an alpha
  identifier (GSM default alphabet unpacked or UCS2, 'FF'-padded).
* EF.AD (6FAD, TS 51.011 §10.3.18 / TS 31.102 §4.2.18): byte 1 UE operation
  mode, bytes 2-3 additional information, byte 4 b4..b1 MNC length (2 or 3).
  USIM cards may append RFU bytes; the decoder ignores them.
* EF.SST (6F38, TS 51.011 §10.3.7): two bits per service, service n in byte
  (n-1)//4, bits 2k+1 "allocated" and 2k+2 "activated" for k = (n-1) % 4. A
  service counts as available when both bits are set.
* EF.UST (6F38 in ADF.USIM, TS 31.102 §4.2.8): one bit per service, service n
  is bit (n-1) % 8 (b1 first) of byte (n-1)//8.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from harness.errors import CodecError
from harness.sim.codec_vectors import CodecVector
from harness.sim.ef.identity import decode_alpha_id, encode_alpha_id

SPN_LENGTH = 17
AD_LENGTH = 4


@dataclass(frozen=True)
class Spn:
    """Service provider name and display condition byte as stored.

    Display condition (TS 31.102 §4.2.12): b1 = 1 the registered PLMN name must be
    shown in the HPLMN; b2 = 1 the SPN need not be shown outside it.
    """

    name: str
    display_condition: int = 0x01


def encode_spn(spn: Spn) -> bytes:
    """EF.SPN content: 17 bytes."""
    if not 0 <= spn.display_condition <= 0xFF:
        raise CodecError(f"SPN display condition {spn.display_condition} is not a byte")
    return bytes((spn.display_condition,)) + encode_alpha_id(spn.name, SPN_LENGTH - 1)


def decode_spn(raw: bytes) -> Spn:
    """EF.SPN content."""
    if len(raw) != SPN_LENGTH:
        raise CodecError(f"EF.SPN of {len(raw)} bytes; {SPN_LENGTH} expected")
    return Spn(decode_alpha_id(raw[1:]), raw[0])


@dataclass(frozen=True)
class AdminData:
    """EF.AD: UE operation mode (00 normal, 80 type approval, ...) and MNC length."""

    ue_mode: int = 0
    additional: bytes = b"\x00\x00"
    mnc_length: int = 2


def encode_ad(ad: AdminData) -> bytes:
    """EF.AD content: 4 bytes."""
    if not 0 <= ad.ue_mode <= 0xFF:
        raise CodecError(f"EF.AD UE operation mode {ad.ue_mode} is not a byte")
    if len(ad.additional) != 2:
        raise CodecError(f"EF.AD additional information of {len(ad.additional)} bytes; 2 expected")
    if ad.mnc_length not in (2, 3):
        raise CodecError(f"EF.AD MNC length {ad.mnc_length}; 2 or 3 expected")
    return bytes((ad.ue_mode,)) + ad.additional + bytes((ad.mnc_length,))


def decode_ad(raw: bytes) -> AdminData:
    """EF.AD content; the MNC length nibble is returned as found (2 or 3 when set)."""
    if len(raw) < AD_LENGTH:
        raise CodecError(f"EF.AD of {len(raw)} bytes; at least {AD_LENGTH} expected")
    return AdminData(raw[0], raw[1:3], raw[3] & 0x0F)


def _check_services(services: Iterable[int], capacity: int, what: str) -> list[int]:
    checked = sorted(set(services))
    for number in checked:
        if not 1 <= number <= capacity:
            raise CodecError(f"{what}: service {number} outside 1..{capacity} for this length")
    return checked


def encode_sst(services: Iterable[int], length: int) -> bytes:
    """EF.SST of `length` bytes with each listed service allocated and activated."""
    table = bytearray(length)
    for number in _check_services(services, 4 * length, "EF.SST"):
        index = number - 1
        table[index // 4] |= 0b11 << (2 * (index % 4))
    return bytes(table)


def decode_sst(raw: bytes) -> set[int]:
    """Services that are both allocated and activated."""
    return {
        4 * byte_index + k + 1
        for byte_index, byte in enumerate(raw)
        for k in range(4)
        if (byte >> (2 * k)) & 0b11 == 0b11
    }


def encode_ust(services: Iterable[int], length: int) -> bytes:
    """EF.UST of `length` bytes with each listed service available."""
    table = bytearray(length)
    for number in _check_services(services, 8 * length, "EF.UST"):
        index = number - 1
        table[index // 8] |= 1 << (index % 8)
    return bytes(table)


def decode_ust(raw: bytes) -> set[int]:
    """Available services."""
    return {
        8 * byte_index + bit + 1
        for byte_index, byte in enumerate(raw)
        for bit in range(8)
        if byte >> bit & 1
    }


VECTORS: list[CodecVector] = [
    CodecVector(
        name="ef.service: EF.SPN 'GSM-R CH' (docs/sources.md §4.10)",
        encoded=bytes.fromhex("0147534D2D52204348" + "FF" * 8),
        decoded=Spn("GSM-R CH", 0x01),
        encode=encode_spn,
        decode=decode_spn,
    ),
    CodecVector(
        name="ef.service: EF.SPN in UCS2 (80), display condition 00",
        encoded=bytes.fromhex("00" + "80041F04380440" + "FF" * 9),
        decoded=Spn("Пир", 0x00),
        encode=encode_spn,
        decode=decode_spn,
    ),
    CodecVector(
        name="ef.service: EF.AD normal mode, 3-digit MNC (Android emulator, docs/sources.md §1.10)",
        encoded=bytes.fromhex("00000003"),
        decoded=AdminData(0x00, b"\x00\x00", 3),
        encode=encode_ad,
        decode=decode_ad,
    ),
    CodecVector(
        name="ef.service: EF.AD type approval, OFM set, 2-digit MNC",
        encoded=bytes.fromhex("80000102"),
        decoded=AdminData(0x80, b"\x00\x01", 2),
        encode=encode_ad,
        decode=decode_ad,
    ),
    CodecVector(
        name="ef.service: EF.SST services 1, 2, 4, 7 (CHV1 disable, ADN, SMS, PLMN selector)",
        encoded=bytes.fromhex("CF30"),
        decoded={1, 2, 4, 7},
        encode=lambda services: encode_sst(services, 2),
        decode=decode_sst,
    ),
    CodecVector(
        name="ef.service: EF.UST services 2, 10, 12, 19, 21",
        encoded=bytes.fromhex("020A1400"),
        decoded={2, 10, 12, 19, 21},
        encode=lambda services: encode_ust(services, 4),
        decode=decode_ust,
    ),
]
