"""The virtual network with real virtual modems and SIMs, seen from the modems' ptys.

The host side is a raw pty reader (test_virtual_modem_support.RawPort), not the
harness.modem driver: what the network does must show up as the AT bytes a
real modem would send.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from test_virtual_modem_support import RawPort, new_card

from harness.sms.address import Address
from harness.sms.pdu import SmsPdu
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver, SmsSubmit
from harness.sms.userdata import UserData
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem
from harness.virtual.network import MessageState, VirtualNetwork

OTP = re.compile(r"Your verification code is (\d{6})")
ALICE_NEW = {"card__imsi": "001010000000777", "card__iccid": "8988211000000000777"}
BOB = {
    "card__imsi": "001010000000222",
    "card__iccid": "8988211000000000222",
    "card__msisdn": "+15555550222",
}


@contextmanager
def modem_on(
    network: VirtualNetwork, card: VirtualUicc | None
) -> Iterator[tuple[VirtualModem, RawPort]]:
    with VirtualModem(card, network=network) as modem:
        port = RawPort(modem.start_pty())
        try:
            for line in ("ATE0", "AT+CMEE=1"):
                port.command(line)
            port.drain(0.02)
            yield modem, port
        finally:
            port.close()


def read_indication(port: RawPort, prefix: bytes, timeout: float = 3.0) -> SmsPdu:
    """A +CMT/+CDS in PDU mode: header `<prefix>[<alpha>],<length>`, then the hex PDU."""
    raw = port.read_until(
        re.compile(rb"\r\n" + re.escape(prefix) + rb"(?:[^\r]*,)?(\d+)\r\n([0-9A-F]+)\r\n"), timeout
    )
    header, data = raw.decode().strip().split("\r\n")
    return SmsPdu.from_hex(data, tpdu_length=int(re.split(r"[ ,]", header)[-1]))


def read_stored(port: RawPort, memory_index: bytes) -> SmsDeliver:
    """+CMTI then AT+CMGR: the stored SMS-DELIVER."""
    index = int(memory_index)
    header, pdu, ok = port.lines(f"AT+CMGR={index}")
    assert ok == "OK" and header.startswith("+CMGR: 0,")
    tpdu = SmsPdu.from_hex(pdu).tpdu
    assert isinstance(tpdu, SmsDeliver)
    return tpdu


def wait_cmti(port: RawPort, timeout: float = 3.0) -> bytes:
    match = re.search(
        rb'\+CMTI: "SM",(\d+)', port.read_until(re.compile(rb'\+CMTI: "SM",\d+\r\n'), timeout)
    )
    assert match is not None
    return match.group(1)


def test_an_unlocked_sim_receives_the_otp_as_cmt_from_an_alphanumeric_sender() -> None:
    card = new_card(pins__pin1_enabled=False)
    with VirtualNetwork() as network:
        network.provision(card.profile)
        with modem_on(network, card) as (_modem, port):
            assert port.lines("AT+CREG?") == ["+CREG: 0,1", "OK"]
            assert port.lines("AT+COPS?") == ['+COPS: 0,0,"Harness Test",7', "OK"]
            assert port.lines("AT+CNMI=2,2,0,0,0") == ["OK"]
            code = network.send_otp(card.profile.msisdn)
            pdu = read_indication(port, b"+CMT: ")
            assert isinstance(pdu.tpdu, SmsDeliver)
            assert pdu.tpdu.originator == Address.alphanumeric("HarnessBank")
            match = OTP.fullmatch(pdu.tpdu.text)
            assert match is not None and match.group(1) == code
            assert network.check_otp(match.group(1), card.profile.msisdn) is not None


def test_a_pin_locked_sim_holds_the_otp_until_the_pin_is_entered() -> None:
    card = new_card()  # PIN1 enabled
    msisdn = card.profile.msisdn
    with VirtualNetwork() as network:
        network.provision(card.profile)
        with modem_on(network, card) as (_modem, port):
            code = network.send_otp(msisdn)
            network.settle()
            assert network.registration_of(card.profile.imsi) is None
            assert port.lines("AT+CPIN?") == ["+CPIN: SIM PIN", "OK"]
            assert port.lines("AT+CMGL=4") == ["+CMS ERROR: 311"]  # SIM PIN required
            assert b"+CMT" not in port.drain(0.2)
            (message,) = network.queued(msisdn)
            assert network.message_state(message.id) is MessageState.QUEUED
            assert "attach" not in network.log.actions()
            assert port.lines('AT+CPIN="1234"')[-1] == "OK"
            stored = read_stored(port, wait_cmti(port))
            assert stored.originator.is_alphanumeric
            assert stored.text == f"Your verification code is {code}"
            # The +CMTI can reach us before the network's worker books the delivery.
            network.settle()
            assert network.message_state(message.id) is MessageState.DELIVERED
            (delivery,) = network.deliveries(msisdn)
            assert delivery.iccid == card.profile.iccid


def test_report_lost_shows_denied_and_reactivation_releases_the_held_otp() -> None:
    card = new_card(pins__pin1_enabled=False)
    msisdn = card.profile.msisdn
    with VirtualNetwork() as network:
        network.provision(card.profile)
        with modem_on(network, card) as (_modem, port):
            assert port.lines("AT+CREG=1") == ["OK"]
            assert port.lines("AT+CEREG=2") == ["OK"]
            network.report_lost(msisdn, by="owner")
            urcs = port.read_until(b"+CEREG: 3\r\n")
            assert urcs == b"\r\n+CREG: 3\r\n\r\n+CEREG: 3\r\n"  # n=1 / n=2, not registered
            code = network.send_otp(msisdn)
            assert port.lines("AT+CMGL=4") == ["OK"]  # nothing arrived
            network.reactivate(msisdn, by="caller")
            out = port.read_until(re.compile(rb'\+CMTI: "SM",\d+\r\n'))
            assert b"+CREG: 1\r\n" in out and b'+CEREG: 1,"00C3"' in out
            index = re.findall(rb'\+CMTI: "SM",(\d+)', out)[-1]
            assert read_stored(port, index).text.endswith(code)


def test_a_swapped_out_sim_is_refused_and_the_new_sim_gets_the_held_otp() -> None:
    old_card = new_card(pins__pin1_enabled=False)
    new_card_ = new_card(pins__pin1_enabled=False, **ALICE_NEW)
    msisdn = old_card.profile.msisdn
    with VirtualNetwork() as network:
        network.provision(old_card.profile)
        with (
            modem_on(network, old_card) as (_, old_port),
            modem_on(network, new_card_) as (_, new_port),
        ):
            assert new_port.lines("AT+CREG?") == ["+CREG: 0,3", "OK"]  # not (yet) a subscriber
            assert old_port.lines("AT+CREG=1") == ["OK"]
            network.report_lost(msisdn, by="owner")
            old_port.read_until(b"+CREG: 3\r\n")
            code = network.send_otp(msisdn)
            network.swap_sim(msisdn, new_card_.profile, by="shop")
            assert new_port.lines("AT+COPS=0") == ["OK"]  # the new phone tries again
            assert read_stored(new_port, wait_cmti(new_port)).text.endswith(code)
            assert old_port.lines("AT+COPS=0") == ["OK"]  # the old phone tries again: refused
            assert old_port.read_until(b"+CREG: 3\r\n").endswith(
                b"\r\n+CREG: 2\r\n\r\n+CREG: 3\r\n"
            )
            assert old_port.lines("AT+CREG?") == ["+CREG: 1,3", "OK"]
            assert old_port.lines("AT+CMGL=4") == ["OK"]


def test_a_sim_moved_to_another_modem_takes_its_messages_along() -> None:
    card = new_card(pins__pin1_enabled=False)
    with VirtualNetwork() as network:
        network.provision(card.profile)
        with (
            modem_on(network, card) as (first, first_port),
            modem_on(network, None) as (second, second_port),
        ):
            first.remove_sim()
            code = network.send_otp(card.profile.msisdn)
            network.settle()
            second.insert_sim(card)
            assert read_stored(second_port, wait_cmti(second_port)).text.endswith(code)
            assert first_port.drain(0.05).count(b"+CMTI") == 0


def test_two_modems_text_each_other_with_a_status_report() -> None:
    alice = new_card(pins__pin1_enabled=False)
    bob = new_card(pins__pin1_enabled=False, **BOB)
    with VirtualNetwork() as network:
        network.provision(alice.profile)
        network.provision(bob.profile)
        with modem_on(network, alice) as (_, a_port), modem_on(network, bob) as (_, b_port):
            assert a_port.lines("AT+CNMI=2,1,0,1,0") == ["OK"]
            assert b_port.lines("AT+CNMI=2,2,0,0,0") == ["OK"]
            submit = SmsSubmit(
                Address.parse(bob.profile.msisdn), UserData("hi bob"), status_report_request=True
            )
            tpdu = submit.encode()
            assert a_port.command(f"AT+CMGS={len(tpdu)}") == b"\r\n> "
            a_port.write(("00" + tpdu.hex().upper()).encode() + b"\x1a")
            assert a_port.read_until(b"OK\r\n") == b"\r\n+CMGS: 0\r\n\r\nOK\r\n"
            deliver = read_indication(b_port, b"+CMT: ").tpdu
            assert isinstance(deliver, SmsDeliver)
            assert (deliver.text, str(deliver.originator)) == ("hi bob", alice.profile.msisdn)
            report = read_indication(a_port, b"+CDS: ").tpdu
            assert isinstance(report, SmsStatusReport)
            assert report.delivered and report.message_reference == 0


def test_two_modems_texting_each_other_at_once_do_not_deadlock() -> None:
    alice = new_card(pins__pin1_enabled=False)
    bob = new_card(pins__pin1_enabled=False, **BOB)
    with VirtualNetwork() as network:
        network.provision(alice.profile)
        network.provision(bob.profile)
        with modem_on(network, alice) as (_, a_port), modem_on(network, bob) as (_, b_port):
            for port in (a_port, b_port):
                assert port.lines("AT+CNMI=2,2,0,0,0") == ["OK"]
            seen = {id(a_port): b"", id(b_port): b""}
            for _ in range(5):
                for port, to in ((a_port, bob), (b_port, alice)):
                    tpdu = SmsSubmit(Address.parse(to.profile.msisdn), UserData("x")).encode()
                    out = port.command(f"AT+CMGS={len(tpdu)}")
                    assert out.endswith(b"\r\n> ")
                    port.write(("00" + tpdu.hex().upper()).encode() + b"\x1a")
                    out += port.read_until(re.compile(rb"\+CMGS: \d+\r\n\r\nOK\r\n"))
                    seen[id(port)] += out
            network.settle()
            assert len(network.deliveries()) == 10
            for port in (a_port, b_port):
                assert (seen[id(port)] + port.drain(0.05)).count(b"+CMT: ") == 5
