"""Status reports come a while after the delivery they report (configurable), or in a burst."""

from __future__ import annotations

import time

import pytest
from test_virtual_network_support import ALICE, BOB, FakeModem, sim_for

from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver
from harness.virtual.air_interface import RegStatus
from harness.virtual.network import ManualClock, VirtualNetwork


class TimedModem(FakeModem):
    """A fake modem that notes the monotonic time each message reached it."""

    def __init__(self, network: VirtualNetwork, name: str) -> None:
        super().__init__(network, name)
        self.times: list[tuple[str, float]] = []

    def deliver_sms(self, pdu: SmsDeliver, *, imsi: str | None = None) -> bool:
        self.times.append(("sms", time.monotonic()))
        return super().deliver_sms(pdu, imsi=imsi)

    def deliver_status_report(self, report: SmsStatusReport, *, imsi: str | None = None) -> bool:
        self.times.append(("report", time.monotonic()))
        return super().deliver_status_report(report, imsi=imsi)


def gap(network: VirtualNetwork) -> float:
    """Seconds between Bob's SMS and Alice's status report for it."""
    for number, msisdn in ((1, ALICE), (2, BOB)):
        sim = sim_for(number)
        network.provision_line(msisdn, imsi=sim.imsi, iccid=sim.iccid)
    alice, bob = TimedModem(network, "alice"), TimedModem(network, "bob")
    alice.insert(sim_for(1))
    bob.insert(sim_for(2))
    network.settle()
    alice.submit(BOB, "ping", report=True)
    network.settle()
    assert [kind for kind, _ in bob.times] == ["sms"]
    assert [kind for kind, _ in alice.times] == ["report"]
    assert alice.reports[0].delivered
    return alice.times[0][1] - bob.times[0][1]


@pytest.mark.parametrize("background", [False, True])
def test_the_report_follows_the_delivery_after_the_default_delay(background: bool) -> None:
    with VirtualNetwork(clock=ManualClock(), background=background) as network:
        assert 0.09 <= gap(network) < 1.0


def test_the_delay_is_configurable() -> None:
    with VirtualNetwork(clock=ManualClock(), background=False, report_delay=0.3) as network:
        assert 0.29 <= gap(network) < 1.5


def test_the_burst_fault_sends_the_report_with_the_delivery() -> None:
    with VirtualNetwork(clock=ManualClock(), background=False, report_delay=0) as network:
        assert gap(network) < 0.05


def test_a_held_report_is_queued_and_not_lost_when_the_network_closes() -> None:
    network = VirtualNetwork(clock=ManualClock(), background=True, report_delay=5.0)
    for number, msisdn in ((1, ALICE), (2, BOB)):
        sim = sim_for(number)
        network.provision_line(msisdn, imsi=sim.imsi, iccid=sim.iccid)
    alice, bob = FakeModem(network, "alice"), FakeModem(network, "bob")
    alice.insert(sim_for(1))
    bob.insert(sim_for(2))
    alice.submit(BOB, "ping", report=True)
    deadline = time.monotonic() + 2.0
    while not network.queued(ALICE) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bob.texts == ["ping"]
    assert alice.reports == [] and network.queued(ALICE)[0].is_report  # held by the SC
    assert alice.stat is RegStatus.HOME
    network.close()  # returns at once: no worker left waiting for the held report
