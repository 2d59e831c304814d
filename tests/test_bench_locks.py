"""Device locks: one run per device across processes; a waiter names the holder; a dead
holder's lock is free again; a scenario run holds its devices."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.bench.config import DeviceConfig
from harness.bench.locks import DeviceBusyError, acquire, holder_of, lock_name
from harness.cli.scenario import run_scenario

HOLDER = """
import sys, time
from pathlib import Path
from harness.bench.locks import acquire
with acquire(sys.argv[1], Path(sys.argv[2]), 5):
    print("held", flush=True)
    sys.stdin.readline()
"""


@pytest.fixture
def held(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """Another process holding lock "dev_ttyUSB7" until its stdin closes."""
    lock_dir = tmp_path / "locks"
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, "dev_ttyUSB7", str(lock_dir), "scenario", "theft"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "held"
        yield process, lock_dir
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(5)


def test_a_waiter_names_the_holder_and_gets_the_lock_once_it_is_gone(
    held: tuple[subprocess.Popen[str], Path],
) -> None:
    process, lock_dir = held
    holder = holder_of("dev_ttyUSB7", lock_dir)
    assert holder is not None and holder["pid"] == process.pid
    started = time.monotonic()
    with pytest.raises(DeviceBusyError) as caught, acquire("dev_ttyUSB7", lock_dir, 0.3):
        pass
    assert 0.25 < time.monotonic() - started < 5
    assert f"PID {process.pid}" in str(caught.value) and "scenario theft" in str(caught.value)
    process.kill()  # dies without releasing: the kernel drops its lock
    process.wait(5)
    with acquire("dev_ttyUSB7", lock_dir, 2):
        assert holder_of("dev_ttyUSB7", lock_dir)["pid"] == os.getpid()  # type: ignore[index]
    assert holder_of("dev_ttyUSB7", lock_dir) is None


def test_a_device_is_locked_by_what_reaches_it() -> None:
    modem = DeviceConfig("owner", "modem", False, port="/dev/serial/by-id/usb-Quectel-if02")
    assert lock_name(modem) == "dev_serial_by-id_usb-Quectel-if02"
    reader = DeviceConfig("r", "reader", False, reader="Identiv uTrust 00 00")
    assert lock_name(reader) == "Identiv_uTrust_00_00"


def test_a_scenario_run_waits_for_a_device_another_run_holds(
    held: tuple[subprocess.Popen[str], Path], tmp_path: Path
) -> None:
    process, lock_dir = held
    bench = tmp_path / "lab.toml"
    bench.write_text(
        '[[device]]\nname = "a"\nkind = "modem"\nport = "/dev/ttyUSB7"\n\n'
        '[[device]]\nname = "b"\nkind = "modem"\nport = "/dev/ttyUSB8"\n\n'
        '[scenario]\nowner = "a"\nthief = "b"\nmsisdn = "+155"\n\n'
        '[hooks]\nmove_sim = ["true"]\nsend_otp = ["true"]\n'
    )
    with pytest.raises(
        DeviceBusyError, match=rf"modem a \(/dev/ttyUSB7\) is in use by PID {process.pid}"
    ):
        run_scenario(
            "theft",
            True,
            str(bench),
            None,
            io.StringIO(),
            stdin=io.StringIO(),
            lock_dir=lock_dir,
            lock_timeout=0.3,
        )


def test_a_scenario_run_takes_the_lock_dir_the_bench_file_names(
    held: tuple[subprocess.Popen[str], Path], tmp_path: Path
) -> None:
    process, lock_dir = held
    bench = tmp_path / "lab.toml"
    bench.write_text(
        f'lock_dir = "{lock_dir}"\n\n'
        '[[device]]\nname = "a"\nkind = "modem"\nport = "/dev/ttyUSB7"\n\n'
        '[[device]]\nname = "b"\nkind = "modem"\nport = "/dev/ttyUSB8"\n\n'
        '[scenario]\nowner = "a"\nthief = "b"\nmsisdn = "+155"\n\n'
        '[hooks]\nmove_sim = ["true"]\nsend_otp = ["true"]\n'
    )
    with pytest.raises(DeviceBusyError, match=rf"in use by PID {process.pid}"):
        run_scenario(
            "theft", True, str(bench), None, io.StringIO(), stdin=io.StringIO(), lock_timeout=0.3
        )
