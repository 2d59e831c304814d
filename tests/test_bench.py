"""VirtualBench and `simulate`: a whole lab in one process, checked through the drivers.

Every outcome is read the way a host would read it: the Modem driver on the
bench's ports, SimCard over PC/SC for the reader. The bench's own bookkeeping
(`where`, `holder`) is checked against what the devices show.
"""

from __future__ import annotations

import io
import os
import re
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import ConfigError, HarnessError
from harness.modem import Modem, SimState
from harness.safety import SafetyPolicy
from harness.sim.card import SimCard
from harness.sim.pcsc_link import PcscLink, wait_for_card
from harness.virtual.bench import (
    NO_PIN_PROFILE,
    REPLACEMENT_PROFILE,
    ModemSpec,
    SimSpec,
    VirtualBench,
    numbered_profile,
)
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.pcscd import PrivatePcscd
from harness.virtual.simulate import simulate

PIN = "1234"


def _modem(bench: VirtualBench, name: str) -> Modem:
    return Modem(bench.ports[name], safety=SafetyPolicy.strict(), default_timeout=3.0, name=name)


@pytest.fixture
def bench() -> Iterator[VirtualBench]:
    sims = [
        SimSpec.load("victim", NO_PIN_PROFILE),
        # default.toml shares no-pin.toml's identity: a line of its own, PIN1 on
        SimSpec("locked", numbered_profile(load_profile(DEFAULT_PROFILE), 3)),
        SimSpec.load("replacement", REPLACEMENT_PROFILE, provisioned=False),
    ]
    modems = [ModemSpec("owner"), ModemSpec("thief", "quectel"), ModemSpec("spare", "huawei")]
    with VirtualBench(modems, sims, placement={"victim": "owner"}) as started:
        yield started


def test_ports_are_stable_names_that_the_driver_opens(bench: VirtualBench) -> None:
    assert set(bench.ports) == {"owner", "thief", "spare"}
    for name, port in bench.ports.items():
        assert Path(port).is_symlink()
        assert os.readlink(port).startswith("/dev/pts/")
        with _modem(bench, name) as modem:
            assert modem.imei()  # every modem answers
    with _modem(bench, "owner") as owner:
        assert owner.iccid() == bench.profile("victim").iccid
        assert owner.wait_for_registration(3).registered
    with _modem(bench, "thief") as thief:
        assert thief.profile.name == "quectel"
        assert thief.sim_state() is SimState.ABSENT
    table = bench.describe()
    for text in ("modem owner", "quectel", "victim", "bench top", "spare", "PIN1 off"):
        assert text in table


def test_a_sim_moves_between_modems(bench: VirtualBench) -> None:
    with _modem(bench, "owner") as owner, _modem(bench, "thief") as thief:
        bench.insert("victim", "thief")
        assert bench.where("victim") == "modem thief"
        assert bench.holder("owner") is None
        assert owner.sim_state() is SimState.ABSENT
        assert thief.sim_state() is SimState.READY
        assert thief.iccid() == bench.profile("victim").iccid
        assert thief.wait_for_registration(3).registered
        assert bench.eject("thief") == "victim"
        assert bench.where("victim") is None
        assert thief.sim_state() is SimState.ABSENT


def test_moves_that_a_hand_cannot_make_are_refused(bench: VirtualBench) -> None:
    bench.insert("locked", "thief")
    with pytest.raises(ConfigError, match="already holds SIM locked"):
        bench.insert("victim", "thief")
    with pytest.raises(ConfigError, match="no SIM 'nope'"):
        bench.insert("nope", "thief")
    with pytest.raises(ConfigError, match="no modem 'nope'"):
        bench.insert("victim", "nope")
    with pytest.raises(ConfigError, match="no card readers"):
        bench.to_reader("victim")
    assert bench.where("victim") == "modem owner"  # nothing moved


def test_bench_configurations_are_checked() -> None:
    sim = SimSpec.load("a", NO_PIN_PROFILE)
    with pytest.raises(ConfigError, match="unique"):
        VirtualBench(["m", "m"], [sim])
    with pytest.raises(ConfigError, match="personality"):
        VirtualBench([ModemSpec("m", "nokia")], [sim])
    with pytest.raises(ConfigError, match="two SIMs"):
        VirtualBench(
            ["m"], [sim, SimSpec.load("b", DEFAULT_PROFILE)], placement={"a": "m", "b": "m"}
        )


def test_power_cycle_asks_for_the_pin_again(bench: VirtualBench) -> None:
    bench.insert("locked", "spare")
    with _modem(bench, "spare") as spare:
        assert spare.sim_state() is SimState.SIM_PIN
        spare.unlock(PIN)
        assert spare.wait_for_registration(3).registered
        bench.power_cycle("spare")
        assert spare.wait_sim_settled(3) is SimState.SIM_PIN
        assert bench.where("locked") == "modem spare"  # the card stayed in


