"""A live trace file: each transcript entry appended as one masked line, flushed.

`simharness card serve --trace FILE` and `modem serve --trace FILE` hand one to
their `Transcript` as a listener, so the file can be followed (`tail -f`) while
the simulators run. The entries arrive masked (harness.transcript masks at the
source), so no PIN, PUK or ADM reaches the file.
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import TracebackType

from harness.errors import ConfigError
from harness.transcript import TranscriptEntry

__all__ = ["TraceFile"]


class TraceFile:
    """Appends `entry.render_text()` lines to `path`; use as a Transcript listener."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = self.path.open("a", encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"--trace {self.path}: cannot write there ({exc.strerror})") from None

    def __call__(self, entry: TranscriptEntry) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.write(entry.render_text() + "\n")
                self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()

    def __enter__(self) -> TraceFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
