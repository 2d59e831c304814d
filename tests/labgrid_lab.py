"""A real labgrid coordinator and exporter on 127.0.0.1, for the tests.

`LabgridLab` starts `labgrid-coordinator -l 127.0.0.1:0` in a private directory
(it writes places.yaml into its cwd), reads the port it printed, then starts
`labgrid-exporter` with the exporter YAML it is given and waits for "Exporter
ready". `client(...)` runs `labgrid-client` as any identity (LG_USERNAME /
LG_HOSTNAME), which is how the tests play another user holding a place. Every
wait is bounded; `close()` stops both processes (their own process groups, by
pid) and removes the directory.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness.bench.labgrid import LabgridClient
from harness.bench.labgrid.session import CoordinatorSession

_READY_S = 20.0


def labgrid_tool(name: str) -> str:
    """labgrid's console scripts live beside the interpreter running the tests."""
    path = Path(sys.executable).parent / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without labgrid's variables (LG_PROXY would force SSH)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("LG_")}
    env["PYTHONUNBUFFERED"] = "1"
    env.update(extra)
    return env


class LabgridLab:
    def __init__(self, exporter_yaml: str, *, exporter_name: str = "simexp") -> None:
        self.exporter_name = exporter_name
        self.workdir = Path(tempfile.mkdtemp(prefix="simharness-labgrid-"))
        self._procs: list[subprocess.Popen[bytes]] = []
        try:
            coordinator = self._start(
                "coordinator", [labgrid_tool("labgrid-coordinator"), "-l", "127.0.0.1:0"]
            )
            port = self._wait_log("coordinator", coordinator, r"listening on 127\.0\.0\.1:(\d+)")
            self.address = f"127.0.0.1:{port}"
            config = self.workdir / "exporter.yaml"
            config.write_text(exporter_yaml, encoding="utf-8")
            exporter = self._start(
                "exporter",
                [
                    labgrid_tool("labgrid-exporter"),
                    "-c",
                    self.address,
                    "-n",
                    exporter_name,
                    "--hostname",
                    "127.0.0.1",
                    str(config),
                ],
            )
            self._wait_log("exporter", exporter, r"(Exporter ready)")
        except BaseException:
            self.close()
            raise

    def client(
        self, *args: str, user: str = "alice", host: str = "benchpc2", check: bool = True
    ) -> subprocess.CompletedProcess[str]:
        """`labgrid-client ARGS` as `host/user`; raises with its output when it fails."""
        result = subprocess.run(
            [labgrid_tool("labgrid-client"), *args],
            env=clean_env(LG_COORDINATOR=self.address, LG_USERNAME=user, LG_HOSTNAME=host),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"labgrid-client {' '.join(args)} -> rc={result.returncode}: "
                f"{result.stdout}{result.stderr}"
            )
        return result

    def create_place(self, name: str, *patterns: str) -> None:
        """What `labgrid-client -p NAME create` and `add-match PATTERN` do, in-process."""
        session = CoordinatorSession(self.address)
        try:
            pb2 = session.lg.pb2
            session.rpc("AddPlace", pb2.AddPlaceRequest(name=name))
            for pattern in patterns:
                session.rpc(
                    "AddPlaceMatch", pb2.AddPlaceMatchRequest(placename=name, pattern=pattern)
                )
        finally:
            session.close()

    def kick(self, name: str) -> None:
        """What `labgrid-client -p NAME release --kick` does (an admin freeing a place)."""
        session = CoordinatorSession(self.address)
        try:
            session.rpc("ReleasePlace", session.lg.pb2.ReleasePlaceRequest(placename=name))
        finally:
            session.close()

    def log(self, name: str) -> str:
        path = self.workdir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def close(self) -> None:
        for proc in reversed(self._procs):  # the exporter first, then the coordinator
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=10)
        self._procs.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def _start(self, name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        with open(self.workdir / f"{name}.log", "wb") as out:
            proc = subprocess.Popen(
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.workdir,
                env=clean_env(),
                start_new_session=True,  # its own group: close() signals it by our child's pid
            )
        self._procs.append(proc)
        return proc

    def _wait_log(self, name: str, proc: subprocess.Popen[bytes], pattern: str) -> str:
        deadline = time.monotonic() + _READY_S
        regex = re.compile(pattern)
        while time.monotonic() < deadline:
            found = regex.search(self.log(name))
            if found:
                return found.group(1)
            if proc.poll() is not None:
                raise RuntimeError(f"labgrid-{name} exited rc={proc.returncode}: {self.log(name)}")
            time.sleep(0.05)
        raise TimeoutError(f"labgrid-{name} not ready within {_READY_S:g} s: {self.log(name)}")


def as_identity(address: str, *, user: str, host: str) -> LabgridClient:
    """Another coordinator client in this process, as `host/user` (its own connection)."""
    saved = {name: os.environ.get(name) for name in ("LG_USERNAME", "LG_HOSTNAME")}
    os.environ.update(LG_USERNAME=user, LG_HOSTNAME=host)
    try:
        return LabgridClient(address)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
