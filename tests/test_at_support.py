"""Test doubles for the AT engine: a scripted modem, an in-memory stream, a pty modem.

`Responder` is the device logic (answers per command line, the `> ` prompt and
PDU + Ctrl-Z); `FakeStream` runs it on a device thread behind an in-memory
ByteStream; `PtyModem` runs it on a thread behind a real pseudo-terminal.
"""

from __future__ import annotations

import os
import queue
import select
import threading
import time
from collections.abc import Callable, Mapping

import serial

from harness.errors import DeviceGoneError, TransportError
from harness.transport import SerialTransport

Answer = bytes | Callable[[str], bytes]
OK = b"\r\nOK\r\n"
ERROR = b"\r\nERROR\r\n"


class Responder:
    """A modem's command interpreter, pure: feed(bytes from host) -> bytes to host."""

    def __init__(
        self,
        answers: Mapping[str, Answer] | None = None,
        *,
        echo: bool = False,
        default: bytes = ERROR,
        on_pdu: Callable[[str], bytes] | None = None,
    ) -> None:
        self.answers = dict(answers or {})
        self.echo = echo
        self.default = default
        self.on_pdu = on_pdu or (lambda pdu: b"\r\n+CMGS: 7\r\n\r\nOK\r\n")
        self.commands: list[str] = []
        self.pdus: list[str] = []
        self.aborted = 0
        self._buffer = bytearray()
        self._pdu_mode = False

    def feed(self, data: bytes) -> bytes:
        out = bytearray(data if self.echo else b"")
        self._buffer += data
        while True:
            if self._pdu_mode:
                ends = [
                    i for i in (self._buffer.find(b"\x1a"), self._buffer.find(b"\x1b")) if i >= 0
                ]
                if not ends:
                    return bytes(out)
                end = min(ends)
                payload = self._buffer[:end].decode()
                terminator = self._buffer[end]
                del self._buffer[: end + 1]
                self._pdu_mode = False
                if terminator == 0x1B:
                    self.aborted += 1
                else:
                    self.pdus.append(payload)
                    out += self.on_pdu(payload)
                continue
            end = self._buffer.find(b"\r")
            if end < 0:
                return bytes(out)
            line = self._buffer[:end].decode(errors="replace").strip()
            del self._buffer[: end + 1]
            if not line:
                continue
            self.commands.append(line)
            answer = self.answers.get(line, self.default)
            reply = answer(line) if callable(answer) else answer
            out += reply
            if b"\r\n> " in reply:
                self._pdu_mode = True


class FakeStream:
    """In-memory ByteStream; a device thread runs the Responder and can chunk replies.

    No fileno(), like socket:// and loop://: the channel's background reader reads
    everything and hands answers over (harness.at.reader.HandoffReader).
    """

    def __init__(
        self,
        responder: Responder,
        *,
        chunker: Callable[[bytes], list[bytes]] | None = None,
        reply_delay: float = 0.0,
    ) -> None:
        self.responder = responder
        self._chunker = chunker or (lambda data: [data])
        self._delay = reply_delay
        self._inbox: queue.Queue[bytes | None] = queue.Queue()
        self._cond = threading.Condition()
        self._sending = threading.Lock()
        self._to_host = bytearray()
        self._failure: TransportError | None = None
        self.closed = False
        self.written = bytearray()
        self.readers: set[str] = set()  # names of the threads that called read()
        self._device = threading.Thread(target=self._run, daemon=True)
        self._device.start()

    # ByteStream
    def write(self, data: bytes) -> None:
        if self._failure is not None:
            raise self._failure
        self.written += data
        self._inbox.put(bytes(data))

    def read(self, timeout: float, max_bytes: int = 4096) -> bytes:
        deadline = time.monotonic() + timeout
        with self._cond:
            self.readers.add(threading.current_thread().name)
            while not self._to_host:
                if self._failure is not None:
                    raise self._failure
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return b""
                self._cond.wait(remaining)
            data = bytes(self._to_host[:max_bytes])
            del self._to_host[:max_bytes]
            self._readiness_changed()
            return data

    def close(self) -> None:
        self.closed = True
        self._inbox.put(None)

    # test controls
    def inject(self, data: bytes) -> None:
        """Bytes from the device side at any moment (URCs, garbage); one message at a
        time, as a device sends them (chunks of two messages never interleave)."""
        with self._sending:
            for chunk in self._chunker(data):
                with self._cond:
                    self._to_host += chunk
                    self._readiness_changed()
                    self._cond.notify_all()

    def unplug(self) -> None:
        with self._cond:
            self._failure = DeviceGoneError("fake modem unplugged")
            self._readiness_changed()
            self._cond.notify_all()

    def _readiness_changed(self) -> None:
        """Hook (under self._cond) for a descriptor that mirrors "read() has something"."""

    def _run(self) -> None:
        while True:
            data = self._inbox.get()
            if data is None:
                return
            reply = self.responder.feed(data)
            if self._delay:
                time.sleep(self._delay)
            if reply:
                self.inject(reply)


