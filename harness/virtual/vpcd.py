"""Bridge a virtual card into a vsmartcard vpcd reader slot, so pcscd serves it.

Wire protocol (PCSC.md): every message is a 2-byte big-endian length then the
payload. A 1-byte payload from vpcd is a control (00 power off, 01 power on,
02 reset, 04 send the ATR); anything else is a C-APDU, answered with the R-APDU.
Connecting is inserting the card; closing the socket removes it.

Latency (PCSC.md gotcha 1): vpcd sends length and payload in two writes without
TCP_NODELAY, so the card re-arms TCP_QUICKACK before every recv() (it is not
sticky), sets TCP_NODELAY, and answers with one sendall().
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import TransportError
from harness.sim.card_protocol import CardLike  # not virtual_link: that loads the driver
from harness.virtual.netns import connect_in_netns

log = logging.getLogger(__name__)

VPCD_BASE_PORT = 35963  # slot 0 -> reader "Virtual PCD 00 00", slot 1 -> "... 00 01"
CTRL_OFF, CTRL_ON, CTRL_RESET, CTRL_ATR = 0, 1, 2, 4


def reader_name(slot: int) -> str:
    return f"Virtual PCD 00 {slot:02d}"


@dataclass
class BridgeStats:
    """Time from a C-APDU's arrival to its answer leaving, per APDU (seconds)."""

    service_times: list[float] = field(default_factory=list)
    apdus: int = 0


class VpcdBridge:
    """Serve one card in one vpcd slot from a background thread.

    `start()` inserts the card (connects, retrying until `connect_timeout`);
    `stop()` removes it. `netns` is the network namespace of a private pcscd.
    """

    def __init__(
        self,
        card: CardLike,
        *,
        slot: int = 0,
        host: str = "127.0.0.1",
        netns: Path | None = None,
        keep_stats: bool = False,
    ) -> None:
        if slot not in (0, 1):
            raise ValueError("vpcd offers slots 0 and 1")
        self.card = card
        self.slot = slot
        self.host = host
        self.netns = netns
        self.stats = BridgeStats() if keep_stats else None
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    @property
    def port(self) -> int:
        return VPCD_BASE_PORT + self.slot

    @property
    def reader(self) -> str:
        return reader_name(self.slot)

    def __enter__(self) -> VpcdBridge:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self, connect_timeout: float = 10.0) -> None:
        deadline = time.monotonic() + connect_timeout
        last_error: OSError | None = None
        while time.monotonic() < deadline:
            try:
                self._sock = connect_in_netns(self.host, self.port, self.netns, timeout=2.0)
                break
            except OSError as exc:  # vpcd not listening yet: start order is free
                last_error = exc
                time.sleep(0.05)
        if self._sock is None:
            raise TransportError(
                f"vpcd did not accept a card on {self.host}:{self.port} within "
                f"{connect_timeout:g} s ({last_error}); is pcscd running with the "
                f"vsmartcard-vpcd driver (/etc/reader.conf.d/vpcd)?"
            )
        self._sock.settimeout(None)
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self._serve, name=f"vpcd-slot{self.slot}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Remove the card: close the socket and wait for the thread (bounded)."""
        self._stopping.set()
        sock, self._sock = self._sock, None
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self.card.power_off()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _serve(self) -> None:
        sock = self._sock
        assert sock is not None
        try:
            while not self._stopping.is_set():
                payload = self._receive(sock)
                if payload is None:
                    break
                started = time.perf_counter()
                answer = self._answer(payload)
                if answer is not None:
                    sock.sendall(struct.pack(">H", len(answer)) + answer)
                    if self.stats is not None and len(payload) > 1:
                        self.stats.service_times.append(time.perf_counter() - started)
                        self.stats.apdus += 1
        except OSError as exc:
            if not self._stopping.is_set():
                log.warning("vpcd slot %d: connection lost (%s); card removed", self.slot, exc)
        finally:
            self.card.power_off()

    @staticmethod
    def _receive(sock: socket.socket) -> bytes | None:
        header = _recv_exact(sock, 2)
        if header is None:
            return None
        (length,) = struct.unpack(">H", header)
        return _recv_exact(sock, length)

    def _answer(self, payload: bytes) -> bytes | None:
        if len(payload) == 1:
            control = payload[0]
            if control == CTRL_ATR:
                return self.card.atr  # pcscd's presence poll: no state change
            if control == CTRL_ON:
                self.card.power_on()
            elif control == CTRL_OFF:
                self.card.power_off()
            elif control == CTRL_RESET:
                self.card.reset()
            return None
        return self.card.transmit(payload)


def _recv_exact(sock: socket.socket, count: int) -> bytes | None:
    """Read exactly `count` bytes, re-arming TCP_QUICKACK before each recv (not sticky)."""
    buf = bytearray()
    while len(buf) < count:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
        chunk = sock.recv(count - len(buf))
        if not chunk:
            return None
        buf += chunk
    return bytes(buf)
