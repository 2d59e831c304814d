"""The network's sense of time: SCTS stamps, validity expiry and the event log read one clock.

Tests inject a `ManualClock` and move it forward, so a validity period of
three days expires in no time and nothing sleeps.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "ManualClock", "SystemClock"]


class Clock(Protocol):
    """A source of timezone-aware instants."""

    def now(self) -> datetime: ...


class SystemClock:
    """Wall-clock UTC, whole seconds (the resolution of TP-SCTS)."""

    def now(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)


class ManualClock:
    """A clock that moves only when told; safe to read from modem threads."""

    def __init__(self, start: datetime | None = None) -> None:
        moment = start if start is not None else datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
        if moment.utcoffset() is None:
            raise ValueError(f"clock start {moment.isoformat()} needs a tzinfo")
        self._now = moment
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` (never backward: expiry must not undo itself)."""
        if delta < timedelta(0):
            raise ValueError(f"a clock moves forward only, not by {delta}")
        with self._lock:
            self._now += delta
            return self._now
