"""Hooks of the conformance suite: its marker, its properties, its coverage table, and the
small fixtures its modules share (the PIN of the device under test, as the bench knows it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.conformance import coverage
from harness.pytest_plugin.session import BenchSession
from harness.secrets import Secret


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", coverage.MARKER)
    config.pluginmanager.register(_Coverage(config), "simharness-conformance-coverage")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    coverage.attach(items)


class _Coverage:
    """Gathers a row per settled test; the controller (not an xdist worker) writes the table."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self._rows: list[coverage.Row] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        row = coverage.row_of(report)
        if row is not None:
            self._rows.append(row)

    def pytest_sessionfinish(self) -> None:
        report_dir = self._config.getoption("--bench-report", None)
        if report_dir is None or hasattr(self._config, "workerinput") or not self._rows:
            return
        bench = self._config.getoption("--bench", None) or "virtual"
        coverage.write(Path(report_dir), self._rows, str(bench))


def _device_name(request: pytest.FixtureRequest) -> str:
    params = getattr(getattr(request.node, "callspec", None), "params", {})
    name = params.get("modem") or params.get("sim_card")
    if not isinstance(name, str):
        raise TypeError(f"{request.fixturename} goes with the modem or sim_card fixture")
    return name


@pytest.fixture
def device_pin(request: pytest.FixtureRequest, bench: BenchSession) -> Secret:
    """PIN1 of the SIM in the test's `modem` or `sim_card` device (`pin_env` in the bench
    file; the virtual bench knows its own); skips, naming the device, when unknown."""
    name = _device_name(request)
    pin = bench.lab.pin(bench.config.device(name))
    if pin is None:
        pytest.skip(f"the bench does not know the PIN of {name}: set pin_env in its bench file")
    return pin


@pytest.fixture
def device_puk(request: pytest.FixtureRequest, bench: BenchSession) -> Secret:
    """PUK1 of the SIM in the test's device (`puk_env`); only destructive tests ask for it."""
    name = _device_name(request)
    puk = bench.lab.puk(bench.config.device(name))
    if puk is None:
        pytest.skip(f"the bench does not know the PUK of {name}: set puk_env in its bench file")
    return puk
