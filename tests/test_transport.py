"""SerialTransport on loop://, a real pty, a by-id style symlink and socket://."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import DeviceGoneError, HarnessTimeout, PortBusyError, TransportError
from harness.transport import ByteStream, SerialTransport


class Pty:
    """A pseudo-terminal: the test plays the device on `master`, the transport opens `path`."""

    def __init__(self) -> None:
        self.master, self._slave = os.openpty()
        self.path = os.ttyname(self._slave)
        self.closed = False

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def receive(self, size: int, timeout: float = 2.0) -> bytes:
        """Read exactly `size` bytes the transport wrote (the master fd is blocking)."""
        out = b""
        end = time.monotonic() + timeout
        while len(out) < size and time.monotonic() < end:
            out += os.read(self.master, size - len(out))
        return out

    def close(self) -> None:
        if not self.closed:
            os.close(self.master)
            os.close(self._slave)
            self.closed = True


@pytest.fixture
def pty() -> Iterator[Pty]:
    pair = Pty()
    yield pair
    pair.close()


def read_until(transport: SerialTransport, size: int, timeout: float = 2.0) -> bytes:
    out = b""
    end = time.monotonic() + timeout
    while len(out) < size and time.monotonic() < end:
        out += transport.read(end - time.monotonic())
    return out


def test_loop_round_trip() -> None:
    with SerialTransport("loop://") as line:
        stream: ByteStream = line
        stream.write(b"AT\r")
        assert read_until(line, 3) == b"AT\r"
        assert line.read(0.05) == b""
    assert not line.is_open


def test_pty_write_and_read(pty: Pty) -> None:
    with SerialTransport(pty.path) as line:
        line.write(b"AT+CSQ\r")
        assert pty.receive(7) == b"AT+CSQ\r"  # raw mode: no CR/LF translation
        answer = b"\r\n+CSQ: 20,99\r\n\r\nOK\r\n"
        pty.send(answer)
        assert read_until(line, len(answer)) == answer


def test_a_large_write_is_delivered_whole_through_a_full_buffer(pty: Pty) -> None:
    """Bigger than the pty buffer: the transport waits for room instead of cutting it."""
    data = bytes(range(256)) * 1024
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(pty.receive(len(data), timeout=10)))
    with SerialTransport(pty.path) as line:
        reader.start()
        line.write(data)
        reader.join(10)
    assert got == [data]


def test_a_write_nobody_reads_times_out_naming_the_url(pty: Pty) -> None:
    with SerialTransport(pty.path, write_timeout=0.2) as line:
        started = time.monotonic()
        with pytest.raises(HarnessTimeout, match=r"not accepted within 0\.2 s"):
            line.write(b"x" * (4 << 20))  # far beyond what the pty holds
        assert time.monotonic() - started < 2.0
        with pytest.raises(HarnessTimeout, match="not accepted"):
            line.write(b"AT\r")  # the buffer is full before the first byte


def test_pty_partial_reads_respect_max_bytes(pty: Pty) -> None:
    with SerialTransport(pty.path) as line:
        pty.send(b"hello")
        assert line.read(1.0, max_bytes=3) == b"hel"
        assert line.read(1.0, max_bytes=3) == b"lo"
        with pytest.raises(ValueError):
            line.read(1.0, max_bytes=0)


def test_read_returns_empty_after_its_timeout(pty: Pty) -> None:
    with SerialTransport(pty.path) as line:
        start = time.monotonic()
        assert line.read(0.2) == b""
        elapsed = time.monotonic() - start
        assert 0.18 <= elapsed < 0.5
        start = time.monotonic()
        assert line.read(0) == b""
        assert time.monotonic() - start < 0.1


def test_read_returns_as_soon_as_bytes_arrive(pty: Pty) -> None:
    with SerialTransport(pty.path) as line:
        timer = threading.Timer(0.1, pty.send, args=(b"RING\r\n",))
        timer.start()
        start = time.monotonic()
        data = line.read(5.0)
        timer.join()
        assert data.startswith(b"R")
        assert time.monotonic() - start < 1.0


def test_second_exclusive_open_is_busy(pty: Pty) -> None:
    with SerialTransport(pty.path), pytest.raises(PortBusyError, match=pty.path):
        SerialTransport(pty.path).open()


def test_non_exclusive_opens_share(pty: Pty) -> None:
    with (
        SerialTransport(pty.path, exclusive=False) as first,
        SerialTransport(pty.path, exclusive=False) as second,
    ):
        assert first.is_open and second.is_open  # no PortBusyError without exclusive


def test_missing_device_names_path_and_by_id(tmp_path: Path) -> None:
    path = str(tmp_path / "usb-Quectel_EG25-if02-port0")
    with pytest.raises(TransportError, match="ls /dev/serial/by-id/") as info:
        SerialTransport(path).open()
    assert path in str(info.value)
    assert not isinstance(info.value, PortBusyError)


def test_use_before_open_is_a_transport_error(pty: Pty) -> None:
    line = SerialTransport(pty.path)
    with pytest.raises(TransportError, match="not open"):
        line.read(0.1)
    with pytest.raises(TransportError, match="not open"):
        line.write(b"AT\r")


def test_device_vanishing_raises_device_gone_and_closes(pty: Pty) -> None:
    line = SerialTransport(pty.path)
    line.open()
    pty.close()  # the modem is unplugged: the device side of the line disappears
    start = time.monotonic()
    with pytest.raises(DeviceGoneError, match=pty.path):
        line.read(2.0)
    assert time.monotonic() - start < 1.0  # not mistaken for silence until the deadline
    assert not line.is_open
    line.close()  # idempotent


def test_write_to_vanished_device_raises_device_gone(pty: Pty) -> None:
    with SerialTransport(pty.path) as line:
        pty.close()
        with pytest.raises(DeviceGoneError, match=pty.path):
            line.write(b"AT\r")


def test_reopen_after_reenumeration(tmp_path: Path, pty: Pty) -> None:
    by_id = tmp_path / "usb-SimTech_SIM7600-if02-port0"
    by_id.symlink_to(pty.path)
    replacement = Pty()
    try:
        line = SerialTransport(str(by_id))
        line.open()
        pty.close()
        by_id.unlink()
        with pytest.raises(DeviceGoneError):
            line.read(1.0)

        def reappear() -> None:
            by_id.symlink_to(replacement.path)

        timer = threading.Timer(0.2, reappear)
        timer.start()
        start = time.monotonic()
        line.reopen(3.0)
        timer.join()
        assert 0.15 <= time.monotonic() - start < 2.0
        line.write(b"ATI\r")
        assert replacement.receive(4) == b"ATI\r"
        line.close()
    finally:
        replacement.close()


def test_reopen_times_out_naming_the_url(tmp_path: Path) -> None:
    by_id = str(tmp_path / "usb-gone-if00")
    line = SerialTransport(by_id)
    start = time.monotonic()
    with pytest.raises(HarnessTimeout, match="usb-gone-if00"):
        line.reopen(0.3)
    assert 0.25 <= time.monotonic() - start < 1.0


@pytest.fixture
def tcp_peer() -> Iterator[tuple[int, list[socket.socket]]]:
    """A one-connection TCP server on 127.0.0.1 that echoes what it receives."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)
    accepted: list[socket.socket] = []

    def serve() -> None:
        conn, _ = server.accept()
        accepted.append(conn)
        conn.settimeout(5)
        while data := conn.recv(4096):
            conn.sendall(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    server.close()
    for conn in accepted:
        conn.close()
    thread.join(timeout=2)


def test_socket_round_trip_and_peer_close(tcp_peer: tuple[int, list[socket.socket]]) -> None:
    port, accepted = tcp_peer
    url = f"socket://127.0.0.1:{port}"
    with SerialTransport(url) as line:
        line.write(b"AT+CPIN?\r")
        assert read_until(line, 9) == b"AT+CPIN?\r"
        accepted[0].shutdown(socket.SHUT_RDWR)
        with pytest.raises(DeviceGoneError, match=url):
            read_until(line, 1)


def test_socket_refused_names_the_url() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    url = f"socket://127.0.0.1:{port}"
    with pytest.raises(TransportError, match=url):
        SerialTransport(url).open()
