"""The shipped AT scripts, each against the virtual modem in every personality it is for.

Verdicts on what a script did come from the Modem driver afterwards (a second opener
of the same port), not from the script's own output.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_virtual_modem_support import new_card

from harness.at.parsers.registration import RegStatus
from harness.at_script.gate import CounterGate
from harness.at_script.language import Script, ScriptError, load_script, parse_script
from harness.at_script.runner import ScriptFailure, ScriptResult, run_script
from harness.cli import main
from harness.errors import ConfigError, SafetyRefusal
from harness.modem import Modem, SimState
from harness.secrets import Secret
from harness.sms.address import Address
from harness.sms.tpdu import SmsDeliver
from harness.sms.userdata import UserData
from harness.transcript import Transcript
from harness.transport import SerialTransport
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import PERSONALITIES, VirtualModem

SCRIPTS = Path(__file__).resolve().parents[1] / "at_scripts"
ALL = sorted(PERSONALITIES)
ICCID = "8988211000000000018"
SENDER = Address.parse("+15550001111")
WHEN = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def cases(name: str) -> list[str]:
    script = load_script(SCRIPTS / name)
    return [p for p in ALL if script.applies(p)]


@contextmanager
def served(card: VirtualUicc, personality: str) -> Iterator[tuple[VirtualModem, str]]:
    with VirtualModem(card, personality=personality) as device:
        yield device, device.start_pty()


def run(
    name: str, port: str, transcript: Transcript | None = None, pin: str = "1234"
) -> ScriptResult:
    script = load_script(SCRIPTS / name)
    secrets = {k: Secret(pin) for k in script.secrets}
    with SerialTransport(port) as line:
        gate = CounterGate(line, name=port, transcript=transcript)
        return run_script(script, line, secrets=secrets, transcript=transcript, gate=gate.check)


def test_at_least_six_scripts_ship_and_all_are_valid() -> None:
    files = sorted(SCRIPTS.glob("*.at"))
    assert len(files) >= 6
    for path in files:
        assert isinstance(load_script(path), Script)
    assert main(["script", "check", *map(str, files)]) == 0


@pytest.mark.parametrize("personality", cases("sim_status.at"))
def test_sim_status(personality: str) -> None:
    with served(new_card(), personality) as (_, port):
        result = run("sim_status.at", port)
    # the virtual firmware, like many real ones, refuses +CLCK with CME 11 while the PIN waits
    assert result.printed == [f"SIM state: SIM PIN; ICCID {ICCID}; PIN1 lock (1 on, 0 off): 11"]
    with served(new_card(pins__pin1_enabled=False), personality) as (_, port):
        result = run("sim_status.at", port)
    assert result.printed == [f"SIM state: READY; ICCID {ICCID}; PIN1 lock (1 on, 0 off): 0"]


@pytest.mark.parametrize("personality", cases("unlock.at"))
def test_unlock_with_the_pin_from_the_environment(personality: str) -> None:
    transcript = Transcript()
    with served(new_card(), personality) as (_, port):
        result = run("unlock.at", port, transcript)
        assert result.printed == ["SIM unlocked (READY)"]
        with Modem(port) as modem:
            assert modem.sim_state() is SimState.READY
            assert modem.pin_retries().pin1 == 3
    text = transcript.render_text()
    assert 'AT+CPIN=\\"****\\"' in text or 'AT+CPIN="****"' in text
    assert "1234" not in text


@pytest.mark.parametrize("personality", cases("pin_enable.at"))
def test_pin_enable(personality: str) -> None:
    with served(new_card(pins__pin1_enabled=False), personality) as (_, port):
        run("pin_enable.at", port)
        with Modem(port) as modem:
            assert modem.pin_lock_enabled() is True
            assert modem.power_cycle() is SimState.SIM_PIN


@pytest.mark.parametrize("personality", cases("read_sms.at"))
def test_read_sms_lists_what_the_network_delivered(personality: str) -> None:
    with served(new_card(pins__pin1_enabled=False), personality) as (device, port):
        with Modem(port) as modem:  # registered once the SIM is READY
            modem.wait_for_registration(10)
        sms = SmsDeliver(SENDER, WHEN, UserData("Your code is 482913"))
        assert device.deliver_sms(sms)
        result = run("read_sms.at", port)
    assert result.printed[0] == "1 of " + result.variables["total"] + " SIM message slots used"
    assert any("Your code is 482913" in line for line in result.printed[1:])


@pytest.mark.parametrize("personality", cases("network_info.at"))
def test_network_info(personality: str) -> None:
    with served(new_card(pins__pin1_enabled=False), personality) as (_, port):
        with Modem(port) as modem:
            modem.wait_for_registration(10)
        result = run("network_info.at", port)
    assert result.variables["stat"] in ("1", "5")
    assert re.fullmatch(r"\d+", result.variables["rssi"])


@pytest.mark.parametrize("personality", cases("inventory.at"))
def test_inventory_line(personality: str) -> None:
    with served(new_card(), personality) as (_, port):
        result = run("inventory.at", port)
        with Modem(port) as modem:
            ident = modem.identity()
    (line,) = result.printed
    assert f"IMEI {ident.imei}" in line and f"ICCID {ICCID}" in line
    assert ident.revision in line and ident.model.strip() in line


RETRY_SCRIPTS = sorted(p.name for p in SCRIPTS.glob("retries_*.at"))
RETRY_CASES = [(s, p) for s in RETRY_SCRIPTS for p in cases(s)]


def test_every_personality_has_a_retry_script_of_its_own_vendor() -> None:
    vendor_specific = {p for s in RETRY_SCRIPTS if s != "retries_cpinr.at" for p in cases(s)}
    assert vendor_specific == set(ALL) - {"generic"}


@pytest.mark.parametrize(("script", "personality"), RETRY_CASES)
def test_retry_counter_scripts_agree_with_the_driver(script: str, personality: str) -> None:
    with served(new_card(retries__pin1=2), personality) as (_, port):
        result = run(script, port)
        with Modem(port) as modem:
            retries = modem.pin_retries()
    found = result.variables
    if "left" in found:  # Telit #PCT: the secret +CPIN? asks for
        assert int(found["left"]) == retries.pin1 == 2
        return
    assert (int(found["pin1"]), int(found["puk1"])) == (retries.pin1, retries.puk1) == (2, 10)


def test_the_gate_refuses_the_last_attempt_and_spends_nothing() -> None:
    with served(new_card(retries__pin1=1), "quectel") as (_, port):
        with pytest.raises(SafetyRefusal, match="1 attempt left"):
            run("unlock.at", port, pin="9999")
        with Modem(port) as modem:
            assert modem.pin_retries().pin1 == 1


def test_a_failed_step_names_the_line_and_masks_the_secret(tmp_path: Path) -> None:
    with served(new_card(), "generic") as (_, port):
        with pytest.raises(ScriptFailure) as failed:
            run("unlock.at", port, pin="9876")
        message = str(failed.value)
        assert "unlock.at:12" in message and "PIN1 refused" in message
        assert "9876" not in message


def test_script_run_over_socket_url_writes_the_transcript(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OTHER_PIN", "1234")
    transcript = tmp_path / "unlock.txt"
    with VirtualModem(new_card(), personality="simcom") as device:
        url = f"socket://127.0.0.1:{device.start_tcp()}"
        argv = ["script", "run", str(SCRIPTS / "unlock.at"), "--port", url]
        code = main([*argv, "--secret", "PIN=OTHER_PIN", "--transcript", str(transcript)])
    assert code == 0, capsys.readouterr().err
    assert "SIM unlocked (READY)" in capsys.readouterr().out
    text = transcript.read_text()
    assert "****" in text and "1234" not in text


def test_a_missing_secret_is_an_error_before_the_port_is_opened(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SIM_PIN", raising=False)
    argv = ["script", "run", str(SCRIPTS / "unlock.at"), "--port", "/nonexistent/port"]
    assert main(argv) == 2
    assert "SIM_PIN" in capsys.readouterr().err


def test_a_secret_too_short_to_mask_is_refused_before_the_port_is_opened(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 2-digit value masked by value would blank every "12" in the output; none is a PIN."""
    monkeypatch.setenv("SIM_PIN", "12")
    argv = ["script", "run", str(SCRIPTS / "unlock.at"), "--port", "/nonexistent/port"]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "shorter than 4" in err and "/nonexistent/port" not in err
    script = load_script(SCRIPTS / "unlock.at")
    with pytest.raises(ConfigError, match="PIN"):
        run_script(script, SerialTransport("/nonexistent/port"), secrets={"PIN": Secret("12")})


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("send AT\nexpect OK\n", "between slashes"),
        ("expect /(/\n", "bad regular expression"),
        ("send AT+CPIN=${PIN}\n", "${PIN} is not defined"),
        ("sleep forever\n", "not a number"),
        ("frobnicate\n", "unknown step"),
        ("send AT\nexpect /OK/ within\n", "within SECONDS"),
        ("secret PIN 1234\n", "secret NAME from"),
        ("# only a comment\n", "no steps"),
    ],
)
def test_check_names_the_line_of_a_bad_script(text: str, error: str) -> None:
    with pytest.raises(ScriptError, match=re.escape(error)) as bad:
        parse_script(text, "bad.at")
    assert str(bad.value).startswith("bad.at:")


