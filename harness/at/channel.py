"""AtChannel: one AT command at a time over a byte stream, URCs taken out on the way.

One reader thread owns the input: it frames bytes into lines (harness.at.framer),
gives each line to the running command or to the URC queue (rule in
harness.at.urc), and wakes the waiting caller. Callers are serialised by a
lock; each command carries its expected prefixes and deadline
(harness.at.commands). Input is never flushed before a command: whatever the
modem said in between is a URC and is kept.

Failure model: a transport error in the reader (DeviceGoneError when a USB
modem vanishes) stops the reader and is raised to the waiting command, to every
later command and to `wait_for` callers; nothing waits forever.

Known limit: a final result code that arrives after its command's deadline is
taken by the next command (no modem echo identifies whose OK it is).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import TracebackType

from harness.at.commands import default_timeout, inferred_prefixes
from harness.at.framer import CTRL_Z, FramerEvent, Line, LineFramer, Prompt
from harness.at.response import AtResponse, Final, parse_final, raise_for_final
from harness.at.urc import Urc, UrcHandler, UrcPattern, UrcQueue
from harness.errors import (
    AtCommandError,
    AtTimeout,
    CodecError,
    DeviceGoneError,
    HarnessError,
    HarnessTimeout,
    TransportError,
)
from harness.secrets import mask_at_command, mask_text
from harness.transcript import Channel, Direction, Transcript
from harness.transport import ByteStream

log = logging.getLogger(__name__)

ESC = b"\x1b"
_FORBIDDEN_IN_COMMAND = re.compile("[\r\n\x1a\x1b]")
_RECEIVED_KEPT = 4096  # bytes of a running command's input kept for AtTimeout
_LOCK_SLACK_S = 185.0  # a queued command may wait for the slowest running one (+COPS=?)


@dataclass
class _Exchange:
    """The running command, shared between the caller and the reader under the lock."""

    label: str  # "<port>: <masked command>", what errors name (never the raw command)
    prefixes: tuple[str, ...]
    wants_prompt: bool
    lines: list[str] = field(default_factory=list)
    final: Final | None = None
    prompted: bool = False
    received: bytearray = field(default_factory=bytearray, repr=False)  # may hold an echo
    last_line_at: float = 0.0
    # Set by the reader *after* releasing the lock, so the caller wakes straight into
    # a free lock (one thread switch per answer, not two).
    wakeup: threading.Event = field(default_factory=threading.Event)


class AtChannel:
    """An AT command channel over a ByteStream; use as a context manager."""

    def __init__(
        self,
        stream: ByteStream,
        *,
        transcript: Transcript | None = None,
        default_timeout: float = 5.0,
        name: str = "AT",
        idle_flush: float = 0.3,
        poll_interval: float = 0.05,
    ) -> None:
        """`name` is the port shown in errors; `idle_flush` is how long an unterminated
        line may sit before it is taken as complete; `poll_interval` bounds close()."""
        self.name = name
        self._stream = stream
        self._transcript = transcript
        self._default_timeout = default_timeout
        self._idle_flush = idle_flush
        self._poll = poll_interval
        self._framer = LineFramer()
        self._urcs = UrcQueue()
        self._lock = threading.Lock()  # guards _exchange, _failure and the framer
        self._serial = threading.Lock()
        self._exchange: _Exchange | None = None
        self._failure: TransportError | None = None
        self._closed = False
        self._stop = threading.Event()
        self._reader = threading.Thread(target=self._run, name=f"at-reader-{name}", daemon=True)
        self._reader.start()

    # ---- public API -------------------------------------------------------------

    def command(
        self,
        cmd: str,
        *,
        prefixes: Sequence[str] = (),
        timeout: float | None = None,
        pdu: str | None = None,
        info_grace: float | None = None,
    ) -> AtResponse:
        """Send one command line ('AT...') and return its info lines and final code.

        prefixes: info-line prefixes of the answer; default: inferred from the command
            (harness.at.commands.inferred_prefixes).
        timeout: seconds until AtTimeout; default: per command (15 s for +CPIN/+CLCK/
            +CPWD, 180 s for +COPS=?, 60 s for +CMGS, else the channel default).
        pdu: for +CMGS/+CMGW: sent after the '> ' prompt, followed by Ctrl-Z; ESC is
            sent to abort when no prompt comes.
        info_grace: for modems that omit the final code (Wavecom answers +CPIN? with
            no OK): once an info line arrived and nothing followed for this many
            seconds, the command completes with final "".

        Raises CmeError / CmsError (number, text, command), AtCommandError, AtTimeout
        (command, deadline, bytes so far), TransportError; their `command` reads
        "<name>: <command with secrets masked>".
        """
        masked = mask_text(cmd)
        self._check_caller(cmd, masked, pdu)
        # Metadata from the masked text: the same answer, and no PIN kept in a cache.
        expected = tuple(prefixes) or inferred_prefixes(masked)
        limit = timeout if timeout is not None else default_timeout(masked, self._default_timeout)
        if not self._serial.acquire(timeout=limit + _LOCK_SLACK_S):
            raise HarnessTimeout(
                f"{self.name}: {masked}: the channel stayed busy with another command; "
                f"check for a stuck caller thread."
            )
        try:
            self._raise_if_unusable()
            label = f"{self.name}: {masked}"
            exchange = _Exchange(label, expected, wants_prompt=pdu is not None)
            with self._lock:
                self._exchange = exchange
                self._framer.expect_echo(cmd)
            deadline = time.monotonic() + limit
            self._write(cmd.encode("ascii") + b"\r")
            if pdu is not None:
                self._send_pdu(exchange, pdu, deadline, limit)
            self._wait(exchange, deadline, limit, grace=info_grace)
            with self._lock:
                lines, final = list(exchange.lines), exchange.final
            if final is None:
                return AtResponse(lines, "")
            raise_for_final(final, label)
            return AtResponse(lines, final.line)
        finally:
            with self._lock:
                self._exchange = None
                self._framer.expect_echo(None)
            self._serial.release()

    def on_urc(self, pattern: UrcPattern, handler: UrcHandler) -> int:
        """Route URCs matching `pattern` (prefix str or compiled regex) to `handler`,
        on the reader thread. May be installed before the command that enables the URC.
        Returns a token for remove_urc_handler."""
        return self._urcs.add_handler(pattern, handler)

    def remove_urc_handler(self, token: int) -> None:
        self._urcs.remove_handler(token)

    def wait_for(self, pattern: UrcPattern, timeout: float) -> Urc:
        """Consume the oldest queued URC matching `pattern` (also one that came earlier)."""
        return self._urcs.wait_for(pattern, timeout, where=self.name)

    def pending_urcs(self) -> list[Urc]:
        """A copy of the URC queue (oldest first), without consuming it."""
        return self._urcs.snapshot()

    def drain_urcs(self) -> list[Urc]:
        """Take every queued URC."""
        return self._urcs.drain()

    def close(self) -> None:
        """Stop the reader (within about one poll interval) and close the stream."""
        if self._closed:
            return
        self._closed = True
        self._stop.set()
        if threading.current_thread() is not self._reader:
            self._reader.join(timeout=self._poll + 1.0)
        try:
            self._stream.close()
        except Exception:
            log.exception("%s: closing the stream failed", self.name)
        closed = TransportError(f"{self.name}: the AT channel was closed")
        with self._lock:
            if self._failure is None:
                self._failure = closed
            exchange = self._exchange
        if exchange is not None:
            exchange.wakeup.set()
        self._urcs.fail(closed)

    def __enter__(self) -> AtChannel:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---- caller side -----------------------------------------------------------

    def _check_caller(self, cmd: str, masked: str, pdu: str | None) -> None:
        if threading.current_thread() is self._reader:
            raise HarnessError(
                f"{self.name}: {masked} was called from a URC handler; handlers run on the "
                f"reader thread and must hand work to another thread instead."
            )
        for text, what in ((cmd, "command"), (pdu or "", "PDU")):
            if _FORBIDDEN_IN_COMMAND.search(text):
                raise CodecError(
                    f"{self.name}: {masked}: the {what} must be one line without CR, LF, "
                    f"Ctrl-Z or ESC; the channel adds the terminator."
                )
            if not text.isascii():
                raise CodecError(f"{self.name}: {masked}: the {what} must be ASCII text.")

    def _raise_if_unusable(self) -> None:
        failure = self._failure
        if failure is None:
            return
        if self._closed:
            raise TransportError(f"{self.name}: the AT channel is closed; open a new one.")
        kind = DeviceGoneError if isinstance(failure, DeviceGoneError) else TransportError
        raise kind(
            f"{self.name}: the line failed ({failure}); reconnect the device and open a "
            f"new AtChannel."
        ) from failure

    def _write(self, data: bytes) -> None:
        self._record(Direction.TX, data)
        try:
            self._stream.write(data)
        except DeviceGoneError as exc:
            with self._lock:  # later commands report the vanished device, not "not open"
                self._failure = self._failure or exc
            raise

    def _send_pdu(self, exchange: _Exchange, pdu: str, deadline: float, limit: float) -> None:
        try:
            self._wait(exchange, deadline, limit, grace=None)
        except AtTimeout:
            self._abort_prompt()
            raise
        with self._lock:
            final = exchange.final
            if final is None:
                self._framer.expect_echo(pdu)
        if final is not None:
            raise_for_final(final, exchange.label)
            raise AtCommandError(exchange.label, f"{final.line} before the '> ' prompt")
        try:
            self._write(pdu.encode("ascii") + CTRL_Z)
        except TransportError:
            self._abort_prompt()
            raise

    def _abort_prompt(self) -> None:
        try:
            self._write(ESC)
        except TransportError:
            log.warning("%s: could not send ESC to abort the SMS prompt", self.name)

    def _wait(
        self, exchange: _Exchange, deadline: float, limit: float, grace: float | None
    ) -> None:
        """Until the final code (or the prompt, while one is wanted), the grace, or AtTimeout."""
        while True:
            with self._lock:
                if exchange.final is not None:
                    return
                self._raise_if_unusable()
                if exchange.wants_prompt and exchange.prompted:
                    exchange.wants_prompt = False
                    return
                now = time.monotonic()
                wait = deadline - now
                if grace is not None and exchange.lines:
                    quiet = now - exchange.last_line_at
                    if quiet >= grace:
                        return
                    wait = min(wait, grace - quiet)
                if deadline - now <= 0:
                    received = mask_at_command(bytes(exchange.received))
                    raise AtTimeout(exchange.label, limit, received)
                exchange.wakeup.clear()
            exchange.wakeup.wait(wait)

    # ---- reader side -----------------------------------------------------------

    def _run(self) -> None:
        last_rx = time.monotonic()
        while not self._stop.is_set():
            try:
                data = self._stream.read(self._poll)
            except Exception as exc:
                self._fail(exc)
                return
            try:
                now = time.monotonic()
                if data:
                    last_rx = now
                    events = self._ingest(data)
                elif now - last_rx >= self._idle_flush:
                    events = self._flush_idle()
                else:
                    continue
                self._dispatch(events, now)
            except Exception:
                log.exception("%s: reader could not process input; continuing", self.name)

    def _ingest(self, data: bytes) -> list[FramerEvent]:
        self._record(Direction.RX, data)
        with self._lock:
            if self._exchange is not None:
                received = self._exchange.received
                received += data
                del received[:-_RECEIVED_KEPT]  # a flood must not grow without bound
            return self._framer.feed(data)

    def _flush_idle(self) -> list[FramerEvent]:
        with self._lock:
            return self._framer.flush() if self._framer.pending else []

    def _dispatch(self, events: list[FramerEvent], now: float) -> None:
        urcs: list[Urc] = []
        wake = False
        with self._lock:
            exchange = self._exchange
            for event in events:
                if isinstance(event, Prompt):
                    if exchange is not None and exchange.wants_prompt:
                        exchange.prompted = True
                        wake = True
                    else:
                        log.debug("%s: '> ' prompt with no PDU to send; ignored", self.name)
                    continue
                if exchange is None or exchange.final is not None:
                    urcs.append(self._urc(event, now))
                    continue
                final = parse_final(event.text) if event.data is None else None
                if final is not None:
                    exchange.final = final
                elif self._urcs.is_unsolicited(event.text, exchange.prefixes):
                    urcs.append(self._urc(event, now))
                    continue
                else:
                    exchange.lines.append(event.text)
                    if event.data is not None:
                        exchange.lines.append(event.data)
                    exchange.last_line_at = now
                wake = True
        if wake and exchange is not None:
            exchange.wakeup.set()
        for urc in urcs:
            self._deliver(urc)

    @staticmethod
    def _urc(line: Line, now: float) -> Urc:
        """A URC, masked: a late echo of AT+CPIN="..." (after its command timed out)
        must not put the PIN in the queue, a handler or a log."""
        return Urc(mask_text(line.text), line.data, mask_at_command(line.raw), now)

    def _deliver(self, urc: Urc) -> None:
        handler = self._urcs.handler_for(urc.line)
        if handler is None:
            self._urcs.put(urc)
            return
        try:
            handler(urc)
        except Exception:
            log.exception("%s: URC handler failed on %r", self.name, urc.prefix)

    def _fail(self, exc: Exception) -> None:
        if self._stop.is_set():
            return
        if isinstance(exc, TransportError):
            failure = exc
        else:
            failure = TransportError(f"{self.name}: reading failed: {exc!r}")
        log.error("%s: AT reader stopped: %s", self.name, failure)
        with self._lock:
            self._failure = self._failure or failure
            exchange = self._exchange
        if exchange is not None:
            exchange.wakeup.set()
        self._urcs.fail(failure)

    def _record(self, direction: Direction, data: bytes) -> None:
        """The transcript masks AT secrets itself, across chunk boundaries."""
        if self._transcript is not None and data:
            self._transcript.record(Channel.AT, direction, data, self.name)
