"""TS 27.005 §3.2.1 +CSMS phase 2+ and §3.4.4 +CNMA: the virtual modem and the Modem driver."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from test_virtual_modem_sms import read_with_data
from test_virtual_modem_support import RawPort, modem_on_pty, new_card

from harness.errors import SmsIntegrityError
from harness.modem import Modem, ReplayScript, ReplayStream
from harness.safety import SafetyPolicy
from harness.sms.address import Address
from harness.sms.pdu import SmsPdu
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver
from harness.sms.userdata import UserData
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem

SENDER = Address.parse("+15550001111")
WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def card() -> VirtualUicc:
    return new_card(pins__pin1_enabled=False)


def deliver(text: str) -> SmsDeliver:
    return SmsDeliver(SENDER, WHEN, UserData(text))


def routed_text(port: RawPort) -> str:
    header, data = read_with_data(port, b"+CMT: ")
    tpdu = SmsPdu.from_hex(data, tpdu_length=int(header.split(",")[1])).tpdu
    assert isinstance(tpdu, SmsDeliver)
    return tpdu.text


def test_phase_2_plus_sticks_and_reads_back() -> None:
    with modem_on_pty(card()) as (_, port):
        assert port.lines("AT+CSMS?") == ["+CSMS: 0,1,1,1", "OK"]
        assert port.lines("AT+CSMS=1") == ["+CSMS: 1,1,1", "OK"]
        assert port.lines("AT+CSMS?") == ["+CSMS: 1,1,1,1", "OK"]
        assert port.lines("AT+CSMS=2") == ["+CMS ERROR: 304"]
        assert port.lines("AT+CSMS?") == ["+CSMS: 1,1,1,1", "OK"]
        assert port.lines("ATZ") == ["OK"]  # a volatile setting: back to phase 2
        port.command("ATE0")  # ATZ brought the echo back
        assert port.lines("AT+CSMS?") == ["+CSMS: 0,1,1,1", "OK"]


def test_cnma_without_anything_to_acknowledge_is_cms_340() -> None:
    with modem_on_pty(card()) as (modem, port):
        assert port.lines("AT+CNMA") == ["+CMS ERROR: 340"]  # phase 2: the ME acks itself
        assert port.lines("AT+CNMI=2,2,0,0,0") == ["OK"]
        assert modem.deliver_sms(deliver("self-acknowledged"))
        assert routed_text(port) == "self-acknowledged"
        assert port.lines("AT+CNMA") == ["+CMS ERROR: 340"]
        assert port.lines("AT+CSMS=1") == ["+CSMS: 1,1,1", "OK"]
        assert port.lines("AT+CNMA") == ["+CMS ERROR: 340"]  # phase 2+, nothing routed yet
        assert port.lines("AT+CNMA=?") == ["+CNMA: (0-2)", "OK"]


def test_the_next_cmt_waits_for_the_acknowledgement_of_the_previous() -> None:
    with modem_on_pty(card()) as (modem, port):
        assert port.lines("AT+CSMS=1") == ["+CSMS: 1,1,1", "OK"]
        assert port.lines("AT+CNMI=2,2,0,0,0") == ["OK"]
        assert modem.deliver_sms(deliver("first"))
        assert modem.deliver_sms(deliver("second"))
        assert routed_text(port) == "first"
        assert b"+CMT" not in port.drain(0.1)  # held until the first is acknowledged
        assert port.lines("AT+CNMA") == ["OK"]
        assert routed_text(port) == "second"
        assert port.lines("AT+CNMA=0") == ["OK"]
        assert port.lines("AT+CNMA") == ["+CMS ERROR: 340"]
        assert port.lines("AT+CNMI?") == ["+CNMI: 2,2,0,0,0", "OK"]


def test_no_acknowledgement_in_time_turns_routing_off_and_keeps_the_messages() -> None:
    with VirtualModem(card(), cnma_timeout=0.2) as modem:
        port = RawPort(modem.start_pty())
        try:
            for line in ("ATE0", "AT+CMEE=1", "AT+CSMS=1", "AT+CNMI=2,2,0,1,0"):
                port.command(line)
            port.drain(0.02)
            assert modem.deliver_sms(deliver("unacknowledged"))
            assert modem.deliver_sms(deliver("held behind it"))
            assert routed_text(port) == "unacknowledged"
            time.sleep(0.3)
            # §3.4.4: the TA sets <mt> and <ds> to 0; both messages are kept, not lost
            assert port.lines("AT+CNMI?") == ["+CNMI: 2,0,0,0,0", "OK"]
            assert port.lines("AT+CNMA") == ["+CMS ERROR: 340"]
            assert port.lines("AT+CPMS?")[0].startswith('+CPMS: "SM",2,')
            assert b"+CMT" not in port.drain(0.05)
        finally:
            port.close()


def test_rp_error_keeps_the_message_in_storage_and_says_where() -> None:
    with modem_on_pty(card()) as (modem, port):
        assert port.lines("AT+CSMS=1") == ["+CSMS: 1,1,1", "OK"]
        assert port.lines("AT+CNMI=2,2,0,0,0") == ["OK"]
        assert modem.deliver_sms(deliver("refused"))
        assert routed_text(port) == "refused"
        assert port.lines("AT+CNMA=2") == ["OK"]
        assert port.read_until(b'+CMTI: "SM",1\r\n')
        assert port.lines("AT+CNMI?") == ["+CNMI: 2,2,0,0,0", "OK"]  # routing stays on
        assert port.lines("AT+CNMA=1,5") == ["+CMS ERROR: 304"]  # no DELIVER-REPORT PDU


def test_a_routed_status_report_needs_its_acknowledgement_too() -> None:
    with modem_on_pty(card()) as (modem, port):
        assert port.lines("AT+CSMS=1") == ["+CSMS: 1,1,1", "OK"]
        assert port.lines("AT+CNMI=2,2,0,1,0") == ["OK"]
        report = SmsStatusReport(7, Address.parse("+15550002222"), WHEN, WHEN, 0)
        assert modem.deliver_status_report(report)
        assert modem.deliver_sms(deliver("after the report"))
        header, _ = read_with_data(port, b"+CDS: ")
        assert header == f"+CDS: {len(report.encode())}"
        assert b"+CMT" not in port.drain(0.1)
        assert port.lines("AT+CNMA") == ["OK"]
        assert routed_text(port) == "after the report"


def test_the_driver_routes_to_the_terminal_and_acknowledges() -> None:
    with VirtualModem(card(), cnma_timeout=2.0) as device:
        path = device.start_pty()
        safety = SafetyPolicy.unrestricted("virtual modem")
        with Modem(path, safety=safety, default_timeout=3.0) as modem:
            modem.wait_for_registration(10)
            modem.route_sms_to_terminal()
            assert modem.command("AT+CSMS?").lines == ["+CSMS: 1,1,1,1"]
            for text in ("one", "two"):
                assert device.deliver_sms(deliver(text))
            assert [modem.wait_for_sms(3).text for _ in range(2)] == ["one", "two"]
            report = SmsStatusReport(9, Address.parse("+15550002222"), WHEN, WHEN, 0)
            assert device.deliver_status_report(report)
            got = modem.wait_for_status_report(3).status_report
            assert got is not None and got.message_reference == 9 and got.delivered
            # every one was acknowledged: routing is still on and nothing is owed
            assert modem.command("AT+CNMI?").lines == ["+CNMI: 2,2,0,1,0"]
            time.sleep(0.1)
            assert modem.command("AT+CPMS?").lines[0].startswith('+CPMS: "SM",0,')


def _routed_script(pdu_line: str) -> str:
    return (
        "-> ATE0\n<- OK\n-> AT+CMEE=1\n<- OK\n"
        "-> AT+CMGF=0\n<- OK\n-> AT+CNMI=2,1,0,0,0\n<- OK\n"
        "-> AT+CSMS=1\n<- +CSMS: 1,1,1\n<- OK\n"
        f"-> AT+CNMI=2,2,0,1,0\n<- OK\n<- +CMT: ,{len(GOOD) // 2 - 1}\n<- {pdu_line}\n"
    )


GOOD = "00" + SmsDeliver(SENDER, WHEN, UserData("code 424242")).encode().hex().upper()


def test_the_driver_acknowledges_an_intact_cmt_and_refuses_a_damaged_one() -> None:
    """27.005 §3.4.4: RP-ACK (+CNMA) for what it took, RP-ERROR (+CNMA=2) for a message
    that arrived damaged, so the network keeps it and sends it again."""
    intact = ReplayStream(ReplayScript.parse(_routed_script(GOOD) + "-> AT+CNMA\n<- OK\n"))
    with Modem(intact, vendor="generic") as modem:
        modem.route_sms_to_terminal()
        assert modem.wait_for_sms(3).text == "code 424242"
    assert intact.finished and not intact.mismatches
    damaged_pdu = GOOD[:-6] + "ZZ"  # the line lost characters: no valid hex PDU
    damaged = ReplayStream(
        ReplayScript.parse(_routed_script(damaged_pdu) + "-> AT+CNMA=2\n<- OK\n")
    )
    with Modem(damaged, vendor="generic") as modem:
        modem.route_sms_to_terminal()
        with pytest.raises(SmsIntegrityError):
            modem.wait_for_sms(3)
    assert damaged.finished and not damaged.mismatches


REPORT = "00" + SmsStatusReport(9, Address.parse("+15550002222"), WHEN, WHEN, 0).encode().hex()


def _report_script(*pdu_lines: str, length: str = "", phase2plus: bool = True) -> str:
    """Routing set up, then one +CDS per PDU line, each answered as the driver should
    (`length`: the first header's <length> as the line delivered it)."""
    script = (
        "-> ATE0\n<- OK\n-> AT+CMEE=1\n<- OK\n-> AT+CMGF=0\n<- OK\n-> AT+CNMI=2,1,0,0,0\n<- OK\n"
    )
    if phase2plus:
        script += "-> AT+CSMS=1\n<- +CSMS: 1,1,1\n<- OK\n"
    else:
        script += "-> AT+CSMS=0\n<- OK\n"
    script += "-> AT+CNMI=2,2,0,1,0\n<- OK\n"
    for number, line in enumerate(pdu_lines):
        header = length if number == 0 and length else str(len(REPORT) // 2 - 1)
        script += f"<- +CDS: {header}\n<- {line}\n"
        if phase2plus:
            good = line == REPORT and header == str(len(REPORT) // 2 - 1)
            script += "-> AT+CNMA\n<- OK\n" if good else "-> AT+CNMA=2\n<- OK\n"
    return script


def test_a_damaged_routed_report_is_refused_and_its_resend_taken() -> None:
    """No delivery verdict on a damaged +CDS: RP-ERROR, then the network's copy."""
    damaged = REPORT[:-6] + "ZZ"
    stream = ReplayStream(ReplayScript.parse(_report_script(damaged, REPORT)))
    with Modem(stream, vendor="generic") as modem:
        modem.route_sms_to_terminal()
        report = modem.wait_for_status_report(3).status_report
        assert report is not None and report.message_reference == 9
    assert stream.finished and not stream.mismatches


def test_a_damaged_routed_report_with_no_resend_is_an_integrity_error() -> None:
    stream = ReplayStream(ReplayScript.parse(_report_script(REPORT[:-6] + "ZZ")))
    with Modem(stream, vendor="generic") as modem:
        modem.route_sms_to_terminal()
        with pytest.raises(SmsIntegrityError, match="status report"):
            modem.wait_for_status_report(0.5)
    assert stream.finished and not stream.mismatches


def test_a_routed_report_with_a_damaged_header_is_refused_too() -> None:
    """A digit lost from <length>: RP-ERROR as for a damaged PDU, then the copy."""
    stream = ReplayStream(ReplayScript.parse(_report_script(REPORT, REPORT, length="2x")))
    with Modem(stream, vendor="generic") as modem:
        modem.route_sms_to_terminal()
        report = modem.wait_for_status_report(3).status_report
        assert report is not None and report.message_reference == 9
    assert stream.finished and not stream.mismatches


def test_in_phase_1_a_damaged_report_fails_at_once() -> None:
    """The modem acknowledged it itself (+CSMS=0): no copy will come, so no waiting."""
    damaged = REPORT[:-6] + "ZZ"
    stream = ReplayStream(ReplayScript.parse(_report_script(damaged, phase2plus=False)))
    with Modem(stream, vendor="generic") as modem:
        modem.route_sms_to_terminal(phase2plus=False)
        started = time.monotonic()
        with pytest.raises(SmsIntegrityError, match="status report"):
            modem.wait_for_status_report(30)
        assert time.monotonic() - started < 5
    assert stream.finished and not stream.mismatches
