"""A bench file for the scenarios: its [scenario]/[hooks] tables checked line by line, the
steps it cannot do known up front (INCONCLUSIVE, never PROTECTED), a sender modem as the
bank, and the shipped examples."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from harness.bench import load_bench
from harness.bench.scenario_stage import gaps, scenario_bench
from harness.cli.scenario import run_scenario
from harness.errors import ConfigError
from harness.virtual.bench import (
    NO_PIN_PROFILE,
    REPLACEMENT_PROFILE,
    SimSpec,
    VirtualBench,
    numbered_profile,
)
from harness.virtual.card.profile import load_profile
from tests.bench_control import CONTROL_ENV, BenchControl

HOOK = Path(__file__).parent / "hooks" / "bench_hook.py"

EXAMPLES = Path(__file__).parents[1] / "fixtures" / "benches"

TWO_MODEMS = """\
[[device]]
name = "a"
kind = "modem"
port = "/nonexistent/a"

[[device]]
name = "b"
kind = "modem"
port = "/nonexistent/b"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lab.toml"
    path.write_text(text)
    return path


BAD = [  # (the [scenario]/[hooks] part, what the error says, its line in the whole file)
    ('[scenario]\nowner = "a"\nthief = "c"', "scenario.thief: 'c' is not a [[device]]", 13),
    ('[scenario]\nowner = "a"\nthief = "a"', "scenario.thief: 'a' is the owner too", 13),
    ('[scenario]\nowner = "a"\nthief = "b"', "scenario.msisdn: missing", 11),
    ('[scenario]\nowner = "a"\nthief = "b"\nmsisdn = "12ab"', "scenario.msisdn: '12ab'", 14),
    ('[scenario]\nmsisdn = "+155"\nwindow_s = "30"', "scenario.window_s: '30'", 13),
    ("[scenario]\n\nwindow_s = 0", "scenario.window_s: 0: a number of seconds > 0", 13),
    ('[scenario]\npin_env = "1234"', "scenario.pin_env: '1234': the NAME", 12),
    ("[scenario]\nwindows = 3", "unknown field(s) windows", 12),
    ('[hooks]\nsend_otp = "bank.py"', "hooks.send_otp: a list of strings", 12),
    ('[hooks]\n\nsend_sms = ["x"]', "hooks.send_sms: no such step", 13),
    ('[hooks]\nsend_otp = ["x", "{pin}"]', "unknown placeholder {pin}", 12),
    ('[hooks]\nsend_otp = ["x", "{msisdn"]', "hooks.send_otp: '{msisdn'", 12),
    ('[hooks]\nsend_otp = { argv = ["x"], timeout_s = -1 }', "hooks.send_otp.timeout_s", 12),
    ('[hooks]\nsend_otp = { argv = ["x"], wait = 3 }', "unknown field(s) wait", 12),
    ("[hooks]\ntimeout_s = true", "hooks.timeout_s: True", 12),
    ("[hooks]\nmove_sim = []", "hooks.move_sim: a list of strings", 12),
    ('[hooks]\nmove_sim = [" "]', "hooks.move_sim: the command (first element) is empty", 12),
]


@pytest.mark.parametrize(("tail", "message", "line"), BAD)
def test_a_scenario_mistake_names_the_file_the_line_and_the_field(
    tmp_path: Path, tail: str, message: str, line: int
) -> None:
    path = write(tmp_path, TWO_MODEMS + "\n" + tail + "\n")
    with pytest.raises(ConfigError) as caught:
        load_bench(path)
    assert str(caught.value).startswith(f"{path}:{line}: "), str(caught.value)
    assert message in str(caught.value)


def test_a_simulated_owner_and_a_real_thief_cannot_share_a_network(tmp_path: Path) -> None:
    text = (
        '[[device]]\nname = "a"\nkind = "modem"\nvirtual = true\n\n'
        + TWO_MODEMS.split("\n\n")[1]
        + '\n[scenario]\nowner = "a"\nthief = "b"\n'
    )
    with pytest.raises(ConfigError, match=r"lab.toml:13: scenario.thief: .* share a network"):
        load_bench(write(tmp_path, text))


# --- what a bench cannot do: INCONCLUSIVE, with the reason, before any device is opened ----
HOOKS_BUT_NO_OTP = (
    TWO_MODEMS
    + """
[scenario]
owner = "a"
thief = "b"
msisdn = "+15555550118"

[hooks]
move_sim = ["true"]
report_lost = ["true"]
reactivate = ["true"]
swap_sim = ["true"]
"""
)


@pytest.mark.parametrize("scenario", ["theft", "loss"])
def test_a_bench_without_an_otp_hook_is_inconclusive_with_the_reason(
    tmp_path: Path, scenario: str
) -> None:
    out = io.StringIO()
    path = write(tmp_path, HOOKS_BUT_NO_OTP)  # ports that do not exist: nothing is opened
    status = run_scenario(scenario, True, str(path), tmp_path / "r", out, stdin=io.StringIO())
    assert status == 3
    text = out.getvalue()
    assert "PROTECTED" not in text and "no way to make an OTP arrive" in text
    assert text.count("INCONCLUSIVE") == (1 if scenario == "theft" else 3) + 1
    report = (tmp_path / "r" / f"{scenario}-pin-enabled.md").read_text()
    assert "INCONCLUSIVE" in report and "no send_otp hook" in report


