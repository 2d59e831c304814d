"""`card serve --trace/--gsmtap` and `modem serve --trace`: live, masked traces.

GSMTAP packets are received on 127.0.0.1 and their headers decoded here; where tshark
is installed, Wireshark's own dissector reads a capture of them (third-party proof).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from gsmtap_support import GsmtapReceiver, write_pcap
from test_virtual_modem_support import RawPort

from harness.sim.gsmtap import (
    GSMTAP_TYPE_SIM,
    SIM_APDU,
    SIM_ATR,
    GsmtapSender,
    decode_header,
    parse_target,
)
from harness.trace_file import TraceFile
from harness.transcript import Transcript
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import ATR, VirtualUicc
from harness.virtual.card_tap import CardTap
from harness.virtual.modem import VirtualModem

PROFILE = load_profile(DEFAULT_PROFILE)
PIN_HEX = PROFILE.pin1.encode().hex().upper()  # 31323334
SELECT_MF = bytes.fromhex("00A40004023F00")
VERIFY_RIGHT = bytes.fromhex("0020000108") + PROFILE.pin1.encode().ljust(8, b"\xff")
VERIFY_EMPTY = bytes.fromhex("00200001")


@pytest.fixture
def receiver() -> GsmtapReceiver:
    receiver = GsmtapReceiver()
    yield receiver  # type: ignore[misc]
    receiver.close()


def tapped(receiver: GsmtapReceiver, transcript: Transcript | None = None) -> CardTap:
    sender = GsmtapSender("127.0.0.1", receiver.port)
    return CardTap(VirtualUicc(PROFILE), transcript=transcript, gsmtap=sender)


def test_gsmtap_atr_and_apdu_packets(receiver: GsmtapReceiver) -> None:
    tap = tapped(receiver)
    tap.power_on()
    select = tap.transmit(SELECT_MF)
    verify = tap.transmit(VERIFY_RIGHT)
    atr, first, second = receiver.packets(3)
    headers = [decode_header(p) for p in (atr, first, second)]
    assert [(h.type, h.sub_type) for h in headers] == [
        (GSMTAP_TYPE_SIM, SIM_ATR),
        (GSMTAP_TYPE_SIM, SIM_APDU),
        (GSMTAP_TYPE_SIM, SIM_APDU),
    ]
    assert [h.frame_number for h in headers] == [1, 2, 3]
    assert atr[:4] == bytes((0x02, 0x04, 0x04, 0x00)) and atr[16:] == ATR
    assert first[16:] == SELECT_MF + select  # CLA INS P1 P2 P3 data SW (SIMtrace layout)
    assert verify == b"\x90\x00"
    assert second[16:] == bytes.fromhex("0020000108") + b"\x2a" * 8 + verify  # PIN masked
    assert receiver.nothing_more()


def test_the_atr_polls_of_pcscd_are_not_traced(receiver: GsmtapReceiver) -> None:
    tap = tapped(receiver)
    assert tap.atr == ATR
    assert receiver.nothing_more()


def test_the_trace_file_is_live_and_masked(tmp_path: Path, receiver: GsmtapReceiver) -> None:
    transcript = Transcript()
    with TraceFile(tmp_path / "apdu.log") as trace:
        transcript.add_listener(trace)
        tap = tapped(receiver, transcript)
        tap.power_on()
        tap.transmit(VERIFY_RIGHT)
        tap.transmit(VERIFY_EMPTY)
        lines = (tmp_path / "apdu.log").read_text().splitlines()  # written as it happens
    assert len(lines) == 5 and "card ATR" in lines[0]
    assert "00 20 00 01 08 2A 2A 2A 2A 2A 2A 2A 2A" in lines[1]
    assert lines[2].split("# ")[0].rstrip().endswith("90 00")
    assert PIN_HEX not in "".join(lines).replace(" ", "")


@pytest.mark.parametrize(
    ("text", "target"),
    [("127.0.0.1", ("127.0.0.1", 4729)), ("localhost:5000", ("localhost", 5000))],
)
def test_gsmtap_targets(text: str, target: tuple[str, int]) -> None:
    assert parse_target(text) == target


def test_a_bad_gsmtap_target_names_the_format() -> None:
    with pytest.raises(Exception, match="HOST:PORT"):
        parse_target("127.0.0.1:notaport")


@pytest.mark.skipif(shutil.which("tshark") is None, reason="tshark not installed")
def test_wireshark_dissects_the_packets(tmp_path: Path, receiver: GsmtapReceiver) -> None:
    tap = tapped(receiver)
    tap.power_on()
    tap.transmit(SELECT_MF)
    tap.transmit(VERIFY_RIGHT)
    apdus = receiver.packets(3)[1:]  # Wireshark 4.0 reads every SIM sub-type as an APDU
    pcap = write_pcap(tmp_path / "sim.pcap", apdus)
    fields = ["-e", "gsm_sim.apdu.ins", "-e", "gsm_sim.file_id", "-e", "gsm_sim.apdu.sw"]
    result = subprocess.run(
        ["tshark", "-r", str(pcap), "-T", "fields", "-E", "separator=,", *fields],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    rows = [line.split(",") for line in result.stdout.split()]
    assert rows[0][0] == "0xa4" and rows[0][1] == "0x3f00" and rows[0][2].startswith("0x61")
    assert rows[1][0] == "0x20" and rows[1][2] == "0x9000"
    hexdump = subprocess.run(
        ["tshark", "-r", str(pcap), "-x"], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    assert "31 32 33 34" not in hexdump and "2a 2a 2a 2a" in hexdump


def test_the_modem_trace_records_both_directions_masked(tmp_path: Path) -> None:
    transcript = Transcript()
    with (
        TraceFile(tmp_path / "at.log") as trace,
        VirtualModem(VirtualUicc(PROFILE), trace=transcript, trace_note="modem0") as modem,
    ):
        transcript.add_listener(trace)
        port = RawPort(modem.start_pty())
        try:
            port.write(f'AT+CPIN="{PROFILE.pin1}"\r'.encode())  # echo on: the PIN comes back
            port.read_until(b"OK\r\n")
        finally:
            port.close()
    text = (tmp_path / "at.log").read_text()
    assert "-> at   AT+CPIN=" in text and "<- at" in text and "OK" in text
    assert f'"{PROFILE.pin1}"' not in text and "modem0 /dev/pts/" in text


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--gsmtap", "127.0.0.1:xx", "expected HOST or HOST:PORT"),
        ("--trace", "/proc/nope/apdu.log", "cannot write there"),
    ],
)
def test_card_serve_refuses_a_bad_trace_target_before_serving(
    option: str, value: str, message: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "harness.cli", "card", "serve", option, value],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr
