"""PIN paths through the virtual modem: every answer is the card's, and the card's state changes.

The verdicts read the card itself (SimView, raw APDUs), never the modem's memory:
the modem keeps no PIN state of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime

from test_virtual_modem_support import modem_on_pty, new_card, unlock

from harness.sim.apdu import Apdu, Response
from harness.sms.address import Address
from harness.sms.tpdu import SmsDeliver
from harness.sms.userdata import UserData
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import RegStatus
from harness.virtual.sim_view import CpinCode, SimView

OTP = SmsDeliver(
    Address.parse("+15550001111"),
    datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC),
    UserData("Your code is 482913"),
)


def _verify_sw(card: VirtualUicc, key_ref: int = 0x01) -> int:
    """Empty VERIFY: the counter as 63Cx, or 9000 when verified (TS 102 221 §11.1.9)."""
    return Response.from_bytes(card.transmit(Apdu(0x00, 0x20, 0x00, key_ref).to_bytes())).sw


def test_wrong_then_right_pin_changes_the_cards_counter() -> None:
    card = new_card()
    with modem_on_pty(card) as (modem, port):
        assert port.lines('AT+CPIN="0000"') == ["+CME ERROR: 16"]
        assert SimView(card).read().pin1 == 2
        assert port.lines('AT+CPINR="SIM PIN"') == ["+CPINR: SIM PIN,2,3", "OK"]
        assert modem.registration is RegStatus.NOT_SEARCHING
        assert port.lines('AT+CPIN="1234"') == ["OK"]
        view = SimView(card).read()
        assert view.pin1_verified and view.cpin is CpinCode.READY
        assert _verify_sw(card) == 0x9000
        assert port.lines('AT+CPIN="1234"') == ["+CME ERROR: 3"]  # nothing pending


def test_three_wrong_pins_need_the_puk_and_the_puk_sets_a_new_pin() -> None:
    card = new_card()
    with modem_on_pty(card) as (modem, port):
        for _ in range(3):
            assert port.lines("AT+CPIN=9999") == ["+CME ERROR: 16"]
        assert port.lines("AT+CPIN?") == ["+CPIN: SIM PUK", "OK"]
        assert port.lines("AT+CIMI") == ["+CME ERROR: 12"]
        assert port.lines("AT+CMGL=4") == ["+CMS ERROR: 316"]
        assert port.lines('AT+CPIN="12345678"') == ["+CME ERROR: 3"]  # PUK needs a new PIN
        assert port.lines('AT+CPIN="00000000","4321"') == ["+CME ERROR: 16"]
        assert SimView(card).read().puk1 == 9
        assert port.lines('AT+CPIN="12345678","4321"') == ["OK"]
        assert modem.registration is RegStatus.HOME
        view = SimView(card).read()
        assert (view.pin1, view.puk1, view.pin1_verified) == (3, 10, True)
    # the new PIN is on the card: a power cycle later it is the one that works
    card.power_off()
    with modem_on_pty(card) as (_, port):
        assert port.lines('AT+CPIN="1234"') == ["+CME ERROR: 16"]
        assert port.lines('AT+CPIN="4321"') == ["OK"]


def test_exhausted_puk_is_sim_failure() -> None:
    card = new_card(retries__pin1=0, retries__puk1=1)
    with modem_on_pty(card) as (_, port):
        assert port.lines("AT+CPIN?") == ["+CPIN: SIM PUK", "OK"]
        assert port.lines('AT+CPIN="00000000","1111"') == ["+CME ERROR: 16"]
        assert port.lines("AT+CPIN?") == ["+CME ERROR: 13"]
        assert port.lines('AT+CPIN="12345678","1111"') == ["+CME ERROR: 13"]
        assert port.lines("AT+CMGF=0") == ["+CMS ERROR: 313"]
        assert SimView(card).read().cpin is CpinCode.SIM_FAILURE


def test_gate_while_the_pin_is_pending() -> None:
    with modem_on_pty(new_card()) as (_, port):
        allowed = [
            "AT+CGMI",
            "AT+CGMM",
            "AT+CGMR",
            "AT+CGSN",
            "AT+CPAS",
            "AT+CFUN?",
            "AT+CPIN?",
            "AT+CPINR",
            "AT+CMEE?",
            "ATI",
            "ATZ",
            "AT+CCID",
            "AT+CLAC",
        ]
        for command in allowed:
            assert port.lines(command)[-1] == "OK", command
        port.lines("ATE0;+CMEE=1")
        for command in (
            "AT+CIMI",
            "AT+CNUM",
            "AT+CREG?",
            "AT+COPS?",
            'AT+CLCK="SC",2',
            'AT+CPWD="SC","1234","4321"',
        ):
            assert port.lines(command) == ["+CME ERROR: 11"], command
        for command in (
            "AT+CMGF=0",
            "AT+CMGL=4",
            "AT+CMGR=1",
            "AT+CPMS?",
            "AT+CSCA?",
            "AT+CNMI=2,1",
            "AT+CMGS=20",
            "AT+CMGD=1",
        ):
            assert port.lines(command) == ["+CMS ERROR: 311"], command


def test_locked_sim_is_never_registered_and_refuses_sms() -> None:
    card = new_card()
    with modem_on_pty(card) as (modem, port):
        assert modem.registration is RegStatus.NOT_SEARCHING
        assert port.lines("AT+CFUN=1") == ["OK"]
        assert modem.registration is RegStatus.NOT_SEARCHING
        assert modem.deliver_sms(OTP) is False
        assert port.drain(0.05) == b""
        # nothing reached the card's EF.SMS either
        unlock(port)
        assert port.lines("AT+CMGL=4") == ["OK"]


def test_clck_sc_enables_and_disables_on_the_card() -> None:
    card = new_card()
    with modem_on_pty(card) as (_, port):
        unlock(port)
        assert port.lines('AT+CLCK="SC",2') == ["+CLCK: 1", "OK"]
        assert port.lines('AT+CLCK="SC",0,"1111"') == ["+CME ERROR: 16"]
        assert SimView(card).read().pin1 == 2
        # the card dropped its verified state with the failed comparison: the modem shows it
        assert port.lines("AT+CPIN?") == ["+CPIN: SIM PIN", "OK"]
        unlock(port)
        assert port.lines('AT+CLCK="SC",0,"1234"') == ["OK"]
        view = SimView(card).read()
        assert not view.pin1_enabled and view.pin1 == 3
        assert port.lines('AT+CLCK="SC",2') == ["+CLCK: 0", "OK"]
        assert port.lines('AT+CLCK="SC",0,"1234"') == ["+CME ERROR: 3"]  # already disabled
        assert port.lines('AT+CLCK="SC",1,"1234"') == ["OK"]
        assert SimView(card).read().pin1_enabled
        assert port.lines('AT+CLCK="SC",1') == ["+CME ERROR: 50"]
        assert port.lines("AT+CLCK=?")[0].startswith('+CLCK: ("SC","FD","P2"')


def test_pin2_facilities_verify_pin2_on_the_card() -> None:
    card = new_card()
    with modem_on_pty(card) as (_, port):
        unlock(port)
        assert port.lines('AT+CLCK="FD",2') == ["+CLCK: 0", "OK"]
        assert port.lines('AT+CLCK="FD",1,"0000"') == ["+CME ERROR: 16"]
        assert SimView(card).read().pin2 == 2
        assert port.lines('AT+CLCK="FD",1,"5678"') == ["OK"]
        assert port.lines('AT+CLCK="FD",2') == ["+CLCK: 1", "OK"]
        assert _verify_sw(card, 0x81) == 0x9000
        assert port.lines('AT+CLCK="P2",2') == ["+CLCK: 1", "OK"]
        for _ in range(3):
            assert port.lines('AT+CLCK="P2",1,"0000"') == ["+CME ERROR: 16"]
        assert port.lines('AT+CLCK="P2",1,"5678"') == ["+CME ERROR: 18"]  # PUK2 required
        assert port.lines('AT+CPINR="SIM P*2"') == [
            "+CPINR: SIM PIN2,0,3",
            "+CPINR: SIM PUK2,10,10",
            "OK",
        ]


def test_cpwd_changes_pin1_and_pin2_on_the_card() -> None:
    card = new_card()
    with modem_on_pty(card) as (_, port):
        unlock(port)
        assert port.lines('AT+CPWD="SC","0000","4321"') == ["+CME ERROR: 16"]
        # TS 102 221 §11.1.10: a wrong old PIN costs an attempt, the SIM stays unlocked
        assert port.lines("AT+CPIN?") == ["+CPIN: READY", "OK"]
        assert port.lines('AT+CPINR="SIM PIN"')[0] == "+CPINR: SIM PIN,2,3"
        assert port.lines('AT+CPWD="SC","1234","4321"') == ["OK"]
        assert port.lines('AT+CPWD="P2","5678","8765"') == ["OK"]
        assert port.lines('AT+CPWD="SC","4321","12"') == ["+CME ERROR: 50"]
        assert port.lines("AT+CPWD=?") == ['+CPWD: ("SC",8),("P2",8)', "OK"]
    card.power_off()
    with modem_on_pty(card) as (_, port):
        assert port.lines('AT+CPIN="4321"') == ["OK"]
        assert port.lines('AT+CLCK="FD",1,"8765"') == ["OK"]


def test_owner_pin_profile_option_drops_the_verification_after_a_wrong_change() -> None:
    card = new_card(pins__change_wrong_pin_drops_verification=True)
    with modem_on_pty(card) as (_, port):
        unlock(port)
        assert port.lines('AT+CPWD="SC","0000","4321"') == ["+CME ERROR: 16"]
        assert port.lines("AT+CPIN?") == ["+CPIN: SIM PIN", "OK"]  # Java Card OwnerPIN
        unlock(port)
        assert port.lines('AT+CPWD="SC","1234","4321"') == ["OK"]


def test_power_cycle_forgets_the_verification_but_not_the_counters() -> None:
    card = new_card()
    with modem_on_pty(card) as (modem, port):
        assert port.lines('AT+CPIN="0000"') == ["+CME ERROR: 16"]
        unlock(port)
        assert modem.registration is RegStatus.HOME
        assert port.lines('AT+CPIN="0000"') == ["+CME ERROR: 3"]
        modem.power_cycle()
        port.drain(0.05)
        port.lines("ATE0;+CMEE=1")
        assert modem.registration is RegStatus.NOT_SEARCHING
        assert port.lines("AT+CPIN?") == ["+CPIN: SIM PIN", "OK"]
        view = SimView(card).read()
        assert not view.pin1_verified and view.pin1 == 3
        assert port.lines('AT+CPIN="0000"') == ["+CME ERROR: 16"]
    assert SimView(card).read().pin1 == 2  # survives the modem too: the card's EEPROM
