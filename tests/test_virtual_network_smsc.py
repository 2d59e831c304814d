"""Virtual network SMSC: store-and-forward, expiry, status reports, MO routing, the OTP service."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from test_virtual_network_support import (
    ALICE,
    BOB,
    FakeModem,
    new_network,
    registered,
    sim_for,
)

from harness.at.parsers.registration import RegStatus
from harness.errors import CodecError
from harness.sms.address import TypeOfNumber, encode_address
from harness.sms.pdu import SmsPdu
from harness.sms.tpdu import SmsDeliver, decode_tpdu
from harness.sms.validity import AbsoluteValidity, EnhancedValidity, RelativeValidity, Validity
from harness.virtual.network import ManualClock, MessageState, VirtualNetwork

OTP_TEXT = "Your verification code is "


# --- store and forward ----------------------------------------------------------------
def test_messages_wait_for_registration_and_arrive_in_order() -> None:
    network = new_network()
    codes = [network.send_otp(ALICE) for _ in range(3)]
    assert [m.tpdu.text for m in network.queued(ALICE)] == [OTP_TEXT + c for c in codes]
    phone = registered(network, sim_for(1))
    assert phone.texts == [OTP_TEXT + c for c in codes]
    assert {r.iccid for r in phone.received} == {sim_for(1).iccid}
    assert network.queued(ALICE) == []
    assert [d.iccid for d in network.deliveries(ALICE)] == [sim_for(1).iccid] * 3


def test_a_registered_subscriber_gets_the_message_at_once() -> None:
    network = new_network()
    phone = registered(network, sim_for(1))
    network.send_otp(ALICE)
    assert len(phone.texts) == 1
    assert network.message_state(network.otps[0].message_id) is MessageState.DELIVERED


def test_a_refused_message_stays_queued_and_is_delivered_exactly_once() -> None:
    network = new_network()
    phone = registered(network, sim_for(1))
    phone.refuse = True  # memory full
    network.send_otp(ALICE)
    network.send_otp(ALICE)
    assert phone.texts == [] and len(network.queued(ALICE)) == 2
    phone.refuse = False
    phone.power_cycle()  # the next attach flushes the queue
    network.settle()
    network.settle()
    assert len(phone.texts) == 2
    assert len(network.deliveries()) == 2


def test_a_deregistered_modem_refuses_and_the_message_waits() -> None:
    network = new_network()
    phone = registered(network, sim_for(1))
    phone.stat = RegStatus.NOT_SEARCHING  # lost its signal without telling the network
    network.send_otp(ALICE)
    assert phone.texts == [] and len(network.queued(ALICE)) == 1
    phone.detach()
    phone.try_register()
    network.settle()
    assert len(phone.texts) == 1


def test_deliveries_go_only_to_the_sim_bound_to_the_line() -> None:
    network = new_network()
    alice, bob = registered(network, sim_for(1)), registered(network, sim_for(2))
    network.send_otp(BOB)
    assert alice.texts == [] and len(bob.texts) == 1
    sim = alice.remove()
    assert sim is not None
    bob.remove()
    bob.insert(sim)  # Alice's SIM in Bob's phone: Alice's messages follow the SIM
    network.send_otp(ALICE)
    assert [r.iccid for r in bob.received] == [sim_for(2).iccid, sim_for(1).iccid]


# --- mobile-originated SMS and status reports --------------------------------------------
def test_an_sms_between_subscribers_carries_the_sender_number_and_the_sc_time() -> None:
    clock = ManualClock()
    network = new_network(clock)
    alice, bob = registered(network, sim_for(1)), registered(network, sim_for(2))
    alice.submit(BOB, "hello bob")
    network.settle()
    (received,) = bob.received
    assert isinstance(received.tpdu, SmsDeliver)
    deliver = SmsDeliver.decode(received.tpdu.encode())
    assert deliver.text == "hello bob"
    assert str(deliver.originator) == ALICE
    assert deliver.originator.ton == TypeOfNumber.INTERNATIONAL
    assert deliver.timestamp == clock.now()
    assert not deliver.status_report_indication


def test_a_status_report_returns_to_the_originator_when_asked_for() -> None:
    clock = ManualClock()
    network = new_network(clock)
    alice = registered(network, sim_for(1))
    submitted = clock.now()
    reference = alice.submit(BOB.lstrip("+"), "are you there?", report=True)
    network.settle()
    assert alice.reports == []  # Bob is not registered yet
    clock.advance(timedelta(hours=2))
    bob = registered(network, sim_for(2))
    assert bob.texts == ["are you there?"]
    (report,) = alice.reports
    assert report.message_reference == reference
    assert report.recipient.value == BOB.lstrip("+")
    assert (report.timestamp, report.discharge_time) == (submitted, clock.now())
    assert report.status == 0 and report.delivered


def test_a_status_report_waits_for_the_originator_too() -> None:
    network = new_network()
    alice = registered(network, sim_for(1))
    alice.submit(BOB, "ping", report=True)
    alice.remove()
    registered(network, sim_for(2))
    assert len(network.queued(ALICE)) == 1 and network.queued(ALICE)[0].is_report
    alice.insert(sim_for(1))
    network.settle()
    assert len(alice.reports) == 1


def test_no_status_report_without_the_request() -> None:
    network = new_network()
    alice, bob = registered(network, sim_for(1)), registered(network, sim_for(2))
    alice.submit(BOB, "fire and forget")
    network.settle()
    assert bob.texts == ["fire and forget"] and alice.reports == []


def test_an_sms_to_another_network_is_recorded_as_sent() -> None:
    clock = ManualClock()
    network = new_network(clock)
    alice = registered(network, sim_for(1))
    reference = alice.submit("+4915112345678", "hallo", report=True)
    alice.submit("Shop", "stop")  # an alphanumeric destination never matches a line
    network.settle()
    first, second = network.external_messages
    assert (first.sender, first.destination, first.text) == (ALICE, "+4915112345678", "hallo")
    assert first.at == clock.now() and first.message_reference == reference
    assert second.destination == "Shop"
    (report,) = alice.reports
    assert report.message_reference == reference and report.delivered


def test_a_submit_from_a_sim_the_network_does_not_serve_is_rejected() -> None:
    network = new_network()
    stranger = FakeModem(network)
    network.submit(sim_for(9).imsi, SmsPdu(decode_tpdu(_submit_bytes())), stranger)
    bob = registered(network, sim_for(2))
    network.report_lost(BOB)
    network.submit(sim_for(2).imsi, SmsPdu(decode_tpdu(_submit_bytes())), bob)
    assert network.log.actions().count("submit-rejected") == 2
    assert network.messages() == []


def _submit_bytes() -> bytes:
    # docs/sources.md §5.8 V4: SUBMIT to +27820001111, "Hello World!" (SMSC field dropped)
    return bytes.fromhex("01000B917228001011F100000CC8329BFD065DDF72363904")


# --- expiry -------------------------------------------------------------------------------
VALIDITIES: list[tuple[Validity | None, timedelta]] = [
    (RelativeValidity(0), timedelta(minutes=5)),
    (RelativeValidity(167), timedelta(days=1)),
    (EnhancedValidity.build(timedelta(seconds=90)), timedelta(seconds=90)),
    (None, timedelta(days=3)),  # the SC's default
]


@pytest.mark.parametrize(("validity", "period"), VALIDITIES)
def test_a_message_expires_at_the_end_of_its_validity(
    validity: Validity | None, period: timedelta
) -> None:
    clock = ManualClock()
    network = new_network(clock)
    alice = registered(network, sim_for(1))
    alice.submit(BOB, "soon stale", report=True, validity=validity)
    network.settle()
    (message,) = network.queued(BOB)
    assert message.expires == clock.now() + period
    clock.advance(period - timedelta(seconds=1))
    assert network.expire_due() == []
    clock.advance(timedelta(seconds=1))
    assert network.expire_due() == [message]
    assert network.message_state(message.id) is MessageState.EXPIRED
    bob = registered(network, sim_for(2))
    assert bob.texts == []
    (report,) = alice.reports
    assert report.status == 0x46 and not report.delivered  # validity period expired


def test_an_absolute_validity_period_is_a_deadline() -> None:
    clock = ManualClock()
    network = new_network(clock)
    alice = registered(network, sim_for(1))
    deadline = clock.now() + timedelta(hours=1)
    alice.submit(BOB, "by the hour", validity=AbsoluteValidity(deadline))
    network.settle()
    clock.advance(timedelta(hours=1))
    registered(network, sim_for(2))  # expiry is also checked at delivery time
    assert [e.message.tpdu.text for e in network.expiries] == ["by the hour"]


def test_an_otp_can_carry_its_own_validity() -> None:
    clock = ManualClock()
    network = new_network(clock)
    network.send_otp(ALICE, validity=timedelta(minutes=10))
    clock.advance(timedelta(minutes=10))
    phone = registered(network, sim_for(1))
    assert phone.texts == []
    assert network.message_state(network.otps[0].message_id) is MessageState.EXPIRED


# --- the OTP service ------------------------------------------------------------------------
def test_an_otp_comes_from_an_alphanumeric_sender_and_decodes_with_harness_sms() -> None:
    clock = ManualClock()
    network = VirtualNetwork(clock=clock, background=False, otp_rng=random.Random(7))
    network.provision_line(ALICE, imsi=sim_for(1).imsi, iccid=sim_for(1).iccid)
    phone = registered(network, sim_for(1))
    code = network.send_otp(ALICE)
    assert len(code) == 6 and code.isdigit()
    (received,) = phone.received
    raw = received.tpdu.encode()
    assert encode_address(received.tpdu.originator)[1] == 0xD0  # TOA alphanumeric
    deliver = SmsDeliver.decode(raw)
    assert deliver.originator.is_alphanumeric and deliver.originator.value == "HarnessBank"
    assert deliver.text == OTP_TEXT + code
    assert deliver.timestamp == clock.now()
    (record,) = network.otps
    assert (record.msisdn, record.sender, record.sent_at) == (ALICE, "HarnessBank", clock.now())
    assert code not in repr(record)
    assert all(code not in str(event) for event in network.events)


def test_a_captured_code_is_checked_against_what_was_sent() -> None:
    network = new_network()
    code = network.send_otp(ALICE, sender="GovApp")
    other = network.send_otp(BOB)
    record = network.check_otp(code, ALICE.lstrip("+"))
    assert record is not None and record.sender == "GovApp"
    assert network.check_otp(code) == record
    assert network.check_otp(other, ALICE) is None  # a code, but not Alice's
    assert network.check_otp("not-a-code") is None
    assert network.check_otp("١٢٣٤٥٦") is None


def test_an_otp_sender_name_must_fit_the_address_field() -> None:
    network = new_network()
    with pytest.raises(CodecError):
        network.send_otp(ALICE, sender="AVeryLongBankName")
    assert network.otps == []


def test_otp_codes_come_from_the_injected_rng() -> None:
    codes = []
    for _ in range(2):
        network = VirtualNetwork(background=False, otp_rng=random.Random(42))
        network.provision_line(ALICE, imsi=sim_for(1).imsi, iccid=sim_for(1).iccid)
        codes.append(network.send_otp(ALICE))
    assert codes[0] == codes[1]


# --- threads ----------------------------------------------------------------------------------
def test_attach_from_another_thread_delivers_in_the_background() -> None:
    with VirtualNetwork(clock=ManualClock()) as network:
        network.provision_line(ALICE, imsi=sim_for(1).imsi, iccid=sim_for(1).iccid)
        network.send_otp(ALICE)
        phone = FakeModem(network)
        worker = threading.Thread(target=phone.insert, args=(sim_for(1),))
        worker.start()
        worker.join(5)
        network.settle()
        assert len(phone.texts) == 1
