"""Shared benches through labgrid: a real coordinator and exporter on 127.0.0.1.

The exporter publishes a `NetworkSerialPort` pointing at an RFC 2217 server (the
tests' ser2net) in front of a virtual modem served on TCP. The harness acquires
the place through labgrid's client API, resolves the port to rfc2217://, and the
`Modem` driver talks to the modem there. Another user ("benchpc2/alice") is the
real `labgrid-client` in a separate process. Started once for the module.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip(
    "labgrid.remote.client", reason="labgrid not installed (pip install 'sim-harness[labgrid]')"
)

from harness.bench import LabgridOptions, bench_from_dict, open_device
from harness.bench.labgrid import LabgridClient, coordinator_address, lease_place
from harness.cli import main
from harness.errors import ConfigError, CoordinatorError, PlaceBusyError
from harness.modem import Modem
from harness.modem.states import SimState
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem
from tests.labgrid_lab import LabgridLab
from tests.rfc2217_bridge import Rfc2217Bridge

PLACE = "bench-modem0"
PAIR = "bench-pair"
ME = {"LG_USERNAME": "harness", "LG_HOSTNAME": "benchpc1"}

# The exporter config is a Jinja2 template: a YAML comment must start with "##".
EXPORTER_YAML = """\
## group -> resource name -> parameters
simbench:
  modem0:
    cls: NetworkSerialPort
    host: 127.0.0.1
    port: {port}
    protocol: rfc2217
    speed: 115200
pair:
  modem-a:
    cls: NetworkSerialPort
    host: 127.0.0.1
    port: {port}
  modem-b:
    cls: NetworkSerialPort
    host: 127.0.0.1
    port: {other}
    protocol: raw
"""


class Bench:
    def __init__(self, lab: LabgridLab, bridge: Rfc2217Bridge, modem: VirtualModem) -> None:
        self.lab = lab
        self.bridge = bridge
        self.modem = modem
        self.me = LabgridClient(lab.address)  # the identity the harness runs as (ME)
        self.alice = as_identity(lab.address, user="alice", host="benchpc2")

    def holder(self) -> str | None:
        return self.me.holder(PLACE)

    def close(self) -> None:
        self.alice.close()
        self.me.close()


def as_identity(address: str, *, user: str, host: str) -> LabgridClient:
    """Another coordinator client in this process, as `host/user` (its own connection)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LG_USERNAME", user)
        patch.setenv("LG_HOSTNAME", host)
        return LabgridClient(address)


@pytest.fixture(scope="module")
def bench() -> Iterator[Bench]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in ME.items():
            patch.setenv(name, value)
        patch.delenv("LG_COORDINATOR", raising=False)
        patch.delenv("LG_PROXY", raising=False)
        with (
            VirtualModem(VirtualUicc(load_profile(DEFAULT_PROFILE))) as modem,
            Rfc2217Bridge(modem.start_tcp(0)) as bridge,
        ):
            lab = LabgridLab(EXPORTER_YAML.format(port=bridge.port, other=bridge.port + 1))
            try:
                lab.create_place(PLACE, "simexp/simbench/NetworkSerialPort/modem0")
                lab.create_place(PAIR, "simexp/pair/NetworkSerialPort")
                bench = Bench(lab, bridge, modem)
                try:
                    yield bench
                finally:
                    bench.close()
            finally:
                lab.close()


def test_acquires_the_place_and_drives_the_modem_over_rfc2217(bench: Bench) -> None:
    with lease_place(PLACE, coordinator=bench.lab.address, wait=5) as lease:
        assert lease.acquired_here
        assert lease.identity == "benchpc1/harness"
        assert lease.url == f"rfc2217://127.0.0.1:{bench.bridge.port}"
        assert lease.endpoint.exporter == "simexp"
        assert lease.endpoint.path == "simexp/simbench/NetworkSerialPort/modem0"
        assert bench.holder() == "benchpc1/harness"
        connections = bench.bridge.connections
        with Modem(lease.url) as modem:
            identity = modem.identity()
            state = modem.sim_state()
            retries = modem.pin_retries()
        assert bench.bridge.connections == connections + 1  # it went through the bridge
        assert identity.imei == bench.modem.imei
        assert identity.manufacturer
        assert state is SimState.SIM_PIN  # the default card has PIN1 enabled
        assert retries.pin1 == 3
        assert retries.puk1 == 10
    assert bench.holder() is None


def test_a_bench_file_modem_in_a_place_opens_through_open_device(bench: Bench) -> None:
    config = bench_from_dict(
        {"device": [{"name": "shared", "kind": "modem", "place": PLACE, "resource": "modem0"}]},
        source="lab.toml",
    )
    options = LabgridOptions(coordinator=bench.lab.address, wait=2)
    with open_device(config.device("shared"), labgrid=options) as opened:
        assert opened.lease is not None and opened.lease.place == PLACE
        assert opened.lease.exporter_host == "simexp (127.0.0.1)"
        assert not opened.virtual  # a place's modem keeps the real-hardware safety floor
        assert opened.modem is not None
        assert opened.modem.imei() == bench.modem.imei
        assert bench.holder() == "benchpc1/harness"
    assert bench.holder() is None


