"""Commands a modem answers whatever its SIM (TS 27.007 ties them to no PIN state), in
every personality, and the PDP context definitions of §10.1.1."""

from __future__ import annotations

import pytest
from test_virtual_modem_support import modem_on_pty, new_card

from harness.virtual.modem import PERSONALITIES

PERSONALITY_NAMES = sorted(PERSONALITIES)


@pytest.mark.parametrize("personality", PERSONALITY_NAMES)
def test_answered_while_the_sim_waits_for_its_pin(personality: str) -> None:
    with modem_on_pty(new_card(), personality=personality) as (_, port):
        port.write(b"AT+CPIN?\r")  # (Wavecom gives +CPIN? no final code)
        port.read_until(b"+CPIN: SIM PIN\r\n")
        port.drain(0.05)
        assert port.lines("AT+GCAP")[0].startswith("+GCAP: +CGSM")
        assert port.lines("AT+CSCS=?") == ['+CSCS: ("GSM","IRA","UCS2")', "OK"]
        assert port.lines('AT+CSCS="UCS2"') == ["OK"]
        assert port.lines("AT+CLCK=?")[0].startswith('+CLCK: ("SC"')
        assert port.lines("AT+CSQ") == ["+CSQ: 20,99", "OK"]
        assert port.lines("AT+CGDCONT?")[-1] == "OK"
        # what needs the SIM still says so
        assert port.lines('AT+CLCK="SC",2')[0] == "+CME ERROR: 11"
        assert port.lines("AT+CIMI")[0] == "+CME ERROR: 11"


@pytest.mark.parametrize("personality", ["generic", "huawei"])
def test_gcap_follows_the_personality(personality: str) -> None:
    with modem_on_pty(new_card(), personality=personality) as (_, port):
        expected = "+GCAP: +CGSM,+DS,+ES" if personality == "huawei" else "+GCAP: +CGSM"
        assert port.lines("AT+GCAP") == [expected, "OK"]


def test_pdp_contexts_define_read_and_undefine() -> None:
    with modem_on_pty(new_card()) as (modem, port):
        assert port.lines("AT+CGDCONT=?") == [
            '+CGDCONT: (1-15),"IP",,,(0-3),(0-4)',
            '+CGDCONT: (1-15),"IPV6",,,(0-3),(0-4)',
            '+CGDCONT: (1-15),"IPV4V6",,,(0-3),(0-4)',
            "OK",
        ]
        assert port.lines("AT+CGDCONT?") == ['+CGDCONT: 1,"IP","","",0,0', "OK"]
        assert port.lines('AT+CGDCONT=1,"IPV4V6","internet"') == ["OK"]
        assert port.lines('AT+CGDCONT=3,"IP","ims.example",,0,0') == ["OK"]
        assert port.lines("AT+CGDCONT?") == [
            '+CGDCONT: 1,"IPV4V6","internet","",0,0',
            '+CGDCONT: 3,"IP","ims.example","",0,0',
            "OK",
        ]
        assert port.lines("AT+CGDCONT=3") == ["OK"]  # only <cid>: undefined again
        assert port.lines('AT+CGDCONT=16,"IP","x"') == ["+CME ERROR: 50"]
        assert port.lines('AT+CGDCONT=2,"X25","x"') == ["+CME ERROR: 50"]
        assert port.lines('AT+CGDCONT=2,"IP","x",,4') == ["+CME ERROR: 50"]
        modem.power_cycle()  # kept by the modem like its NV settings
        port.drain(0.2)
        port.command("ATE0")
        port.drain(0.05)
        assert port.lines("AT+CGDCONT?") == ['+CGDCONT: 1,"IPV4V6","internet","",0,0', "OK"]
