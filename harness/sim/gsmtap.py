"""GSMTAP SIM: APDU traces over UDP that Wireshark and pySim-trace decode live.

Header (libosmocore include/osmocom/core/gsmtap.h, network byte order, 16 bytes):
version 0x02, hdr_len 4 (32-bit words), type, timeslot, arfcn (u16), signal_dbm
(i8), snr_db (i8), frame_number (u32), sub_type, antenna_nr, sub_slot, res.
GSMTAP_TYPE_SIM is 0x04; its sub-types: APDU 0x00 (a whole exchange), ATR 0x01.
An APDU packet carries "CLA INS P1 P2 P3 [command data] [response data] SW1 SW2",
the SIMtrace layout pySim-trace splits by the command's case (pySim
apdu/__init__.py `from_bytes`). The receiver listens on UDP port 4729 (IANA).

Secrets never leave: the command of VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK is masked
(harness.secrets.mask_apdu) before it is put on the wire.
"""

from __future__ import annotations

import contextlib
import socket
import struct
from dataclasses import dataclass

from harness.errors import CodecError, ConfigError
from harness.secrets import mask_apdu
from harness.sim.codec_vectors import CodecVector

__all__ = [
    "GSMTAP_PORT",
    "GSMTAP_TYPE_SIM",
    "SIM_APDU",
    "SIM_ATR",
    "GsmtapHeader",
    "GsmtapSender",
    "apdu_body",
    "decode_header",
    "encode_header",
    "parse_target",
]

GSMTAP_PORT = 4729
GSMTAP_VERSION = 0x02
GSMTAP_TYPE_SIM = 0x04
SIM_APDU = 0x00
SIM_ATR = 0x01
HEADER = struct.Struct(">BBBBHbbIBBBB")  # 16 bytes


@dataclass(frozen=True)
class GsmtapHeader:
    type: int = GSMTAP_TYPE_SIM
    sub_type: int = SIM_APDU
    timeslot: int = 0
    arfcn: int = 0
    signal_dbm: int = 0
    snr_db: int = 0
    frame_number: int = 0
    antenna: int = 0
    sub_slot: int = 0


def encode_header(header: GsmtapHeader) -> bytes:
    return HEADER.pack(
        GSMTAP_VERSION,
        HEADER.size // 4,
        header.type,
        header.timeslot,
        header.arfcn,
        header.signal_dbm,
        header.snr_db,
        header.frame_number,
        header.sub_type,
        header.antenna,
        header.sub_slot,
        0,
    )


def decode_header(packet: bytes) -> GsmtapHeader:
    """The header of a GSMTAP packet (the body starts at hdr_len * 4)."""
    if len(packet) < HEADER.size:
        raise CodecError(f"a GSMTAP header is {HEADER.size} bytes, got {len(packet)}")
    version, words, kind, slot, arfcn, dbm, snr, frame, sub, antenna, sub_slot, _ = (
        HEADER.unpack_from(packet)
    )
    if version != GSMTAP_VERSION or words * 4 < HEADER.size:
        raise CodecError(f"GSMTAP version {version}, hdr_len {words}: not a GSMTAP v2 packet")
    return GsmtapHeader(kind, sub, slot, arfcn, dbm, snr, frame, antenna, sub_slot)


def apdu_body(command: bytes, response: bytes) -> bytes:
    """The SIMtrace-style body: the command (P3 added to a 4-byte case 1 header, secrets
    masked) followed by the response data and SW."""
    if len(command) < 4 or len(response) < 2:
        raise CodecError("an APDU exchange needs a 4-byte header and a 2-byte SW")
    header = command if len(command) > 4 else command + b"\x00"
    return mask_apdu(header) + response


def parse_target(text: str) -> tuple[str, int]:
    """'HOST[:PORT]' (the CLI's --gsmtap) -> (host, port); the port defaults to 4729."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = text, str(GSMTAP_PORT)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"--gsmtap {text!r}: expected HOST or HOST:PORT, e.g. 127.0.0.1:4729")
    return host, int(port)


class GsmtapSender:
    """Sends GSMTAP SIM packets to one UDP receiver; a lost receiver loses packets only."""

    def __init__(self, host: str, port: int = GSMTAP_PORT) -> None:
        self.target = (host, port)
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._frame = 0

    def send_atr(self, atr: bytes) -> None:
        self._send(SIM_ATR, atr)

    def send_apdu(self, command: bytes, response: bytes) -> None:
        self._send(SIM_APDU, apdu_body(command, response))

    def close(self) -> None:
        self._sock.close()

    def _send(self, sub_type: int, body: bytes) -> None:
        self._frame = (self._frame + 1) & 0xFFFFFFFF
        packet = encode_header(GsmtapHeader(sub_type=sub_type, frame_number=self._frame)) + body
        # Nobody listening (ICMP unreachable) or no route: a lost trace, not a fault.
        with contextlib.suppress(OSError):
            self._sock.sendto(packet, self.target)


VECTORS: list[CodecVector] = [
    CodecVector(
        "GSMTAP SIM APDU header",
        bytes.fromhex("02040400000000000000000000000000"),
        GsmtapHeader(),
        encode_header,
        decode_header,
    ),
    CodecVector(
        "GSMTAP SIM ATR header, frame 7",
        bytes.fromhex("02040400000000000000000701000000"),
        GsmtapHeader(sub_type=SIM_ATR, frame_number=7),
        encode_header,
        decode_header,
    ),
]
