"""The bench file (TOML -> devices, sacrificial ICCIDs) and the driver objects it opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.bench import (
    bench_from_dict,
    load_bench,
    open_device,
    reader_selector,
    virtual_bench_config,
)
from harness.errors import ConfigError
from harness.modem import SimState
from harness.sim.pin_service import PinRef
from harness.virtual.card.profile import DEFAULT_PROFILE

GOOD = """
sacrificial_iccids = ["8988211000000000018"]

[[device]]
name = "quectel0"
kind = "modem"
port = "/dev/serial/by-id/usb-Quectel_EG25-if02-port0"
vendor = "quectel"

[[device]]
name = "sim-sim"
kind = "reader"
virtual = true
profile = "weak.toml"
state = "state/sim-sim.json"

[[device]]
name = "identiv"
kind = "reader"
reader = "/Identiv/"
"""


def test_a_bench_file_becomes_devices_and_a_sacrificial_list(tmp_path: Path) -> None:
    path = tmp_path / "lab.toml"
    path.write_text(GOOD)
    bench = load_bench(path)
    assert bench.sacrificial_iccids == frozenset({"8988211000000000018"})
    modem = bench.device("quectel0")
    assert modem.kind == "modem" and not modem.virtual and not modem.simulated
    assert modem.vendor == "quectel" and "quectel0" in modem.describe()
    sim = bench.device("sim-sim")
    assert sim.simulated and sim.profile == tmp_path / "weak.toml"
    assert sim.state == tmp_path / "state" / "sim-sim.json"
    assert bench.device("identiv").reader == "/Identiv/"
    with pytest.raises(ConfigError, match=r"no device named 'nope'.*quectel0, sim-sim, identiv"):
        bench.device("nope")


BAD = [  # (bench file, what the error says, the line it names; None: no line, a syntax error)
    (
        'sacrifical_iccids = ["8988211000000000018"]',
        "unknown top-level field(s) sacrifical_iccids",
        1,
    ),
    ('sacrificial_iccids = "8988211000000000018"', "sacrificial_iccids: a list", 1),
    ("\nsacrificial_iccids = [8988211000000000018]", "is not an ICCID", 2),
    ('[[device]]\nkind = "modem"\nport = "/dev/x"', "device[0].name: missing", 1),
    ('[[device]]\nname = "a"\nkind = "phone"', "device 'a'.kind: 'phone'", 3),
    ('[[device]]\nname = "a"\nkind = "modem"', "device 'a'.port: missing", 1),
    ('[[device]]\nname = "a"\nkind = "reader"', "device 'a'.reader: missing", 1),
    (
        '[[device]]\nname = "a"\nkind = "modem"\nport = "/dev/x"\nvirtual = "no"',
        ".virtual: true",
        5,
    ),
    ('[[device]]\nname = "a"\nkind = "modem"\nport = "/dev/x"\nvendor = "nokla"', ".vendor:", 5),
    (
        '[[device]]\nname = "a"\nkind = "modem"\nport = "/dev/x"\nstate = "s.json"',
        "device 'a'.state: only a virtual device",
        5,
    ),
    ('[[device]]\nname = "a"\nkind = "reader"\nport = "/dev/x"', "device 'a'.port: a reader", 4),
    (
        '[[device]]\nname = "a"\nkind = "modem"\nport = "/dev/x"\nbaud = 9600',
        "unknown field(s) baud",
        5,
    ),
    ('[[device]]\nname = "a/b"\nkind = "modem"\nport = "/dev/x"', "device[0].name", 2),
    (
        '[[device]]\nname = "a"\nkind = "modem"\nport = "/x"\n'
        '[[device]]\nname = "a"\nkind = "modem"\nport = "/y"',
        "used twice",
        6,
    ),
    ("device = 3", "[[device]] table", 1),
    ('[[device]]\nname = "a"\nkind = "modem"\nport = "/x"\nplace = "p"', "`port` or `place`", 5),
    ('[[device]]\nname = "a"\nkind = "modem"\nport = "/x"\nresource = "m"', ".resource: names", 5),
    ('[[device]]\nname = "a"\nkind = "reader"\nplace = "p"', "no PC/SC resource", 4),
    ('[[device]]\nname = "a"\nkind = "modem"\nplace = ""', ".place: a non-empty string", 4),
    ("this is = not toml =", "not valid TOML", None),
]


@pytest.mark.parametrize(("text", "message", "line"), BAD)
def test_a_bad_bench_file_names_the_file_the_line_and_the_field(
    tmp_path: Path, text: str, message: str, line: int | None
) -> None:
    path = tmp_path / "lab.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_bench(path)
    assert message in str(caught.value)
    if line is None:  # tomllib's own message names the line of a syntax error
        assert str(path) in str(caught.value) and "line 1" in str(caught.value)
    else:
        assert str(caught.value).startswith(f"{path}:{line}: "), str(caught.value)


def test_a_modem_may_live_in_a_labgrid_place_and_is_never_simulated() -> None:
    bench = bench_from_dict(
        {
            "device": [
                {"name": "shared", "kind": "modem", "place": "lab-eg25", "resource": "modem0"},
                {"name": "only", "kind": "modem", "place": "lab-bg96", "virtual": True},
            ]
        },
        source="lab.toml",
    )
    shared = bench.device("shared")
    assert (shared.place, shared.resource, shared.port) == ("lab-eg25", "modem0", None)
    assert "labgrid place lab-eg25, resource modem0" in shared.describe()
    only = bench.device("only")
    assert only.resource is None
    assert not only.simulated  # `virtual = true` never makes a place's modem a simulator


def test_a_missing_bench_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_bench(tmp_path / "none.toml")


def test_reader_selectors() -> None:
    assert reader_selector("2") == 2 and reader_selector("Foo 00 00") == "Foo 00 00"
    pattern = reader_selector("/Identiv/")
    assert not isinstance(pattern, (str, int)) and pattern.pattern == "Identiv"


def test_the_virtual_bench_builds_a_modem_on_a_pty_and_a_card_in_process(tmp_path: Path) -> None:
    bench = virtual_bench_config(tmp_path)
    modem_device, reader_device = bench.device("modem"), bench.device("reader")
    assert modem_device.simulated and reader_device.simulated
    with open_device(modem_device) as opened:
        modem = opened.modem
        assert modem is not None and opened.virtual and opened.reinsert_sim is not None
        assert modem.sim_state() is SimState.SIM_PIN
        assert modem.pin_retries().pin1 == 3
        assert modem.iccid() == "8988211000000000018"
        opened.reinsert_sim()
        assert modem.wait_sim_settled(5) is SimState.SIM_PIN
    assert (tmp_path / "virtual-modem-card.json").exists()  # its EEPROM, kept for next time
    with open_device(reader_device) as opened:
        card = opened.card
        assert card is not None and opened.power_cycle_card is not None
        # Its own subscriber: another ICCID, so the two cards never share a ledger.
        assert card.read_iccid() == "8988211000000000029"
        opened.power_cycle_card()
        assert card.pins.retries(PinRef.PIN1) == 3


def test_a_simulated_device_takes_its_profile_from_the_bench_file() -> None:
    raw = {
        "device": [{"name": "r", "kind": "reader", "virtual": True, "profile": "sims/no-pin.toml"}]
    }
    bench = bench_from_dict(raw, source="inline", base=DEFAULT_PROFILE.parents[1])
    with open_device(bench.device("r")) as opened:
        assert opened.card is not None and opened.card.read_imsi() == "001010000000018"
