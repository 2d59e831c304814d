"""Where a virtual modem's AT bytes travel: pseudo-terminals and 127.0.0.1 TCP, one I/O thread.

`IoLoop` owns every descriptor of one modem and is the only thread that
opens, reads, writes or closes them; other threads hand it work with
`call()` (run a function in the loop, wait for its result) or `send()`
(queue bytes for a connection). Output leaves at the time the fault shaper
gave it, so latency and split writes need no sleeps.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import select
import socket
import struct
import termios
import threading
import time
import tty
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from harness.errors import DeviceGoneError, HarnessTimeout
from harness.secrets import mask_at_command
from harness.virtual.modem.faults import OutputShaper
from harness.virtual.modem.session import AtSession
from harness.virtual.modem.tty_exclusive import HostCloseWatch

T = TypeVar("T")
log = logging.getLogger(__name__)
MAX_PENDING = 1 << 20  # bytes queued for a host that does not read; older output is dropped
LINGER_S = 0.5  # a retiring pty waits this long at most for the host to read its last bytes
RETIRE_POLL_S = 0.01
SETTLE_S = 0.05  # the tty layer moves written bytes to the slave asynchronously
CALL_DEADLINE_S = 10.0  # IoLoop.call runs in-process work; longer means the loop is stuck
MAX_LOOP_FAULTS = 100  # unexpected loop errors in a row before it gives up (no endless spin)


class Connection:
    """One byte stream to a host: a pty master (we hold the slave open too) or a TCP socket."""

    def __init__(
        self,
        fd: int,
        shaper: OutputShaper,
        *,
        path: str | None = None,
        slave_fd: int | None = None,
        sock: socket.socket | None = None,
        watch: HostCloseWatch | None = None,
    ) -> None:
        self.fd = fd
        self.shaper = shaper
        self.path = path
        self._slave_fd = slave_fd
        self.watch = watch  # pty only: ends a host's exclusive mode at its close
        self._sock = sock
        self.pending: deque[tuple[float, bytes]] = deque()
        self.pending_bytes = 0
        self.session: AtSession | None = None
        self.open = True
        self.retire_at: float | None = None  # set when the device is going away
        self.last_write = 0.0

    @property
    def live(self) -> bool:
        """Open and not retiring: it still takes output."""
        return self.open and self.retire_at is None

    def unread(self) -> int:
        """Bytes the host has not read yet (pty only: FIONREAD on our slave descriptor)."""
        if self._slave_fd is None or not self.open:
            return 0
        try:
            raw = fcntl.ioctl(self._slave_fd, termios.FIONREAD, b"\0\0\0\0")
        except OSError:
            return 0
        return int(struct.unpack("i", raw)[0])

    @property
    def is_pty(self) -> bool:
        return self._sock is None

    def read(self) -> bytes | None:
        """Bytes from the host; b'' when none are ready; None when the host went away."""
        try:
            if self._sock is not None:
                data = self._sock.recv(4096)
                return data if data else None
            return os.read(self.fd, 4096)
        except BlockingIOError:
            return b""
        except OSError as error:
            if self._sock is None and error.errno == errno.EIO:
                return b""  # no host has the slave open; ours keeps the pty alive
            return None

    def write(self, data: bytes) -> int | None:
        """Bytes written (possibly fewer), or None when the host is gone."""
        try:
            if self._sock is not None:
                return self._sock.send(data)
            return os.write(self.fd, data)
        except BlockingIOError:
            return 0
        except OSError:
            return None

    def close(self) -> None:
        if not self.open:
            return
        self.open = False
        if self.session is not None:
            self.session.closed = True
        if self._sock is not None:
            self._sock.close()
        else:
            if self.watch is not None:
                self.watch.close()
            os.close(self.fd)
            if self._slave_fd is not None:
                os.close(self._slave_fd)


def open_pty(shaper: OutputShaper) -> Connection:
    """A new pseudo-terminal in raw mode (no line discipline echo or CR/LF mapping)."""
    master, slave = os.openpty()
    tty.setraw(slave)
    os.set_blocking(master, False)
    path = os.ttyname(slave)
    watch = HostCloseWatch.start(path, slave)
    return Connection(master, shaper, path=path, slave_fd=slave, watch=watch)


def open_listener(port: int) -> socket.socket:
    """A TCP listener on 127.0.0.1 only: a modem is never reachable from another host."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(4)
    listener.setblocking(False)
    return listener


