"""Shared benches through labgrid: a real coordinator and exporter on 127.0.0.1.

The exporter publishes a `NetworkSerialPort` pointing at an RFC 2217 server (the
tests' ser2net) in front of a virtual modem served on TCP. The harness acquires
the place through labgrid's client API, resolves the port to rfc2217://, and the
`Modem` driver talks to the modem there. Another user ("benchpc2/alice") is a
second coordinator client with its own connection, and for the held-place case
the real `labgrid-client` in a separate process. Started once for the module.
"""

from __future__ import annotations

import _thread
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip(
    "labgrid.remote.client", reason="labgrid not installed (pip install 'sim-harness[labgrid]')"
)

from harness.bench import LabgridOptions, bench_from_dict, open_device
from harness.bench.lab import FileLab
from harness.bench.labgrid import LabgridClient, coordinator_address
from harness.bench.labgrid.lease import HeldPlaces, lease_place
from harness.cli import main
from harness.errors import ConfigError, CoordinatorError, PlaceBusyError
from harness.modem import Modem
from harness.modem.states import SimState
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem
from tests.labgrid_lab import LabgridLab, as_identity
from tests.rfc2217_bridge import Rfc2217Bridge

PLACE = "bench-modem0"
PAIR = "bench-pair"
SER2NET = "bench-ser2net"
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
    speed: 57600
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
## a local serial device: the exporter runs ser2net for it while the place is held
usb:
  RawSerialPort:
    port: {pty}
    speed: 115200
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
            yaml = EXPORTER_YAML.format(
                port=bridge.port, other=bridge.port + 1, pty=modem.start_pty(None)
            )
            lab = LabgridLab(yaml)
            try:
                lab.create_place(PLACE, "simexp/simbench/NetworkSerialPort/modem0")
                lab.create_place(PAIR, "simexp/pair/NetworkSerialPort")
                lab.create_place(SER2NET, "simexp/usb/NetworkSerialPort")
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
    assert bench.bridge.wait_idle(5)
    assert bench.bridge.baudrates[-1] == 57600  # the speed the exporter publishes


def test_held_places_stay_held_across_opens_until_closed(bench: Bench) -> None:
    config = bench_from_dict(
        {"device": [{"name": "shared", "kind": "modem", "place": PLACE}]}, source="lab.toml"
    )
    device = config.device("shared")
    with HeldPlaces(LabgridOptions(coordinator=bench.lab.address, wait=2)) as places:
        for _ in range(2):
            with open_device(device, places=places) as opened:
                assert opened.lease is not None and opened.lease.acquired_here
                assert opened.modem is not None
                assert opened.modem.sim_state() is SimState.SIM_PIN
            assert bench.holder() == "benchpc1/harness"  # kept between uses
        bench.lab.kick(PLACE)  # an admin takes it away
        assert bench.holder() is None
        with open_device(device, places=places) as opened:  # acquired again on next use
            assert bench.holder() == "benchpc1/harness"
    assert bench.holder() is None  # released at close


def test_two_workers_of_one_job_take_turns_and_the_last_one_releases(
    bench: Bench, tmp_path: Path
) -> None:
    """pytest-xdist workers share the job's labgrid identity: the first to need the place
    acquires it, the other uses it as the job's; whoever ends first releases it under the
    device lock, and the other acquires it again on its next test."""
    config = bench_from_dict(
        {
            "lock_dir": str(tmp_path / "locks"),
            "device": [{"name": "shared", "kind": "modem", "place": PLACE}],
        },
        source="lab.toml",
    )
    device = config.device("shared")
    options = LabgridOptions(coordinator=bench.lab.address, wait=2)
    first, second = FileLab(config, options), FileLab(config, options)
    try:
        with first.acquire(device, wait_s=2) as opened:
            assert opened.lease is not None and opened.lease.acquired_here
        with second.acquire(device, wait_s=2) as opened:
            assert opened.lease is not None and not opened.lease.acquired_here
        first.close()  # the first worker is done
        assert bench.holder() is None
        with second.acquire(device, wait_s=2) as opened:
            assert opened.lease is not None and opened.lease.acquired_here
            assert bench.holder() == "benchpc1/harness"
    finally:
        first.close()
        second.close()
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


def test_ctrl_c_while_waiting_for_a_held_place_stops_at_once(bench: Bench) -> None:
    assert bench.alice.acquire(PLACE)
    interrupt = threading.Timer(0.3, _thread.interrupt_main)
    try:
        started = time.monotonic()
        interrupt.start()
        with (
            pytest.raises(KeyboardInterrupt),
            lease_place(PLACE, coordinator=bench.lab.address, wait=30),
        ):
            pytest.fail("the lease must not be granted while alice holds the place")
        assert time.monotonic() - started < 5  # not the 30 s deadline
        assert bench.holder() == "benchpc2/alice"
    finally:
        interrupt.cancel()
        bench.alice.release(PLACE)


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


@pytest.mark.skipif(shutil.which("ser2net") is None, reason="ser2net is not installed")
def test_a_local_port_gets_its_tcp_port_once_the_exporter_started_ser2net(bench: Bench) -> None:
    """A USB (here: raw) serial port has no TCP port until the place is acquired and the
    exporter has started ser2net for it; the lease waits for it. (The modem itself is not
    opened: ser2net on a pty cannot set DTR, so an RFC 2217 client's open times out.)"""
    with LabgridClient(bench.lab.address) as client:
        entry = client.place(SER2NET)  # refreshes the caches
        assert entry.acquired is None
    with lease_place(SER2NET, coordinator=bench.lab.address, wait=5) as lease:
        assert lease.endpoint.path == "simexp/usb/NetworkSerialPort/RawSerialPort"
        assert lease.url.startswith("rfc2217://127.0.0.1:")
        with socket.create_connection(("127.0.0.1", lease.endpoint.port), timeout=5):
            pass  # ser2net listens there
    assert bench.me.holder(SER2NET) is None


def test_an_unknown_place_is_a_config_error_listing_the_places(bench: Bench) -> None:
    with (
        pytest.raises(ConfigError, match="no place 'bench-nope'") as caught,
        lease_place("bench-nope", coordinator=bench.lab.address),
    ):
        pass
    assert PLACE in str(caught.value)


def test_an_unreachable_coordinator_is_a_quick_typed_error() -> None:
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
