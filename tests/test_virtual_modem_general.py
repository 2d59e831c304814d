"""The virtual modem's 27.007 basics over a real pty: framing, echo, CMEE, identity, CFUN, CREG."""

from __future__ import annotations

from datetime import UTC, datetime

from test_virtual_modem_support import RawPort, modem_on_pty, new_card, unlock

from harness.sms.address import Address
from harness.sms.tpdu import SmsDeliver
from harness.sms.userdata import UserData
from harness.virtual.modem import DefaultNetwork, RegStatus, VirtualModem
from harness.virtual.sim_view import SimView


def test_echo_editing_and_several_commands_on_one_line() -> None:
    with modem_on_pty(new_card(), setup=()) as (_, port):
        assert port.command("AT") == b"AT\r\r\nOK\r\n"
        # backspace removes the typo; the modem echoes the bytes as they arrive
        assert port.command("AT+CGMX\x08I") == b"AT+CGMX\x08I\r\r\nsim-harness\r\n\r\nOK\r\n"
        assert port.command("ATE0") == b"ATE0\r\r\nOK\r\n"
        assert port.lines("at+cmee=1;+cgmm;+CGSN") == [
            "Virtual 27.007 modem",
            "356938035643809",
            "OK",
        ]
        assert port.lines("ATE1") == ["OK"]
        assert port.command("AT") == b"AT\r\r\nOK\r\n"


def test_noise_without_at_is_ignored_and_lf_after_cr_is_harmless() -> None:
    with modem_on_pty(new_card()) as (_, port):
        port.write(b"hello\r\n")
        assert port.drain(0.05) == b""
        port.write(b"AT\r\n")
        assert port.read_until(b"OK\r\n") == b"\r\nOK\r\n"


def test_cmee_0_1_2_and_unknown_commands() -> None:
    with modem_on_pty(new_card(), setup=("ATE0",)) as (_, port):
        assert port.lines("AT+CIMI") == ["ERROR"]  # CMEE=0: plain ERROR
        assert port.lines("AT+CMEE=2;+CIMI") == ["+CME ERROR: SIM PIN required"]
        assert port.lines("AT+CMGF?") == ["+CMS ERROR: SIM PIN required"]
        assert port.lines("AT+CMEE=1;+CIMI") == ["+CME ERROR: 11"]
        assert port.lines("AT+CMEE?") == ["+CMEE: 1", "OK"]
        assert port.lines("AT+XYZZY") == ["ERROR"]
        assert port.lines("AT+CMEE=7") == ["+CME ERROR: 50"]
        # an error stops the line: +CGMI after the failing command never runs
        assert port.lines("AT+CIMI;+CGMI") == ["+CME ERROR: 11"]


def test_identification_and_ati() -> None:
    with modem_on_pty(new_card()) as (_, port):
        assert port.lines("AT+CGMI;+CGMM;+CGMR") == [
            "sim-harness",
            "Virtual 27.007 modem",
            "1.0",
            "OK",
        ]
        assert port.lines("ATI") == ["sim-harness", "Virtual 27.007 modem", "Revision: 1.0", "OK"]
        assert port.lines("AT+CPAS") == ["+CPAS: 0", "OK"]


def test_atz_restores_defaults() -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False)) as (_, port):
        assert port.lines("AT+CREG=2;+CMGF=1;+CMEE=2") == ["OK"]
        assert port.command("ATZ") == b"\r\nOK\r\n"
        assert port.command("AT+CMEE?") == b"AT+CMEE?\r\r\n+CMEE: 0\r\n\r\nOK\r\n"


