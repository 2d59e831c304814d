"""APDU command and response values (ISO/IEC 7816-4 short APDUs).

Both sides use this module: the driver builds `Apdu` values and reads
`Response` values, the virtual card parses the former and builds the latter.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.errors import CodecError
from harness.secret_ins import SECRET_INS


@dataclass(frozen=True, slots=True)
class Apdu:
    """A command APDU. `le` is Ne (1..256) or None when no response data is expected."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    def __post_init__(self) -> None:
        if not (
            0 <= self.cla <= 0xFF
            and 0 <= self.ins <= 0xFF
            and 0 <= self.p1 <= 0xFF
            and 0 <= self.p2 <= 0xFF
        ):
            raise CodecError(f"APDU header {self.cla, self.ins, self.p1, self.p2} is not 4 bytes")
        if len(self.data) > 255:
            raise CodecError(f"APDU data of {len(self.data)} bytes needs an extended APDU")
        if self.le is not None and not 1 <= self.le <= 256:
            raise CodecError(f"APDU Le {self.le} out of range 1..256")

    @property
    def header(self) -> bytes:
        return bytes((self.cla, self.ins, self.p1, self.p2))

    def to_bytes(self) -> bytes:
        """Encode as a short APDU (cases 1 to 4)."""
        out = bytearray(self.header)
        if self.data:
            out.append(len(self.data))
            out += self.data
        if self.le is not None:
            out.append(self.le & 0xFF)
        return bytes(out)

    def with_le(self, le: int) -> Apdu:
        return Apdu(self.cla, self.ins, self.p1, self.p2, self.data, le)

    @classmethod
    def from_bytes(cls, raw: bytes) -> Apdu:
        """Parse a short APDU; a wrong Lc/Le raises `CodecError` (a card answers 6700)."""
        if len(raw) < 4:
            raise CodecError(f"APDU of {len(raw)} bytes is shorter than its 4-byte header")
        cla, ins, p1, p2 = raw[:4]
        body = raw[4:]
        if not body:
            return cls(cla, ins, p1, p2)
        if len(body) == 1:
            return cls(cla, ins, p1, p2, le=body[0] or 256)
        lc = body[0]
        if lc == 0:
            raise CodecError("APDU with Lc=0 and more bytes is an extended APDU (unsupported)")
        if len(body) == 1 + lc:
            return cls(cla, ins, p1, p2, bytes(body[1:]))
        if len(body) == 2 + lc:
            return cls(cla, ins, p1, p2, bytes(body[1 : 1 + lc]), body[-1] or 256)
        raise CodecError(f"APDU Lc={lc} does not match the {len(body) - 1} bytes that follow")

    def __repr__(self) -> str:
        """Masks the data of VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK: it is a PIN or PUK."""
        data = (
            f"<{len(self.data)} bytes masked>"
            if self.ins in SECRET_INS and self.data
            else (repr(self.data))
        )
        return (
            f"Apdu(cla=0x{self.cla:02X}, ins=0x{self.ins:02X}, p1=0x{self.p1:02X}, "
            f"p2=0x{self.p2:02X}, data={data}, le={self.le})"
        )

    def describe(self) -> str:
        """Header-only text for errors and logs: never the data (it may hold a PIN)."""
        return f"{INS_NAMES.get(self.ins, f'INS {self.ins:02X}')} ({self.header.hex().upper()})"


@dataclass(frozen=True, slots=True)
class Response:
    """A response APDU: data followed by SW1 SW2."""

    sw1: int
    sw2: int
    data: bytes = field(default=b"")

    @property
    def sw(self) -> int:
        return (self.sw1 << 8) | self.sw2

    def to_bytes(self) -> bytes:
        return self.data + bytes((self.sw1, self.sw2))

    @classmethod
    def from_bytes(cls, raw: bytes) -> Response:
        if len(raw) < 2:
            raise CodecError(f"response of {len(raw)} bytes is truncated (no SW1 SW2)")
        return cls(raw[-2], raw[-1], bytes(raw[:-2]))

    @classmethod
    def of_sw(cls, sw: int, data: bytes = b"") -> Response:
        return cls(sw >> 8, sw & 0xFF, data)


INS_NAMES: dict[int, str] = {
    0x04: "DEACTIVATE FILE",
    0x10: "TERMINAL PROFILE",
    0x12: "FETCH",
    0x14: "TERMINAL RESPONSE",
    0x20: "VERIFY",
    0x24: "CHANGE PIN",
    0x26: "DISABLE PIN",
    0x28: "ENABLE PIN",
    0x2C: "UNBLOCK PIN",
    0x44: "ACTIVATE FILE",
    0x70: "MANAGE CHANNEL",
    0x88: "AUTHENTICATE",
    0xA2: "SEARCH RECORD",
    0xA4: "SELECT",
    0xB0: "READ BINARY",
    0xB2: "READ RECORD",
    0xC0: "GET RESPONSE",
    0xC2: "ENVELOPE",
    0xD6: "UPDATE BINARY",
    0xDC: "UPDATE RECORD",
    0xF2: "STATUS",
}