def test_a_held_place_waits_then_names_the_holder(bench: Bench) -> None:
    bench.lab.client("-p", PLACE, "acquire")  # alice on benchpc2
    try:
        started = time.monotonic()
        with (
            pytest.raises(PlaceBusyError) as caught,
            lease_place(PLACE, coordinator=bench.lab.address, wait=1.0),
        ):
            pytest.fail("the lease must not be granted while alice holds the place")
        waited = time.monotonic() - started
        assert 1.0 <= waited < 4.0  # waited the deadline, then gave up (no hang)
        assert caught.value.holder == "benchpc2/alice"
        assert caught.value.place == PLACE
        assert "benchpc2/alice" in str(caught.value)
        assert bench.holder() == "benchpc2/alice"  # our failed wait released nothing of hers
    finally:
        bench.lab.client("-p", PLACE, "release")


def test_the_attack_cli_waits_for_a_held_place_then_says_who_holds_it(
    bench: Bench, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lab_file = tmp_path / "lab.toml"
    lab_file.write_text(f'[[device]]\nname = "shared"\nkind = "modem"\nplace = "{PLACE}"\n')
    argv = ["attack", "pin", "--bench", str(lab_file), "--device", "shared"]
    argv += ["--lg-coordinator", bench.lab.address, "--device-wait", "0.5"]
    assert bench.alice.acquire(PLACE)
    try:
        assert main(argv) == 2
    finally:
        bench.alice.release(PLACE)
    err = capsys.readouterr().err
    assert "held by benchpc2/alice" in err
    assert "Traceback" not in err


def test_a_waiter_gets_the_place_as_soon_as_the_holder_releases(bench: Bench) -> None:
    assert bench.alice.acquire(PLACE)
    releaser = threading.Timer(0.3, bench.alice.release, args=(PLACE,))
    releaser.start()
    try:
        started = time.monotonic()
        with lease_place(PLACE, coordinator=bench.lab.address, wait=20) as lease:
            waited = time.monotonic() - started
            assert lease.acquired_here
            assert bench.holder() == "benchpc1/harness"
        assert waited < 10  # woken by the coordinator's news, well before the deadline
    finally:
        releaser.join(timeout=30)
    assert bench.holder() is None


@pytest.mark.parametrize("error", [KeyboardInterrupt, RuntimeError])
def test_the_place_is_released_on_ctrl_c_and_on_failure(
    bench: Bench, error: type[BaseException]
) -> None:
    with pytest.raises(error), lease_place(PLACE, coordinator=bench.lab.address):
        assert bench.holder() == "benchpc1/harness"
        raise error
    assert bench.holder() is None


def test_a_place_already_ours_is_used_and_left_held(bench: Bench) -> None:
    assert bench.me.acquire(PLACE)  # e.g. `labgrid-client acquire` before the run
    try:
        with lease_place(PLACE, coordinator=bench.lab.address) as lease:
            assert not lease.acquired_here
        assert bench.holder() == "benchpc1/harness"  # whoever acquired it releases it
    finally:
        bench.me.release(PLACE)
    assert bench.holder() is None


def test_a_place_with_several_ports_needs_the_resource_name(bench: Bench) -> None:
    with (
        pytest.raises(ConfigError, match="several serial ports") as caught,
        lease_place(PAIR, coordinator=bench.lab.address),
    ):
        pass
    assert "modem-a" in str(caught.value)
    assert "modem-b" in str(caught.value)
    assert bench.me.holder(PAIR) is None  # released after the failed resolve
    with lease_place(PAIR, resource="modem-b", coordinator=bench.lab.address) as lease:
        assert lease.url == f"socket://127.0.0.1:{bench.bridge.port + 1}"  # protocol: raw
    with (
        pytest.raises(ConfigError, match="no serial port named 'modem-c'"),
        lease_place(PAIR, resource="modem-c", coordinator=bench.lab.address),
    ):
        pass


def test_an_unknown_place_is_a_config_error_listing_the_places(bench: Bench) -> None:
    with (
        pytest.raises(ConfigError, match="no place 'bench-nope'") as caught,
        lease_place("bench-nope", coordinator=bench.lab.address),
    ):
        pass
    assert PLACE in str(caught.value)


def test_an_unreachable_coordinator_is_a_quick_typed_error() -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        address = f"127.0.0.1:{probe.getsockname()[1]}"
    started = time.monotonic()
    with pytest.raises(CoordinatorError, match="unreachable"):
        LabgridClient(address, call_timeout=5)
    assert time.monotonic() - started < 5


def test_the_coordinator_address_is_spelt_as_labgrid_spells_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("LG_PROXY", raising=False)
    monkeypatch.delenv("LG_COORDINATOR", raising=False)
    assert coordinator_address() == "127.0.0.1:20408"
    monkeypatch.setenv("LG_COORDINATOR", "lab-coord:4000")
    assert coordinator_address() == "lab-coord:4000"
    assert coordinator_address("other") == "other:20408"  # the option wins; HOST -> :20408
    with pytest.raises(ConfigError, match="HOST"):
        coordinator_address("lab:port")
    monkeypatch.setenv("LG_PROXY", "jumphost")
    with pytest.raises(ConfigError, match="LG_PROXY"):
        coordinator_address()