def test_without_standard_input_at_all_the_cli_says_inconclusive(tmp_path: Path) -> None:
    """CI may start the run with file descriptor 0 closed (sys.stdin is None)."""
    path = write(tmp_path, HOOKS_BUT_NO_OTP)
    command = [sys.executable, "-m", "harness.cli", "scenario", "theft", "--bench", str(path)]
    closing = f"import os, subprocess, sys; os.close(0); sys.exit(subprocess.call({command!r}))"
    done = subprocess.run(  # a one-thread wrapper closes fd 0, then starts the CLI
        [sys.executable, "-c", closing],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    assert "no way to make an OTP arrive" in done.stdout and "Traceback" not in done.stderr


def test_each_missing_step_is_named_and_a_terminal_would_do_them(tmp_path: Path) -> None:
    path = write(tmp_path, TWO_MODEMS + '\n[scenario]\nowner = "a"\nthief = "b"\nmsisdn = "+155"\n')
    setup, reasons = scenario_bench(load_bench(path))
    assert setup is not None and reasons == []
    missing = gaps(setup, "loss", interactive=False)
    assert len(missing) == 5
    for step in ("move_sim", "report_lost", "reactivate", "swap_sim"):
        assert any(f"step {step}" in reason for reason in missing)
    assert gaps(setup, "loss", interactive=True) == []


def test_a_bench_with_one_modem_says_it_needs_a_second(tmp_path: Path) -> None:
    out = io.StringIO()
    path = EXAMPLES / "one-modem-one-reader.toml"
    report = tmp_path / "report"
    assert run_scenario("theft", True, str(path), report, out, stdin=io.StringIO()) == 3
    assert "INCONCLUSIVE" in out.getvalue()
    # The terminal table wraps with the path's length; the Markdown report does not.
    text = "\n".join(p.read_text() for p in report.glob("*.md"))
    assert "no [scenario] table" in text and "1 modem(s): eg25" in text
    half = write(tmp_path, TWO_MODEMS + '\n[scenario]\nowner = "a"\nmsisdn = "+155"\n')
    setup, reasons = scenario_bench(load_bench(half))
    assert (
        setup is None
        and "scenario.thief names no modem" in reasons[0]
        and "two in all" in reasons[0]
    )


# --- the shipped examples ------------------------------------------------------------------
def test_every_example_bench_file_loads() -> None:
    examples = sorted(EXAMPLES.glob("*.toml"))
    assert [p.name for p in examples] == [
        "one-modem-one-reader.toml",
        "owner-thief.toml",
        "virtual.toml",
    ]
    real = load_bench(EXAMPLES / "owner-thief.toml")
    assert real.scenario is not None
    assert set(real.scenario.hooks) == {"report_lost", "reactivate", "swap_sim", "send_otp"}
    assert real.scenario.hooks["send_otp"].timeout_s == 30
    assert real.scenario.window_s == 60 and real.scenario.pin_env == "OWNER_SIM_PIN"
    assert [d.kind for d in real.devices] == ["modem", "modem", "reader"]
    assert load_bench(EXAMPLES / "one-modem-one-reader.toml").scenario is None


@pytest.mark.parametrize(
    ("pin", "verdict", "status"), [(True, "PROTECTED", 0), (False, "VULNERABLE", 1)]
)
def test_the_virtual_example_runs_the_scenario_like_the_virtual_bench(
    pin: bool, verdict: str, status: int
) -> None:
    out = io.StringIO()
    path = EXAMPLES / "virtual.toml"
    assert run_scenario("theft", pin, str(path), None, out, stdin=io.StringIO()) == status
    assert f"| {verdict}" in out.getvalue().replace("│", "|")


# --- the bank as a third modem -------------------------------------------------------------
@pytest.mark.parametrize(("pin", "status"), [(True, 0), (False, 1)])
def test_a_sender_modem_plays_the_bank_when_there_is_no_otp_hook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pin: bool, status: int
) -> None:
    sims = [
        SimSpec.load("victim", NO_PIN_PROFILE),
        SimSpec.load("replacement", REPLACEMENT_PROFILE, provisioned=False),
        SimSpec("bank", numbered_profile(load_profile(NO_PIN_PROFILE), 3)),
    ]
    placement = {"victim": "a", "bank": "bank"}
    with (
        VirtualBench(["a", "b", "bank"], sims, placement=placement) as bench,
        BenchControl(bench, tmp_path / "control.sock") as control,
    ):
        path = write(
            tmp_path,
            "".join(
                f'[[device]]\nname = "{name}"\nkind = "modem"\nport = "{port}"\n\n'
                for name, port in bench.ports.items()
            )
            + '[scenario]\nowner = "a"\nthief = "b"\nmsisdn = "+15555550118"\n'
            + 'otp_sender = "bank"\npin_env = "OWNER_SIM_PIN"\nwindow_s = 2\n'
            + f'[hooks]\nmove_sim = ["{sys.executable}", "{HOOK}"]\n',
        )
        monkeypatch.setenv("OWNER_SIM_PIN", "1234")
        monkeypatch.setenv(CONTROL_ENV, str(control.path))
        out = io.StringIO()
        got = run_scenario(
            "theft",
            pin,
            str(path),
            tmp_path / "r",
            out,
            stdin=io.StringIO(),
            lock_dir=tmp_path / "locks",
        )
        assert got == status, out.getvalue()
        assert [r["step"] for r in control.log] == ["move_sim"]  # the codes came from the modem
        report = (tmp_path / "r" / f"theft-pin-{'enabled' if pin else 'disabled'}.md").read_text()
        if pin:
            assert "**the thief reads an OTP with the stolen SIM: PROTECTED**" in report
        else:  # the bank modem's text, read off the thief's phone
            assert "Your verification code is" in report and "VULNERABLE" in report
        sender_log = (tmp_path / "r" / "transcripts").glob("*-sender.txt")
        assert any("AT+CMGS" in p.read_text() for p in sender_log)
