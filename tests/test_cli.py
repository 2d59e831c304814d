"""The `simharness` command line: demo, card info, and how it takes (and refuses) secrets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.cli import main
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.vpcd import VpcdBridge

PROFILE = load_profile(DEFAULT_PROFILE)


@pytest.mark.pcsc
def test_demo_reads_the_card_over_pcsc_and_tells_the_story(pcscd: object, tmp_path: Path) -> None:
    """Runs in its own process: the demo starts its own private pcscd."""
    transcript = tmp_path / "demo.txt"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "harness.cli",
            "demo",
            "--transcript",
            str(transcript),
            "--report",
            str(tmp_path / "reports"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in (
        PROFILE.iccid,
        PROFILE.imsi,
        PROFILE.spn,
        "enabled, 3 tries left",
        "Virtual PCD 00 00",
        "after PIN1 verification",
    ):
        assert expected in out
    assert "VULNERABLE" in out and "PROTECTED" in out and "as predicted" in out
    assert (tmp_path / "reports" / "story.md").read_text().count("sequenceDiagram") >= 2
    text = transcript.read_text()
    assert "00 20 00 01 08 2A 2A 2A 2A 2A 2A 2A 2A" in text, "the VERIFY was recorded, masked"
    pin_hex = " ".join(f"{b:02X}" for b in PROFILE.pin1.encode())
    assert pin_hex not in text and PROFILE.pin1 not in out


@pytest.mark.pcsc
def test_card_info_with_pin_from_environment(
    vpcd_slot: VpcdBridge, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    vpcd_slot.card = VirtualUicc(PROFILE)
    monkeypatch.setenv("TEST_SIM_PIN", PROFILE.pin1)
    assert main(["card", "info", "--reader", vpcd_slot.reader, "--pin-env", "TEST_SIM_PIN"]) == 0
    out = capsys.readouterr().out
    assert PROFILE.imsi in out and PROFILE.iccid in out
    assert PROFILE.pin1 not in out


@pytest.mark.pcsc
def test_card_info_without_pin_does_not_spend_an_attempt(
    vpcd_slot: VpcdBridge, capsys: pytest.CaptureFixture[str]
) -> None:
    card = VirtualUicc(PROFILE)
    vpcd_slot.card = card
    assert main(["card", "info", "--reader", "0"]) == 0
    out = capsys.readouterr().out
    assert "PIN1 required" in out and PROFILE.imsi not in out
    assert "enabled, 3 tries left" in out


@pytest.mark.pcsc
def test_unknown_reader_is_a_clear_error(capsys: pytest.CaptureFixture[str], pcscd: object) -> None:
    assert main(["card", "info", "--reader", "No Such Reader"]) == 2
    err = capsys.readouterr().err
    assert "no reader 'No Such Reader'" in err and "readers present" in err


def test_pins_are_never_taken_from_argv(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        main(["card", "info", "--pin", "1234"])
    assert usage.value.code == 2


def test_missing_pin_file_says_what_to_do(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["card", "info", "--pin-file", str(tmp_path / "absent")]) == 2
    assert "absent" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["demo", "--report", "{blocked}/reports"],
        ["demo", "--report", "{tmp}/r", "--transcript", "{blocked}/t.txt"],
        ["scenario", "theft", "--report", "{blocked}/reports"],
    ],
)
def test_an_unwritable_output_path_is_refused_before_anything_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str]
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")  # a file where a directory is wanted: nothing can go under it
    args = [a.format(blocked=blocked, tmp=tmp_path) for a in argv]
    assert main(args) == 2
    captured = capsys.readouterr()
    assert "cannot be written" in captured.err and "nothing was run" in captured.err
    assert "Traceback" not in captured.err and captured.out == ""  # no story, no table
