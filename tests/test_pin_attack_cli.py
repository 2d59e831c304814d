"""`simharness attack pin|audit` (in process, through add_attack_commands) and the demo."""

from __future__ import annotations

import argparse
import io
import re
import time
from pathlib import Path

import pytest

from harness.attack.demo import DEMO_PIN, run_short_attack_demo
from harness.bench.stolen_phone import stolen_phone
from harness.cli.attack import add_attack_commands
from harness.errors import ConfigError, TransportError
from harness.virtual.card.profile import DEFAULT_PROFILE
from harness.virtual.modem import VirtualModem
from tests.pin_attack_support import UNCOMMON_PIN, card_counters, stolen_card


def simharness(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="simharness")
    add_attack_commands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.func(args))


@pytest.fixture
def bench(tmp_path: Path) -> Path:
    """A bench file with a simulated phone and reader, each with a card whose PIN1 is
    uncommon; the phone's card is sacrificial."""
    profile = tmp_path / "stolen.toml"
    profile.write_text(
        DEFAULT_PROFILE.read_text().replace('pin1 = "1234"', f'pin1 = "{UNCOMMON_PIN}"')
    )
    path = tmp_path / "lab.toml"
    path.write_text(
        f"""
sacrificial_iccids = ["8988211000000000018"]
[[device]]
name = "phone"
kind = "modem"
virtual = true
profile = "{profile}"
state = "phone-card.json"
[[device]]
name = "reader"
kind = "reader"
virtual = true
profile = "{profile}"
state = "reader-card.json"
"""
    )
    return path


