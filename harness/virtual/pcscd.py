"""A private pcscd with the vpcd driver, in its own mount and network namespace.

PCSC.md gotcha 3: one pcscd per machine (fixed socket path). Run as root,
`unshare --mount --net` gives the daemon a tmpfs on /run/pcscd and a private
loopback, so parallel runs and a system pcscd never collide. A client outside
reaches it by PCSCLITE_CSOCK_NAME=/proc/<pid>/root/run/pcscd/pcscd.comm; a card
bridge joins its network namespace (/proc/<pid>/ns/net).
Not root: the same inside a user namespace of the user's own (`unshare --user
--map-root-user`, user_namespaces(7)), where the daemon is root over nothing but
its namespaces; a card bridge reaches it through harness.virtual.netns. Where the
kernel forbids unprivileged user namespaces, start() says so and what to change.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from harness.errors import HarnessError
from harness.virtual.netns import enter_command

VPCD_DRIVER_PATHS = (
    Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so"),
    Path("/usr/lib/x86_64-linux-gnu/pcsc/drivers/serial/libifdvpcd.so"),
)
SYSTEM_VPCD_CONF = Path("/etc/reader.conf.d/vpcd")


_USERNS_HINT = (
    "; as a normal user the private pcscd needs unprivileged user namespaces: "
    "sysctl user.max_user_namespaces must be > 0 (and, where they exist, "
    "kernel.unprivileged_userns_clone=1 and kernel.apparmor_restrict_unprivileged_userns=0)"
)


class PcscUnavailable(HarnessError):
    """The real PC/SC stack cannot run here; the message says what is missing."""


def _vpcd_driver() -> Path:
    for path in VPCD_DRIVER_PATHS:
        if path.exists():
            return path
    raise PcscUnavailable(
        "the vpcd driver (libifdvpcd.so) is not installed; run `make test` (as root it "
        "installs vsmartcard-vpcd) or `apt-get install vsmartcard-vpcd`"
    )


def _namespace_prefix() -> list[str]:
    """unshare arguments: a private mount + network namespace (plus a user ns when not root)."""
    base = ["unshare", "--mount", "--net", "--fork", "--kill-child"]
    if os.geteuid() == 0:
        return base
    return [*base[:1], "--user", "--map-root-user", *base[1:]]


class PrivatePcscd:
    """Start/stop a namespaced pcscd; `client_env()` points pyscard and pcsc-tools at it."""

    def __init__(self, *, log_apdus: bool = False, start_timeout: float = 10.0) -> None:
        self.log_apdus = log_apdus
        self.start_timeout = start_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._workdir: Path | None = None
        self.daemon_pid: int | None = None

    def __enter__(self) -> PrivatePcscd:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def socket_path(self) -> Path:
        return Path(f"/proc/{self._pid()}/root/run/pcscd/pcscd.comm")

    @property
    def netns(self) -> Path:
        return Path(f"/proc/{self._pid()}/ns/net")

    @property
    def log_path(self) -> Path:
        assert self._workdir is not None
        return self._workdir / "pcscd.log"

    def client_env(self) -> dict[str, str]:
        """Environment for a PC/SC client (set before its first PC/SC call)."""
        return {**os.environ, "PCSCLITE_CSOCK_NAME": str(self.socket_path)}

    def netns_command(self, argv: list[str]) -> list[str]:
        """argv run inside the daemon's network namespace (for a card process)."""
        return [*enter_command(self.netns), *argv]

    def _pid(self) -> int:
        if self.daemon_pid is None:
            raise PcscUnavailable("the private pcscd is not running")
        return self.daemon_pid

    def start(self) -> None:
        for tool in ("pcscd", "unshare", "nsenter", "setpriv", "ip"):
            if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists():
                raise PcscUnavailable(f"`{tool}` is not installed; run `make test` as root")
        driver = _vpcd_driver()
        self._workdir = Path(tempfile.mkdtemp(prefix="simharness-pcscd-"))
        try:
            self._launch(driver)
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _launch(self, driver: Path) -> None:
        assert self._workdir is not None
        confdir = self._workdir / "reader.conf.d"
        confdir.mkdir()
        (confdir / "vpcd").write_text(
            'FRIENDLYNAME "Virtual PCD"\nDEVICENAME /dev/null:0x8C7B\n'
            f"LIBPATH {driver}\nCHANNELID 0x8C7B\n"
        )
        pcscd = shutil.which("pcscd") or "/usr/sbin/pcscd"
        flags = "-f -a" if self.log_apdus else "-f"
        script = (
            "set -e; mkdir -p /run/pcscd; mount -t tmpfs -o mode=0755 tmpfs /run/pcscd; "
            f"ip link set lo up; exec {pcscd} {flags} -c {confdir}"
        )
        with self.log_path.open("wb") as log:
            # setpriv --pdeathsig: unshare gets SIGKILL when this process dies, and its
            # --kill-child takes pcscd along, so a run killed by SIGTERM or SIGKILL leaves
            # no daemon behind.
            self._proc = subprocess.Popen(
                ["setpriv", "--pdeathsig", "KILL", *_namespace_prefix(), "sh", "-c", script],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    def _wait_ready(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise PcscUnavailable(
                    f"pcscd in a private namespace exited with {self._proc.returncode}: "
                    f"{self._log_tail()}{_USERNS_HINT if os.geteuid() else ''}"
                )
            if self.daemon_pid is None:
                self.daemon_pid = self._find_daemon()
            if self.daemon_pid is not None and self.socket_path.exists():
                return
            time.sleep(0.02)
        raise PcscUnavailable(
            f"pcscd did not create its socket within {self.start_timeout:g} s: {self._log_tail()}"
        )

    def _find_daemon(self) -> int | None:
        """The pcscd process: the child of unshare after `exec`."""
        assert self._proc is not None
        children = Path(f"/proc/{self._proc.pid}/task/{self._proc.pid}/children")
        try:
            pids = [int(p) for p in children.read_text().split()]
        except (OSError, ValueError):
            return None
        for pid in pids:
            try:
                if Path(f"/proc/{pid}/comm").read_text().strip() == "pcscd":
                    return pid
            except OSError:
                continue
        return None

    def _log_tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-600:].strip() or "(no output)"
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        """SIGTERM to pcscd (it exits ~1 s later), then to unshare; SIGKILL on deadline."""
        if self.daemon_pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.daemon_pid, signal.SIGTERM)
        if self._proc is not None:
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=5)
            self._proc = None
        self.daemon_pid = None
        if self._workdir is not None:
            shutil.rmtree(self._workdir, ignore_errors=True)
            self._workdir = None
