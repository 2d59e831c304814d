"""Every personality's dialect: identification, retry counters, ICCID, hot-plug URCs, quirks."""

from __future__ import annotations

import pytest
from test_virtual_modem_support import modem_on_pty, new_card, unlock

from harness.at.parsers.pin import CpinCode
from harness.at.parsers.retries import parse_pin_retries
from harness.virtual.modem import PERSONALITIES

ICCID = "8988211000000000018"

# personality -> (retry command, its exact answer for PIN1 2 left / PUK1 10 / PIN2 3 / PUK2 10)
RETRIES = {
    "generic": (
        "AT+CPINR",
        [
            "+CPINR: SIM PIN,2,3",
            "+CPINR: SIM PUK,10,10",
            "+CPINR: SIM PIN2,3,3",
            "+CPINR: SIM PUK2,10,10",
        ],
    ),
    "quectel": ("AT+QPINC?", ['+QPINC: "SC",2,10', '+QPINC: "P2",3,10']),
    "simcom": ("AT+SPIC", ["+SPIC: 2,10,3,10"]),
    "huawei": ("AT^CPIN?", ["^CPIN: SIM PIN,2,10,2,10,3"]),
    "sierra": ("AT+CPINC?", ["+CPINC: 2,3,10,10"]),
    "telit": ("AT#PCT", ["#PCT: 2"]),
    "ublox": ("AT+UPINCNT", ["+UPINCNT: 2,3,10,10"]),
    "wavecom": ("AT+CPINC?", ["+CPINC: 2,3,10,10"]),
}

ICCIDS = {
    "generic": ["+CCID: " + ICCID],
    "quectel": ["+QCCID: " + ICCID + "F"],
    "simcom": ["+ICCID: " + ICCID],
    "huawei": ["^ICCID: " + ICCID],
    "sierra": ["!ICCID: " + ICCID],
    "telit": ["+CCID: " + ICCID],
    "ublox": ["+CCID: " + ICCID],
    "wavecom": ["+CCID: " + ICCID],
}


def test_every_personality_is_covered() -> None:
    assert set(RETRIES) == set(PERSONALITIES) == set(ICCIDS)


@pytest.mark.parametrize("name", sorted(PERSONALITIES))
def test_retry_counter_command_answers_in_its_exact_format(name: str) -> None:
    command, expected = RETRIES[name]
    personality = PERSONALITIES[name]
    assert personality.retry_command == command
    with modem_on_pty(new_card(retries__pin1=2), personality=name) as (_, port):
        assert port.lines(command) == [*expected, "OK"]  # allowed while the PIN is pending
        counters = parse_pin_retries(expected, pending=CpinCode.SIM_PIN)
        assert counters.pin1 == 2  # the driver-side parser reads the same numbers


@pytest.mark.parametrize("name", sorted(PERSONALITIES))
def test_iccid_command_answers_in_its_format(name: str) -> None:
    with modem_on_pty(new_card(), personality=name) as (_, port):
        assert port.lines(PERSONALITIES[name].iccid_command) == [*ICCIDS[name], "OK"]


@pytest.mark.parametrize("name", sorted(PERSONALITIES))
def test_identification_strings(name: str) -> None:
    personality = PERSONALITIES[name]
    with modem_on_pty(new_card(), personality=name) as (_, port):
        raw = port.command("AT+CGMI").decode()
        assert raw == f"\r\n{personality.manufacturer}\r\n\r\nOK\r\n"  # leading spaces kept
        assert port.lines("AT+CGMM")[0] == personality.model


HOTPLUG = {
    # personality -> (setup, URCs on removal, URCs on insertion of a PIN-locked SIM)
    "generic": ((), [], []),
    "quectel": (
        ("AT+QSIMSTAT=1",),
        ["+QSIMSTAT: 1,0", "+CPIN: NOT READY"],
        ["+QSIMSTAT: 1,1", "+QUSIM: 1", "+CPIN: SIM PIN"],
    ),
    "simcom": ((), ["+CPIN: NOT READY"], ["+CPIN: SIM PIN"]),
    "huawei": ((), ["^SIMST: 255"], ["^SIMST: 0"]),
    "sierra": ((), ["+SIM: 1"], ["+SIM: 0"]),
    "telit": (("AT#QSS=2",), ["#QSS: 0"], ["#QSS: 1"]),
    "ublox": ((), ["+UUSIMSTAT: 0"], ["+UUSIMSTAT: 1"]),
    "wavecom": ((), ["+WIND: 0"], ["+WIND: 1"]),
}


@pytest.mark.parametrize("name", sorted(PERSONALITIES))
def test_hot_plug_urcs(name: str) -> None:
    setup, removed, inserted = HOTPLUG[name]
    with modem_on_pty(new_card(), personality=name) as (modem, port):
        for command in setup:
            assert port.lines(command) == ["OK"]
        card = modem.remove_sim()
        assert card is not None
        assert port.drain(0.05).decode().split() == " ".join(removed).split()
        assert port.lines("AT+CPIN?") == ["+CME ERROR: 10"]
        modem.insert_sim(card)
        assert port.drain(0.05).decode().split() == " ".join(inserted).split()


def test_ready_urcs_after_the_pin() -> None:
    with modem_on_pty(new_card(), personality="quectel") as (_, port):
        assert port.command('AT+CPIN="1234"') == b"\r\nOK\r\n"
        assert port.drain(0.05) == b"\r\n+CPIN: READY\r\n\r\n+QIND: SMS DONE\r\n"
    with modem_on_pty(new_card(), personality="telit", setup=("ATE0", "AT#QSS=2")) as (_, port):
        assert port.lines("AT#QSS?") == ["#QSS: 2,1", "OK"]
        port.lines('AT+CPIN="1234"')
        assert port.drain(0.05) == b"\r\n#QSS: 2\r\n\r\n#QSS: 3\r\n"
        assert port.lines("AT#QSS?") == ["#QSS: 2,3", "OK"]


def test_huawei_quirks() -> None:
    with modem_on_pty(new_card(), personality="huawei") as (_, port):
        assert port.lines("AT+WIND?") == ["COMMAND NOT SUPPORT"]
        raw = port.command("AT+CLAC")
        assert raw.startswith(b"\r\n+CCID\r\r\n+CEREG\r\r\n")
        unlock(port)
        assert port.lines("AT^CPIN?") == ["^CPIN: READY,,10,3,10,3", "OK"]


def test_wavecom_quirks() -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False), personality="wavecom") as (_, port):
        assert port.command("AT+CGMI") == b"\r\n WAVECOM MODEM\r\n\r\nOK\r\n"
        assert port.lines("AT+CGMR") == ["ERROR"]
        assert port.lines("AT+CLAC") == ["ERROR"]
        port.write(b"AT+CPIN?\r")  # no final result code at all
        assert port.read_until(b"+CPIN: READY\r\n") == b"\r\n+CPIN: READY\r\n"
        assert port.drain(0.1) == b""
        assert port.lines("AT+CFUN=1") == ["OK"]
        assert port.lines("AT") == ["OK"]  # a bare AT is not a command
        assert port.lines("AT+CSQ") == ["+CME ERROR: 515"]
        assert port.lines("AT+CGMM") == ["+CME ERROR: 515"]
        assert port.lines("AT+CSQ") == ["+CSQ: 20,99", "OK"]


def test_boot_urcs_on_power_cycle() -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False), personality="quectel") as (m, port):
        m.power_cycle()
        assert port.drain(0.05) == (
            b"\r\nRDY\r\n\r\n+CPIN: READY\r\n\r\n+QUSIM: 1\r\n\r\n+QIND: SMS DONE\r\n"
        )