def test_a_dry_run_reads_the_card_and_sends_no_guess(
    bench: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    transcript = tmp_path / "t.txt"
    args = [
        "--bench",
        str(bench),
        "--device",
        "phone",
        "--dry-run",
        "--transcript",
        str(transcript),
    ]
    assert simharness("attack", "pin", *args, "--allow-destructive") == 0
    out = capsys.readouterr().out
    assert "PLAN (dry run: no guess is sent)" in out and "may block the PIN" in out
    assert "PIN1 tries left 3" in out and "3 attempt(s) possible" in out
    text = transcript.read_text()
    assert "AT+CRSM" in text and "AT+CPIN=" not in text  # the ICCID read; no PIN presented


def test_a_dry_run_on_a_missing_port_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(TransportError, match="does not exist"):
        simharness("attack", "pin", "--port", str(tmp_path / "no-modem"), "--dry-run")


def test_pin_then_puk_on_the_bench_phone_through_the_cli(
    bench: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    where = ["--bench", str(bench), "--device", "phone", "--state-dir", str(tmp_path / "ledger")]
    transcript = tmp_path / "t.txt"
    assert simharness("attack", "pin", *where, "--transcript", str(transcript)) == 0
    guarded = capsys.readouterr().out
    assert "refused" in guarded and "3 -> 1" in guarded
    text = transcript.read_text()
    assert 'AT+CPIN="****"' in text and '"1234"' not in text and '"1111"' not in text

    destroy = [*where, "--allow-destructive", "--strategy", "reset-tricks"]
    assert simharness("attack", "pin", *destroy) == 0
    blocked = capsys.readouterr().out
    assert "the PIN is blocked" in blocked and "survived" in blocked
    puk = [*where, "--allow-destructive", "--target", "puk", "--strategy", "random"]
    assert simharness("attack", "pin", *puk, "--max-attempts", "2", "--seed", "7") == 0
    out = capsys.readouterr().out
    assert "10 -> 8" in out and "seed 7" in out


def test_a_port_is_real_to_the_campaign_even_when_destructive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    card = stolen_card()
    with VirtualModem(card) as device:
        port = device.start_pty()
        argv = ["--port", port, "--allow-destructive", "--state-dir", str(tmp_path)]
        assert simharness("attack", "pin", *argv) == 0
    assert "REAL" in capsys.readouterr().out
    assert card_counters(card).pin == 1


def test_pin2_on_the_bench_reader(
    bench: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--bench", str(bench), "--device", "reader", "--target", "pin2"]
    assert simharness("attack", "pin", *argv, "--state-dir", str(tmp_path / "l")) == 0
    assert re.search(r"PIN2 tries\s+│ 3 -> 1 ", capsys.readouterr().out)


def test_bad_device_choices_are_config_errors(bench: Path) -> None:
    with pytest.raises(ConfigError, match="give --bench FILE too"):
        simharness("attack", "pin", "--port", "/dev/null", "--device", "x")
    with pytest.raises(ConfigError, match="needs --device"):
        simharness("attack", "pin", "--bench", str(bench))
    with pytest.raises(ConfigError, match="sequential or random"):
        simharness(
            "attack",
            "pin",
            "--bench",
            "virtual",
            "--device",
            "modem",
            "--target",
            "puk",
            "--dry-run",
        )


def test_the_audit_reads_the_pin_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OWNER_PIN", "1234")
    assert simharness("attack", "audit", "--pin-env", "OWNER_PIN") == 1
    out = capsys.readouterr().out
    assert "among the 3 most common" in out and "1234" not in out and "#1" not in out
    monkeypatch.setenv("OWNER_PIN", UNCOMMON_PIN)
    assert simharness("attack", "audit", "--pin-env", "OWNER_PIN") == 0
    assert "Not weak by the rules" in capsys.readouterr().out
    for weak, rule in (("12345678", "run of digits"), ("2580", "markert2020_4digit")):
        monkeypatch.setenv("OWNER_PIN", weak)  # 8 digits, and a PIN the dictionary lacks
        assert simharness("attack", "audit", "--pin-env", "OWNER_PIN") == 1
        out = capsys.readouterr().out
        assert rule in out and weak not in out
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    with pytest.raises(ConfigError, match="never on the command line"):
        simharness("attack", "audit")


def test_the_short_demo_shows_the_guard_then_a_block_that_survives_the_tricks() -> None:
    out = io.StringIO()
    started = time.monotonic()
    assert run_short_attack_demo(stolen_phone, out) == 0
    assert time.monotonic() - started < 30  # generous: the suite runs on both cores
    text = out.getvalue()
    assert "refused" in text and "3 -> 1" in text
    assert "the PIN is blocked" in text and "the counter survived" in text
    assert "10 -> 8" in text  # the PUK: two spent, none given back
    # A rank on a public list is the PIN itself: only a band may be printed.
    assert DEMO_PIN not in text and "#13" not in text and "0.395%" not in text
    assert "among the 20 most common" in text


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_drawn_only_on_a_terminal() -> None:
    from harness.attack.report import Progress

    piped, terminal = io.StringIO(), _Terminal()
    for stream in (piped, terminal):
        bar = Progress(4, stream, "PIN1")
        bar.update(1)
        bar.update(4)
        bar.close()
    assert piped.getvalue() == ""
    assert "\rPIN1 [" in terminal.getvalue() and "4/4" in terminal.getvalue()
    assert terminal.getvalue().endswith("\n")


def test_a_damaged_ledger_stops_the_cli_without_a_traceback_and_is_kept(
    bench: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from harness.cli import main

    ledgers = tmp_path / "ledger"
    ledgers.mkdir()
    damaged = ledgers / "8988211000000000018.json"
    damaged.write_bytes(b'{"version": 1, "iccid": "8988211000000000018"}')  # no "pending"...
    argv = ["attack", "pin", "--bench", str(bench), "--device", "reader"]
    assert main([*argv, "--state-dir", str(ledgers)]) == 2
    err = capsys.readouterr().err
    assert "damaged" in err and "will not be attacked" in err and "Traceback" not in err
    assert damaged.read_bytes() == b'{"version": 1, "iccid": "8988211000000000018"}'