def test_registration_urcs_follow_n_and_the_pin() -> None:
    with modem_on_pty(new_card()) as (modem, port):
        assert modem.registration is RegStatus.NOT_SEARCHING
        assert port.lines("AT+CPIN?") == ["+CPIN: SIM PIN", "OK"]
        unlock(port)
        assert modem.registration is RegStatus.HOME
        assert port.lines("AT+CREG?;+CGREG?;+CEREG?") == [
            "+CREG: 0,1",
            "+CGREG: 0,1",
            "+CEREG: 0,1",
            "OK",
        ]
        assert port.lines("AT+CREG=2;+CEREG=1;+CREG?") == [
            '+CREG: 2,1,"00C3","0001A2B3",7',
            "OK",
        ]
        assert port.lines("AT+COPS?") == ['+COPS: 0,0,"Harness Test",7', "OK"]
        assert port.lines("AT+CSQ") == ["+CSQ: 20,99", "OK"]
        # flight mode: deregistered, with a URC for each n > 0
        assert port.command("AT+CFUN=4").endswith(b"OK\r\n")
        urcs = port.read_until(b"+CEREG: 0\r\n")
        assert b"+CREG: 0\r\n" in urcs
        assert modem.registration is RegStatus.NOT_SEARCHING
        assert port.lines("AT+CFUN?") == ["+CFUN: 4", "OK"]
        assert port.lines("AT+CSQ") == ["+CSQ: 99,99", "OK"]
        # back to full: the card stayed powered and verified, registration returns
        assert port.lines("AT+CFUN=1")[-1] == "OK"
        urcs = port.read_until(b"+CEREG: 1\r\n")
        assert urcs == (
            b"\r\n+CREG: 2\r\n\r\n+CEREG: 2\r\n"
            b'\r\n+CREG: 1,"00C3","0001A2B3",7\r\n\r\n+CEREG: 1\r\n'
        )
        assert modem.registration is RegStatus.HOME


def test_cfun_0_powers_the_sim_down_and_back_up_locked() -> None:
    card = new_card()
    with modem_on_pty(card) as (modem, port):
        unlock(port)
        assert port.lines("AT+CFUN=0") == ["OK"]
        assert port.lines("AT+CPIN?") == ["+CME ERROR: 13"]
        assert port.lines("AT+CFUN=1") == ["OK"]
        assert port.lines("AT+CPIN?") == ["+CPIN: SIM PIN", "OK"]  # the SIM session restarted
        assert modem.registration is RegStatus.NOT_SEARCHING
        assert not SimView(card).read().pin1_verified


def test_cfun_1_1_resets_the_modem_and_the_card_session() -> None:
    card = new_card()
    with modem_on_pty(card) as (modem, port):
        unlock(port)
        assert port.lines("AT+CFUN=1,1") == ["OK"]
        port.write(b"AT+CPIN?\r")  # defaults again: echo is back on
        assert port.read_until(b"OK\r\n").endswith(b"+CPIN: SIM PIN\r\n\r\nOK\r\n")
        assert modem.registration is RegStatus.NOT_SEARCHING


def test_pin_disabled_registers_at_once_and_dial_rules() -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False)) as (modem, port):
        assert modem.registration is RegStatus.HOME
        assert port.lines("AT+CPIN?") == ["+CPIN: READY", "OK"]
        assert port.lines("ATD+15551234;") == ["OK"]
    with modem_on_pty(new_card()) as (_, port):
        assert port.lines("ATD112;") == ["OK"]  # emergency without the PIN
        assert port.lines("ATD+15551234;") == ["+CME ERROR: 11"]


class DenyingNetwork:
    """A network that knows the IMSI it is asked about and refuses it."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def attach(self, imsi: str, modem: VirtualModem) -> RegStatus:
        self.asked.append(imsi)
        return RegStatus.DENIED

    def detach(self, imsi: str) -> None:
        raise AssertionError("never attached")


def test_the_network_decides_and_is_asked_with_the_imsi_read_from_the_card() -> None:
    network = DenyingNetwork()
    card = new_card(pins__pin1_enabled=False, card__imsi="001017777777777")
    with VirtualModem(card, network=network) as modem:
        assert network.asked == ["001017777777777"]
        assert modem.registration is RegStatus.DENIED
        sms = SmsDeliver(Address.parse("+1555"), datetime(2024, 1, 1, tzinfo=UTC), UserData("x"))
        assert modem.deliver_sms(sms) is False
    accepting = DefaultNetwork()
    with VirtualModem(new_card(), network=accepting) as modem:
        assert accepting.attached == {}  # PIN pending: never asked
        port = RawPort(modem.start_pty())
        port.lines("ATE0")
        unlock(port)
        assert accepting.attached == {"001010000000018": modem}
        modem.remove_sim()
        assert accepting.attached == {}
        port.close()


def test_a_failing_handler_answers_an_error_and_the_port_lives_on() -> None:
    def boom(fw: object, command: object) -> list[str]:
        raise RuntimeError("simulator bug")

    with modem_on_pty(new_card(pins__pin1_enabled=False)) as (modem, port):
        modem._fw.commands = {**modem._fw.commands, "+BOOM": boom}
        assert port.lines("AT+BOOM") == ["+CME ERROR: 100"]
        assert port.lines("AT") == ["OK"]
