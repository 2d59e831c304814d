"""The bench file's lab fields (lock_dir, capabilities, features, pin_env), the
capabilities the pytest plugin derives from a bench, and one lock per device."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.bench import load_bench
from harness.bench.capabilities import bench_capabilities, is_real
from harness.bench.config import DeviceConfig
from harness.bench.locks import lock_name
from harness.errors import ConfigError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "benches"

LAB = """
sacrificial_iccids = ["8988211000000000018"]
lock_dir = "locks"
capabilities = ["sim_move"]

[[device]]
name = "owner"
kind = "modem"
port = "/dev/serial/by-id/usb-Quectel_EG25-if02-port0"
features = ["sms"]
pin_env = "SIM_PIN_OWNER"

[[device]]
name = "thief"
kind = "modem"
port = "/dev/serial/by-id/usb-SimTech_SIM7600-if02-port0"
features = ["sms"]

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
    assert owner.features == frozenset({"sms"}) and owner.pin_env == "SIM_PIN_OWNER"
    # sms from two modems with live lines, modem/sim_reader from the devices, sim_move declared
    assert bench_capabilities(bench) == {"modem", "sim_reader", "sms", "sim_move"}
    assert is_real(bench)


def test_an_old_bench_file_still_loads_with_no_extra_capabilities(tmp_path: Path) -> None:
    bench = load_bench(_write(tmp_path, '[[device]]\nname = "m"\nkind = "modem"\nport = "/x"\n'))
    assert bench.lock_dir is None and bench.declared == frozenset()
    assert bench.device("m").features == frozenset() and bench.device("m").pin_env is None
    assert bench_capabilities(bench) == {"modem"}


def test_hooks_and_a_simulated_cast_give_the_scenario_capabilities() -> None:
    # the operator's three hooks and a send_otp hook; no move_sim hook (a person moves SIMs)
    real = bench_capabilities(load_bench(FIXTURES / "owner-thief.toml"))
    assert real == {"modem", "sim_reader", "operator", "sms"}
    # simulators do every step
    assert {"sms", "sim_move", "operator"} <= bench_capabilities(
        load_bench(FIXTURES / "virtual.toml")
    )


BAD = [
    ('capabilities = ["teleport"]\n', r"lab.toml:1: capabilities: unknown 'teleport'; known: em"),
    ('capabilities = "sms"\n', r"lab.toml:1: capabilities: a list of quoted names"),
    ("lock_dir = 3\n", r"lab.toml:1: lock_dir: a directory path"),
    ('[[device]]\nname = "m"\nkind = "modem"\nport = "/x"\nfeatures = ["fax"]\n',
     r"lab.toml:5: device 'm'.features: unknown 'fax'; known: sms"),
    ('[[device]]\nname = "r"\nkind = "reader"\nreader = "0"\nfeatures = ["sms"]\n',
     r"lab.toml:5: device 'r'.features: only a modem has features"),
    ('[[device]]\nname = "m"\nkind = "modem"\nport = "/x"\npin_env = "1 2"\n',
     r"lab.toml:5: device 'm'.pin_env: '1 2' is not an environment variable name"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD)
def test_every_lab_field_is_checked_and_the_error_names_file_line_and_field(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_bench(_write(tmp_path, text))


def test_a_by_id_link_and_its_tty_share_one_lock(tmp_path: Path) -> None:
    target = tmp_path / "ttyUSB2"
    target.touch()
    alias = tmp_path / "usb-Quectel_EG25-if02-port0"
    alias.symlink_to(target)
    by_tty = DeviceConfig("a", "modem", False, port=str(target))
    by_id = DeviceConfig("b", "modem", False, port=str(alias))
    assert lock_name(by_tty) == lock_name(by_id)
    url = DeviceConfig("c", "modem", False, port="socket://127.0.0.1:7000")
    assert lock_name(url) == "socket_127.0.0.1_7000"  # a URL is not a file: left as written
