"""The package as a lab installs it: a wheel of this checkout in a fresh venv, used from outside.

`installed_wheel` (session fixture, registered in conftest.py) builds a wheel from
a copy of the package sources (`pip wheel --no-deps --no-build-isolation`, so no
build dependency is fetched), creates a venv without pip, installs the wheel and
its declared dependencies into it with this venv's pip (`pip --python`), checks
that `harness` is imported from that venv and not from the checkout, and yields
the venv's bin directory. `outside_dir` gives a test a fresh working directory
outside the checkout, and `outside_env(bin_dir, home)` the environment to run the
venv's commands with: no PYTHONPATH, no path to the checkout, the venv first on PATH.
The dependencies come from pip's configured index or cache, as in a lab's install;
without either the fixture fails with pip's message. One install serves the whole
run (pytest-xdist workers share it; the last to finish removes it).

When the tests run as root, the venv is built on an interpreter every user may
run and lives in a world-readable directory, so the same install serves the
tests that run as an unprivileged user (`unprivileged_argv`).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]
UNPRIVILEGED_UID = 65534  # nobody: as root, the tests prove the normal-user path with it
BUILD_TIMEOUT_S = 180.0
_DROPPED_ENV = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", "PCSCLITE_CSOCK_NAME")


def running_as_root() -> bool:
    return os.geteuid() == 0


def unprivileged_argv(argv: list[str]) -> list[str]:
    """argv run as a normal user: `nobody` with no groups when the tests run as root."""
    if not running_as_root():
        return argv
    uid = str(UNPRIVILEGED_UID)
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", *argv]


def outside_env(bin_dir: Path, home: Path) -> dict[str, str]:
    """The environment of a lab's shell with the venv activated: nothing points at the checkout."""
    dev_bin = str(Path(sys.prefix) / "bin")
    path = [p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != dev_bin]
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env.update(PATH=os.pathsep.join([str(bin_dir), *path]), HOME=str(home))
    return env


def new_outside_dir(bin_dir: Path) -> Path:
    """A fresh directory outside the checkout, writable by the unprivileged user too."""
    path = Path(tempfile.mkdtemp(prefix="outside-", dir=bin_dir.parents[1]))
    path.chmod(0o755)
    if running_as_root():
        os.chown(path, UNPRIVILEGED_UID, UNPRIVILEGED_UID)
    return path


def _everyone_may_run(executable: Path) -> bool:
    real = executable.resolve()
    if not real.is_file() or not real.stat().st_mode & stat.S_IXOTH:
        return False
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in real.parents)


def base_interpreter() -> Path:
    """The interpreter the venv is made from: this one, or as root one that every user may run."""
    own = Path(getattr(sys, "_base_executable", sys.executable))
    if not running_as_root() or _everyone_may_run(own):
        return own
    minor = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (f"/usr/bin/{minor}", f"/usr/local/bin/{minor}", "/usr/bin/python3"):
        path = Path(candidate)
        if _everyone_may_run(path) and _is_supported(path):
            return path
    return own


def _is_supported(python: Path) -> bool:
    done = subprocess.run(
        [str(python), "-c", "import sys, venv; sys.exit(sys.version_info < (3, 11))"],
        capture_output=True,
        timeout=30,
        check=False,
    )
    return done.returncode == 0


def _run(argv: list[str], cwd: Path) -> None:
    done = subprocess.run(
        argv,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT_S,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        command = " ".join(argv[:6])
        pytest.fail(f"`{command} ...` failed ({done.returncode}):\n{done.stderr[-2000:]}")


def build_wheel(workdir: Path) -> Path:
    """A wheel built from a copy of what the package declares (the checkout stays untouched)."""
    source = workdir / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "pytest_simharness.py"):  # + the py-module
        shutil.copy2(CHECKOUT / name, source / name)
    shutil.copytree(
        CHECKOUT / "harness", source / "harness", ignore=shutil.ignore_patterns("__pycache__")
    )
    dist = workdir / "dist"
    pip_wheel = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"]
    _run([*pip_wheel, "--no-build-isolation", "--wheel-dir", str(dist), str(source)], workdir)
    (wheel,) = dist.glob("sim_harness-*.whl")
    return wheel


def install(wheel: Path, venv: Path) -> Path:
    """A fresh venv (no pip of its own) with the wheel and its dependencies; its bin dir."""
    _run([str(base_interpreter()), "-m", "venv", "--without-pip", str(venv)], venv.parent)
    python = venv / "bin" / "python"
    _run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", str(wheel)],
        venv.parent,
    )
    return venv / "bin"


def make_installed_venv() -> Path:
    """Build, install and check: the workdir holding `venv/` (the caller removes it)."""
    workdir = Path(tempfile.mkdtemp(prefix="simharness-wheel-"))
    try:
        workdir.chmod(0o755)  # the unprivileged user runs the venv too
        bin_dir = install(build_wheel(workdir), workdir / "venv")
        outside = new_outside_dir(bin_dir)
        probe = "import harness, harness.data; print(harness.__file__)"
        done = subprocess.run(
            [str(bin_dir / "python"), "-c", probe],
            cwd=outside,
            env=outside_env(bin_dir, outside),
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        imported = Path(done.stdout.strip())
        assert imported.is_relative_to(workdir / "venv"), f"harness came from {imported}"
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise
    return workdir


@contextlib.contextmanager
def _registry(shared: Path) -> Iterator[dict[str, Any]]:
    """The shared install's record, read and written under an exclusive lock."""
    record = shared / "installed-wheel.json"
    with (shared / "installed-wheel.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another worker may be building: wait for it
        state: dict[str, Any] = json.loads(record.read_text()) if record.exists() else {}
        yield state
        if state:
            record.write_text(json.dumps(state))
        else:
            record.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The bin dir of a fresh venv holding this checkout's wheel (see the module docstring).

    Built once per test run: pytest-xdist workers share it through a record in
    the run's base temporary directory; the last worker to finish removes it.
    """
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    with _registry(shared) as state:
        if not state:
            state.update(workdir=str(make_installed_venv()), users=0)
        state["users"] += 1
        workdir = Path(state["workdir"])
    try:
        yield workdir / "venv" / "bin"
    finally:
        with _registry(shared) as state:
            state["users"] -= 1
            if state["users"] <= 0:
                shutil.rmtree(workdir, ignore_errors=True)
                state.clear()


@pytest.fixture
def outside_dir(installed_wheel: Path) -> Path:
    """A working directory outside the checkout for one test (see `new_outside_dir`)."""
    return new_outside_dir(installed_wheel)
