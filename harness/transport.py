"""Bytes on a line: a serial port (or pyserial URL) with deadlines and typed errors.

The AT engine depends only on `ByteStream`, so tests can hand it an in-memory
pair and the bench can hand it a `SerialTransport` on a device path
(/dev/serial/by-id/...), ``rfc2217://host:port``, ``socket://host:port`` or
``loop://``. Every read has a deadline, and so has every write (the
`write_timeout`; on rfc2217://, which refuses one, the RFC 2217 client's socket
timeout); a vanished device raises `DeviceGoneError` (never an empty read that looks
like silence).
"""

from __future__ import annotations

import errno
import io
import logging
import os
import select
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Protocol

import serial

from harness.errors import DeviceGoneError, HarnessTimeout, PortBusyError, TransportError

log = logging.getLogger(__name__)

_BUSY = frozenset({errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK})
_REOPEN_POLL_S = 0.05


class ByteStream(Protocol):
    """What the AT engine needs from a line."""

    def write(self, data: bytes) -> None: ...

    def read(self, timeout: float, max_bytes: int = 4096) -> bytes: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class LineSettings:
    """Serial line parameters; ignored by socket:// and loop:// URLs."""

    baudrate: int = 115200
    rtscts: bool = False
    xonxoff: bool = False
    dsrdtr: bool = False