def test_reboot_keeps_the_port_name(bench: VirtualBench) -> None:
    before = os.readlink(bench.ports["owner"])
    bench.reboot("owner")
    assert os.readlink(bench.ports["owner"]) != before
    with _modem(bench, "owner") as owner:
        assert owner.sim_state() is SimState.READY


def test_a_spare_sim_is_denied_until_the_line_is_swapped_onto_it(bench: VirtualBench) -> None:
    bench.insert("replacement", "spare")
    with _modem(bench, "spare") as spare:
        spare.unlock(PIN)
        spare.enable_registration_urcs()
        with pytest.raises(HarnessError, match="not registered"):
            spare.wait_for_registration(0.3)
        assert spare.registration().status.name == "DENIED"
        bench.network.swap_sim(bench.profile("victim").msisdn, bench.profile("replacement"))
        bench.power_cycle("spare")  # the phone tries again with the new subscription
        spare.wait_sim_settled(3)
        spare.unlock(PIN)
        assert spare.wait_for_registration(3).registered


def test_numbered_profiles_are_distinct_subscribers() -> None:
    base = load_profile(DEFAULT_PROFILE)
    profiles = [numbered_profile(base, i) for i in range(40)]
    for field in ("iccid", "imsi", "msisdn"):
        assert len({getattr(p, field) for p in profiles}) == 40
    assert all(p.pin1 == base.pin1 for p in profiles)
    with pytest.raises(ConfigError):
        numbered_profile(base, 80)


def _run_simulate(
    tmp_path: Path, stop: threading.Event, **kwargs: object
) -> tuple[threading.Thread, io.StringIO, list[int]]:
    out = io.StringIO()
    codes: list[int] = []
    thread = threading.Thread(
        target=lambda: codes.append(simulate(out=out, link_dir=tmp_path, stop=stop, **kwargs))  # type: ignore[arg-type]
    )
    thread.start()
    deadline = time.monotonic() + 10
    while "Ctrl-C" not in out.getvalue():
        assert time.monotonic() < deadline, out.getvalue()
        time.sleep(0.01)
    return thread, out, codes


def test_simulate_serves_a_bench_until_stopped(tmp_path: Path) -> None:
    stop = threading.Event()
    thread, out, codes = _run_simulate(tmp_path, stop, modems=3, personalities=["simcom", "telit"])
    text = out.getvalue()
    ports = re.findall(rf"({re.escape(str(tmp_path))}/modem\d)", text)
    assert sorted(set(ports)) == [str(tmp_path / f"modem{i}") for i in range(3)]
    assert "simcom" in text and "telit" in text
    assert PIN not in text.replace(str(tmp_path), "")  # no PIN printed
    with Modem(str(tmp_path / "modem1"), default_timeout=3.0) as modem:
        assert modem.profile.name == "telit"
        modem.unlock(PIN)
        assert modem.wait_for_registration(3).registered
    stop.set()
    thread.join(10)
    assert codes == [0]
    assert "network attach +15555550119" in out.getvalue().replace(":", "")
    assert out.getvalue().rstrip().endswith("bench stopped")
    assert not any(tmp_path.iterdir())  # links removed


def test_simulate_stops_on_sigterm(tmp_path: Path) -> None:
    """In the main thread, as the CLI runs it; the signal goes only once the handler is in."""
    previous = signal.getsignal(signal.SIGTERM)
    out = io.StringIO()
    done = threading.Event()

    def terminate_when_serving() -> None:
        deadline = time.monotonic() + 10
        while "Ctrl-C" not in out.getvalue():
            if done.wait(0.01) or time.monotonic() > deadline:
                return
        os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=terminate_when_serving)
    killer.start()
    try:
        assert simulate(1, ["generic"], out=out, link_dir=tmp_path) == 0
    finally:
        done.set()
        killer.join(10)
    assert "bench stopped" in out.getvalue()
    assert signal.getsignal(signal.SIGTERM) == previous


def test_simulate_rejects_impossible_benches() -> None:
    with pytest.raises(ConfigError, match="--modems"):
        simulate(0)
    with pytest.raises(ConfigError, match="personality"):
        simulate(1, [])


@pytest.mark.pcsc
def test_a_sim_moves_into_a_vpcd_reader_and_back(pcscd: PrivatePcscd) -> None:
    """Slot 1 (slot 0 belongs to the session's card): SimCard reads it over real PC/SC."""
    sims = [SimSpec.load("victim", NO_PIN_PROFILE)]
    with VirtualBench(["owner"], sims, pcscd=pcscd) as bench:
        reader = bench.to_reader("victim", 1)
        assert bench.where("victim") == "reader 1"
        assert "Virtual PCD 00 01" in bench.describe()
        wait_for_card(reader, present=True, timeout=10)
        with PcscLink(reader) as link:
            assert SimCard(link).read_iccid() == bench.profile("victim").iccid
        bench.insert("victim", "owner")
        wait_for_card(reader, present=False, timeout=10)
        with _modem(bench, "owner") as owner:
            assert owner.sim_state() is SimState.READY
