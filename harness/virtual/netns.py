"""Reaching into a private pcscd's network namespace, as root or as a normal user.

Root owns the daemon's network namespace outright: a short-lived thread joins
it with setns(2) (which affects only that thread) and creates the socket there.
A normal user's daemon lives in a user namespace of its own (`unshare --user`);
joining a network namespace then needs the capabilities held only inside that
user namespace, and a process with threads may not join a user namespace at all
(setns(2), EINVAL). So a fresh single-threaded interpreter joins both, makes
the connection and hands the socket back over a Unix socket pair (SCM_RIGHTS,
unix(7)); the socket keeps its namespace wherever its descriptor goes.
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

from harness.errors import HarnessError, HarnessTimeout

__all__ = ["connect_in_netns", "enter_command", "owned_by_other_userns"]

CLONE_NEWNET = 0x40000000
NS_GET_USERNS = 0xB701  # ioctl_ns(2): the user namespace that owns a namespace
HELPER_START_S = 5.0  # a cold interpreter start on a loaded machine, on top of the connect

# Run by `python -I -S`: no site packages, nothing imported that starts a thread.
_HELPER = """
import ctypes, errno, os, socket, sys
userns, netns, reply = (int(a) for a in sys.argv[1:4])
host, port, timeout = sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
out = socket.socket(fileno=reply)
libc = ctypes.CDLL(None, use_errno=True)
try:
    for fd, kind in ((userns, 0x10000000), (netns, 0x40000000)):
        if libc.setns(fd, kind) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns: " + os.strerror(err))
    conn = socket.create_connection((host, port), timeout=timeout)
except OSError as exc:
    out.sendall(("%d %s" % (exc.errno or errno.EIO, exc.strerror or exc)).encode())
else:
    socket.send_fds(out, [b"ok"], [conn.fileno()])
"""


def _owner_fd(netns: Path) -> int:
    """A descriptor of the user namespace that owns `netns` (the caller closes it)."""
    fd = os.open(netns, os.O_RDONLY | os.O_CLOEXEC)
    try:
        return fcntl.ioctl(fd, NS_GET_USERNS)
    finally:
        os.close(fd)


def _same_ns(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def owned_by_other_userns(netns: Path) -> bool:
    """True when `netns` belongs to a user namespace other than this process's."""
    owner = _owner_fd(netns)
    try:
        return not _same_ns(os.stat("/proc/self/ns/user"), os.fstat(owner))
    finally:
        os.close(owner)


def enter_command(netns: Path) -> list[str]:
    """An argv prefix that runs a program inside `netns` (nsenter(1)).

    In a user's own namespace the program keeps its credentials (that user is
    the namespace's root; its setgroups(2) is denied there, so none is tried).
    That case needs `netns` as /proc/<pid>/ns/net, to name the user namespace beside it.
    """
    if not owned_by_other_userns(netns):
        return ["nsenter", f"--net={netns}"]
    user = netns.with_name("user")
    owner = _owner_fd(netns)
    try:
        named = user.exists() and _same_ns(os.stat(user), os.fstat(owner))
    finally:
        os.close(owner)
    if not named:
        raise HarnessError(
            f"{netns} belongs to another user namespace; give it as /proc/<pid>/ns/net "
            "of a process inside it, so that its user namespace can be joined too"
        )
    return ["nsenter", f"--user={user}", f"--net={netns}", "--preserve-credentials"]


def connect_in_netns(host: str, port: int, netns: Path | None, timeout: float) -> socket.socket:
    """A TCP connection made from inside another network namespace (e.g. a private pcscd's).

    Raises OSError when the connection is refused (the caller may retry) and
    HarnessTimeout when it took longer than `timeout`.
    """
    if netns is None:
        return socket.create_connection((host, port), timeout=timeout)
    if owned_by_other_userns(netns):
        return _connect_via_helper(host, port, netns, timeout)
    return _connect_in_thread(host, port, netns, timeout)


def _connect_in_thread(host: str, port: int, netns: Path, timeout: float) -> socket.socket:
    """setns(2) on CLONE_NEWNET affects only the calling thread: a short-lived one."""
    result: list[socket.socket | BaseException] = []

    def worker() -> None:
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(netns, os.O_RDONLY)
            try:
                if libc.setns(fd, CLONE_NEWNET) != 0:
                    err = ctypes.get_errno()
                    raise OSError(err, f"setns({netns}): {os.strerror(err)}")
            finally:
                os.close(fd)
            result.append(socket.create_connection((host, port), timeout=timeout))
        except BaseException as exc:  # handed to the caller's thread
            result.append(exc)

    thread = threading.Thread(target=worker, name="vpcd-netns-connect", daemon=True)
    thread.start()
    thread.join(timeout + 1)
    if not result:
        raise HarnessTimeout(f"connecting to {host}:{port} in {netns} took too long")
    outcome = result[0]
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _connect_via_helper(host: str, port: int, netns: Path, timeout: float) -> socket.socket:
    """Connect from a fresh interpreter that joins the owning user namespace, then `netns`."""
    userns_fd = _owner_fd(netns)
    netns_fd = os.open(netns, os.O_RDONLY | os.O_CLOEXEC)
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    fds = (userns_fd, netns_fd, theirs.fileno())
    argv = [sys.executable, "-I", "-S", "-c", _HELPER, *map(str, fds), host, str(port)]
    deadline = timeout + HELPER_START_S
    try:
        proc = subprocess.Popen(
            [*argv, str(timeout)],
            pass_fds=fds,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
    finally:
        theirs.close()
        os.close(userns_fd)
        os.close(netns_fd)
    received: list[int] = []
    try:
        ours.settimeout(deadline)
        try:
            message, received, _, _ = socket.recv_fds(ours, 256, 1)
        except TimeoutError:
            raise HarnessTimeout(
                f"connecting to {host}:{port} in {netns} took longer than {deadline:g} s"
            ) from None
        _, stderr = proc.communicate(timeout=deadline)
    except BaseException:
        proc.kill()
        proc.wait()
        for fd in received:
            os.close(fd)
        raise
    finally:
        ours.close()
    if received:
        return socket.socket(fileno=received[0])
    text = message.decode(errors="replace")
    number, _, reason = text.partition(" ")
    if number.isdigit():
        raise OSError(int(number), f"{reason} ({host}:{port} in {netns})")
    detail = stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
    raise OSError(f"the namespace helper failed (exit {proc.returncode}): {detail[0]}")
