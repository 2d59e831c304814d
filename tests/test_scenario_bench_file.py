"""`simharness scenario theft|loss --bench lab.toml`, unattended, with hooks doing the steps.

The bench here is a VirtualBench in the test process, reached the way a real
bench is: its modems by their ports (named in a bench file), every step a
person or another system does by a hook command (a small script that asks the
bench over a Unix socket: tests/bench_control.py). The CLI runs in another
process with stdin=/dev/null, as in CI, and must print the same verdicts and
write the same report (codes and timings aside) as on the virtual bench.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.cli.scenario import run_scenario
from harness.virtual.bench import NO_PIN_PROFILE, REPLACEMENT_PROFILE, SimSpec, VirtualBench
from tests.bench_control import CONTROL_ENV, BenchControl

HOOK = Path(__file__).parent / "hooks" / "bench_hook.py"
STEPS = ("move_sim", "take_out", "report_lost", "reactivate", "swap_sim", "send_otp")
PINS = {"OWNER_SIM_PIN": "1234", "REPLACEMENT_SIM_PIN": "1234"}  # the virtual cards' PINs


@dataclass
class HookBench:
    file: Path
    control: BenchControl
    tmp: Path
    ports: dict[str, str]

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, **PINS, CONTROL_ENV: str(self.control.path)}
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "harness.cli",
                "scenario",
                *args,
                "--bench",
                str(self.file),
                "--lock-dir",
                str(self.tmp / "locks"),
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )


def bench_file(ports: dict[str, str], *, steps: tuple[str, ...] = STEPS) -> str:
    hooks = "\n".join(
        f'{step} = ["{sys.executable}", "{HOOK}", "{{step}}", "{{sim}}", "{{device}}", "{{by}}"]'
        for step in steps
    )
    return f"""
[[device]]
name = "phone-a"
kind = "modem"
port = "{ports["phone-a"]}"

[[device]]
name = "phone-b"
kind = "modem"
port = "{ports["phone-b"]}"

[scenario]
owner = "phone-a"
thief = "phone-b"
msisdn = "+15555550118"
pin_env = "OWNER_SIM_PIN"
replacement_pin_env = "REPLACEMENT_SIM_PIN"
window_s = 0.5
delivery_timeout_s = 10

[hooks]
timeout_s = 20
{hooks}
"""


@pytest.fixture
def hook_bench(tmp_path: Path) -> Iterator[HookBench]:
    sims = [
        SimSpec.load("victim", NO_PIN_PROFILE),
        SimSpec.load("replacement", REPLACEMENT_PROFILE, provisioned=False),
    ]
    with (
        VirtualBench(["phone-a", "phone-b"], sims, placement={"victim": "phone-a"}) as bench,
        BenchControl(bench, tmp_path / "control.sock") as control,
    ):
        path = tmp_path / "lab.toml"
        path.write_text(bench_file(bench.ports))
        yield HookBench(path, control, tmp_path, bench.ports)


# --- the same report as on the virtual bench -----------------------------------------------
def comparable(report: str) -> dict[str, list[str]]:
    """What must match between two runs: the summary and findings tables without their
    evidence column, and the sequence diagram with every digit masked (codes, timings)."""
    rows = [
        " | ".join(cells[:-1])
        for line in report.splitlines()
        if line.startswith("|") and not line.startswith("|--")
        for cells in [[c.strip() for c in line.strip("|").split("|")]]
        if len(cells) >= 4
    ]
    diagram = re.search(r"```mermaid\n(.*?)```", report, re.S)
    assert diagram is not None
    return {"tables": rows, "diagram": re.sub(r"[0-9]+", "#", diagram.group(1)).splitlines()}


def verdicts(stdout: str) -> list[str]:
    return re.findall(r"\b(PROTECTED|VULNERABLE|INCONCLUSIVE)\b", stdout)


@pytest.mark.parametrize(
    ("scenario", "pin", "expected", "status"),
    [
        ("theft", "--pin-enabled", ["PROTECTED"], 0),
        ("theft", "--pin-disabled", ["VULNERABLE"], 1),
        ("loss", "--pin-disabled", ["PROTECTED", "VULNERABLE", "PROTECTED"], 1),
    ],
)
def test_hooks_drive_the_scenario_unattended_to_the_virtual_benchs_verdicts(
    hook_bench: HookBench, tmp_path: Path, scenario: str, pin: str, expected: list[str], status: int
) -> None:
    done = hook_bench.run(scenario, pin, "--report", str(tmp_path / "real"))
    assert done.returncode == status, done.stdout + done.stderr
    assert verdicts(done.stdout)[:-1] == expected  # the last one is the "verdict:" line

    reference = io.StringIO()
    pin_enabled = pin == "--pin-enabled"
    assert run_scenario(scenario, pin_enabled, "virtual", tmp_path / "virtual", reference) == status
    assert verdicts(reference.getvalue())[:-1] == expected

    slug = f"{scenario}-pin-{'enabled' if pin_enabled else 'disabled'}"
    real = (tmp_path / "real" / f"{slug}.md").read_text()
    virtual = (tmp_path / "virtual" / f"{slug}.md").read_text()
    assert comparable(real) == comparable(virtual)
    assert f"Bench: {hook_bench.file}" in real
    for device in ("owner", "thief"):
        assert (tmp_path / "real" / "transcripts" / f"{slug}-{device}.txt").exists()

    steps = [r["step"] for r in hook_bench.control.log]
    assert steps.count("send_otp") == (2 if scenario == "theft" else 4)
    move = next(r for r in hook_bench.control.log if r["step"] == "move_sim")
    assert move["argv"] == "move_sim victim phone-b " and move["role"] == "thief"
    assert move["port"] == hook_bench.ports["phone-b"]
    if scenario == "loss":
        assert {"report_lost", "reactivate", "swap_sim"} <= set(steps)
        swap = next(r for r in hook_bench.control.log if r["step"] == "swap_sim")
        assert swap["sim"] == "replacement" and swap["by"] == "owner"

    # No PIN reaches a hook (its variables are not passed on) or any file of the report.
    assert all(r["pin_vars"] == "" for r in hook_bench.control.log)
    assert all('"1234"' not in v for r in hook_bench.control.log for v in r.values())
    for path in (tmp_path / "real").rglob("*"):
        if path.is_file():
            assert '"1234"' not in path.read_text(), path
    if pin_enabled:  # the owner switched the lock on with the PIN from OWNER_SIM_PIN
        owner = (tmp_path / "real" / "transcripts" / f"{slug}-owner.txt").read_text()
        assert 'AT+CLCK="SC",1,"****"' in owner


def test_a_failing_hook_stops_the_run_with_its_step_status_and_stderr(
    hook_bench: HookBench,
) -> None:
    script = "import sys; sys.stderr.write('bank API down'); sys.exit(4)"
    failing = f'["{sys.executable}", "-c", "{script}"]'
    text = hook_bench.file.read_text()
    text = re.sub(r"^send_otp = .*$", f"send_otp = {failing}", text, flags=re.M)
    hook_bench.file.write_text(text)
    done = hook_bench.run("theft", "--pin-disabled")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "hook send_otp:" in done.stderr and "exited with status 4" in done.stderr
    assert done.stderr.rstrip().endswith("bank API down") and "Traceback" not in done.stderr
