"""Property: whatever operators, SIM moves, power cycles and senders do, held SMS are never
lost and never reach the wrong SIM.

A run drives two lines, two fake modems (harness.virtual.modem.radio's rules)
and any number of SIMs (swaps add new ones) with random steps. After each step:

* every message the SMSC stored is delivered exactly once, still queued, or
  expired - and expired only once its validity ended;
* every message a modem took is one the network recorded as delivered, to the
  SIM in that modem, bound to the message's line (which was ACTIVE) at that
  moment, and never to a SIM still waiting for its PIN.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from test_virtual_modem_support import RawPort, new_card
from test_virtual_network_support import ALICE, BOB, FakeModem, FakeSim, sim_for

from harness.at.parsers.registration import RegStatus
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver
from harness.sms.validity import RelativeValidity
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem
from harness.virtual.network import (
    LineState,
    ManualClock,
    MessageState,
    NetworkError,
    VirtualNetwork,
)
from harness.virtual.network.subscribers import msisdn_key

LINES = (ALICE, BOB)


@dataclass
class Receipt:
    tpdu: SmsDeliver | SmsStatusReport
    iccid: str
    bound_line: str | None  # the line the network bound this SIM to at that moment
    line_state: LineState | None
    locked: bool


class RecordingModem(FakeModem):
    """A fake modem that notes, as it takes a message, what the network says about its SIM."""

    log: list[Receipt]

    def _take(self, tpdu: SmsDeliver | SmsStatusReport) -> bool:
        sim = self.sim
        taken = super()._take(tpdu)
        if taken and sim is not None:
            line = self.network.subscriber_by_iccid(sim.iccid)
            self.log.append(
                Receipt(
                    tpdu,
                    sim.iccid,
                    line.key if line is not None else None,
                    line.state if line is not None else None,
                    sim.locked,
                )
            )
        return taken


class NetworkMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.network = VirtualNetwork(
            clock=self.clock, background=False, default_validity=timedelta(hours=6)
        )
        self.sims = [sim_for(1, pin_enabled=True), sim_for(2)]
        for msisdn, sim in zip(LINES, self.sims, strict=True):
            self.network.provision_line(msisdn, imsi=sim.imsi, iccid=sim.iccid)
        self.receipts: list[Receipt] = []
        self.modems = [RecordingModem(self.network, f"m{i}") for i in range(2)]
        for modem in self.modems:
            modem.log = self.receipts
        self.next_sim = 100
        self.otps_sent = 0

    def teardown(self) -> None:
        self.network.close()

    def _holder(self, sim: FakeSim) -> FakeModem | None:
        return next((m for m in self.modems if m.sim is sim), None)

    # --- operators -----------------------------------------------------------------
    @rule(
        action=st.sampled_from(["report_lost", "reactivate", "suspend", "resume"]),
        line=st.sampled_from(LINES),
    )
    def operator(self, action: str, line: str) -> None:
        with contextlib.suppress(NetworkError):
            getattr(self.network, action)(line, by="property")
        self.network.settle()

    @rule(line=st.sampled_from(LINES), pin_enabled=st.booleans())
    def swap_sim(self, line: str, pin_enabled: bool) -> None:
        sim = sim_for(self.next_sim, pin_enabled=pin_enabled)
        self.next_sim += 1
        self.network.swap_sim(line, iccid=sim.iccid, imsi=sim.imsi)
        self.sims.append(sim)
        self.network.settle()

    @rule(available=st.booleans())
    def coverage(self, available: bool) -> None:
        self.network.set_coverage(available)
        self.network.settle()

    # --- SIMs and modems -------------------------------------------------------------
    @rule(data=st.data(), into=st.integers(0, 1))
    def move_sim(self, data: st.DataObject, into: int) -> None:
        sim = data.draw(st.sampled_from(self.sims))
        holder = self._holder(sim)
        if holder is not None:
            holder.remove()
        modem = self.modems[into]
        if modem.sim is not None:
            modem.remove()
        modem.insert(sim)
        self.network.settle()

    @rule(which=st.integers(0, 1))
    def eject(self, which: int) -> None:
        self.modems[which].remove()
        self.network.settle()

    @rule(which=st.integers(0, 1))
    def power_cycle(self, which: int) -> None:
        self.modems[which].power_cycle()
        self.network.settle()

    @rule(which=st.integers(0, 1))
    def enter_pin(self, which: int) -> None:
        self.modems[which].enter_pin()
        self.network.settle()

    @rule(which=st.integers(0, 1), full=st.booleans())
    def memory_full(self, which: int, full: bool) -> None:
        self.modems[which].refuse = full

    # --- traffic and time ----------------------------------------------------------------
    @rule(line=st.sampled_from(LINES), minutes=st.none() | st.integers(1, 600))
    def send_otp(self, line: str, minutes: int | None) -> None:
        validity = timedelta(minutes=minutes) if minutes is not None else None
        self.network.send_otp(line, validity=validity)
        self.otps_sent += 1

    @rule(
        which=st.integers(0, 1),
        to=st.sampled_from((*LINES, "+4915112345678")),
        report=st.booleans(),
        vp=st.none() | st.integers(0, 170),
    )
    def submit(self, which: int, to: str, report: bool, vp: int | None) -> None:
        modem = self.modems[which]
        if not modem.stat.registered:
            return  # +CMS ERROR: 331
        validity = RelativeValidity(vp) if vp is not None else None
        modem.submit(to, "mo", report=report, validity=validity)
        self.network.settle()

    @rule(minutes=st.integers(1, 24 * 60))
    def advance(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    @rule()
    def expire_due(self) -> None:
        self.network.expire_due()

    @precondition(lambda self: any(m.stat.registered for m in self.modems))
    @rule()
    def settle(self) -> None:
        self.network.settle()

    # --- invariants ------------------------------------------------------------------------
    @invariant()
    def every_message_is_delivered_once_queued_or_expired(self) -> None:
        network = self.network
        queued = {m.id for line in LINES for m in network.queued(line)}
        deliveries = {d.message.id: d for d in network.deliveries()}
        assert len(deliveries) == len(network.deliveries())  # never twice
        expired = {e.message.id: e for e in network.expiries}
        for message, state in network.messages():
            taken = [r for r in self.receipts if r.tpdu is message.tpdu]
            if state is MessageState.DELIVERED:
                assert message.id in deliveries and message.id not in queued
                (receipt,) = taken
                assert receipt.iccid == deliveries[message.id].iccid
                assert deliveries[message.id].at < message.expires
            elif state is MessageState.QUEUED:
                assert message.id in queued and not taken
            else:
                assert message.id in expired and not taken and message.id not in queued
                assert expired[message.id].at >= message.expires
        assert len(self.receipts) == len(deliveries)
        assert len(network.otps) == self.otps_sent

    @invariant()
    def nothing_reaches_the_wrong_sim(self) -> None:
        by_tpdu = {id(m.tpdu): m for m, _ in self.network.messages()}
        for receipt in self.receipts:
            message = by_tpdu[id(receipt.tpdu)]
            assert receipt.bound_line == msisdn_key(message.msisdn)
            assert receipt.line_state is LineState.ACTIVE
            assert not receipt.locked

    @invariant()
    def a_barred_line_is_not_registered(self) -> None:
        for modem in self.modems:
            if modem.sim is None or not modem.stat.registered:
                continue
            line = self.network.subscriber_by_imsi(modem.sim.imsi)
            assert line is not None and line.state is LineState.ACTIVE
            assert modem.stat is RegStatus.HOME


TestNetworkProperties = NetworkMachine.TestCase
TestNetworkProperties.settings = settings(max_examples=120, stateful_step_count=40, deadline=None)


# --- the same properties with real virtual modems and cards ---------------------------------
class RecordingVirtualModem(VirtualModem):
    """A real virtual modem that notes each message it takes and the card it then holds."""

    def __init__(self, card: VirtualUicc | None, network: VirtualNetwork, log: list[Receipt]):
        super().__init__(card, network=network)
        self.network = network
        self.log = log

    def deliver_sms(self, pdu: SmsDeliver | bytes, *, smsc: str | None = None) -> bool:
        return self._note(pdu, super().deliver_sms(pdu, smsc=smsc))

    def deliver_status_report(
        self, report: SmsStatusReport | bytes, *, smsc: str | None = None
    ) -> bool:
        return self._note(report, super().deliver_status_report(report, smsc=smsc))

    def _note(self, tpdu: SmsDeliver | SmsStatusReport | bytes, taken: bool) -> bool:
        card = self.card
        if taken and card is not None:
            assert not isinstance(tpdu, bytes)
            line = self.network.subscriber_by_iccid(card.profile.iccid)
            self.log.append(
                Receipt(
                    tpdu,
                    card.profile.iccid,
                    line.key if line is not None else None,
                    line.state if line is not None else None,
                    False,  # the modem registered, so the card answered READ BINARY on EF.IMSI
                )
            )
        return taken


def real_card(number: int, msisdn: str, *, pin_enabled: bool) -> VirtualUicc:
    sim = sim_for(number)
    return new_card(
        card__imsi=sim.imsi,
        card__iccid=sim.iccid,
        card__msisdn=msisdn,
        pins__pin1_enabled=pin_enabled,
    )


class RealModemMachine(RuleBasedStateMachine):
    """Fewer steps than NetworkMachine, with the background worker and modem threads."""

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock()
        self.network = VirtualNetwork(clock=self.clock, default_validity=timedelta(hours=6))
        self.cards = [
            real_card(1, ALICE, pin_enabled=True),
            real_card(2, BOB, pin_enabled=False),
        ]
        for card in self.cards:
            self.network.provision(card.profile)
        self.receipts: list[Receipt] = []
        self.modems = [RecordingVirtualModem(None, self.network, self.receipts) for _ in range(2)]
        self.ports = [RawPort(m.start_pty()) for m in self.modems]
        for port in self.ports:
            port.command("ATE0")
        self.next_sim = 100

    def teardown(self) -> None:
        for port in self.ports:
            port.close()
        for modem in self.modems:
            modem.close()
        self.network.close()

    def _settle(self) -> None:
        for port in self.ports:
            port.command("AT")  # work a modem deferred after its last answer is done
        self.network.settle()

    @rule(
        action=st.sampled_from(["report_lost", "reactivate", "suspend", "resume"]),
        line=st.sampled_from(LINES),
    )
    def operator(self, action: str, line: str) -> None:
        with contextlib.suppress(NetworkError):
            getattr(self.network, action)(line)
        self._settle()

    @rule(line=st.sampled_from(LINES), pin_enabled=st.booleans())
    def swap_sim(self, line: str, pin_enabled: bool) -> None:
        card = real_card(self.next_sim, line, pin_enabled=pin_enabled)
        self.next_sim += 1
        self.network.swap_sim(line, card.profile)
        self.cards.append(card)
        self._settle()

    @rule(data=st.data(), into=st.integers(0, 1))
    def move_sim(self, data: st.DataObject, into: int) -> None:
        card = data.draw(st.sampled_from(self.cards))
        for modem in self.modems:
            if modem.card is card:
                modem.remove_sim()
        self.modems[into].remove_sim()
        self.modems[into].insert_sim(card)
        self._settle()

    @rule(which=st.integers(0, 1))
    def power_cycle(self, which: int) -> None:
        self.modems[which].power_cycle()
        self._settle()

    @rule(which=st.integers(0, 1))
    def enter_pin(self, which: int) -> None:
        self.ports[which].command('AT+CPIN="1234"')
        self._settle()

    @rule(line=st.sampled_from(LINES))
    def send_otp(self, line: str) -> None:
        self.network.send_otp(line)
        self._settle()

    @rule(minutes=st.integers(1, 12 * 60))
    def advance(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))
        self.network.expire_due()

    @invariant()
    def delivered_once_queued_or_expired_and_only_to_the_bound_sim(self) -> None:
        deliveries = {d.message.id: d for d in self.network.deliveries()}
        assert len(self.receipts) == len(deliveries) == len(self.network.deliveries())
        for message, state in self.network.messages():
            taken = [r for r in self.receipts if r.tpdu is message.tpdu]
            assert len(taken) == (state is MessageState.DELIVERED)
            for receipt in taken:
                assert receipt.iccid == deliveries[message.id].iccid
                assert receipt.bound_line == msisdn_key(message.msisdn)
                assert receipt.line_state is LineState.ACTIVE


TestRealModemProperties = RealModemMachine.TestCase
TestRealModemProperties.settings = settings(max_examples=30, stateful_step_count=20, deadline=None)
