"""Helpers for the virtual network tests: a fake modem with the radio's rules, and builders.

`FakeModem` follows harness.virtual.modem.radio: it attaches only with a SIM
whose PIN is not pending, forgets a denied attach, detaches on removal and
power cycle, refuses SMS while not registered, and shows what the network
pushes. Each message it takes is recorded with the SIM it landed on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from harness.at.parsers.registration import RegStatus
from harness.sms.address import Address
from harness.sms.pdu import SmsPdu
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver, SmsSubmit
from harness.sms.userdata import UserData
from harness.sms.validity import Validity
from harness.virtual.network import ManualClock, VirtualNetwork

ALICE = "+15555550101"
BOB = "+15555550102"
CAROL = "+15555550103"


@dataclass
class FakeSim:
    imsi: str
    iccid: str
    pin_enabled: bool = False
    verified: bool = False

    @property
    def locked(self) -> bool:
        return self.pin_enabled and not self.verified


def sim_for(number: int, *, pin_enabled: bool = False) -> FakeSim:
    return FakeSim(
        imsi=f"00101{number:010d}", iccid=f"89882110000{number:08d}", pin_enabled=pin_enabled
    )


@dataclass
class Received:
    iccid: str  # the SIM in the modem when it took the message
    tpdu: SmsDeliver | SmsStatusReport


@dataclass
class FakeModem:
    network: VirtualNetwork
    name: str = "modem"
    sim: FakeSim | None = None
    stat: RegStatus = RegStatus.NOT_SEARCHING
    imsi: str | None = None
    refuse: bool = False  # memory full
    received: list[Received] = field(default_factory=list)
    pushes: list[RegStatus] = field(default_factory=list)
    next_reference: int = 0

    # --- the radio ---------------------------------------------------------------
    def try_register(self) -> None:
        if self.stat.registered or self.sim is None or self.sim.locked:
            return
        self.stat = RegStatus.SEARCHING
        stat = self.network.attach(self.sim.imsi, self)
        self.imsi = self.sim.imsi if stat.registered else None
        self.stat = stat

    def detach(self) -> None:
        if self.imsi is not None:
            self.network.detach(self.imsi)
            self.imsi = None
        self.stat = RegStatus.NOT_SEARCHING

    # --- device events -----------------------------------------------------------
    def insert(self, sim: FakeSim) -> None:
        assert self.sim is None
        self.sim = sim
        self.try_register()

    def remove(self) -> FakeSim | None:
        sim, self.sim = self.sim, None
        self.detach()
        return sim

    def power_cycle(self) -> None:
        self.detach()
        if self.sim is not None:
            self.sim.verified = False
        self.try_register()

    def enter_pin(self) -> None:
        if self.sim is not None:
            self.sim.verified = True
            self.try_register()

    def submit(
        self,
        to: str,
        text: str,
        *,
        report: bool = False,
        validity: Validity | None = None,
    ) -> int:
        """+CMGS: refused (CMS 331) unless registered; returns the TP-MR."""
        assert self.stat.registered and self.imsi is not None, "CMS ERROR 331"
        reference = self.next_reference
        self.next_reference = (reference + 1) % 256
        tpdu = SmsSubmit(
            destination=Address.parse(to),
            user_data=UserData(text=text),
            message_reference=reference,
            validity=validity,
            status_report_request=report,
        )
        self.network.submit(self.imsi, SmsPdu(tpdu), self)
        return reference

    # --- the Terminal protocol ---------------------------------------------------
    def set_registration(self, stat: RegStatus) -> None:
        self.stat = stat
        self.pushes.append(stat)

    def deliver_sms(self, pdu: SmsDeliver, *, imsi: str | None = None) -> bool:
        return self._take(pdu, imsi)

    def deliver_status_report(self, report: SmsStatusReport, *, imsi: str | None = None) -> bool:
        return self._take(report, imsi)

    def _take(self, tpdu: SmsDeliver | SmsStatusReport, imsi: str | None) -> bool:
        if not self.stat.registered or self.refuse or self.sim is None:
            return False
        if imsi is not None and imsi != self.imsi:
            return False  # like VirtualModem: not attached under that IMSI any more
        tpdu.encode()  # what a real modem would do with it first
        self.received.append(Received(self.sim.iccid, tpdu))
        return True

    @property
    def texts(self) -> list[str]:
        return [r.tpdu.text for r in self.received if isinstance(r.tpdu, SmsDeliver)]

    @property
    def reports(self) -> list[SmsStatusReport]:
        return [r.tpdu for r in self.received if isinstance(r.tpdu, SmsStatusReport)]


def new_network(
    clock: ManualClock | None = None, *, default_validity: timedelta = timedelta(days=3)
) -> VirtualNetwork:
    """A synchronous network (deliveries on settle()) with a manual clock and two lines."""
    network = VirtualNetwork(
        clock=clock or ManualClock(), background=False, default_validity=default_validity
    )
    for number, msisdn in ((1, ALICE), (2, BOB)):
        sim = sim_for(number)
        network.provision_line(msisdn, imsi=sim.imsi, iccid=sim.iccid)
    return network


def registered(network: VirtualNetwork, sim: FakeSim, name: str = "modem") -> FakeModem:
    """A fake modem with `sim` inserted, its attach answered and deliveries done."""
    modem = FakeModem(network, name)
    modem.insert(sim)
    network.settle()
    return modem
