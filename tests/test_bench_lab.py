"""The bench file's lab fields (capabilities, lock_dir, features, role, pin_env, msisdn),
the capabilities derived from it, and the device locks jobs share a bench through."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from harness.bench import load_bench
from harness.bench.capabilities import bench_capabilities, is_real
from harness.bench.config import DeviceConfig
from harness.bench.locks import DeviceBusyError, DeviceLock, lock_key
from harness.errors import ConfigError

LAB = """
sacrificial_iccids = ["8988211000000000018"]
lock_dir = "locks"
capabilities = ["operator"]

[[device]]
name = "owner"
kind = "modem"
port = "/dev/serial/by-id/usb-Quectel_EG25-if02-port0"
features = ["sms"]
role = "owner"
pin_env = "SIM_PIN_OWNER"
msisdn = "+15555550118"

[[device]]
name = "thief"
kind = "modem"
port = "/dev/serial/by-id/usb-SimTech_SIM7600-if02-port0"
features = ["sms"]
role = "thief"

[[device]]
name = "reader"
kind = "reader"
reader = "/Identiv/"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lab.toml"
    path.write_text(text)
    return path


def test_lab_fields_are_read_and_capabilities_derived(tmp_path: Path) -> None:
    bench = load_bench(_write(tmp_path, LAB))
    assert bench.lock_dir == tmp_path / "locks"  # relative to the bench file
    owner = bench.device("owner")
    assert owner.features == frozenset({"sms"}) and owner.role == "owner"
    assert owner.pin_env == "SIM_PIN_OWNER" and owner.msisdn == "+15555550118"
    # sms from two modems with live lines, modem/sim_reader from the devices, operator declared
    assert bench_capabilities(bench) == {"modem", "sim_reader", "sms", "operator"}
    assert is_real(bench)


def test_an_old_bench_file_still_loads_with_no_extra_capabilities(tmp_path: Path) -> None:
    bench = load_bench(_write(tmp_path, '[[device]]\nname = "m"\nkind = "modem"\nport = "/x"\n'))
    assert bench.lock_dir is None and bench.declared == frozenset()
    assert bench.device("m").features == frozenset() and bench.device("m").role is None
    assert bench_capabilities(bench) == {"modem"}


BAD = [
    ('capabilities = ["teleport"]\n', r"lab.toml: capabilities: unknown 'teleport'; known: em"),
    ('capabilities = "sms"\n', r"lab.toml: capabilities: a list of quoted names"),
    ("lock_dir = 3\n", r"lab.toml: lock_dir: a directory path"),
    ('[[device]]\nname = "m"\nkind = "modem"\nport = "/x"\nfeatures = ["fax"]\n',
     r"device 'm'.features: unknown 'fax'; known: sms"),
    ('[[device]]\nname = "r"\nkind = "reader"\nreader = "0"\nfeatures = ["sms"]\n',
     r"device 'r'.features: only a modem has features"),
    ('[[device]]\nname = "m"\nkind = "modem"\nport = "/x"\nrole = "victim"\n',
     r"device 'm'.role: 'victim'; a modem's role is one of owner, sender, thief"),
    ('[[device]]\nname = "m"\nkind = "modem"\nport = "/x"\npin_env = "1 2"\n',
     r"device 'm'.pin_env: '1 2' is not an environment variable name"),
    ('[[device]]\nname = "m"\nkind = "modem"\nport = "/x"\nmsisdn = "call me"\n',
     r"device 'm'.msisdn: a modem SIM's number"),
    ('[[device]]\nname = "a"\nkind = "modem"\nport = "/x"\nrole = "owner"\n'
     '[[device]]\nname = "b"\nkind = "modem"\nport = "/y"\nrole = "owner"\n',
     r"device.role: 'owner' is given to two devices"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD)
def test_every_lab_field_is_checked_and_the_error_names_file_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_bench(_write(tmp_path, text))


def _modem(port: str = "/dev/ttyUSB2") -> DeviceConfig:
    return DeviceConfig("m0", "modem", False, port=port)


def test_two_names_for_one_port_share_one_lock(tmp_path: Path) -> None:
    target = tmp_path / "ttyUSB2"
    target.touch()
    alias = tmp_path / "by-id-link"
    alias.symlink_to(target)
    assert lock_key(_modem(str(target))) == lock_key(_modem(str(alias)))
    assert "reader" in lock_key(DeviceConfig("r", "reader", False, reader="Identiv 0"))


def test_a_waiting_holder_gets_the_device_when_it_is_released(tmp_path: Path) -> None:
    first = DeviceLock(_modem(), tmp_path, wait_s=0)
    first.acquire()
    released = threading.Timer(0.2, first.release)
    released.start()
    second = DeviceLock(_modem(), tmp_path, wait_s=5)
    with second:
        assert second.waited_s >= 0.15
    released.join()


def test_a_deadline_names_the_holders_pid_and_command_line(tmp_path: Path) -> None:
    script = tmp_path / "hold.py"
    script.write_text(
        "import pathlib, sys, time\n"
        "from harness.bench.config import DeviceConfig\n"
        "from harness.bench.locks import DeviceLock\n"
        "device = DeviceConfig('m0', 'modem', False, port='/dev/ttyUSB2')\n"
        "lock = DeviceLock(device, pathlib.Path(sys.argv[1]), 5)\n"
        "lock.acquire()\n"
        "print('held', flush=True)\n"
        "time.sleep(30)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path), "holder-marker"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(DeviceBusyError) as caught:
            DeviceLock(_modem(), tmp_path, wait_s=0.3).acquire()
        assert 0.25 <= time.monotonic() - started < 3
        message = str(caught.value)
        assert f"PID {holder.pid}" in message and "holder-marker" in message
        assert "m0 is busy" in message and "--device-wait" in message
    finally:
        holder.kill()
        holder.wait()
    # the kernel released the dead holder's lock: no stale lock file blocks the bench
    with DeviceLock(_modem(), tmp_path, wait_s=2) as lock:
        assert lock.holder() is not None and lock.holder().pid == os.getpid()  # type: ignore[union-attr]
