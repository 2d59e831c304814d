"""Device locks: one run at a time per modem or reader, across processes.

osmo-gsm-tester's rule: a run reserves the devices it uses under a file lock
and releases them at the end, also when it dies. `filelock` gives the OS lock
(flock on Linux: the kernel drops it with the process); beside it a small
JSON sidecar says who holds it (PID, command line, since when), so a run that
waits in vain can name the holder instead of just timing out.

    with acquire("eg25-a", lock_dir, timeout=10):
        ...  # the device is ours

A device's lock name comes from what identifies it on the machine (its port
or reader), so two bench files that name one modem differently still
exclude each other (`lock_name`). Command lines never hold a secret
(secrets come from the environment, files or prompts), so the sidecar may
quote them.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from harness.errors import HarnessError

if TYPE_CHECKING:
    from harness.bench.config import DeviceConfig

__all__ = [
    "DEFAULT_LOCK_TIMEOUT_S",
    "DeviceBusyError",
    "acquire",
    "acquire_all",
    "default_lock_dir",
    "holder_of",
    "lock_name",
]

DEFAULT_LOCK_TIMEOUT_S = 10.0
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class DeviceBusyError(HarnessError):
    """Another run holds the device's lock past our deadline."""


def default_lock_dir() -> Path:
    """`$SIMHARNESS_LOCK_DIR`, else a directory every run of this user on this machine shares."""
    configured = os.environ.get("SIMHARNESS_LOCK_DIR", "").strip()
    if configured:
        return Path(configured)
    runtime = os.environ.get("XDG_RUNTIME_DIR", "").strip()
    base = Path(runtime) if runtime else Path.home() / ".local" / "state"
    return base / "simharness" / "locks"


def lock_name(device: DeviceConfig) -> str:
    """The port or reader a device is reached by (its name when the harness simulates it),
    made safe for a file name."""
    port = device.port
    if port is not None and port.startswith("/"):
        port = os.path.realpath(port)  # a by-id link and its ttyUSBn are one device
    ident = port or _place_ident(device) or device.reader or f"simulated-{device.name}"
    return _UNSAFE.sub("_", ident).strip("_") or device.name


def _place_ident(device: DeviceConfig) -> str | None:
    """A labgrid place's modem: the place (and resource), whichever exporter serves it."""
    if device.place is None:
        return None
    return f"labgrid-{device.place}" + (f"-{device.resource}" if device.resource else "")


def holder_of(name: str, lock_dir: Path) -> dict[str, object] | None:
    """What the sidecar says about the current holder of lock `name` (None if unknown)."""
    try:
        data = json.loads(_sidecar(name, lock_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@contextmanager
def acquire(
    name: str, lock_dir: Path, timeout: float = DEFAULT_LOCK_TIMEOUT_S, *, label: str | None = None
) -> Iterator[None]:
    """Hold lock `name` in `lock_dir`, waiting up to `timeout` s; DeviceBusyError names the
    holder when the deadline passes. `label` is how the error names the device."""
    lock_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_dir / f"{name}.lock"))
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise DeviceBusyError(_busy_text(label or name, name, lock_dir, timeout)) from None
    sidecar = _sidecar(name, lock_dir)
    try:
        _write_holder(sidecar)
        yield
    finally:
        try:
            sidecar.unlink(missing_ok=True)
        finally:
            lock.release()


@contextmanager
def acquire_all(
    devices: list[DeviceConfig], lock_dir: Path, timeout: float = DEFAULT_LOCK_TIMEOUT_S
) -> Iterator[None]:
    """Hold every device's lock, taken in one sorted order so two runs cannot deadlock."""
    named = sorted({lock_name(d): d for d in devices}.items())
    deadline = time.monotonic() + timeout
    with ExitStack() as stack:
        for name, device in named:
            left = max(0.0, deadline - time.monotonic())
            stack.enter_context(acquire(name, lock_dir, left, label=device.describe()))
        yield


def _sidecar(name: str, lock_dir: Path) -> Path:
    return lock_dir / f"{name}.holder.json"


def _write_holder(path: Path) -> None:
    data = {"pid": os.getpid(), "command": " ".join(sys.argv), "since": time.time()}
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(data), encoding="utf-8")
    temporary.replace(path)


def _busy_text(label: str, name: str, lock_dir: Path, timeout: float) -> str:
    holder = holder_of(name, lock_dir)
    if holder is None:
        who = "another run (no holder recorded)"
    else:
        since = holder.get("since")
        age = f", for {time.time() - since:.0f} s" if isinstance(since, int | float) else ""
        who = f"PID {holder.get('pid')} (`{holder.get('command')}`{age})"
    return (
        f"{label} is in use by {who}; waited {timeout:g} s. Wait for that run to end, or "
        f"stop it; its lock is {lock_dir / (name + '.lock')}"
    )
