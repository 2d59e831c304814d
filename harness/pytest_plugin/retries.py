"""--device-retries N: rerun a test after a set-up error the bench caused, never after a failure.

Only a set-up phase that raised `BenchFault` (a port missing, a device gone, a
reader busy past --device-wait, no answer to AT), or a driver's TransportError
or HarnessTimeout in a lab's own fixture, is retried; a failed
assertion, an error in the test body or teardown, a quarantined device and any
other set-up error are reported as they are. Each retried attempt is reported
with outcome "rerun" (shown as R in the summary) so nothing is hidden.
"""

from __future__ import annotations

import pytest
from _pytest.runner import runtestprotocol

from harness.errors import HarnessTimeout, TransportError
from harness.pytest_plugin.session import BenchFault, DeviceQuarantined

# What a device does when the bench is at fault: the plugin's fixtures wrap driver errors
# in BenchFault; a lab's own fixture that opens a driver raises these itself.
_BENCH_FAULTS = (BenchFault, TransportError, HarnessTimeout)

__all__ = ["mark_bench_fault", "run_with_retries"]


def mark_bench_fault(report: pytest.TestReport, call: pytest.CallInfo[None]) -> None:
    """Called from makereport: remember that this set-up failed because of the bench."""
    if call.when == "setup" and call.excinfo is not None:
        error = call.excinfo.value
        fault = isinstance(error, _BENCH_FAULTS) and not isinstance(error, DeviceQuarantined)
        report.simharness_bench_fault = fault  # type: ignore[attr-defined]


def _bench_fault(report: pytest.TestReport) -> bool:
    return report.when == "setup" and bool(getattr(report, "simharness_bench_fault", False))


def run_with_retries(item: pytest.Item, nextitem: pytest.Item | None, retries: int) -> None:
    """pytest's run protocol for one item, repeated after a bench fault in set-up."""
    ihook = item.ihook
    for attempt in range(retries + 1):
        ihook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
        reports = runtestprotocol(item, nextitem=nextitem, log=False)
        retry = attempt < retries and any(_bench_fault(r) for r in reports)
        for report in reports:
            if retry and report.when == "setup":
                report.outcome = "rerun"  # type: ignore[assignment]
            if not (retry and report.when == "teardown" and report.passed):
                ihook.pytest_runtest_logreport(report=report)
        ihook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
        if not retry:
            return
