"""Device locks: one holder per bench device across threads, xdist workers and CI jobs.

A device is held through an advisory file lock (`filelock`, flock(2) on Linux:
the kernel releases it when the holder dies, so a killed job never leaves a
device locked). Beside the lock a small sidecar file says who holds it (PID,
command line, since when), so a job that waits past its deadline can say whom
it waited for instead of failing with "port busy".

The lock's name comes from what identifies the device on the host (the port's
real path, or the reader's name), so two bench files naming one modem by two
paths still share one lock.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from filelock import FileLock, Timeout

from harness.bench.config import DeviceConfig
from harness.errors import PortBusyError

__all__ = ["DEFAULT_LOCK_DIR", "DeviceBusyError", "DeviceLock", "Holder", "lock_key"]

DEFAULT_LOCK_DIR = Path(tempfile.gettempdir()) / "simharness-locks"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class DeviceBusyError(PortBusyError):
    """Another process held the device for longer than this run was willing to wait."""


@dataclass(frozen=True)
class Holder:
    """Who holds a device: written by the holder, read by whoever waits."""

    pid: int
    command: str
    since: float
    device: str

    def describe(self) -> str:
        held = time.time() - self.since
        return f"PID {self.pid} ({self.command}), holding {self.device} for {held:.1f} s"


def lock_key(device: DeviceConfig) -> str:
    """A file name for the device's identity on this host."""
    if device.port is not None:
        ident = "port" + os.path.realpath(device.port)
    elif device.reader is not None:
        ident = "reader-" + device.reader
    else:  # a simulator the harness builds per open: only the name identifies it
        ident = "simulated-" + device.name
    return _UNSAFE.sub("_", ident).strip("_")


def _command_line() -> str:
    try:
        raw = Path(f"/proc/{os.getpid()}/cmdline").read_bytes()
    except OSError:
        return "unknown command"
    text = " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)
    text = " ".join(text.split())  # one line, whatever the arguments hold
    return text if len(text) <= 300 else text[:297] + "..."


class DeviceLock:
    """Hold `device` for as long as the `with` block runs; wait at most `wait_s` for it."""

    def __init__(self, device: DeviceConfig, lock_dir: Path, wait_s: float) -> None:
        self.device = device
        self.wait_s = wait_s
        key = lock_key(device)
        self.path = lock_dir / f"{key}.lock"
        self.holder_path = lock_dir / f"{key}.holder"
        self._lock_dir = lock_dir
        self._lock: FileLock | None = None
        self.waited_s = 0.0

    def acquire(self, wait_s: float | None = None) -> None:
        """Take the lock, or raise `DeviceBusyError` naming the holder after the deadline."""
        wait = self.wait_s if wait_s is None else wait_s
        try:
            self._lock_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DeviceBusyError(
                f"{self.device.name}: cannot create the lock directory {self._lock_dir} "
                f"({exc.strerror}); set lock_dir in the bench file to a writable directory"
            ) from None
        lock = FileLock(self.path, timeout=wait, thread_local=False, preserve_lock_file=True)
        started = time.monotonic()
        try:
            lock.acquire(timeout=wait, poll_interval=0.02)
        except Timeout:
            holder = self.holder()
            who = holder.describe() if holder is not None else "a process that left no record"
            raise DeviceBusyError(
                f"{self.device.name} is busy: held by {who}; waited {wait:g} s "
                f"(--device-wait). Wait for that job, or stop it if it hangs."
            ) from None
        self.waited_s = time.monotonic() - started
        self._lock = lock
        record = {
            "pid": os.getpid(),
            "command": _command_line(),
            "since": time.time(),
            "device": self.device.name,
        }
        tmp = self.holder_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        tmp.replace(self.holder_path)

    def release(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    def holder(self) -> Holder | None:
        """The last holder's record (None when there is none or it is unreadable)."""
        try:
            raw = json.loads(self.holder_path.read_text(encoding="utf-8"))
            return Holder(int(raw["pid"]), str(raw["command"]), float(raw["since"]), raw["device"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def __enter__(self) -> DeviceLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()
