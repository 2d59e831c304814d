"""Who the card is: EF.ICCID, EF.IMSI, EF.MSISDN, and the alpha-identifier coding.

* EF.ICCID (2FE2, TS 102 221 §13.2): 10 bytes nibble-swapped BCD, F-padded;
  the ICCID has 19 or 20 digits and starts with the telecom industry
  identifier 89 (ITU-T E.118). The Luhn check digit is not enforced.
* EF.IMSI (6F07, TS 31.102 §4.2.2 / TS 51.011 §10.3.2): byte 1 = number of
  bytes used; byte 2 low nibble = identity type 001 with the odd-parity flag
  in b4 (9 odd, 1 even digit count), high nibble = digit 1; then digits in
  swapped BCD, F-padded to 9 bytes.
* EF.MSISDN (6F40, TS 31.102 §4.2.26 / TS 51.011 §10.5.5, same layout as
  EF.ADN §10.5.1): alpha identifier (X bytes) | length of TON/NPI + BCD (1)
  | TON/NPI (1) | dialling number (10, extended BCD) | CCP (1) | EXT (1).
* Alpha identifiers (TS 102 221 annex A / TS 51.011 annex B): GSM default
  alphabet unpacked (b8 = 0), left-justified, 'FF'-padded; or UCS2 in one of
  the forms 80 (16-bit big-endian characters), 81 (count, half-page base
  pointer bits 15..8, bytes), 82 (count, 16-bit base pointer, bytes). The
  encoder writes the GSM alphabet when it can (annex A forbids UCS2 then),
  else the 80 form; the decoder reads all three.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import CodecError
from harness.sim.bcd import (
    bcd_length,
    decode_dialling_bcd,
    decode_swapped_bcd,
    encode_dialling_bcd,
    encode_swapped_bcd,
)
from harness.sim.codec_vectors import CodecVector
from harness.sms.gsm7 import septets_to_text, text_to_septets

ICCID_LENGTH = 10
IMSI_LENGTH = 9
MSISDN_FIXED_PART = 14  # bytes after the alpha identifier

_TON_INTERNATIONAL = 0x1
_TOA_INTERNATIONAL_ISDN = 0x91
_TOA_UNKNOWN_ISDN = 0x81


# --- alpha identifiers (TS 102 221 annex A) -------------------------------------------------


def alpha_id_body(text: str) -> bytes:
    """`text` unpadded: GSM default alphabet if possible, else UCS2 (80 form)."""
    try:
        return bytes(text_to_septets(text))
    except CodecError:
        return _encode_ucs2(text)


def encode_alpha_id(text: str, length: int) -> bytes:
    """`text` in exactly `length` bytes, 'FF'-padded (see `alpha_id_body`)."""
    body = alpha_id_body(text)
    if len(body) > length:
        raise CodecError(f"alpha identifier {text!r} needs {len(body)} bytes, field has {length}")
    return body + b"\xff" * (length - len(body))


def _encode_ucs2(text: str) -> bytes:
    out = bytearray(b"\x80")
    for position, ch in enumerate(text):
        code = ord(ch)
        if code > 0xFFFE or 0xD800 <= code <= 0xDFFF:
            raise CodecError(
                f"alpha identifier: U+{code:04X} at position {position} has no UCS2 code"
            )
        out += code.to_bytes(2, "big")
    return bytes(out)


def decode_alpha_id(raw: bytes) -> str:
    """Text of an alpha identifier in any of the annex A forms; 'FF' padding is dropped."""
    if not raw:
        return ""
    if raw[0] == 0x80:
        return _decode_ucs2_80(raw[1:])
    if raw[0] in (0x81, 0x82):
        return _decode_ucs2_base(raw)
    body = raw.rstrip(b"\xff")
    for position, byte in enumerate(body):
        if byte & 0x80:
            raise CodecError(
                f"alpha identifier {raw.hex().upper()}: byte {byte:02X} at {position} "
                "is neither a GSM character nor padding"
            )
    return septets_to_text(list(body))


def _decode_ucs2_80(body: bytes) -> str:
    units = bytearray()
    for i in range(0, len(body) - 1, 2):
        if body[i] == 0xFF and body[i + 1] == 0xFF:
            break
        units += body[i : i + 2]
    try:
        # utf-16 also joins surrogate pairs that some phones write; a lone one is an error
        return units.decode("utf-16-be")
    except UnicodeDecodeError as exc:
        raise CodecError(f"alpha identifier (UCS2 80): {exc.reason}") from None


def _decode_ucs2_base(raw: bytes) -> str:
    header = 3 if raw[0] == 0x81 else 4
    if len(raw) < header:
        raise CodecError(f"alpha identifier {raw.hex().upper()}: UCS2 {raw[0]:02X} header cut off")
    count = raw[1]
    base = raw[2] << 7 if raw[0] == 0x81 else int.from_bytes(raw[2:4], "big")
    chars = raw[header : header + count]
    if len(chars) < count:
        raise CodecError(
            f"alpha identifier {raw.hex().upper()}: {count} characters announced, "
            f"{len(chars)} present"
        )
    out: list[str] = []
    run: list[int] = []  # GSM septets, decoded together so ESC sequences work
    for byte in chars:
        if byte & 0x80:
            out.append(septets_to_text(run))
            run = []
            out.append(chr(base + (byte & 0x7F)))
        else:
            run.append(byte)
    out.append(septets_to_text(run))
    return "".join(out)


# --- EF.ICCID ------------------------------------------------------------------------------


def luhn_digit(body: str) -> str:
    """The check digit that makes `body` + digit pass the Luhn test (ITU-T E.118 for the
    ICCID, 3GPP TS 23.003 §6.2 for the IMEI); `body` is ASCII digits."""
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def luhn_ok(iccid: str) -> bool:
    """True when the last digit is the Luhn check digit of the others (ITU-T E.118)."""
    if not iccid.isascii() or not iccid.isdigit():
        return False
    return iccid[-1] == luhn_digit(iccid[:-1])


def encode_iccid(iccid: str) -> bytes:
    """EF.ICCID content: 10 bytes."""
    if len(iccid) not in (19, 20):
        raise CodecError(f"ICCID has {len(iccid)} digits; 19 or 20 expected")
    if not iccid.startswith("89"):
        raise CodecError(f"ICCID {iccid!r} does not start with 89 (ITU-T E.118)")
    return encode_swapped_bcd(iccid, ICCID_LENGTH)


def decode_iccid(raw: bytes) -> str:
    """Digits of EF.ICCID."""
    if len(raw) != ICCID_LENGTH:
        raise CodecError(f"EF.ICCID of {len(raw)} bytes; {ICCID_LENGTH} expected")
    iccid = decode_swapped_bcd(raw)
    if len(iccid) not in (19, 20):
        raise CodecError(f"EF.ICCID {raw.hex().upper()} holds {len(iccid)} digits; 19 or 20")
    return iccid


# --- EF.IMSI -------------------------------------------------------------------------------


def encode_imsi(imsi: str) -> bytes:
    """EF.IMSI content: 9 bytes."""
    if not 6 <= len(imsi) <= 15 or not imsi.isascii() or not imsi.isdigit():
        raise CodecError(f"IMSI must be 6 to 15 digits, got {len(imsi)} characters")
    odd = len(imsi) % 2 == 1
    type_nibble = 0x9 if odd else 0x1
    first = (int(imsi[0]) << 4) | type_nibble
    rest = encode_swapped_bcd(imsi[1:], bcd_length(len(imsi) - 1))
    used = bytes((first,)) + rest
    return bytes((len(used),)) + used + b"\xff" * (IMSI_LENGTH - 1 - len(used))


def decode_imsi(raw: bytes) -> str:
    """Digits of EF.IMSI."""
    if raw and all(b == 0xFF for b in raw):
        raise CodecError("IMSI not personalised (EF.IMSI is all FF)")
    if len(raw) < 2:
        raise CodecError(f"EF.IMSI of {len(raw)} bytes is too short")
    used = raw[0]
    if not 1 <= used <= IMSI_LENGTH - 1 or used > len(raw) - 1:
        raise CodecError(f"EF.IMSI length byte {used:02X} does not fit {len(raw)} bytes")
    type_nibble = raw[1] & 0x0F
    if type_nibble & 0x07 != 0x1:
        raise CodecError(f"EF.IMSI identity type {type_nibble & 7} is not IMSI (1)")
    first = raw[1] >> 4
    if first > 9:
        raise CodecError(f"EF.IMSI first digit nibble {first:X} is not a digit")
    imsi = str(first) + decode_swapped_bcd(raw[2 : 1 + used])
    odd = bool(type_nibble & 0x08)
    if len(imsi) != 2 * used - (1 if odd else 2):
        raise CodecError(
            f"EF.IMSI {raw.hex().upper()}: {len(imsi)} digits disagree with the length "
            f"byte {used} and the {'odd' if odd else 'even'} parity flag"
        )
    return imsi


# --- EF.MSISDN -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MsisdnRecord:
    """One EF.MSISDN record; a '+' prefix means TON international.

    `ton_npi` None means "derive": 91 with '+', else 81. An empty number is
    stored as length 'FF'.
    """

    alpha_id: str
    number: str
    ton_npi: int | None = None
    ccp: int = 0xFF
    ext: int = 0xFF


def encode_msisdn(rec: MsisdnRecord, record_length: int) -> bytes:
    """One record of `record_length` (X + 14) bytes."""
    alpha_length = record_length - MSISDN_FIXED_PART
    if alpha_length < 0:
        raise CodecError(f"EF.MSISDN record length {record_length} is below 14")
    for name in ("ccp", "ext"):
        if not 0 <= getattr(rec, name) <= 0xFF:
            raise CodecError(f"MSISDN {name} {getattr(rec, name)} is not a byte")
    alpha = encode_alpha_id(rec.alpha_id, alpha_length)
    if not rec.number:
        ton = 0xFF if rec.ton_npi is None else rec.ton_npi
        number_part = bytes((0xFF, ton)) + b"\xff" * 10
    else:
        number_part = _encode_number(rec.number, rec.ton_npi)
    return alpha + number_part + bytes((rec.ccp, rec.ext))


def number_toa(number: str, toa: int | None) -> tuple[str, int]:
    """Digits and type of address of a number whose '+' prefix means TON international.

    `toa` None derives 91 (international, ISDN) or 81 (unknown, ISDN); a given
    `toa` must agree with the '+' prefix (TS 24.008 §10.5.4.7 TON/NPI octet).
    """
    international = number.startswith("+")
    digits = number[1:] if international else number
    if not digits:
        raise CodecError(f"number {number!r} has no digits")
    if toa is None:
        toa = _TOA_INTERNATIONAL_ISDN if international else _TOA_UNKNOWN_ISDN
    if not 0x80 <= toa <= 0xFF:
        raise CodecError(f"TON/NPI {toa:#x} must be a byte with b8 set")
    if ((toa >> 4) & 0x7 == _TON_INTERNATIONAL) != international:
        raise CodecError(
            f"number {number!r}: a '+' prefix and TON international ({toa:02X}) go together"
        )
    return digits, toa


def number_text(digits: str, toa: int | None) -> str:
    """`digits` with a '+' prefix when `toa` says TON international."""
    international = toa is not None and (toa >> 4) & 0x7 == _TON_INTERNATIONAL
    return ("+" if international else "") + digits


def _encode_number(number: str, ton_npi: int | None) -> bytes:
    digits, toa = number_toa(number, ton_npi)
    bcd = encode_dialling_bcd(digits, 10)
    return bytes((1 + bcd_length(len(digits)), toa)) + bcd


def decode_msisdn(raw: bytes) -> MsisdnRecord | None:
    """One record; None for a free (all 'FF') record."""
    if len(raw) < MSISDN_FIXED_PART:
        raise CodecError(f"EF.MSISDN record of {len(raw)} bytes; at least 14 expected")
    if all(b == 0xFF for b in raw):
        return None
    x = len(raw) - MSISDN_FIXED_PART
    alpha = decode_alpha_id(raw[:x])
    length, ton = raw[x], raw[x + 1]
    ton_npi = None if ton == 0xFF else ton
    ccp, ext = raw[x + 12], raw[x + 13]
    if length in (0x00, 0xFF):
        return MsisdnRecord(alpha, "", ton_npi, ccp, ext)
    if not 2 <= length <= 11:
        raise CodecError(f"EF.MSISDN number length {length} is not 2..11")
    digits = decode_dialling_bcd(raw[x + 2 : x + 1 + length])
    if not digits:
        raise CodecError(f"EF.MSISDN {raw.hex().upper()}: length {length} but no digits")
    return MsisdnRecord(alpha, number_text(digits, ton_npi), ton_npi, ccp, ext)


VECTORS: list[CodecVector] = [
    CodecVector(
        name="ef.identity: EF.ICCID 19 digits (docs/sources.md §4.10)",
        encoded=bytes.fromhex("988812010000400310F0"),
        decoded="8988211000000430010",
        encode=encode_iccid,
        decode=decode_iccid,
    ),
    CodecVector(
        name="ef.identity: EF.ICCID 20 digits (Android emulator, docs/sources.md §1.10)",
        encoded=bytes.fromhex("98101430121181157002"),
        decoded="89014103211118510720",
        encode=encode_iccid,
        decode=decode_iccid,
    ),
    CodecVector(
        name="ef.identity: EF.IMSI 15 digits, odd parity (docs/sources.md §4.10)",
        encoded=bytes.fromhex("082982608200002080"),
        decoded="228062800000208",
        encode=encode_imsi,
        decode=decode_imsi,
    ),
    CodecVector(
        name="ef.identity: EF.IMSI 14 digits, even parity, F pad",
        encoded=bytes.fromhex("0821436587092143F5"),
        decoded="23456789012345",
        encode=encode_imsi,
        decode=decode_imsi,
    ),
    CodecVector(
        name="ef.identity: EF.MSISDN without alpha (Android emulator, docs/sources.md §4.10)",
        encoded=bytes.fromhex("FF" * 18 + "07815155258131F5FFFFFFFFFFFF"),
        decoded=MsisdnRecord("", "15555218135", ton_npi=0x81),
        encode=lambda rec: encode_msisdn(rec, 32),
        decode=decode_msisdn,
    ),
    CodecVector(
        name="ef.identity: EF.MSISDN international with GSM alpha",
        encoded=bytes.fromhex("4D79206E756D626572FFFF" + "07917228195339F4FFFFFFFFFFFF"),
        decoded=MsisdnRecord("My number", "+27829135934", ton_npi=0x91),
        encode=lambda rec: encode_msisdn(rec, 25),
        decode=decode_msisdn,
    ),
    CodecVector(
        name="ef.identity: EF.MSISDN with UCS2 (80) alpha",
        encoded=bytes.fromhex("80041F04380440FFFF" + "06917228195339FFFFFFFFFFFFFF"),
        decoded=MsisdnRecord("Пир", "+2782913593", ton_npi=0x91),
        encode=lambda rec: encode_msisdn(rec, 23),
        decode=decode_msisdn,
    ),
]
