"""Bytes from the modem -> the running command's answer, or URCs.

Whichever thread holds the input (harness.at.reader) hands each chunk it read
to `Intake.take`: the bytes are recorded, framed (harness.at.framer) and each
line is routed by the rule of harness.at.urc, either into the running
`Exchange` or out as a URC. URCs are delivered (handler or queue) after the
lock is released, on the same thread, so a handler never runs under it.

The framer and the exchange are guarded by the channel's lock, which the
intake shares: the caller sets an exchange up and reads its result under it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from harness.at.framer import Line, LineFramer, Prompt
from harness.at.response import Final, parse_final
from harness.at.urc import Urc, UrcQueue
from harness.secrets import mask_at_command, mask_text

log = logging.getLogger(__name__)

_RECEIVED_KEPT = 4096  # bytes of a running command's input kept for AtTimeout


class Exchange:
    """The running command, shared between its caller and the input holder under the lock.

    A plain slotted class: one is built per command, and a dataclass with default
    factories costs about 1 µs more (benchmarks/at.py)."""

    __slots__ = (
        "final",
        "label",
        "last_line_at",
        "lines",
        "prefixes",
        "prompted",
        "received",
        "wakeup",
        "wants_prompt",
    )

    def __init__(self, label: str, prefixes: tuple[str, ...], wants_prompt: bool) -> None:
        self.label = label  # "<port>: <masked command>", what errors name (never the raw one)
        self.prefixes = prefixes
        self.wants_prompt = wants_prompt
        self.lines: list[str] = []
        self.final: Final | None = None
        self.prompted = False
        self.received = bytearray()  # the input while it runs, for AtTimeout; may hold an echo
        self.last_line_at = 0.0
        # For a caller the background reader hands the answer to (None when the caller
        # reads itself). Set *after* the lock is released, so the caller wakes straight
        # into a free lock (one thread switch per answer, not two).
        self.wakeup: threading.Event | None = None

    def __repr__(self) -> str:
        return f"Exchange({self.label!r}, lines={self.lines!r}, final={self.final!r})"


class Intake:
    """Frames and routes the input; `take` and `flush_idle` are called by the input holder."""

    def __init__(
        self,
        lock: threading.Lock,
        urcs: UrcQueue,
        record: Callable[[bytes], None] | None,
        *,
        name: str,
        idle_flush: float,
    ) -> None:
        self.lock = lock
        self.exchange: Exchange | None = None
        self._urcs = urcs
        self._record = record
        self._name = name
        self._idle_flush = idle_flush
        self._framer = LineFramer()
        self._last_rx = time.monotonic()

    # ---- the caller's side (under self.lock) -------------------------------------

    def begin(self, exchange: Exchange, echo: str) -> None:
        self.exchange = exchange
        self._framer.expect_echo(echo)

    def expect_echo(self, text: str | None) -> None:
        self._framer.expect_echo(text)

    def end(self) -> None:
        self.exchange = None
        self._framer.expect_echo(None)

    # ---- the input holder's side -------------------------------------------------

    def idle_due(self, now: float) -> float | None:
        """Seconds until an unterminated line is due for the idle flush; None: none held.
        Call under self.lock."""
        if not self._framer.pending:
            return None
        return max(0.0, self._idle_flush - (now - self._last_rx))

    def take(self, data: bytes, now: float) -> None:
        """Route a chunk just read; with b"" flush an unterminated line once it is idle."""
        try:
            if data and self._record is not None:
                self._record(data)
            wake, urcs = self._route(data, now)
        except Exception:
            log.exception("%s: could not process input; continuing", self._name)
            return
        if wake is not None and wake.wakeup is not None:
            wake.wakeup.set()
        for urc in urcs:
            self._urcs.deliver(urc, self._name)

    def _route(self, data: bytes, now: float) -> tuple[Exchange | None, list[Urc]]:
        """Frame and route under the lock: (the exchange to wake or None, URCs to deliver)."""
        with self.lock:
            exchange = self.exchange
            if data:
                self._last_rx = now
                if exchange is not None:
                    received = exchange.received
                    received += data
                    del received[:-_RECEIVED_KEPT]  # a flood must not grow without bound
                events = self._framer.feed(data)
            elif self._framer.pending and now - self._last_rx >= self._idle_flush:
                events = self._framer.flush()
            else:
                return None, []
            urcs: list[Urc] = []
            wake = False
            for event in events:
                if isinstance(event, Prompt):
                    if exchange is not None and exchange.wants_prompt:
                        exchange.prompted = wake = True
                    else:
                        log.debug("%s: '> ' prompt with no PDU to send; ignored", self._name)
                elif exchange is None or exchange.final is not None:
                    urcs.append(_urc(event, now))
                elif self._answer(exchange, event, now):
                    wake = True
                else:
                    urcs.append(_urc(event, now))
        return (exchange if wake else None), urcs

    def _answer(self, exchange: Exchange, line: Line, now: float) -> bool:
        """Add `line` to the running command's answer; False when it is a URC instead."""
        final = parse_final(line.text) if line.data is None else None
        if final is not None:
            exchange.final = final
            return True
        if self._urcs.is_unsolicited(line.text, exchange.prefixes):
            return False
        exchange.lines.append(line.text)
        if line.data is not None:
            exchange.lines.append(line.data)
        exchange.last_line_at = now
        return True


def _urc(line: Line, now: float) -> Urc:
    """A URC, masked: a late echo of AT+CPIN="..." (after its command timed out) must
    not put the PIN in the queue, a handler or a log."""
    return Urc(mask_text(line.text), line.data, mask_at_command(line.raw), now)
