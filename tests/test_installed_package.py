"""The installed package works where a lab installs it: a wheel in a fresh venv, run elsewhere.

Every command runs from a directory outside the checkout with nothing pointing
back at it (tests/installed_package.py): what the package needs must ship in it.
`simharness demo` from the installed package runs in test_unprivileged.py, as a
normal user (the PC/SC path is the part that needs one).
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import time
from pathlib import Path

from installed_package import CHECKOUT, outside_env

from harness.pin_setup.weak import judge_pin
from harness.secrets import Secret

COMMAND_TIMEOUT_S = 90.0


def simharness(
    bin_dir: Path, cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / "simharness"), *args],
        cwd=cwd,
        env={**outside_env(bin_dir, cwd), **(env or {})},
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_the_installed_package_carries_every_data_file(
    installed_wheel: Path, outside_dir: Path
) -> None:
    probe = (
        "import importlib.resources as r\n"
        "root = r.files('harness.data')\n"
        "for d in ('sims', 'pins'):\n"
        "    for f in sorted(root.joinpath(d).iterdir(), key=lambda f: f.name):\n"
        "        if f.is_file():\n"
        "            print(d + '/' + f.name, f.read_bytes().hex())\n"
    )
    done = subprocess.run(
        [str(installed_wheel / "python"), "-c", probe],
        cwd=outside_dir,
        env=outside_env(installed_wheel, outside_dir),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    shipped = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    data = CHECKOUT / "harness" / "data"
    in_checkout = {
        f"{p.parent.name}/{p.name}": p.read_bytes().hex()
        for d in ("sims", "pins")
        for p in (data / d).iterdir()
        if p.is_file()
    }
    assert {"sims/default.toml", "pins/common_pins.txt"} <= in_checkout.keys()
    assert shipped == in_checkout


def test_simulate_serves_until_interrupted_from_outside_the_checkout(
    installed_wheel: Path, outside_dir: Path
) -> None:
    proc = subprocess.Popen(
        [str(installed_wheel / "simharness"), "simulate", "--link-dir", "ports"],
        cwd=outside_dir,
        env=outside_env(installed_wheel, outside_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        announced = _read_until(proc, b"Ctrl-C stops the bench")
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=COMMAND_TIMEOUT_S)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert proc.returncode == 0, err.decode(errors="replace")
    assert b"virtual network" in announced and b"modem0" in announced
    assert b"harness/data/sims/default.toml" in announced  # the profile, named where it lives
    assert b"bench stopped" in rest


def _read_until(proc: subprocess.Popen[bytes], marker: bytes) -> bytes:
    """Output up to `marker`, read from the descriptor (nothing left in a Python buffer)."""
    assert proc.stdout is not None
    fd, seen = proc.stdout.fileno(), b""
    deadline = time.monotonic() + COMMAND_TIMEOUT_S
    while marker not in seen:
        remaining = deadline - time.monotonic()
        ready, _, _ = select.select([fd], [], [], max(0.0, remaining))
        chunk = os.read(fd, 4096) if ready else b""
        if not chunk:
            raise AssertionError(f"simulate stopped or stalled before {marker!r}: {seen!r}")
        seen += chunk
    return seen


def test_scenario_theft_runs_from_outside_the_checkout(
    installed_wheel: Path, outside_dir: Path
) -> None:
    done = simharness(installed_wheel, outside_dir, "scenario", "theft", "--report", "theft")
    assert done.returncode == 0, done.stdout + done.stderr  # PROTECTED: the PIN holds
    assert list((outside_dir / "theft").glob("*.md"))


def test_attack_audit_reads_the_shipped_pin_list_from_outside_the_checkout(
    installed_wheel: Path, outside_dir: Path
) -> None:
    common = simharness(
        installed_wheel, outside_dir, "attack", "audit", "--pin-env", "AUDITED",
        env={"AUDITED": "1234"},
    )  # fmt: skip
    assert common.returncode == 1, common.stderr  # on the list
    assert "DataGenetics" in common.stdout
    rare, judged = next(
        (value, judged)
        for value in (f"{n:04d}" for n in range(10**4))
        if not (judged := judge_pin(Secret(value))).weak
    )
    uncommon = simharness(
        installed_wheel, outside_dir, "attack", "audit", "--pin-env", "AUDITED",
        env={"AUDITED": rare},
    )  # fmt: skip
    assert uncommon.returncode == 0, uncommon.stderr
    assert "Not weak" in uncommon.stdout
    assert judged.lists_checked and all(name in uncommon.stdout for name in judged.lists_checked)
    assert rare not in uncommon.stdout + uncommon.stderr  # the owner's PIN is never shown


def test_the_installed_plugin_runs_a_lab_test_file_from_outside_the_checkout(
    installed_wheel: Path, outside_dir: Path
) -> None:
    """The wheel's pytest11 entry point alone brings the plugin: no conftest, no checkout."""
    (outside_dir / "test_lab.py").write_text(
        "import pytest\n\n"
        "def test_modem_answers(modem):\n"
        '    assert modem.command("AT").final == "OK"\n\n'
        "@pytest.mark.hardware\n"
        "def test_real_only(modem):\n"
        "    pass\n",
        encoding="utf-8",
    )
    assert not list(outside_dir.rglob("conftest.py"))
    done = subprocess.run(
        [str(installed_wheel / "pytest"), "-rs", "-p", "no:cacheprovider", "test_lab.py"],
        cwd=outside_dir,
        env=outside_env(installed_wheel, outside_dir),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "2 passed, 2 skipped" in done.stdout, done.stdout[-2000:]
    assert "needs real hardware" in done.stdout
    assert str(CHECKOUT) not in done.stdout


def test_the_conformance_suite_runs_from_the_installed_package(
    installed_wheel: Path, outside_dir: Path
) -> None:
    """`pytest --pyargs harness.conformance`, with pytest and the suite from the wheel."""
    done = subprocess.run(
        [
            str(installed_wheel / "python"),
            "-m",
            "pytest",
            "--pyargs",
            "harness.conformance",
            "-p",
            "no:cacheprovider",
            "-q",
            "-k",
            "entry_of_pin or theft_pin_locked",
            "--bench-report",
            "evidence",
        ],
        cwd=outside_dir,
        env=outside_env(installed_wheel, outside_dir),
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT_S,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "3 passed" in done.stdout  # PIN-001 on both modems, STOLEN-001
    table = (outside_dir / "evidence" / "conformance.md").read_text()
    assert "| PIN-001 |" in table and "| STOLEN-001 |" in table
