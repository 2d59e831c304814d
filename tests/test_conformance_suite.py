"""The shipped conformance suite, run as a lab runs it: `pytest --pyargs harness.conformance`
from a directory that is not the repository, on the virtual bench the plugin starts.

One run with --allow-destructive covers every test (the
virtual SIMs are all sacrificial); a run on fixtures/benches/virtual.toml, without
the flag, shows the two-phone proofs there and the destructive tests skipped.
The JUnit XML and the coverage table are read back: every test case carries
`test_id` and `spec_clause`, and the table lists each id with its outcome.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from harness.bench.virtual_lab import VIRTUAL_MODEMS

_TIMEOUT_S = 240
_ID = re.compile(r'@pytest\.mark\.conformance\(\s*"([A-Z]+-\d{3})"')
_SUITE = Path(__file__).resolve().parent.parent / "harness" / "conformance"


def _ids_in_source() -> set[str]:
    return {m for path in _SUITE.glob("test_*.py") for m in _ID.findall(path.read_text())}


def _run(cwd: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SIMHARNESS_BENCH", "PYTEST_ADDOPTS")}
    env.update(extra_env)
    argv = [sys.executable, "-m", "pytest", "--pyargs", "harness.conformance",
            "-p", "no:cacheprovider", "--strict-markers", "-rs", *args]  # fmt: skip
    return subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=_TIMEOUT_S, check=False
    )


@pytest.fixture(scope="module")
def full_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    where = tmp_path_factory.mktemp("elsewhere")
    report = where / "report"
    done = _run(where, "--allow-destructive", "--bench-report", str(report),
                "--junitxml", str(where / "junit.xml"))  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    return where, done.stdout


def test_every_test_passes_on_the_virtual_bench(full_run: tuple[Path, str]) -> None:
    _, out = full_run
    summary = out.strip().splitlines()[-1]
    assert "failed" not in summary and "error" not in summary, summary
    assert "skipped" not in summary, out[-3000:]  # the virtual bench can do everything


def test_junit_properties_name_id_and_clause(full_run: tuple[Path, str]) -> None:
    where, _ = full_run
    cases = ET.parse(where / "junit.xml").getroot().iter("testcase")  # noqa: S314 - ours
    seen: set[str] = set()
    count = 0
    for case in cases:
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert props.get("test_id") and props.get("spec_clause"), case.get("name")
        assert "TS " in (props["spec_clause"] or ""), props  # a 3GPP/ETSI clause, cited
        seen.add(props["test_id"] or "")
        count += 1
    assert seen == _ids_in_source()
    assert count > len(seen)  # device-parametrized ones run once per device


def test_coverage_table_lists_every_id_with_its_outcome(full_run: tuple[Path, str]) -> None:
    where, _ = full_run
    table = (where / "report" / "conformance.md").read_text()
    rows = [line for line in table.splitlines() if re.match(r"\| [A-Z]+-\d{3} \|", line)]
    assert {row.split(" | ")[0].removeprefix("| ") for row in rows} == _ids_in_source()
    assert all(row.endswith("| passed |") for row in rows), table
    for name, _personality in VIRTUAL_MODEMS:
        assert f"test_entry_of_pin[{name}]" in table
    transcripts = list((where / "report").glob("*/transcript.txt"))
    assert len(transcripts) >= len(rows)


def test_the_virtual_bench_file_runs_the_two_device_proofs(tmp_path: Path) -> None:
    """fixtures/benches/virtual.toml: the owner's and the thief's phones take part in the
    stolen-phone proofs and the SIM reinsert; what the file does not give is skipped, named."""
    bench = _SUITE.parent.parent / "fixtures" / "benches" / "virtual.toml"
    done = _run(tmp_path, "-v", "--bench", str(bench),
                SIMHARNESS_VIRTUAL_PIN="1234", SIMHARNESS_VIRTUAL_PUK="12345678")  # fmt: skip
    assert done.returncode == 0, done.stdout[-4000:]
    out = done.stdout
    for test in ("test_theft_pin_locked_is_protected", "test_theft_pin_off_is_caught",
                 "test_loss_report_and_reactivations_pin_locked",
                 "test_talked_into_reactivation_pin_off_is_caught",
                 "test_counter_survives_sim_reinsert",
                 "test_wrong_pin_spends_exactly_one_try[phone-thief]",
                 "test_counter_survives_card_reset[reader0]"):  # fmt: skip
        assert re.search(rf"{re.escape(test)} PASSED", out), test
    assert 'phone-owner: no live line to send an SMS over (features = ["sms"])' in out
    assert "needs capability 'emergency_call'" in out
    assert "destructive: may block a SIM for good; run with --allow-destructive" in out