class SelectableFakeStream(FakeStream):
    """A FakeStream with fileno(), like a pyserial device port or a pty: a doorbell pipe
    is readable exactly while read() has bytes (or the line failed), so the channel
    uses its SelectReader (callers read their own answers)."""

    def __init__(
        self,
        responder: Responder,
        *,
        chunker: Callable[[bytes], list[bytes]] | None = None,
        reply_delay: float = 0.0,
    ) -> None:
        self._bell_r, self._bell_w = os.pipe()
        self._ringing = False
        super().__init__(responder, chunker=chunker, reply_delay=reply_delay)

    def fileno(self) -> int:
        return self._bell_r

    def close(self) -> None:
        super().close()
        with self._cond:
            if self._bell_w >= 0:
                os.close(self._bell_w)
                os.close(self._bell_r)
                self._bell_r = self._bell_w = -1

    def _readiness_changed(self) -> None:
        want = bool(self._to_host) or self._failure is not None
        if want == self._ringing or self._bell_w < 0:
            return
        if want:
            os.write(self._bell_w, b"!")
        else:
            os.read(self._bell_r, 1)
        self._ringing = want


STREAM_KINDS = {"handoff": FakeStream, "select": SelectableFakeStream}


class PtyModem:
    """A Responder behind a real pseudo-terminal; `path` is the tty to open."""

    def __init__(self, responder: Responder) -> None:
        self.responder = responder
        self._master, self._slave = os.openpty()
        self.path = os.ttyname(self._slave)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def inject(self, data: bytes) -> None:
        os.write(self._master, data)

    def _run(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self._master, 4096)
            except OSError:
                return
            reply = self.responder.feed(data)
            if reply:
                os.write(self._master, reply)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(1.0)
        os.close(self._master)
        os.close(self._slave)


class PySerialStream:
    """Minimal ByteStream over pyserial (for pty tests independent of harness.transport)."""

    def __init__(self, path: str) -> None:
        self._port = serial.Serial(path, 115200, timeout=0.05)
        self._timeout = 0.05

    def write(self, data: bytes) -> None:
        self._port.write(data)

    def read(self, timeout: float, max_bytes: int = 4096) -> bytes:
        if timeout != self._timeout:
            self._port.timeout = self._timeout = timeout
        first = self._port.read(1)
        if not first:
            return b""
        waiting = min(self._port.in_waiting, max_bytes - 1)
        return bytes(first + (self._port.read(waiting) if waiting else b""))

    def fileno(self) -> int:
        return int(self._port.fileno())

    def close(self) -> None:
        self._port.close()


class PySerialNoFilenoStream(PySerialStream):
    """The same pyserial port hidden behind a stream without fileno()."""

    fileno = None  # type: ignore[assignment]


class SelectableTransport(SerialTransport):
    """SerialTransport with the fileno() of its pyserial port (what a transport offers
    for the channel's SelectReader)."""

    def fileno(self) -> int:
        return int(self._require_open().fileno())


def one_byte_chunks(data: bytes) -> list[bytes]:
    return [data[i : i + 1] for i in range(len(data))]
