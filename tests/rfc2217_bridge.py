"""An RFC 2217 server in front of a TCP serial line: what ser2net is to a lab's USB modem.

A labgrid exporter publishes a modem's port as `rfc2217://host:port`, served by
ser2net. In the tests the modem is a virtual one listening on 127.0.0.1 (raw
TCP), so this bridge plays ser2net: per client it opens the modem's TCP port as
a pyserial `socket://` line and lets pyserial's `PortManager` (RFC 2217 §3) answer
the option negotiation, as pyserial's own rfc2217 server example does. A pty
cannot stand behind PortManager (its modem-line ioctls fail with ENOTTY); a
socket:// line accepts and ignores them, like the line settings.

One client at a time, bound to 127.0.0.1, every wait bounded; `close()` ends it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from typing import Any

import serial
import serial.rfc2217

_TICK_S = 0.1


class Rfc2217Bridge:
    """Serve `rfc2217://127.0.0.1:<port>` for the raw TCP line at `target_port`."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.connections = 0
        self.baudrates: list[int] = []  # the line speed each client set (RFC 2217 SET-BAUDRATE)
        self._stop = threading.Event()
        self._idle = threading.Event()  # set while no client is being served
        self._idle.set()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(1)
        self._listener.settimeout(_TICK_S)
        self.port = int(self._listener.getsockname()[1])
        self._thread = threading.Thread(target=self._serve, name="rfc2217-bridge", daemon=True)
        self._thread.start()

    def wait_idle(self, timeout: float) -> bool:
        """True once the current client (if any) has been served to the end."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._listener.close()

    def __enter__(self) -> Rfc2217Bridge:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._idle.clear()
            try:
                with (
                    contextlib.closing(client),
                    contextlib.suppress(OSError, serial.SerialException),
                ):
                    self._bridge(client)
            finally:
                self._idle.set()

    def _bridge(self, client: socket.socket) -> None:
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        client.settimeout(_TICK_S)
        line = serial.serial_for_url(f"socket://127.0.0.1:{self.target_port}", timeout=_TICK_S)
        lock = threading.Lock()
        done = threading.Event()

        class _ToClient:  # PortManager answers option negotiation through write()
            @staticmethod
            def write(data: bytes) -> None:
                with lock:
                    client.sendall(data)

        manager: Any = serial.rfc2217.PortManager(line, _ToClient())

        def line_to_client() -> None:
            while not done.is_set() and not self._stop.is_set():
                try:
                    data = line.read(line.in_waiting or 1)
                    if data:
                        _ToClient.write(b"".join(manager.escape(data)))
                except (OSError, serial.SerialException):
                    break
            done.set()

        pump = threading.Thread(target=line_to_client, name="rfc2217-bridge-tx", daemon=True)
        pump.start()
        try:
            while not done.is_set() and not self._stop.is_set():
                try:
                    data = client.recv(4096)
                except TimeoutError:
                    continue
                if not data:
                    break
                payload = b"".join(manager.filter(data))
                if payload:
                    line.write(payload)
        finally:
            done.set()
            pump.join(timeout=2)
            self.baudrates.append(int(line.baudrate))
            line.close()
