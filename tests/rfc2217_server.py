"""A real RFC 2217 server for tests: pyserial's `PortManager` in front of a serial port,
as pyserial's own examples/rfc2217_server.py runs it (what ser2net or labgrid export).

One client at a time, 127.0.0.1 only, threads stopped and sockets closed on exit.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import serial
import serial.rfc2217


class _Session:
    def __init__(self, port: serial.Serial, client: socket.socket) -> None:
        self.port = port
        self.client = client
        self.lock = threading.Lock()
        self.alive = True
        self.manager = serial.rfc2217.PortManager(port, self)

    def write(self, data: bytes) -> None:  # PortManager answers negotiation through this
        with self.lock:
            self.client.sendall(data)

    def device_to_client(self) -> None:
        while self.alive:
            try:
                data = self.port.read(self.port.in_waiting or 1)
                if data:
                    self.write(b"".join(self.manager.escape(data)))
            except (OSError, serial.SerialException):
                break

    def client_to_device(self) -> None:
        while self.alive:
            try:
                data = self.client.recv(1024)
            except OSError:
                break
            if not data:
                break
            self.port.write(b"".join(self.manager.filter(data)))


@contextmanager
def rfc2217_server(device: str) -> Iterator[str]:
    """Serve `device` (a pyserial URL: a path, or socket:// to a modem) over RFC 2217;
    yields the rfc2217:// URL."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(0.2)
    stop = threading.Event()
    threads: list[threading.Thread] = []
    sessions: list[_Session] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            port = serial.serial_for_url(device, timeout=0.1)
            session = _Session(port, client)
            sessions.append(session)
            reader = threading.Thread(target=session.device_to_client, daemon=True)
            reader.start()
            threads.append(reader)
            session.client_to_device()  # until the client hangs up
            session.alive = False
            reader.join(timeout=2)
            with contextlib.suppress(OSError):
                client.close()
            port.close()

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    try:
        yield f"rfc2217://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        for session in sessions:
            session.alive = False
            with contextlib.suppress(OSError):
                session.client.shutdown(socket.SHUT_RDWR)
        listener.close()
        server.join(timeout=5)
        for thread in threads:
            thread.join(timeout=2)
