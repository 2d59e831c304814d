"""A host's exclusive mode ends when it closes the port, as on a real serial device.

Hosts such as gammu put their port in exclusive mode (TIOCEXCL, ioctl_tty(2)):
further opens fail with EBUSY, except for root, until the kernel clears the mode
at the last close of the tty. The virtual modem holds its pty's slave open itself
(so that the master never reads EIO), so that last close never comes, and after
the first such host every open by a normal user would fail. An inotify(7) watch
on the slave counts the hosts' opens and closes; when the last one closes,
TIOCNXCL clears exclusive mode, as the real device's last close would.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import logging
import os
import struct
import termios

log = logging.getLogger(__name__)

IN_CLOSE_WRITE, IN_CLOSE_NOWRITE, IN_OPEN, IN_Q_OVERFLOW = 0x08, 0x10, 0x20, 0x4000
_EVENT = struct.Struct("iIII")  # struct inotify_event without its name


class HostCloseWatch:
    """Counts host opens of one pty slave; `drain()` runs when `fileno()` is readable."""

    def __init__(self, fd: int, slave_fd: int) -> None:
        self._fd = fd
        self._slave_fd = slave_fd
        self._hosts = 0

    @classmethod
    def start(cls, path: str, slave_fd: int) -> HostCloseWatch | None:
        """A watch on `path`, or None where inotify is not available (then root-only reopen)."""
        libc = ctypes.CDLL(None, use_errno=True)
        fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if fd < 0:
            log.warning("inotify unavailable (%s): a host's exclusive mode will stick", _errno())
            return None
        mask = IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE
        if libc.inotify_add_watch(fd, os.fsencode(path), mask) < 0:
            log.warning("cannot watch %s (%s): a host's exclusive mode will stick", path, _errno())
            os.close(fd)
            return None
        return cls(fd, slave_fd)

    def fileno(self) -> int:
        return self._fd

    def drain(self) -> None:
        """Read the pending events; clear exclusive mode once no host has the port open."""
        try:
            data = os.read(self._fd, 4096)
        except (BlockingIOError, InterruptedError):
            return
        closed = False
        for offset in _offsets(data):
            _, mask, _, _ = _EVENT.unpack_from(data, offset)
            if mask & IN_OPEN:
                self._hosts += 1
            if mask & (IN_CLOSE_WRITE | IN_CLOSE_NOWRITE):
                self._hosts -= 1
                closed = True
            if mask & IN_Q_OVERFLOW:  # counts lost: treat the port as free
                self._hosts, closed = 0, True
        if closed and self._hosts <= 0:
            self._hosts = 0
            with contextlib.suppress(OSError):
                fcntl.ioctl(self._slave_fd, termios.TIOCNXCL)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)


def _offsets(data: bytes) -> list[int]:
    offsets, offset = [], 0
    while offset + _EVENT.size <= len(data):
        offsets.append(offset)
        offset += _EVENT.size + _EVENT.unpack_from(data, offset)[3]
    return offsets


def _errno() -> str:
    return os.strerror(ctypes.get_errno())