@dataclass
class _Call:
    fn: Callable[[], object]
    done: threading.Event = field(default_factory=threading.Event)
    result: object = None
    error: BaseException | None = None
    abandoned: bool = False  # the caller timed out: skip it if it has not started yet


class IoLoop:
    """The I/O thread of one modem. Everything it does runs with `lock` held."""

    def __init__(self, lock: threading.RLock, name: str) -> None:
        self._lock = lock
        self.connections: list[Connection] = []
        self.listeners: list[tuple[socket.socket, Callable[[socket.socket], None]]] = []
        self._calls: deque[_Call] = deque()
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._stopping = False
        self._exited = False  # set (with the lock) when the thread leaves _run, for any reason
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def in_loop(self) -> bool:
        return threading.current_thread() is self._thread

    def wake(self) -> None:
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_w, b"!")

    def call(self, fn: Callable[[], T], deadline_s: float = CALL_DEADLINE_S) -> T:
        """Run `fn` on the loop thread (with the lock) and return its result.

        Raises HarnessTimeout when the loop has not finished `fn` within `deadline_s`
        (a stuck or deadlocked loop must fail the caller, not hang it); `fn` is then
        skipped if it had not started. Raises DeviceGoneError when the loop thread
        ended with `fn` still queued.
        """
        if self.in_loop():
            with self._lock:
                return fn()
        call = _Call(fn)
        deadline = time.monotonic() + deadline_s
        # The deadline covers the lock too: a loop stuck inside a call holds it.
        if not self._lock.acquire(timeout=deadline_s):
            raise self._timeout(deadline_s)
        try:
            # Decided with the lock held: the thread sets _exited under it too, so a call
            # is either queued for a live loop (which runs or fails it) or run here.
            if self._exited or not self._thread.is_alive():
                return fn()
            self._calls.append(call)
        finally:
            self._lock.release()
        self.wake()
        if not call.done.wait(max(0.0, deadline - time.monotonic())):
            call.abandoned = True
            raise self._timeout(deadline_s)
        if call.error is not None:
            raise call.error
        return call.result  # type: ignore[return-value]

    def _timeout(self, deadline_s: float) -> HarnessTimeout:
        return HarnessTimeout(
            f"{self._thread.name}: the modem I/O loop did not answer within {deadline_s} s;"
            " see the log for its error, then close and recreate the modem"
        )

    def add(self, connection: Connection) -> None:
        self.connections.append(connection)

    def remove(self, connection: Connection) -> None:
        connection.close()
        if connection in self.connections:
            self.connections.remove(connection)

    def retire(self, connection: Connection, linger: float = LINGER_S) -> None:
        """Close once the host has read what was sent (or after `linger`): a device that
        vanishes right after half an answer, so the host sees the half and then the hang-up."""
        if connection.session is not None:
            connection.session.closed = True
        connection.retire_at = time.monotonic() + linger

    def send(self, connection: Connection, data: bytes) -> None:
        """Queue output (lock held by the caller)."""
        if not connection.live or not data:
            return
        for due, chunk in connection.shaper.shape(data, time.monotonic()):
            connection.pending.append((due, chunk))
            connection.pending_bytes += len(chunk)
        while connection.pending_bytes > MAX_PENDING and connection.pending:
            connection.pending_bytes -= len(connection.pending.popleft()[1])
        if not self.in_loop():
            self.wake()

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
        self.wake()
        if self._thread.is_alive() and not self.in_loop():
            self._thread.join(5.0)
        with self._lock:
            for connection in list(self.connections):
                self.remove(connection)
            for listener, _ in self.listeners:
                listener.close()
            self.listeners.clear()
            for fd in (self._wake_r, self._wake_w):
                with contextlib.suppress(OSError):
                    os.close(fd)

    # --- the thread ------------------------------------------------------------------
    def _run(self) -> None:
        # Anything raising outside session.feed (planning, accept, flush, close) used to
        # end this thread silently: queued callers waited forever and the ports went
        # dead. Log it and keep serving; give up only when it keeps failing, which would
        # just spin and flood the log. However the thread ends, _exit fails queued calls.
        faults = 0
        try:
            while True:
                try:
                    if self._turn():
                        return
                    faults = 0
                except Exception:
                    faults += 1
                    log.exception("virtual modem I/O loop failed (%d in a row)", faults)
                    if faults >= MAX_LOOP_FAULTS:
                        log.error("virtual modem I/O loop gives up; its ports stop serving")
                        return
        finally:
            self._exit()

    def _turn(self) -> bool:
        """One pass: queued calls, wait for I/O, serve it. True when told to stop."""
        with self._lock:
            self._run_calls()
            if self._stopping:
                return True
            readers, writers, timeout = self._plan(time.monotonic())
        try:
            ready_r, ready_w, _ = select.select(readers, writers, [], timeout)
        except (OSError, ValueError):
            return False  # a descriptor closed under us by a call: plan again
        with self._lock:
            self._handle(set(ready_r), set(ready_w))
        return False

    def _exit(self) -> None:
        """The thread is ending: queued calls fail (none waits on it), later ones run inline."""
        with self._lock:
            self._exited = True
            while self._calls:
                call = self._calls.popleft()
                call.error = DeviceGoneError(
                    f"{self._thread.name}: the modem I/O loop has ended (see the log);"
                    " close and recreate the modem"
                )
                call.done.set()

    def _run_calls(self) -> None:
        while self._calls:
            call = self._calls.popleft()
            if call.abandoned:
                continue  # its caller gave up waiting (HarnessTimeout): do not run it late
            try:
                call.result = call.fn()
            except BaseException as error:  # handed back to the caller's thread
                call.error = error
            call.done.set()

    def _plan(self, now: float) -> tuple[list[int], list[int], float | None]:
        readers = [self._wake_r] + [s.fileno() for s, _ in self.listeners]
        writers: list[int] = []
        upcoming: list[float] = []
        for connection in list(self.connections):
            if connection.retire_at is not None and not connection.pending:
                settled = now >= connection.last_write + SETTLE_S and connection.unread() == 0
                if settled or now >= connection.retire_at:
                    self.remove(connection)
                    continue
                upcoming.append(now + RETIRE_POLL_S)
            readers.append(connection.fd)
            if connection.watch is not None:
                readers.append(connection.watch.fileno())
            if connection.pending:
                due = connection.pending[0][0]
                if due <= now:
                    writers.append(connection.fd)
                else:
                    upcoming.append(due)
        timeout = max(0.0, min(upcoming) - now) if upcoming else None
        return readers, writers, timeout

    def _handle(self, ready_r: set[int], ready_w: set[int]) -> None:
        if self._wake_r in ready_r:
            with contextlib.suppress(BlockingIOError, OSError):
                while os.read(self._wake_r, 4096):
                    pass
        for listener, on_accept in list(self.listeners):
            if listener.fileno() in ready_r:
                with contextlib.suppress(BlockingIOError, OSError):
                    client, _ = listener.accept()
                    on_accept(client)
        for connection in list(self.connections):
            watch = connection.watch
            if connection.open and watch is not None and watch.fileno() in ready_r:
                watch.drain()
            if connection.open and connection.fd in ready_r:
                data = connection.read()
                if data is None:
                    self.remove(connection)
                elif data and connection.session is not None and connection.live:
                    try:
                        connection.session.feed(data)
                    except Exception:  # keep serving: one bad line must not stop the port
                        # masked: the line may carry a PIN or PUK (AT+CPIN="1234")
                        log.exception(
                            "virtual modem session failed on %r", mask_at_command(data[:80])
                        )
        for connection in list(self.connections):
            if connection.open and connection.fd in ready_w:
                self._flush(connection)

    def _flush(self, connection: Connection) -> None:
        now = time.monotonic()
        data = bytearray()
        while connection.pending and connection.pending[0][0] <= now:
            data += connection.pending.popleft()[1]
            if connection.shaper.faults.split_writes:
                break  # one byte per write: the point of the knob
        connection.pending_bytes -= len(data)
        written = connection.write(bytes(data))
        connection.last_write = now
        if written is None:
            self.remove(connection)
            return
        if written < len(data):
            rest = bytes(data[written:])
            connection.pending.appendleft((now, rest))
            connection.pending_bytes += len(rest)