def test_expect_not_puts_back_what_it_read() -> None:
    script = parse_script(
        "send AT\nexpect-not /ERROR/ for 0.3\nexpect /^OK$/ within 1\nprint done\n", "t.at"
    )
    with served(new_card(), "generic") as (_, port), SerialTransport(port) as line:
        assert run_script(script, line, secrets={}).printed == ["done"]
        bad = parse_script("send AT+NOSUCH\nexpect-not /ERROR/ for 0.5\n", "t.at")
        with pytest.raises(ScriptFailure, match="matched /ERROR/"):
            run_script(bad, line, secrets={})


def test_wait_urc_sees_a_registration_change_and_captures_it() -> None:
    script = parse_script(
        "send AT+CREG=1\n"
        "expect /^OK$/\n"
        "wait-urc /^\\+CREG: (?P<stat>3)$/ within 5 else the network never barred the line\n"
        "print barred: stat ${stat}\n",
        "urc.at",
    )
    with served(new_card(pins__pin1_enabled=False), "generic") as (device, port):
        with Modem(port) as modem:
            modem.wait_for_registration(10)
        timer = threading.Timer(0.3, device.set_registration, (RegStatus.DENIED,))
        with SerialTransport(port) as line:
            timer.start()
            try:
                result = run_script(script, line, secrets={})
            finally:
                timer.join()
    assert result.printed == ["barred: stat 3"]


def test_fail_stops_with_its_message_after_a_sleep() -> None:
    with pytest.raises(ScriptError, match="not defined"):
        parse_script("sleep 0.1\nfail no SIM here: ${state}\n", "f.at")
    script = parse_script(
        "send AT+CPIN?\nexpect /^\\+CPIN: (?P<state>.+)$/\nsleep 0.1\nfail stop: ${state}\n",
        "f.at",
    )
    with served(new_card(), "generic") as (_, port), SerialTransport(port) as line:
        started = time.monotonic()
        with pytest.raises(ScriptFailure, match=r"f\.at:4: stop: SIM PIN"):
            run_script(script, line, secrets={})
        assert time.monotonic() - started >= 0.1
