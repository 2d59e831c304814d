"""Hooks: argv with placeholders, no shell, no secret, a deadline, and typed errors that
name the step, the exit status and the tail of stderr."""

from __future__ import annotations

import io
import os
import sys
import time
from pathlib import Path

import pytest

from harness.bench.config import DeviceConfig
from harness.bench.hands import BenchHands, HookOtpSource, HookSimSlot
from harness.bench.hooks import Hook, HookError, HookTimeout, otp_from_output, run_hook
from harness.bench.scenario_config import ScenarioConfig
from harness.errors import HarnessTimeout

PY = sys.executable


def test_a_hook_gets_its_values_as_placeholders_and_environment(tmp_path: Path) -> None:
    script = (
        "import os, sys; print(' '.join(sys.argv[1:])); "
        "print(os.environ['SIMHARNESS_STEP'], os.environ['SIMHARNESS_MSISDN'], "
        "os.environ['SIMHARNESS_BENCH'], os.getcwd(), 'OWNER_SIM_PIN' in os.environ)"
    )
    hook = Hook("report_lost", (PY, "-c", script, "{msisdn}", "{by}", "{{literal}}"))
    os.environ["OWNER_SIM_PIN"] = "1234"
    try:
        output = run_hook(
            hook,
            {"msisdn": "+15555550118", "by": "owner"},
            cwd=tmp_path,
            bench="lab.toml",
            hide_env=["OWNER_SIM_PIN"],
        )
    finally:
        del os.environ["OWNER_SIM_PIN"]
    argv_line, env_line = output.stdout.splitlines()
    assert argv_line == "+15555550118 owner {literal}"
    assert env_line == f"report_lost +15555550118 lab.toml {tmp_path} False"


@pytest.mark.parametrize(
    "name", ["SIM_PUK", "SIMHARNESS_VIRTUAL_PIN", "CAMARA_TOKEN", "LAB_PIN2", "ADM1"]
)
def test_a_hook_never_sees_a_secret_shaped_variable_the_bench_file_did_not_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    monkeypatch.setenv(name, "12345678")
    monkeypatch.setenv("LAB_SITE", "bench-3")  # an ordinary variable still gets through
    script = f"import os; print({name!r} in os.environ, os.environ.get('LAB_SITE'))"
    output = run_hook(Hook("send_otp", (PY, "-c", script)), {}, cwd=tmp_path, bench="lab.toml")
    assert output.stdout.split() == ["False", "bench-3"]


def test_a_failing_hook_names_the_step_the_status_and_the_stderr_tail(tmp_path: Path) -> None:
    script = "import sys; sys.stderr.write('x' * 1000 + 'operator API said 503'); sys.exit(4)"
    with pytest.raises(HookError) as caught:
        run_hook(Hook("report_lost", (PY, "-c", script)), {}, cwd=tmp_path, bench="lab.toml")
    text = str(caught.value)
    assert text.startswith("hook report_lost: ") and "exited with status 4" in text
    assert text.endswith("operator API said 503") and len(text) < 700
    assert caught.value.status == 4


def test_a_hook_that_cannot_start_says_so(tmp_path: Path) -> None:
    with pytest.raises(HookError, match=r"hook send_otp: cannot start `no-such-tool-x`"):
        run_hook(Hook("send_otp", ("no-such-tool-x",)), {}, cwd=tmp_path, bench="lab.toml")


def test_a_hook_past_its_deadline_is_killed_with_its_children(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    script = (
        "import subprocess, sys, time; "
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)']); "
        f"open({str(marker)!r}, 'w').write(str(child.pid)); "
        "sys.stderr.write('waiting for the robot'); sys.stderr.flush(); time.sleep(30)"
    )
    started = time.monotonic()
    with pytest.raises(HookTimeout) as caught:
        run_hook(Hook("move_sim", (PY, "-c", script), 1.5), {}, cwd=tmp_path, bench="lab.toml")
    assert time.monotonic() - started < 10
    assert isinstance(caught.value, HarnessTimeout)
    assert "did not finish within 1.5 s" in str(caught.value)
    assert "waiting for the robot" in str(caught.value)
    child = int(marker.read_text())
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the hook's child outlived the deadline"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def test_an_otp_hook_may_say_the_code_and_the_sender() -> None:
    assert otp_from_output("send_otp", "sent\ncode=123456\nsender=MyBank\n") == ("123456", "MyBank")
    assert otp_from_output("send_otp", "ok\n") == (None, None)
    with pytest.raises(HookError, match="code='12ab'"):
        otp_from_output("send_otp", "code=12ab")


# --- who does a step: the hook, else a person at a terminal -----------------------------------
class FakeTty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _hands(
    tmp_path: Path,
    hooks: dict[str, Hook],
    stdin: io.StringIO | None,
    out: io.StringIO | None = None,
) -> BenchHands:
    from harness.scenarios.manual import BenchEngineer

    scenario = ScenarioConfig(
        "lab.toml", msisdn="+15555550118", otp_from="MyBank", hooks=hooks, hook_dir=tmp_path
    )
    roles = {
        "owner": DeviceConfig("a", "modem", False, "/dev/a"),
        "thief": DeviceConfig("b", "modem", False, "/dev/b"),
    }
    engineer = BenchEngineer(stdin=stdin, out=out or io.StringIO()) if stdin is not None else None
    return BenchHands(scenario, roles, engineer)


def test_without_a_hook_the_engineer_is_asked(tmp_path: Path) -> None:
    out = io.StringIO()
    hands = _hands(tmp_path, {}, FakeTty("\n\n"), out)
    HookSimSlot(hands).move("victim", "thief")
    sent = HookOtpSource(hands).send_otp("+15555550118", "OTP 1")
    assert sent.code is None and sent.sender == "MyBank"
    shown = out.getvalue()
    assert "device 'thief' (modem b (/dev/b))" in shown and "OTP 1" in shown


def test_a_hook_that_prints_the_code_makes_the_match_exact(tmp_path: Path) -> None:
    hook = Hook("send_otp", (PY, "-c", "print('code=424242')"))
    hands = _hands(tmp_path, {"send_otp": hook}, None)
    sent = HookOtpSource(hands).send_otp("+15555550118", "OTP 1")
    assert sent.code == "424242" and sent.sender == "MyBank"
    assert sent.matches("Your code is 424242") and not sent.matches("Your code is 111111")
