"""`simharness pin ...` on both paths: a SIM in a PC/SC reader (pcscd + vpcd) and a modem."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_virtual_modem_support import new_card

from harness.cli import main
from harness.errors import WrongPinError
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef
from harness.sim.virtual_link import VirtualLink
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem
from harness.virtual.vpcd import VpcdBridge

ICCID = "8988211000000000018"
SCRIPT_FILES = [str(p) for p in sorted((Path(__file__).parents[1] / "at_scripts").glob("*.at"))]


@pytest.fixture
def modem_port() -> Iterator[tuple[str, VirtualUicc]]:
    card = new_card()
    with VirtualModem(card, personality="simcom") as device:
        yield device.start_pty(), card


@pytest.fixture
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("T_PIN", "1234")
    monkeypatch.setenv("T_NEW", "7391")
    monkeypatch.setenv("T_WEAK", "2580")


def opens_with(card: VirtualUicc, pin: str) -> bool:
    try:
        SimCard(VirtualLink(card)).pins.verify(PinRef.PIN1, Secret(pin))
    except WrongPinError:
        return False
    return True


@pytest.mark.pcsc
def test_status_of_a_card_in_a_reader_as_json(
    vpcd_slot: VpcdBridge, capsys: pytest.CaptureFixture[str]
) -> None:
    vpcd_slot.card = new_card(retries__pin1=2)
    assert main(["pin", "status", "--reader", vpcd_slot.reader, "--json"]) == 0
    after = json.loads(capsys.readouterr().out)["after"]
    assert after["kind"] == "reader" and after["iccid"] == ICCID
    assert (after["sim_state"], after["pin1_enabled"], after["pin1"], after["puk1"]) == (
        "SIM PIN",
        True,
        2,
        10,
    )


@pytest.mark.pcsc
@pytest.mark.usefixtures("secrets")
def test_setup_on_a_reader_is_proven_by_a_cold_reset(
    vpcd_slot: VpcdBridge, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    card = new_card(pins__pin1_enabled=False)
    vpcd_slot.card = card
    transcript = tmp_path / "setup.txt"
    argv = ["pin", "setup", "--reader", "0", "--pin-env", "T_PIN", "--new-pin-env", "T_NEW"]
    assert main([*argv, "--transcript", str(transcript)]) == 0
    out = capsys.readouterr().out
    assert "cold reset of the card" in out and "setup: proven" in out
    assert opens_with(card, "7391") and not opens_with(card, "1234")
    text = transcript.read_text()
    assert "00 28 00 01 08 2A 2A" in text, "ENABLE PIN was recorded, masked"
    assert "37 33 39 31" not in text and "31 32 33 34" not in text  # neither PIN in hex


@pytest.mark.pcsc
@pytest.mark.usefixtures("secrets")
def test_a_weak_pin_is_exit_4_and_nothing_is_sent(
    vpcd_slot: VpcdBridge, capsys: pytest.CaptureFixture[str]
) -> None:
    card = new_card()
    vpcd_slot.card = card
    argv = ["pin", "change", "--reader", "0", "--pin-env", "T_PIN", "--new-pin-env", "T_WEAK"]
    assert main([*argv, "--json"]) == 4
    captured = capsys.readouterr()
    answer = json.loads(captured.out)
    assert answer["exit"] == 4 and "markert2020_4digit" in answer["error"]
    assert "2580" not in captured.out + captured.err
    assert opens_with(card, "1234")


@pytest.mark.usefixtures("secrets")
def test_setup_on_a_modem_and_the_alias(
    modem_port: tuple[str, VirtualUicc], capsys: pytest.CaptureFixture[str]
) -> None:
    port, card = modem_port
    argv = ["pin", "setup", "--port", port, "--pin-env", "T_PIN", "--new-pin-env", "T_NEW"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "PASS after the power cycle the SIM asks for its PIN" in out
    assert "AT+CRESET" in out  # the SIMCom profile's own reset
    assert main(["modem", "pin", "status", "--port", port]) == 0
    assert "READY" in capsys.readouterr().out
    assert opens_with(card, "7391")


def test_no_secret_source_off_a_terminal_is_an_error_naming_the_options(
    modem_port: tuple[str, VirtualUicc], capsys: pytest.CaptureFixture[str]
) -> None:
    port, card = modem_port
    assert main(["pin", "change", "--port", port]) == 2
    err = capsys.readouterr().err
    assert "--pin-env VAR or --pin-file FILE" in err
    assert opens_with(card, "1234")


def test_exit_codes_are_in_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["pin", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "4 weak PIN refused" in text and "3 refused by the safety gate" in text


def test_verbose_shows_the_at_traffic_masked(modem_port: tuple[str, VirtualUicc]) -> None:
    port, _ = modem_port
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "-v",
            "pin",
            "unlock",
            "--port",
            port,
            "--pin-env",
            "T_PIN",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "T_PIN": "1234"},
    )
    assert result.returncode == 0, result.stderr
    assert 'AT+CPIN="****"' in result.stderr and "AT+CGMI" in result.stderr
    assert "1234" not in result.stderr + result.stdout


def test_a_closed_pipe_ends_quietly() -> None:
    """`simharness ... | head`: the reader is gone before the output is written."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "harness.cli", "script", "check", *SCRIPT_FILES],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
            stdin=subprocess.DEVNULL,
            cwd=Path(__file__).resolve().parents[1],
        )
    finally:
        os.close(write_end)
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr
    assert result.returncode == 141


@pytest.mark.pcsc
@pytest.mark.usefixtures("secrets")
def test_card_info_writes_a_masked_transcript(
    vpcd_slot: VpcdBridge, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    vpcd_slot.card = new_card()
    transcript = tmp_path / "card.txt"
    argv = ["card", "info", "--reader", "0", "--pin-env", "T_PIN", "--transcript", str(transcript)]
    assert main(argv) == 0
    text = transcript.read_text()
    assert "00 20 00 01 08 2A 2A 2A 2A 2A 2A 2A 2A" in text and "31 32 33 34" not in text


def test_modem_info_says_why_the_lock_row_is_what_it_is(
    modem_port: tuple[str, VirtualUicc], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    port, _ = modem_port
    assert main(["modem", "info", "--port", port, "--transcript", str(tmp_path / "t")]) == 0
    out = capsys.readouterr().out
    assert "enabled (the SIM asks for PIN; +CLCK refused meanwhile)" in out
    assert "CmeError" not in out
    assert 'AT+CLCK="SC",2' in (tmp_path / "t").read_text()
