"""Deferred delivery work: what a modem's own call (attach, submit) asks of the network.

A modem calls `attach` from its I/O thread *before* it shows itself
registered, and would refuse an SMS pushed back at it from inside that call;
and two modems submitting to each other at once would each wait on the
other's thread. So the network never delivers inside a modem's call: it
schedules the line here, and a worker thread (or, without one, the next
`run_pending()` on the caller's thread) does the delivery afterwards.

`schedule_at` books a line for later: the SMSC holds a status report for its
processing time (`NetworkCore.report_delay`) and asks to be woken when it is due.
"""

from __future__ import annotations

import heapq
import logging
import threading
import time
from collections.abc import Callable

from harness.errors import HarnessTimeout

__all__ = ["Dispatcher"]

log = logging.getLogger(__name__)


class Dispatcher:
    """Runs `work(key)` once per scheduled key, in scheduling order, one key at a time."""

    def __init__(self, work: Callable[[str], None], *, background: bool, name: str) -> None:
        self._work = work
        self._pending: list[str] = []
        self._timed: list[tuple[float, str]] = []  # heap of (monotonic due time, key)
        self._running = 0
        self._cond = threading.Condition()
        self._closed = False
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
            self._thread.start()

    def schedule(self, key: str) -> None:
        """Ask for `work(key)` soon; never blocks on the work itself (safe from modem threads)."""
        with self._cond:
            if self._closed:
                return
            if key not in self._pending:
                self._pending.append(key)
            self._cond.notify_all()

    def schedule_at(self, key: str, due: float) -> None:
        """Ask for `work(key)` once `time.monotonic()` reaches `due` (safe under any lock)."""
        with self._cond:
            if self._closed:
                return
            heapq.heappush(self._timed, (due, key))
            self._cond.notify_all()

    def run_pending(self) -> None:
        """Do the work scheduled and already due on this thread (all of it without a worker)."""
        while True:
            with self._cond:
                self._promote(time.monotonic())
                if not self._pending:
                    return
                key = self._pending.pop(0)
                self._running += 1
            self._run(key)

    def settle(self, timeout: float = 5.0) -> None:
        """Return once nothing is scheduled, booked for later or running; HarnessTimeout
        after `timeout` s. Without a worker this thread waits for the booked work itself."""
        deadline = time.monotonic() + timeout
        while True:
            if self._thread is None:
                self.run_pending()
            with self._cond:
                if not (self._pending or self._running or self._timed):
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    raise HarnessTimeout(
                        f"network deliveries still busy after {timeout} s "
                        f"(pending lines: {', '.join(self._pending) or 'none'}); "
                        "is a modem's I/O thread stuck?"
                    )
                wait = left
                if self._thread is None and self._timed:
                    wait = min(left, max(0.0, self._timed[0][0] - time.monotonic()))
                self._cond.wait(wait)

    def _promote(self, now: float) -> None:
        """(Condition held) move the booked keys that are due onto the pending list."""
        while self._timed and self._timed[0][0] <= now:
            _, key = heapq.heappop(self._timed)
            if key not in self._pending:
                self._pending.append(key)

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._pending.clear()
            self._timed.clear()
            self._cond.notify_all()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(5.0)

    def _run(self, key: str) -> None:
        try:
            self._work(key)
        except Exception:  # a broken modem must not stop deliveries to every other line
            log.exception("virtual network: delivery to line %s failed", key)
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()

    def _serve(self) -> None:
        while True:
            with self._cond:
                while not self._closed:
                    self._promote(time.monotonic())
                    if self._pending:
                        break
                    self._cond.wait(self._timed[0][0] - time.monotonic() if self._timed else None)
                if self._closed:
                    return
                key = self._pending.pop(0)
                self._running += 1
            self._run(key)
