"""The `conformance(test_id, clause)` marker: JUnit properties and the coverage table.

A test (the shipped suite harness.conformance, or a lab's own) names a stable
id and the specification clause it checks. Both become JUnit properties
(`test_id`, `spec_clause`) at collection, so they reach the XML also from
xdist workers; the process that writes the reports (the xdist controller, or
the only one) gathers every result and writes `conformance.md` (one row per
test and device) into the --bench-report directory, beside the transcripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["COVERAGE_FILE", "CoverageTable", "Row", "attach", "render", "row_of", "write"]

COVERAGE_FILE = "conformance.md"
_CHECK = "conformance_check"  # the docstring's first line, carried to the controller


@dataclass(frozen=True)
class Row:
    test_id: str
    clause: str
    check: str
    nodeid: str
    outcome: str  # passed, failed, error, skipped: <reason>


def attach(items: list[pytest.Item]) -> None:
    """Give every test with the marker its properties; a malformed marker, or two test
    functions sharing an id, is a usage error (the ids must stay stable and unique)."""
    owners: dict[str, str] = {}
    for item in items:
        mark = item.get_closest_marker("conformance")
        if mark is None:
            continue
        if len(mark.args) != 2:
            raise pytest.UsageError(
                f'{item.nodeid}: write @pytest.mark.conformance("<ID>", "<spec clause>")'
            )
        test_id, clause = (str(arg) for arg in mark.args)
        function = getattr(item, "originalname", item.name)
        owner = f"{item.nodeid.split('::')[0]}::{function}"
        if owners.setdefault(test_id, owner) != owner:
            raise pytest.UsageError(
                f"conformance id {test_id} is used by {owners[test_id]} and {owner}"
            )
        function_object = getattr(item, "function", None)
        doc = (getattr(function_object, "__doc__", None) or "").strip().splitlines()
        item.user_properties.extend(
            [("test_id", test_id), ("spec_clause", clause), (_CHECK, doc[0] if doc else "")]
        )


def row_of(report: pytest.TestReport) -> Row | None:
    """The table row a report settles (None while the test is still running)."""
    props = {str(name): str(value) for name, value in report.user_properties}
    if "test_id" not in props:
        return None
    check = props.get(_CHECK, "")
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
            outcome = f"skipped: {str(reason).removeprefix('Skipped: ')}"
        elif report.failed:
            outcome = "failed" if report.when == "call" else "error"
        else:
            outcome = "passed"
        return Row(props["test_id"], props["spec_clause"], check, report.nodeid, outcome)
    if report.when == "teardown" and report.failed:
        return Row(props["test_id"], props["spec_clause"], check, report.nodeid, "error")
    return None


def render(rows: list[Row], bench: str) -> str:
    """Markdown: one line per test and device, ordered by id; the last word on a test wins
    (a teardown error overrides a pass)."""
    final: dict[str, Row] = {}
    for row in rows:
        final[row.nodeid] = row
    lines = [
        f"# Conformance coverage — bench {bench}",
        "",
        "| id | spec clause | check | test | outcome |",
        "|---|---|---|---|---|",
    ]
    for row in sorted(final.values(), key=lambda r: (r.test_id, r.nodeid)):
        test = row.nodeid.split("::", 1)[-1]
        cells = [row.test_id, row.clause, row.check, f"`{test}`", row.outcome]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    passed = sum(r.outcome == "passed" for r in final.values())
    lines += ["", f"{passed} of {len(final)} passed."]
    return "\n".join(lines) + "\n"


def write(report_dir: Path, rows: list[Row], bench: str) -> Path:
    report_dir.mkdir(parents=True, exist_ok=True)
    path = report_dir / COVERAGE_FILE
    path.write_text(render(rows, bench), encoding="utf-8")
    return path


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class CoverageTable:
    """Registered by the plugin: a row per settled test, written at the session's end by
    the process that is not an xdist worker."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config
        self._rows: list[Row] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        row = row_of(report)
        if row is not None:
            self._rows.append(row)

    def pytest_sessionfinish(self) -> None:
        report_dir = self._config.getoption("--bench-report", None)
        if report_dir is None or hasattr(self._config, "workerinput") or not self._rows:
            return
        bench = self._config.getoption("--bench", None) or "virtual"
        write(Path(report_dir), self._rows, str(bench))