class SerialTransport:
    """One serial port or pyserial URL, opened exclusively when it is a device path."""

    def __init__(
        self,
        url: str,
        settings: LineSettings = LineSettings(),  # frozen, so one shared default is safe
        *,
        exclusive: bool = True,
        write_timeout: float = 5.0,
    ) -> None:
        self._url = url
        self._settings = settings
        self._exclusive = exclusive
        self._write_timeout = write_timeout
        self._port: Any = None
        self._fd: int | None = None  # a device path's descriptor while open (the fast path)

    @property
    def url(self) -> str:
        return self._url

    @property
    def is_open(self) -> bool:
        return self._port is not None

    @property
    def is_device_path(self) -> bool:
        return "://" not in self._url

    def open(self) -> None:
        """Open the line; a busy, missing or unusable port raises a typed error naming it."""
        if self._port is not None:
            return
        try:
            port = serial.serial_for_url(self._url, do_not_open=True)
            port.baudrate = self._settings.baudrate
            port.rtscts = self._settings.rtscts
            port.xonxoff = self._settings.xonxoff
            port.dsrdtr = self._settings.dsrdtr
            if not self._url.lower().startswith("rfc2217://"):
                # pyserial's RFC 2217 client refuses any write_timeout (NotImplementedError
                # at open); its socket has its own 5 s timeout, so writes still end.
                port.write_timeout = self._write_timeout
            if self.is_device_path and self._exclusive:
                port.exclusive = True
            port.open()
        except (serial.SerialException, OSError, ValueError, NotImplementedError) as exc:
            raise self._open_error(exc) from exc
        self._port = port
        fd = getattr(port, "fd", None) if self.is_device_path else None
        self._fd = fd if isinstance(fd, int) else None
        log.debug("opened %s", self._url)

    def close(self) -> None:
        """Close the line (idempotent); errors from a vanished device are ignored."""
        port, self._port = self._port, None
        self._fd = None
        if port is None:
            return
        try:
            port.close()
        except (serial.SerialException, OSError) as exc:
            log.debug("closing %s: %s (ignored)", self._url, exc)

    def write(self, data: bytes) -> None:
        fd = self._fd
        try:
            if fd is not None:
                self._write_fd(fd, data)
            else:
                self._require_open().write(data)
        except serial.SerialTimeoutException:
            raise self._write_stalled(len(data)) from None
        except (serial.SerialException, OSError) as exc:
            raise self._gone(exc) from exc

    def _write_fd(self, fd: int, data: bytes) -> None:
        """A tty/pty: os.write until all is taken, waiting (select) only when the
        device's buffer is full -- pyserial selects after every write, even a
        complete one, which is a syscall per command for nothing."""
        try:
            written = os.write(fd, data)
        except BlockingIOError:
            written = 0
        if written == len(data):  # the usual case: the whole command at once
            return
        view = memoryview(data)[written:]
        deadline: float | None = None
        while view:
            try:
                view = view[os.write(fd, view) :]
                continue
            except BlockingIOError:
                pass
            now = time.monotonic()
            if deadline is None:
                deadline = now + self._write_timeout
            if now >= deadline or not select.select([], [fd], [], deadline - now)[1]:
                raise self._write_stalled(len(data))

    def _write_stalled(self, size: int) -> HarnessTimeout:
        return HarnessTimeout(
            f"{self._url}: write of {size} bytes not accepted within "
            f"{self._write_timeout:g} s; check flow control (rtscts={self._settings.rtscts}) "
            f"and that the device is not stalled"
        )

    def read(self, timeout: float, max_bytes: int = 4096) -> bytes:
        """Return 1..max_bytes bytes that are available, or b"" once `timeout` seconds pass."""
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        fd = self._fd
        if fd is not None:
            return self._read_fd(fd, timeout, max_bytes)
        port = self._require_open()
        try:
            # Setting pyserial's timeout reconfigures the port (tcsetattr) even when the
            # value is unchanged: set it only when it changes.
            wanted = max(0.0, timeout)
            if port.timeout != wanted:
                port.timeout = wanted
            first = bytes(port.read(1))
            if not first or max_bytes == 1:
                return first
            waiting = min(port.in_waiting, max_bytes - 1)  # already there: read at once
            return first + bytes(port.read(waiting)) if waiting else first
        except (serial.SerialException, OSError) as exc:
            raise self._gone(exc) from exc

    def _read_fd(self, fd: int, timeout: float, max_bytes: int) -> bytes:
        """A tty/pty: one select() and one read() of whatever is there (what pyserial
        does, without its per-call timeout objects and retries)."""
        try:
            ready, _, _ = select.select([fd], [], [], max(0.0, timeout))
            if not ready:
                return b""
            data = os.read(fd, max_bytes)
        except BlockingIOError:
            return b""  # another reader took it (never the case with one owner)
        except OSError as exc:  # EIO: the device went away
            raise self._gone(exc) from exc
        if not data:  # readable but empty: the other end hung up (pyserial says the same)
            raise self._gone(OSError("device reports readiness to read but returned no data"))
        return data

    def reopen(self, deadline_s: float) -> None:
        """Close, then retry opening the same URL for up to `deadline_s` seconds.

        For a modem that re-enumerates on USB after a reset: its by-id path
        disappears and comes back, and a probe (ModemManager) may hold it
        briefly, so busy and missing are both retried until the deadline.
        """
        self.close()
        end = time.monotonic() + deadline_s
        while True:
            try:
                self.open()
                log.debug("reopened %s", self._url)
                return
            except TransportError as exc:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    raise HarnessTimeout(
                        f"{self._url} did not come back within {deadline_s:g} s ({exc}). "
                        f"Check power and cable, `ls /dev/serial/by-id/`, and that no other "
                        f"program holds the port"
                    ) from exc
                time.sleep(min(_REOPEN_POLL_S, remaining))

    def __enter__(self) -> SerialTransport:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "open" if self.is_open else "closed"
        return f"SerialTransport({self._url!r}, {state})"

    def fileno(self) -> int:
        """The OS descriptor of a device path (tty/pty), for select()/poll().

        Only device ports have one whose readiness matches `read()` (pyserial reads
        them unbuffered); socket:// and rfc2217:// raise io.UnsupportedOperation, so
        the AT engine falls back to its own reader thread.
        """
        port = self._require_open()
        if not self.is_device_path or not hasattr(port, "fileno"):
            raise io.UnsupportedOperation(f"{self._url} has no pollable descriptor")
        return int(port.fileno())

    def _require_open(self) -> Any:
        if self._port is None:
            raise TransportError(f"{self._url} is not open; call open() or use it as `with`")
        return self._port

    def _open_error(self, exc: Exception) -> TransportError:
        code = getattr(exc, "errno", None)
        if code in _BUSY:
            return PortBusyError(
                f"{self._url} is in use by another program; find it with `fuser {self._url}` "
                f"(often ModemManager: stop it or mark the port ignored)"
            )
        if code == errno.ENOENT:
            return TransportError(
                f"{self._url} does not exist; is the device plugged in? "
                f"List stable names with `ls /dev/serial/by-id/`"
            )
        if code == errno.EACCES:
            return TransportError(
                f"{self._url}: permission denied; add the user to the `dialout` group "
                f"or fix the udev rule"
            )
        return TransportError(f"cannot open {self._url}: {exc}")

    def _gone(self, exc: Exception) -> DeviceGoneError:
        self.close()
        return DeviceGoneError(
            f"{self._url} vanished ({exc}); the device was unplugged, reset or re-enumerated. "
            f"Call reopen() or check `ls /dev/serial/by-id/`"
        )
