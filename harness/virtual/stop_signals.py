"""SIGINT/SIGTERM set a stop event for a foreground simulator (`simulate`, `modem serve`)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType

__all__ = ["on_stop_signals"]


def on_stop_signals(stop: threading.Event) -> Callable[[], None]:
    """Install the handlers (main thread only; elsewhere a no-op); returns the restorer."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore
