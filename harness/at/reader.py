"""Who reads the modem's input, and when: one holder at a time.

Two threads must never read one port at once (pyserial then raises "device
reports readiness to read but returned no data"), and input is never flushed,
so the input has exactly one holder, who hands what it reads to the Intake.

`SelectReader`, for streams with a `fileno()` (pyserial device ports, ptys):
between commands a background thread waits in poll() on the stream's descriptor
and a wake pipe, reads, and delivers URCs, so a handler fires with no command
running. A command *claims* the input: the claim wakes the thread out of poll()
through the pipe (while the command writes its line and the modem works), and
once the thread is outside its read-and-deliver step the calling thread reads,
frames and routes its own answer. No thread hand-over sits on the return path.
The descriptor must show readiness whenever `read()` has bytes (no buffer of
its own in between).

The parked thread is not woken when a command ends: it gets up by itself within
LINGER_S and polls again, so URCs between commands wait at most that long (a
command started meanwhile reads them at once), and a stream of quick commands
costs no thread wake-up per command. A command that outlasts LINGER_S puts the
thread to sleep, and its end wakes it (and it lingers again before polling).

`HandoffReader`, for streams without one (socket://, loop://, test doubles): a
blocked read cannot be interrupted to switch holders, so the background thread
reads everything and hands the answer to the waiting caller through its Event.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import select
import threading
import time
from collections.abc import Callable
from enum import Enum

from harness.at.intake import Intake
from harness.transport import ByteStream

log = logging.getLogger(__name__)

Fail = Callable[[Exception], None]
_IDLE_WAIT_S = 1.0  # poll() ceiling with nothing pending; claims and close() wake it anyway
LINGER_S = 0.01  # longest a URC between two commands waits for the background thread


class InputReader:
    """The background reader thread; subclasses decide when it steps aside."""

    def __init__(
        self, stream: ByteStream, intake: Intake, fail: Fail, *, name: str, poll: float
    ) -> None:
        self._stream = stream
        self._intake = intake
        self._fail = fail
        self._poll = poll
        # `with self._mutex` where only the lock is needed: Condition's own __enter__ is
        # Python code, and claim/release run on every command.
        self._mutex = threading.Lock()
        self._cond = threading.Condition(self._mutex)
        self._halted = False
        self.thread = threading.Thread(target=self._guarded, name=f"at-reader-{name}", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def claim(self) -> bool:
        """A command starts. True: it reads its answer itself (`wait_turn`, `read_once`,
        then `release`); False: the background thread reads and wakes it."""
        return False

    def wait_turn(self, timeout: float) -> bool:
        """For a claiming command: True once it may read; False after `timeout`, or when
        the reader was halted (the channel then reports why)."""
        return False

    def release(self) -> None:
        """The claiming command ended; the background thread reads again."""

    def settle(self, timeout: float) -> None:
        """After a write failed: give the background thread up to `timeout` to finish a
        read that found the line gone (and closed the port), so its error is recorded."""
        if threading.current_thread() is not self.thread:
            self.thread.join(timeout)  # a broken line ends it within one poll interval

    def read_once(self, timeout: float) -> bool:
        """Read one chunk (or wait out `timeout`) and route it; False when the line failed."""
        try:
            data = self._stream.read(timeout)
        except Exception as exc:
            self._fail(exc)
            return False
        self._intake.take(data, time.monotonic())
        return True

    def halt(self) -> None:
        """Stop reading for good (the line failed or the channel closes); does not wait."""
        with self._cond:
            self._halted = True
            self._poke()
            self._cond.notify_all()

    def stop(self, timeout: float) -> None:
        """Halt, and wait up to `timeout` for the background thread (not from itself)."""
        self.halt()
        if threading.current_thread() is not self.thread:
            self.thread.join(timeout)

    def _poke(self) -> None:
        """Wake the background thread out of a blocking wait (under self._cond)."""

    def _guarded(self) -> None:
        try:
            self._run()
        except Exception as exc:  # a bug here must not leave commands waiting on a dead reader
            log.exception("%s: reader thread failed", self.thread.name)
            self._fail(exc)

    def _run(self) -> None:
        raise NotImplementedError


class HandoffReader(InputReader):
    """The background thread reads all the time; commands wait for its wake-up."""

    def _run(self) -> None:
        while not self._halted and self.read_once(self._poll):
            pass


class _Where(Enum):
    """Where the background thread of a SelectReader is."""

    RUNNING = "running"  # between steps: checks for a claim before it reads
    POLLING = "polling"  # in poll(): a claim pokes it out
    BUSY = "busy"  # reading, routing and delivering: a claim waits for the step to end
    PARKED = "parked"  # stepped aside for a command; gets up by itself within LINGER_S
    ASLEEP = "asleep"  # stepped aside for a long command; its release wakes it
    STOPPED = "stopped"


class SelectReader(InputReader):
    """Background thread between commands, the calling thread during a command."""

    def __init__(
        self,
        stream: ByteStream,
        fd: int,
        intake: Intake,
        fail: Fail,
        *,
        name: str,
        poll: float,
    ) -> None:
        super().__init__(stream, intake, fail, name=name, poll=poll)
        self._fd = fd
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._pipe_open = True
        self._claimed = False
        self._leader: int | None = None  # ident of the claiming thread
        self._stopping = False
        self._where = _Where.RUNNING

    def claim(self) -> bool:
        with self._mutex:
            self._claimed = True
            self._leader = threading.get_ident()
            if self._where is _Where.POLLING:  # step aside now, not when the answer comes
                self._poke()
        return True

    def wait_turn(self, timeout: float) -> bool:
        if self._where is not _Where.BUSY and not self._halted:
            return True  # claimed already: the thread cannot become busy again (see _step)
        with self._cond:
            self._cond.wait_for(lambda: self._where is not _Where.BUSY or self._halted, timeout)
            return self._where is not _Where.BUSY and not self._halted

    def settle(self, timeout: float) -> None:
        self.wait_turn(timeout)  # a read that found the line gone records it in its step

    def release(self) -> None:
        with self._mutex:
            self._claimed = False
            self._leader = None
            if self._where is _Where.ASLEEP:
                self._cond.notify_all()
            elif self._stopping:
                self._cond.notify_all()  # close() waits for this command to step out

    def stop(self, timeout: float) -> None:
        """Also wait for a command reading on another thread to step out, so the stream
        is never closed under a read (its descriptor number could be reused at once)."""
        with self._cond:
            self._stopping = True
        super().stop(timeout)
        me = threading.get_ident()
        with self._cond:
            self._cond.wait_for(lambda: self._leader in (None, me), timeout)

    def _poke(self) -> None:
        if self._pipe_open:
            with contextlib.suppress(BlockingIOError):  # full of wake-ups already
                os.write(self._wake_w, b"\0")

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN | select.POLLPRI)
        poller.register(self._wake_r, select.POLLIN)
        try:
            while self._step(poller):
                pass
        finally:
            with self._cond:
                self._where = _Where.STOPPED
                self._halted = True
                self._pipe_open = False
                os.close(self._wake_r)
                os.close(self._wake_w)
                self._cond.notify_all()

    def _step(self, poller: select.poll) -> bool:
        """Wait for input (or a claim) and take one chunk; False when the thread must end."""
        with self._cond:
            while self._claimed and not self._halted:
                self._where = _Where.PARKED
                if self._cond.wait(LINGER_S) or not self._claimed or self._halted:
                    continue
                self._where = _Where.ASLEEP  # a long command: its release wakes us
                self._cond.wait()
                if not self._claimed and not self._halted:
                    self._where = _Where.PARKED  # a command right after it needs no poke
                    self._cond.wait(LINGER_S)
            if self._halted:
                return False
            self._where = _Where.POLLING
        with self._intake.lock:
            due = self._intake.idle_due(time.monotonic())
        wait = _IDLE_WAIT_S if due is None else min(due, _IDLE_WAIT_S)
        readable = False
        for fd, _ in poller.poll(math.ceil(wait * 1000)):
            if fd == self._wake_r:
                self._drain_pipe()
            else:
                readable = True
        with self._cond:
            if self._halted:
                return False
            if self._claimed:  # a command took the input while we waited
                self._where = _Where.RUNNING
                return True
            self._where = _Where.BUSY
        try:
            if readable:
                return self.read_once(self._poll)
            self._intake.take(b"", time.monotonic())  # an unterminated line may be due
            return True
        finally:
            with self._cond:
                self._where = _Where.RUNNING
                self._cond.notify_all()

    def _drain_pipe(self) -> None:
        with contextlib.suppress(BlockingIOError):
            os.read(self._wake_r, 4096)


def open_reader(
    stream: ByteStream, intake: Intake, fail: Fail, *, name: str, poll: float
) -> InputReader:
    """A SelectReader when the stream has a usable descriptor, else a HandoffReader."""
    fd = _descriptor(stream)
    if fd is None:
        return HandoffReader(stream, intake, fail, name=name, poll=poll)
    return SelectReader(stream, fd, intake, fail, name=name, poll=poll)


def _descriptor(stream: ByteStream) -> int | None:
    fileno = getattr(stream, "fileno", None)
    if fileno is None or not hasattr(select, "poll"):
        return None
    try:
        fd = fileno()
    except (OSError, ValueError):  # io.UnsupportedOperation, pyserial's "port not open"
        return None
    return fd if isinstance(fd, int) and fd >= 0 else None
