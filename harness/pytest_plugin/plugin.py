"""The plugin pytest loads (entry point `simharness`): hooks and fixtures put together.

Each hook is a line or two; the work is in the modules it calls.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

import pytest

from harness.pytest_plugin import coverage, evidence, markers
from harness.pytest_plugin.fixtures import (
    SESSION,
    bench,
    modem,
    operator,
    otp_source,
    phones,
    sim_card,
    sim_slot,
    stage,
    transcript,
)
from harness.pytest_plugin.options import pytest_addoption, read_settings
from harness.pytest_plugin.retries import mark_bench_fault, run_with_retries
from harness.pytest_plugin.session import BenchSession

__all__ = [
    "bench",
    "modem",
    "operator",
    "otp_source",
    "phones",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_generate_tests",
    "pytest_report_header",
    "pytest_report_teststatus",
    "pytest_runtest_makereport",
    "pytest_runtest_protocol",
    "pytest_unconfigure",
    "sim_card",
    "sim_slot",
    "stage",
    "transcript",
]

_DEVICE_FIXTURES = ("modem", "sim_card")
_FIXTURES_MODULE = "harness.pytest_plugin.fixtures"
_OURS = frozenset(
    {"bench", "modem", "sim_card", "stage", "phones", "sim_slot", "operator", "otp_source"}
)


def _session(config: pytest.Config) -> BenchSession:
    return config.stash[SESSION]


def _ours(name2fixturedefs: object, name: str) -> bool:
    """True when `name` resolves to this plugin's fixture (a test module may define its own)."""
    get = getattr(name2fixturedefs, "get", None)
    defs: Sequence[object] = (get(name) if get is not None else None) or ()
    module = getattr(getattr(defs[-1], "func", None), "__module__", "") if defs else ""
    return module == _FIXTURES_MODULE


def pytest_configure(config: pytest.Config) -> None:
    markers.register(config)
    config.stash[SESSION] = BenchSession.from_settings(read_settings(config))
    config.pluginmanager.register(_JunitAttachments(config), "simharness-junit-attachments")
    config.pluginmanager.register(coverage.CoverageTable(config), "simharness-coverage")


def pytest_unconfigure(config: pytest.Config) -> None:
    session = config.stash.get(SESSION, None)
    if session is not None:
        session.close()


def pytest_report_header(config: pytest.Config) -> str:
    session = _session(config)
    kind = "real hardware" if session.real else "virtual"
    caps = ", ".join(sorted(session.capabilities)) or "none"
    return f"simharness bench: {session.source} ({kind}); capabilities: {caps}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    session = _session(metafunc.config)
    vendors = markers.wanted_vendors(metafunc.definition)
    for fixture in _DEVICE_FIXTURES:
        if fixture in metafunc.fixturenames and _ours(metafunc._arg2fixturedefs, fixture):
            params = markers.device_params(session, fixture, vendors)
            metafunc.parametrize(fixture, params, indirect=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip what the bench cannot serve (reason named); note the devices the rest use."""
    session = _session(config)
    coverage.attach(items)
    for item in items:
        defs = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
        used = {name for name in _OURS if _ours(defs, name)}
        reason = markers.missing_need(session, item, used)
        if reason is not None:
            item.add_marker(pytest.mark.skip(reason=reason))
            continue
        params = getattr(getattr(item, "callspec", None), "params", {})
        for fixture in _DEVICE_FIXTURES:
            if fixture in used and isinstance(params.get(fixture), str):
                session.used.add(params[fixture])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    mark_bench_fault(report, call)
    evidence.on_report(item, report, _session(item.config).settings.report_dir)
    return report


def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    retries = _session(item.config).settings.device_retries
    if retries <= 0:
        return None
    run_with_retries(item, nextitem, retries)
    return True


def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, tuple[str, dict[str, bool]]] | None:
    if report.outcome == "rerun":  # type: ignore[comparison-overlap]
        return "rerun", "R", ("RERUN", {"yellow": True})
    return None


class _JunitAttachments:
    """Puts the attachment lines into the JUnit XML before pytest's junitxml closes the case."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        evidence.add_to_junit(self._config, report)
