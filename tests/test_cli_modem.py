"""`simharness modem serve|info|pin`: the bench engineer's path, end to end over a pty."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

PIN = "1234"  # the default virtual SIM's PIN1 (harness/data/sims/default.toml)


@pytest.fixture
def served_modem(tmp_path: Path) -> Iterator[Path]:
    link = tmp_path / "modem0"
    argv = [
        sys.executable,
        "-m",
        "harness.cli",
        "modem",
        "serve",
        "--link",
        str(link),
        "--personality",
        "simcom",
        "--state",
        str(tmp_path / "sim.json"),
    ]
    proc = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 15)
        assert ready, "modem serve printed nothing"
        first = proc.stdout.readline()
        assert str(link) in first and "simcom" in first
        yield link
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def simharness(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def test_info_then_unlock_change_and_disable_the_pin(served_modem: Path) -> None:
    port = str(served_modem)
    info = simharness("modem", "info", "--port", port)
    assert info.returncode == 0, info.stderr
    assert "SIM PIN" in info.stdout and "3 / 10" in info.stdout and "SIMCOM" in info.stdout.upper()

    unlocked = simharness(
        "modem", "pin", "unlock", "--port", port, "--pin-env", "TEST_PIN", env={"TEST_PIN": PIN}
    )
    assert unlocked.returncode == 0, unlocked.stderr
    assert "READY" in unlocked.stdout and PIN not in unlocked.stdout + unlocked.stderr

    changed = simharness(
        "modem",
        "pin",
        "change",
        "--port",
        port,
        "--pin-env",
        "OLD",
        "--new-pin-env",
        "NEW",
        env={"OLD": PIN, "NEW": "8642"},
    )
    assert changed.returncode == 0, changed.stderr
    disabled = simharness(
        "modem", "pin", "disable", "--port", port, "--pin-env", "NEW", env={"NEW": "8642"}
    )
    assert disabled.returncode == 0, disabled.stderr
    after = simharness("modem", "info", "--port", port)
    assert "disabled" in after.stdout and "READY" in after.stdout


def test_wrong_pin_reports_the_tries_left_and_never_the_value(served_modem: Path) -> None:
    wrong = simharness(
        "modem",
        "pin",
        "unlock",
        "--port",
        str(served_modem),
        "--pin-env",
        "TEST_PIN",
        env={"TEST_PIN": "9999"},
    )
    assert wrong.returncode == 2
    assert "2 attempts left" in wrong.stderr and "9999" not in wrong.stderr + wrong.stdout


def test_pin_without_a_source_is_refused_without_a_prompt(served_modem: Path) -> None:
    result = simharness("modem", "pin", "unlock", "--port", str(served_modem))
    assert result.returncode == 2
    assert "never taken from the command line" in result.stderr


def test_unknown_fault_knob_is_a_clear_error() -> None:
    result = simharness("modem", "serve", "--fault", "no_such_knob=1")
    assert result.returncode == 2
    assert "no_such_knob" in result.stderr


def test_last_attempt_and_puk_need_an_explicit_flag(served_modem: Path) -> None:
    port, wrong = str(served_modem), {"TEST_PIN": "9999"}
    for _ in range(2):
        assert (
            simharness(
                "modem", "pin", "unlock", "--port", port, "--pin-env", "TEST_PIN", env=wrong
            ).returncode
            == 2
        )
    refused = simharness(
        "modem", "pin", "unlock", "--port", port, "--pin-env", "TEST_PIN", env=wrong
    )
    assert refused.returncode == 3 and "1 attempt left" in refused.stderr
    unconfirmed = simharness(
        "modem",
        "pin",
        "unlock",
        "--port",
        port,
        "--pin-env",
        "TEST_PIN",
        "--allow-last-attempt",
        env=wrong,
    )
    assert unconfirmed.returncode == 2 and "--confirm-iccid" in unconfirmed.stderr
    blocked = simharness(
        "modem",
        "pin",
        "unlock",
        "--port",
        port,
        "--pin-env",
        "TEST_PIN",
        "--allow-last-attempt",
        "--confirm-iccid",
        "0018",
        "--state-dir",
        str(served_modem.parent / "ledger"),
        env=wrong,
    )
    assert blocked.returncode == 2 and "blocked" in blocked.stderr
    secrets = {"PUK": "12345678", "NEW": "2468"}
    no_flag = simharness(
        "modem",
        "pin",
        "unblock",
        "--port",
        port,
        "--puk-env",
        "PUK",
        "--new-pin-env",
        "NEW",
        env=secrets,
    )
    assert no_flag.returncode == 3 and "PUK" in no_flag.stderr
    unblocked = simharness(
        "modem",
        "pin",
        "unblock",
        "--port",
        port,
        "--puk-env",
        "PUK",
        "--new-pin-env",
        "NEW",
        "--allow-puk-attempt",
        "--confirm-iccid",
        "000000018",
        "--state-dir",
        str(served_modem.parent / "ledger"),
        env=secrets,
    )
    assert unblocked.returncode == 0, unblocked.stderr
    assert "READY" in unblocked.stdout
    assert "12345678" not in unblocked.stdout + unblocked.stderr
