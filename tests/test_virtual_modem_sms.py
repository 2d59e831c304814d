"""27.005 on the virtual modem: MT SMS into the SIM's EF.SMS; read, list, delete, send."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

from test_virtual_modem_support import RawPort, modem_on_pty, new_card, unlock

from harness.sim.apdu import Apdu, Response
from harness.sim.ef.sms import decode_sms_record
from harness.sms.address import Address
from harness.sms.pdu import SmsPdu
from harness.sms.tpdu import SmsDeliver, SmsSubmit
from harness.sms.userdata import UserData
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import FaultConfig

SENDER = Address.parse("+15550001111")
WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
SUBMIT = "0001000B917228001011F100000CC8329BFD065DDF72363904"  # docs/sources.md §5.8 V4


def deliver(text: str) -> SmsDeliver:
    return SmsDeliver(SENDER, WHEN, UserData(text))


def ef_sms_record(card: VirtualUicc, number: int) -> bytes:
    """Read EF.SMS straight off the card (verified by the modem earlier in this session)."""

    def send(apdu: Apdu) -> Response:
        response = Response.from_bytes(card.transmit(apdu.to_bytes()))
        if response.sw1 == 0x61:
            get = Apdu(0x00, 0xC0, 0, 0, le=response.sw2)
            response = Response.from_bytes(card.transmit(get.to_bytes()))
        return response

    for fid in (0x3F00, 0x7F10, 0x6F3C):
        assert send(Apdu(0x00, 0xA4, 0x00, 0x04, fid.to_bytes(2, "big"))).sw == 0x9000
    response = send(Apdu(0x00, 0xB2, number, 0x04, le=176))
    assert response.sw == 0x9000
    return response.data


def read_with_data(port: RawPort, prefix: bytes) -> tuple[str, str]:
    """A +CMT/+CDS indication: its header line and the data line after it."""
    raw = port.read_until(re.compile(rb"\r\n" + re.escape(prefix) + rb"[^\r]*\r\n[0-9A-F]+\r\n"))
    header, data = raw.decode().strip().split("\r\n")
    return header, data


def test_mt_sms_is_stored_on_the_sim_and_read_with_cmgr() -> None:
    card = new_card()
    with modem_on_pty(card) as (modem, port):
        unlock(port)
        assert modem.deliver_sms(deliver("Your code is 482913")) is True
        assert port.read_until(b'+CMTI: "SM",1\r\n') == b'\r\n+CMTI: "SM",1\r\n'
        record = decode_sms_record(ef_sms_record(card, 1))
        assert record.status == 0x03  # MT, to be read
        header, pdu, ok = port.lines("AT+CMGR=1")
        assert ok == "OK"
        assert header == f"+CMGR: 0,,{len(deliver('Your code is 482913').encode())}"
        decoded = SmsPdu.from_hex(pdu)
        assert isinstance(decoded.tpdu, SmsDeliver) and decoded.tpdu.text == "Your code is 482913"
        assert str(decoded.smsc) == "+15550000000"  # the SIM's EF.SMSP service centre
        assert decode_sms_record(ef_sms_record(card, 1)).status == 0x01  # now read, on the card
        assert port.lines("AT+CMGR=1")[0].startswith("+CMGR: 1,,")
        assert port.lines("AT+CMGR=2") == ["OK"]  # free record
        assert port.lines("AT+CMGR=11") == ["+CMS ERROR: 321"]


def test_cmgl_lists_by_stat_and_marks_unread_read_cmgd_deletes() -> None:
    with modem_on_pty(new_card()) as (modem, port):
        unlock(port)
        for text in ("one", "two", "three"):
            assert modem.deliver_sms(deliver(text))
        port.read_until(b'+CMTI: "SM",3\r\n')
        assert port.lines("AT+CPMS?") == ['+CPMS: "SM",3,10,"SM",3,10,"SM",3,10', "OK"]
        port.lines("AT+CMGR=2")
        unread = port.lines("AT+CMGL=0")
        assert [line.split(",")[0] for line in unread if line.startswith("+CMGL")] == [
            "+CMGL: 1",
            "+CMGL: 3",
        ]
        assert port.lines("AT+CMGL") == ["OK"]  # default stat 0: nothing unread any more
        everything = port.lines("AT+CMGL=4")
        assert len(everything) == 7 and everything[0].startswith("+CMGL: 1,1,,")
        assert port.lines("AT+CMGD=2") == ["OK"]
        assert port.lines("AT+CPMS?")[0] == '+CPMS: "SM",2,10,"SM",2,10,"SM",2,10'
        assert port.lines("AT+CMGD=0") == ["+CMS ERROR: 321"]
        assert port.lines("AT+CMGD=1,4") == ["OK"]
        assert port.lines("AT+CMGL=4") == ["OK"]


def test_cnmi_mt2_routes_the_pdu_and_mt0_stores_silently() -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False)) as (modem, port):
        assert port.lines("AT+CNMI=2,2,0,0,0") == ["OK"]
        sms = deliver("direct")
        assert modem.deliver_sms(sms.encode())
        header, pdu = read_with_data(port, b"+CMT: ")
        assert header == f"+CMT: ,{len(sms.encode())}"
        assert SmsPdu.from_hex(pdu).tpdu == sms
        assert port.lines("AT+CPMS?")[0].startswith('+CPMS: "SM",0,10')
        assert port.lines("AT+CNMI=2,0") == ["OK"]
        assert modem.deliver_sms(deliver("quiet"))
        assert port.drain(0.05) == b""
        assert port.lines("AT+CPMS?")[0].startswith('+CPMS: "SM",1,10')


def test_cnmi_mode_0_holds_indications_until_mode_2() -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False)) as (modem, port):
        assert port.lines("AT+CNMI=0,1") == ["OK"]
        assert modem.deliver_sms(deliver("held"))
        assert port.drain(0.05) == b""
        assert port.command("AT+CNMI=2,1,0,0,0") == b"\r\nOK\r\n"
        assert port.read_until(b"\r\n") + port.read_until(b"\r\n") == b'\r\n+CMTI: "SM",1\r\n'


def test_me_memory_and_full_sim_refuses() -> None:
    card = new_card(pins__pin1_enabled=False, sms__records=1)
    with modem_on_pty(card) as (modem, port):
        assert modem.deliver_sms(deliver("fits"))
        port.read_until(b'+CMTI: "SM",1\r\n')
        assert modem.deliver_sms(deliver("no room")) is False  # the network keeps it
        assert port.lines('AT+CPMS="ME","ME","ME"') == ["+CPMS: 0,50,0,50,0,50", "OK"]
        assert modem.deliver_sms(deliver("to flash"))
        port.read_until(b'+CMTI: "ME",1\r\n')
        assert port.lines("AT+CMGR=1")[0].startswith("+CMGR: 0,,")
        assert port.lines('AT+CPMS="XX"') == ["+CMS ERROR: 302"]


def test_cmgs_prompt_ctrl_z_sends_and_esc_aborts() -> None:
    with modem_on_pty(new_card()) as (modem, port):
        unlock(port)
        assert port.command("AT+CMGS=24") == b"\r\n> "
        port.write(SUBMIT.encode() + b"\x1a")
        assert port.read_until(b"OK\r\n") == b"\r\n+CMGS: 0\r\n\r\nOK\r\n"
        assert port.command("AT+CMGS=24") == b"\r\n> "
        port.write(b"0011\x1b")
        assert port.read_until(b"OK\r\n") == b"\r\nOK\r\n"
        assert port.command("AT+CMGS=25") == b"\r\n> "  # length does not match the TPDU
        port.write(SUBMIT.encode() + b"\x1a")
        assert port.read_until(b"\r\n+CMS ERROR: 304\r\n")
        assert port.command("AT+CMGS=24") == b"\r\n> "
        port.write(b"ZZ\x1a")
        assert port.read_until(b"\r\n+CMS ERROR: 304\r\n")
        assert port.command("AT+CMGS=24") == b"\r\n> "
        port.write(SUBMIT.encode() + b"\x1a")
        assert port.read_until(b"OK\r\n") == b"\r\n+CMGS: 1\r\n\r\nOK\r\n"
        sent = modem.sent_messages
        assert [s.tpdu.message_reference for s in sent] == [0, 1]  # type: ignore[union-attr]
        assert isinstance(sent[0].tpdu, SmsSubmit) and sent[0].tpdu.text == "Hello World!"
        assert str(sent[0].smsc) == "+15550000000"  # 00 in the PDU: the +CSCA number


def test_message_references_wrap_at_256() -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False)) as (modem, port):
        modem._fw.sms.next_reference = 255  # a modem that has sent 255 messages
        for expected in (255, 0):
            assert port.command("AT+CMGS=24") == b"\r\n> "
            port.write(SUBMIT.encode() + b"\x1a")
            assert port.read_until(b"OK\r\n") == f"\r\n+CMGS: {expected}\r\n\r\nOK\r\n".encode()


def test_status_report_requested_comes_back_per_cnmi_ds() -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False)) as (_, port):
        assert port.lines("AT+CNMI=2,1,0,1,0") == ["OK"]
        srr = SmsSubmit(
            Address.parse("+15550002222"), UserData("ping"), status_report_request=True
        ).encode()
        pdu = "00" + srr.hex().upper()
        assert port.command(f"AT+CMGS={len(srr)}") == b"\r\n> "
        port.write(pdu.encode() + b"\x1a")
        assert port.read_until(b"OK\r\n") == b"\r\n+CMGS: 0\r\n\r\nOK\r\n"
        header, data = read_with_data(port, b"+CDS: ")
        report = SmsPdu.from_hex(data, tpdu_length=int(header.split(":")[1])).tpdu
        assert report.message_reference == 0 and report.delivered  # type: ignore[union-attr]
        # ds=2: stored, +CDSI
        assert port.lines("AT+CNMI=2,1,0,2,0") == ["OK"]
        assert port.command(f"AT+CMGS={len(srr)}") == b"\r\n> "
        port.write(pdu.encode() + b"\x1a")
        port.read_until(b"OK\r\n")
        assert port.read_until(b'\r\n+CDSI: "SM",1\r\n')


def test_sms_without_registration_or_smsc() -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False)) as (modem, port):
        assert port.lines("AT+CFUN=4") == ["OK"]
        port.drain(0.02)
        assert port.command("AT+CMGS=24") == b"\r\n> "
        port.write(SUBMIT.encode() + b"\x1a")
        assert port.read_until(b"\r\n+CMS ERROR: 331\r\n")
        assert modem.deliver_sms(deliver("offline")) is False
        assert modem.sent_messages == []


def test_text_mode_send_read_and_list() -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False)) as (modem, port):
        assert port.lines("AT+CMGF=1") == ["OK"]
        assert port.command('AT+CMGS="+15550003333"') == b"\r\n> "
        port.write(b"first line\r")
        assert port.read_until(b"\r\n> ")
        port.write(b"second\x1a")
        assert port.read_until(b"OK\r\n") == b"\r\n+CMGS: 0\r\n\r\nOK\r\n"
        sent = modem.sent_messages[0].tpdu
        assert isinstance(sent, SmsSubmit) and sent.text == "first line\nsecond"
        assert str(sent.destination) == "+15550003333"
        assert modem.deliver_sms(deliver("hi there"))
        port.read_until(b'+CMTI: "SM",1\r\n')
        assert port.lines("AT+CMGR=1") == [
            '+CMGR: "REC UNREAD","+15550001111",,"24/01/02,03:04:05+00"',
            "hi there",
            "OK",
        ]
        assert port.lines('AT+CMGL="ALL"') == [
            '+CMGL: 1,"REC READ","+15550001111",,"24/01/02,03:04:05+00"',
            "hi there",
            "OK",
        ]
        assert port.lines('AT+CMGL="BOGUS"') == ["+CMS ERROR: 305"]


def test_cmgw_stores_and_cmss_sends_from_storage() -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False)) as (modem, port):
        assert port.command("AT+CMGW=24") == b"\r\n> "
        port.write(SUBMIT.encode() + b"\x1a")
        assert port.read_until(b"OK\r\n") == b"\r\n+CMGW: 1\r\n\r\nOK\r\n"
        assert port.lines("AT+CMGL=2")[0] == "+CMGL: 1,2,,24"
        assert port.lines("AT+CMSS=1") == ["+CMSS: 0", "OK"]
        assert port.lines("AT+CMGL=3")[0] == "+CMGL: 1,3,,24"
        assert len(modem.sent_messages) == 1


def test_csca_and_csmp() -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False)) as (_, port):
        assert port.lines('AT+CSCA="+4915790109999",145') == ["OK"]
        assert port.lines("AT+CSCA?") == ['+CSCA: "+4915790109999",145', "OK"]
        assert port.lines("AT+CSMP?") == ["+CSMP: 17,167,0,0", "OK"]
        assert port.lines("AT+CSMP=49,169") == ["OK"]
        assert port.lines("AT+CSMP?") == ["+CSMP: 49,169,0,0", "OK"]
        assert port.lines("AT+CPMS=?") == ['+CPMS: ("SM","ME"),("SM","ME"),("SM","ME")', "OK"]


def _report_gap(faults: FaultConfig | None) -> float:
    """Seconds between the +CMGS answer and the +CDSI of its status report."""
    with modem_on_pty(new_card(pins__pin1_enabled=False), faults=faults) as (_, port):
        assert port.lines("AT+CNMI=2,1,0,2,0") == ["OK"]
        srr = SmsSubmit(
            Address.parse("+15550002222"), UserData("ping"), status_report_request=True
        ).encode()
        assert port.command(f"AT+CMGS={len(srr)}") == b"\r\n> "
        port.write(b"00" + srr.hex().upper().encode() + b"\x1a")
        port.read_until(b"OK\r\n")
        answered = time.monotonic()
        port.read_until(b'\r\n+CDSI: "SM",')
        return time.monotonic() - answered


def test_the_status_report_comes_a_while_after_the_submit() -> None:
    assert 0.08 <= _report_gap(None) < 1.0


def test_the_burst_fault_sends_the_report_with_the_submit() -> None:
    assert _report_gap(FaultConfig(status_report_burst=True)) < 0.05
