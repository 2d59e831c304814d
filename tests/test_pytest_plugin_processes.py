"""The plugin in whole pytest processes, as a lab's CI starts them.

- From a directory outside this repository, with no conftest, the entry point
  alone loads the plugin: a test file using `modem` and `sim_card` runs on the
  virtual bench (its reader through a private pcscd and vpcd, the real PC/SC
  path), one marked `hardware` is skipped; with `-p no:simharness` the
  fixtures are gone, so it was the entry point that brought them.
- Two pytest processes started at once against one bench file naming a modem
  served by `simharness modem serve` (a real device to them: a `hardware` test
  runs) both pass: the second waits for the
  device lock the first holds, and never uses the modem at the same time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harness.virtual.bench import numbered_profile
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from tests.conftest import LEAN_ADDOPTS

pytestmark = [pytest.mark.pcsc, pytest.mark.usefixtures("lean_pytester")]

BIN = Path(sys.executable).parent


def test_the_entry_point_alone_loads_the_plugin_outside_the_repository(
    pytester: pytest.Pytester,
) -> None:
    reader_iccid = numbered_profile(load_profile(DEFAULT_PROFILE), 2).iccid
    pytester.makepyfile(
        test_lab=f"""
        import pytest

        def test_modem_answers(modem):
            assert modem.command("AT").final == "OK"

        def test_card_in_the_reader(sim_card):
            assert sim_card.read_iccid() == "{reader_iccid}"

        @pytest.mark.hardware
        def test_real_only(modem):
            pass
        """
    )
    assert not list(pytester.path.rglob("conftest.py"))
    assert not pytester.path.is_relative_to(Path(__file__).resolve().parents[1])
    result = pytester.runpytest_subprocess("-v", "-rs", "-p", "no:cacheprovider", timeout=120)
    result.assert_outcomes(passed=3, skipped=2)
    result.stdout.fnmatch_lines(
        [
            "simharness bench: <virtual bench> (virtual); capabilities: emergency_call, modem, "
            "operator, sim_move, sim_reader, sms",
            "plugins: *sim-harness-*",
            "*test_modem_answers[[]modem0[]] PASSED*",
            "*test_modem_answers[[]modem1[]] PASSED*",
            "*test_card_in_the_reader[[]reader0[]] PASSED*",
            "SKIPPED [[]2[]] *needs real hardware; bench <virtual bench> has only virtual devices*",
        ],
        consecutive=False,
    )
    without = pytester.runpytest_subprocess("-p", "no:simharness", "-p", "no:cacheprovider")
    without.stdout.fnmatch_lines(["*fixture 'modem' not found*"])


HOLD = """
import json, os, time
import pytest

LOADED = time.time()  # both processes collect at about the same moment

@pytest.mark.hardware  # runs: the bench file names a device that is not virtual
def test_hold_the_modem(modem):
    start = time.time()
    assert modem.command("AT").final == "OK"
    time.sleep(1.5)
    end = time.time()
    with open(os.environ["HOLD_LOG"], "a") as log:
        log.write(json.dumps([os.getpid(), LOADED, start, end]) + "\\n")
"""


def test_two_jobs_on_one_bench_take_turns_on_a_served_modem(tmp_path: Path) -> None:
    link = tmp_path / "ttyQuectel"
    server = subprocess.Popen(
        [str(BIN / "simharness"), "modem", "serve", "--personality", "quectel",
         "--link", str(link)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        for line in server.stdout:
            if line.startswith("serving"):
                break
        bench = tmp_path / "lab.toml"
        bench.write_text(
            f'lock_dir = "{tmp_path / "locks"}"\n\n[[device]]\nname = "served"\n'
            f'kind = "modem"\nport = "{link}"\n'
        )
        (tmp_path / "test_hold.py").write_text(HOLD)
        log = tmp_path / "hold.log"
        argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                "--bench", str(bench), "--device-wait", "60", "test_hold.py"]  # fmt: skip
        # hypothesis's and labgrid's plugins would import all of them in each job, for nothing
        env = {**os.environ, "HOLD_LOG": str(log), "PYTEST_ADDOPTS": LEAN_ADDOPTS}
        jobs = [
            subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [job.communicate(timeout=120)[0] for job in jobs]
    finally:
        server.terminate()
        server.wait(timeout=10)
    for job, output in zip(jobs, outputs, strict=True):
        assert job.returncode == 0, output
        assert "1 passed" in output
    runs = sorted(json.loads(line) for line in log.read_text().splitlines())
    runs.sort(key=lambda run: run[2])
    assert len(runs) == 2 and runs[0][0] != runs[1][0]
    first, second = runs
    assert second[2] >= first[3]  # never at the same time
    # the second had collected its test while the first still held the modem: it waited
    assert second[1] < first[3]
