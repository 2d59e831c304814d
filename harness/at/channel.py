"""AtChannel: one AT command at a time over a byte stream, URCs taken out on the way.

Callers are serialised by a lock; each command carries its expected prefixes and
deadline (harness.at.commands). One holder at a time reads the input
(harness.at.reader) and hands each chunk to the Intake (harness.at.intake), which
frames it into lines (harness.at.framer) and gives each line to the running
command or to the URCs (rule in harness.at.urc). On a stream with a descriptor
the calling thread reads its own answer while a background thread reads between
commands; on others the background thread reads all and wakes the caller. Input
is never flushed before a command: whatever the modem said in between is a URC
and is kept.

Failure model: a transport error (DeviceGoneError when a USB modem vanishes)
stops the reading and is raised to the waiting command, to every later command
and to `wait_for` callers; nothing waits forever.

Known limit: a final result code that arrives after its command's deadline is
taken by the next command (no modem echo identifies whose OK it is).
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Sequence
from types import TracebackType
from typing import NamedTuple

from harness.at.commands import default_timeout, inferred_prefixes
from harness.at.framer import CTRL_Z
from harness.at.intake import Exchange, Intake
from harness.at.reader import open_reader
from harness.at.response import OK, AtResponse, raise_for_final
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
from harness.secrets import mask_at_command, shown_command
from harness.transcript import Channel, Direction, Transcript
from harness.transport import ByteStream

log = logging.getLogger(__name__)

ESC = b"\x1b"
_FORBIDDEN_IN_COMMAND = re.compile("[\r\n\x1a\x1b]")
_LOCK_SLACK_S = 185.0  # a queued command may wait for the slowest running one (+COPS=?)
_PLANS_KEPT = 256  # distinct command lines whose plan a channel remembers
# Four digits in a row: the shortest a PIN can be (TS 102 221 §9.5.1). A line with such a
# run is never remembered, even when masking found nothing in it (a form it does not know).
_MAYBE_PIN = re.compile(r"\d{4}")


class _Plan(NamedTuple):
    """What the channel works out from a command line before sending it."""

    label: str  # "<port>: <masked command>", what errors name
    prefixes: tuple[str, ...]  # expected info-line prefixes (harness.at.commands)
    timeout: float  # default deadline (harness.at.commands)
    line: bytes  # the line as sent, CR-terminated


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
        line may sit before it is taken as complete; `poll_interval` bounds close().

        A stream with `fileno()` (an OS descriptor that is readable whenever `read()`
        has bytes) lets each command read its own answer (harness.at.reader)."""
        self.name = name
        self._stream = stream
        self._transcript = transcript
        self._default_timeout = default_timeout
        self._poll = poll_interval
        self._urcs = UrcQueue()
        self._lock = threading.Lock()  # guards the exchange, the framer and _failure
        self._serial = threading.Lock()
        self._failure: TransportError | None = None
        self._closed = False
        self._plans: dict[str, _Plan] = {}
        record = None if transcript is None else self._record_rx
        self._intake = Intake(self._lock, self._urcs, record, name=name, idle_flush=idle_flush)
        self._reader = open_reader(stream, self._intake, self._fail, name=name, poll=poll_interval)
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
        self._check_thread(cmd)
        plan = self._plan(cmd)
        if pdu is not None:
            self._check_text(pdu, "PDU", plan.label)
        expected = tuple(prefixes) or plan.prefixes
        limit = timeout if timeout is not None else plan.timeout
        # Try the free lock first: the timed acquire costs more even when uncontended.
        serial = self._serial
        if not (serial.acquire(False) or serial.acquire(timeout=limit + _LOCK_SLACK_S)):
            raise HarnessTimeout(
                f"{plan.label}: the channel stayed busy with another command; "
                f"check for a stuck caller thread."
            )
        try:
            self._raise_if_unusable()
            exchange = Exchange(plan.label, expected, pdu is not None)
            self._run(exchange, cmd, plan.line, pdu, limit, info_grace)
            # _run ended the exchange under the lock: no reader touches it any more.
            lines, final = exchange.lines, exchange.final
            if final is None:
                return AtResponse(lines, "")
            if final is not OK:
                raise_for_final(final, plan.label)
            return AtResponse(lines, final.line)
        finally:
            serial.release()

    def on_urc(self, pattern: UrcPattern, handler: UrcHandler) -> int:
        """Route URCs matching `pattern` (prefix str or compiled regex) to `handler`, on
        the thread that holds the input (the background reader, or the caller of the
        running command). May be installed before the command that enables the URC.
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
        """Stop the reading (within about one poll interval) and close the stream."""
        closed = TransportError(f"{self.name}: the AT channel was closed")
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._failure = self._failure or closed
            exchange = self._intake.exchange
        if exchange is not None and exchange.wakeup is not None:
            exchange.wakeup.set()
        self._reader.stop(timeout=self._poll + 1.0)
        try:
            self._stream.close()
        except Exception:
            log.exception("%s: closing the stream failed", self.name)
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

    def _check_thread(self, cmd: str) -> None:
        # The thread object, not its ident: a dead reader's ident is reused by new threads.
        if threading.current_thread() is self._reader.thread or self._urcs.in_handler():
            raise HarnessError(
                f"{self.name}: {shown_command(cmd)} was called from a URC handler; handlers run "
                f"on the thread that reads the input and must hand work to another thread "
                f"instead."
            )

    def _plan(self, cmd: str) -> _Plan:
        """The checked line's label, expected prefixes, default deadline and bytes.

        Worked out once per distinct line and kept only for lines with nothing to
        mask and no run of four digits: no PIN is kept (the metadata comes from the
        masked text anyway). Once _PLANS_KEPT lines are kept the cache starts over."""
        plan = self._plans.get(cmd)
        if plan is not None:
            return plan
        masked = shown_command(cmd)
        label = f"{self.name}: {masked}"
        self._check_text(cmd, "command", label)
        plan = _Plan(
            label,
            inferred_prefixes(masked),
            default_timeout(masked, self._default_timeout),
            cmd.encode("ascii") + b"\r",
        )
        if masked == cmd and _MAYBE_PIN.search(cmd) is None:
            if len(self._plans) >= _PLANS_KEPT:
                self._plans.clear()  # e.g. AT+CMGR=<n> over a long run
            self._plans[cmd] = plan
        return plan

    @staticmethod
    def _check_text(text: str, what: str, label: str) -> None:
        if _FORBIDDEN_IN_COMMAND.search(text):
            raise CodecError(
                f"{label}: the {what} must be one line without CR, LF, Ctrl-Z or ESC; "
                f"the channel adds the terminator."
            )
        if not text.isascii():
            raise CodecError(f"{label}: the {what} must be ASCII text.")

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

    def _run(
        self,
        exchange: Exchange,
        cmd: str,
        line: bytes,
        pdu: str | None,
        limit: float,
        grace: float | None,
    ) -> None:
        """Claim the input, send, and wait for the answer; always give the input back."""
        leading = self._reader.claim()
        try:
            if not leading:
                exchange.wakeup = threading.Event()
            with self._lock:
                self._intake.begin(exchange, cmd)
            deadline = time.monotonic() + limit
            self._write(line)
            if pdu is not None:
                self._send_pdu(exchange, pdu, deadline, limit)
            self._wait(exchange, deadline, limit, grace)
        finally:
            with self._lock:
                self._intake.end()
            if leading:
                self._reader.release()

    def _write(self, data: bytes) -> None:
        if self._transcript is not None:
            self._record(Direction.TX, data)
        try:
            self._stream.write(data)
        except DeviceGoneError as exc:  # later commands report the vanished device
            self._fail(exc)
            raise
        except TransportError:
            # A read may just have found the device gone and closed the port ("not
            # open" here): report what it found.
            self._reader.settle(self._poll + 0.1)
            self._raise_if_unusable()
            raise

    def _send_pdu(self, exchange: Exchange, pdu: str, deadline: float, limit: float) -> None:
        # The '> ' prompt comes at once on every modem; the command's long deadline is for
        # the network after Ctrl-Z. A lost prompt ends at the channel default, not 60 s.
        prompt_limit = min(limit, self._default_timeout)
        try:
            self._wait(exchange, min(deadline, time.monotonic() + prompt_limit), prompt_limit, None)
        except AtTimeout:
            self._abort_prompt()
            raise
        with self._lock:
            final = exchange.final
            if final is None:
                self._intake.expect_echo(pdu)
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

    def _wait(self, exchange: Exchange, deadline: float, limit: float, grace: float | None) -> None:
        """Until the final code (or the prompt, while one is wanted), the grace, or AtTimeout.

        Leading, this thread reads the input itself (once the background thread is out
        of its step), in slices of at most one poll interval so that close() is
        noticed; else the background reader wakes it."""
        have_turn = False
        while True:
            if exchange.final is not None:  # set once, under the lock; the common way out
                return
            wait = self._remaining(exchange, deadline, limit, grace)
            if wait is None:
                return
            if exchange.wakeup is not None:
                exchange.wakeup.wait(wait)
            elif have_turn or (have_turn := self._reader.wait_turn(wait)):
                self._reader.read_once(min(wait, self._poll))

    def _remaining(
        self, exchange: Exchange, deadline: float, limit: float, grace: float | None
    ) -> float | None:
        """None when the wait is over, else the seconds to wait (or to read, at most
        until an unterminated line is due for the idle flush); raises AtTimeout or the
        line's failure."""
        with self._lock:
            if exchange.final is not None:
                return None
            self._raise_if_unusable()
            if exchange.wants_prompt and exchange.prompted:
                exchange.wants_prompt = False
                return None
            now = time.monotonic()
            wait = deadline - now
            if grace is not None and exchange.lines:
                quiet = now - exchange.last_line_at
                if quiet >= grace:
                    return None
                wait = min(wait, grace - quiet)
            if deadline - now <= 0:
                received = mask_at_command(bytes(exchange.received))
                raise AtTimeout(exchange.label, limit, received)
            if exchange.wakeup is not None:
                exchange.wakeup.clear()
                return wait
            due = self._intake.idle_due(now)
            return wait if due is None else min(wait, due)

    # ---- failures and the record -------------------------------------------------

    def _fail(self, exc: Exception) -> None:
        """The line failed (on whichever thread read or wrote): stop reading, tell the
        waiting command, later commands and wait_for callers."""
        if isinstance(exc, TransportError):
            failure = exc
        else:
            failure = TransportError(f"{self.name}: reading failed: {exc!r}")
        with self._lock:
            if self._closed:  # errors of a closing stream are expected
                return
            self._failure = self._failure or failure
            exchange = self._intake.exchange
        log.error("%s: AT input stopped: %s", self.name, failure)
        self._reader.halt()
        if exchange is not None and exchange.wakeup is not None:
            exchange.wakeup.set()
        self._urcs.fail(failure)

    def _record_rx(self, data: bytes) -> None:
        self._record(Direction.RX, data)

    def _record(self, direction: Direction, data: bytes) -> None:
        """The transcript masks AT secrets itself, across chunk boundaries."""
        if self._transcript is not None and data:
            self._transcript.record(Channel.AT, direction, data, self.name)
