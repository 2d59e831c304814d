"""Modem driver pieces without a device: profiles, ICCID forms, SIM states, replay scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.at.parsers import CpinCode
from harness.errors import CodecError, ConfigError
from harness.modem import Modem, ReplayMismatch, ReplayScript, ReplayStream, SimState, detect_vendor
from harness.modem.identity import digits_answer, first_text, normalise_iccid
from harness.modem.states import state_from_cme, state_from_cpin_code
from harness.modem.vendors import GENERIC, PROFILES, RetryMethod, profile_named
from harness.transcript import Transcript

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"


@pytest.mark.parametrize(
    ("manufacturer", "model", "expected"),
    [
        ("Quectel", "EG25", "quectel"),
        ("Quectel", "EC25", "quectel"),
        ("", "EC25", "quectel"),
        ("SIMCOM INCORPORATED", "SIMCOM_SIM7600E-H", "simcom"),
        ("huawei", "ME909s-120", "huawei"),
        ("Huawei Technologies Co., Ltd.", "K3715", "huawei"),
        ("Sierra Wireless, Incorporated", "EM7455", "sierra"),
        ("", "EM7455", "sierra"),
        ("Telit", "LE910C1-EU", "telit"),
        ("u-blox", "TOBY-L210", "ublox"),
        ("u-blox", "SARA-R410M-02B", "ublox"),
        ("WAVECOM MODEM", "MULTIBAND  900E  1800", "wavecom"),
        ("QUALCOMM INCORPORATED", "M6280", "generic"),
        ("Nokia", "Nokia N79", "generic"),
    ],
)
def test_vendor_detection(manufacturer: str, model: str, expected: str) -> None:
    assert detect_vendor(manufacturer, model).name == expected


def test_profiles_are_complete() -> None:
    for profile in PROFILES.values():
        assert profile.retry_order, profile.name
        assert RetryMethod.CSIM in profile.retry_order or profile is GENERIC
        if RetryMethod.VENDOR in profile.retry_order:
            assert profile.retry_command and profile.retry_prefixes, profile.name
    assert PROFILES["telit"].csim_lock
    assert PROFILES["wavecom"].cpin_info_grace


def test_unknown_vendor_name_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="quectel"):
        profile_named("nokia")


@pytest.mark.parametrize(
    ("text", "iccid"),
    [
        ("8988211000000000018F", "8988211000000000018"),
        ('"89014103211118510720"', "89014103211118510720"),
        ("98101430121181157002", "89014103211118510720"),
        ("988812010000000010F8", "8988211000000000018"),
        ("8988211000000000018", "8988211000000000018"),
    ],
)
def test_iccid_forms(text: str, iccid: str) -> None:
    assert normalise_iccid(text) == iccid


@pytest.mark.parametrize("text", ["", "ERROR", "12345", "89882110000000000189999"])
def test_not_an_iccid(text: str) -> None:
    with pytest.raises(CodecError):
        normalise_iccid(text)


def test_identity_lines() -> None:
    assert first_text(["+CGSN: 354723091234567"], "+CGSN:") == "354723091234567"
    assert first_text(["", "Quectel"]) == "Quectel"
    assert digits_answer(["+CIMI: 001010000000018"], "+CIMI:", "IMSI", range(6, 16))
    with pytest.raises(CodecError):
        digits_answer(["SIM PIN"], "+CIMI:", "IMSI", range(6, 16))


def test_sim_states() -> None:
    assert state_from_cpin_code(CpinCode.SIM_PIN2) is SimState.SIM_PIN2
    assert state_from_cpin_code(CpinCode.NOT_INSERTED) is SimState.ABSENT
    assert state_from_cpin_code(CpinCode.PH_NET_PIN) is SimState.PH_NET_PIN
    assert state_from_cme(10) is SimState.ABSENT
    assert state_from_cme(13) is SimState.FAILURE
    assert state_from_cme(16) is None
    assert SimState.SIM_PUK.needs_puk and not SimState.SIM_PUK.needs_pin
    assert not SimState.NOT_READY.settled and not SimState.ABSENT.present
    # The virtual modem's own view uses the same spelling for a dead SIM.
    assert SimState("SIM FAILURE") is SimState.FAILURE


def test_script_spellings() -> None:
    script = ReplayScript.parse(
        "# title: a\n# expect: x=1\n# expect: y=2\n<- RDY\n-> AT\n<- OK\n-> AT+CMGS=5\n<- >\n"
        "-> 0011\\x1a\n<- +CMGS: 1\n"
    )
    assert script.meta == {"title": "a", "expect": "x=1 y=2"}
    assert script.opening == b"\r\nRDY\r\n"
    assert script.exchanges[0] == (b"AT\r", b"\r\nOK\r\n")
    assert script.exchanges[1][1] == b"\r\n> "
    assert script.exchanges[2] == (b"0011\x1a", b"\r\n+CMGS: 1\r\n")


def test_replay_refuses_what_was_not_recorded() -> None:
    stream = ReplayStream(ReplayScript.parse("-> AT+CPIN?\n<- +CPIN: READY\n<- OK\n"))
    with pytest.raises(ReplayMismatch):
        stream.write(b"AT+CSQ\r")
    assert stream.mismatches and not stream.finished
    stream.write(b"AT+CPIN?\r")
    assert stream.finished
    with pytest.raises(ReplayMismatch):
        stream.write(b"AT\r")


def test_a_harness_transcript_replays_as_recorded() -> None:
    """Record a conversation with the harness's Transcript, write it, replay the file."""
    source = ReplayScript.load(RECORDINGS / "generic" / "unlock.txt")
    transcript = Transcript()
    with Modem(ReplayStream(source), vendor="generic", transcript=transcript) as modem:
        assert modem.unlock("1234") is SimState.READY
    rendered = transcript.render_text()
    assert "1234" not in rendered and '"****"' in rendered
    again = ReplayScript.parse(rendered)
    stream = ReplayStream(again)
    with Modem(stream, vendor="generic") as modem:
        assert modem.unlock("9876") is SimState.READY  # masked: any PIN replays
    assert stream.finished and not stream.mismatches
