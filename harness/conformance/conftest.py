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


@pytest.fixture
def device_pin(request: pytest.FixtureRequest, bench: BenchSession) -> Secret:
    """PIN1 of the SIM in the test's `modem` or `sim_card` device (`pin_env` in the bench
    file; the virtual bench knows its own); skips, naming the device, when unknown."""
    params = getattr(getattr(request.node, "callspec", None), "params", {})
    name = params.get("modem") or params.get("sim_card")
    if not isinstance(name, str):
        raise TypeError("device_pin goes with the modem or sim_card fixture")
    pin = bench.lab.pin(bench.config.device(name))
    if pin is None:
        pytest.skip(f"the bench does not know the PIN of {name}: set pin_env in its bench file")
    return pin
