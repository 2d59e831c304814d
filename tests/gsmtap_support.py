"""Test helpers for GSMTAP: a UDP receiver on 127.0.0.1 and a pcap writer for tshark."""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path

LINKTYPE_IPV4 = 228  # raw IPv4 packets, no link-layer header


class GsmtapReceiver:
    """A bound UDP socket on 127.0.0.1 (an ephemeral port); every read has a deadline."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])

    def packets(self, count: int, timeout: float = 2.0) -> list[bytes]:
        self.sock.settimeout(timeout)
        return [self.sock.recv(65535) for _ in range(count)]

    def drain(self, quiet: float = 0.3, limit: float = 5.0) -> list[bytes]:
        """Every packet until none came for `quiet` s (at most `limit` s in all)."""
        deadline = time.monotonic() + limit
        out: list[bytes] = []
        self.sock.settimeout(quiet)
        while time.monotonic() < deadline:
            try:
                out.append(self.sock.recv(65535))
            except TimeoutError:
                break
        return out

    def nothing_more(self, wait: float = 0.1) -> bool:
        self.sock.settimeout(wait)
        try:
            self.sock.recv(65535)
        except TimeoutError:
            return True
        return False

    def close(self) -> None:
        self.sock.close()


def _ipv4_udp(payload: bytes, dport: int = 4729) -> bytes:
    udp = struct.pack(">HHHH", 40000, dport, 8 + len(payload), 0) + payload
    header = struct.pack(
        ">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0, b"\x7f\0\0\1", b"\x7f\0\0\1"
    )
    total = sum(struct.unpack(">10H", header))
    total = (total & 0xFFFF) + (total >> 16)
    checksum = ~((total & 0xFFFF) + (total >> 16)) & 0xFFFF
    return header[:10] + struct.pack(">H", checksum) + header[12:] + udp


def write_pcap(path: Path, payloads: list[bytes]) -> Path:
    """A classic pcap of the GSMTAP payloads as IPv4/UDP datagrams to port 4729."""
    out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, LINKTYPE_IPV4))
    for index, payload in enumerate(payloads):
        frame = _ipv4_udp(payload)
        out += struct.pack("<IIII", 1_700_000_000 + index, 0, len(frame), len(frame)) + frame
    path.write_bytes(bytes(out))
    return path
