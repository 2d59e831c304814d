"""The coverage table of the conformance suite, from reports as pytest hands them over."""

from __future__ import annotations

import pytest

from harness.conformance.coverage import render, row_of

_PROPS = [("test_id", "PIN-002"), ("spec_clause", "TS 102 221 §11.1.9"), ("conformance_check", "x")]


def _report(when: str, outcome: str, longrepr: object = None, nodeid: str = "t.py::a[m0]"):  # type: ignore[no-untyped-def]
    return pytest.TestReport(
        nodeid, ("t.py", 1, "a"), {}, outcome, longrepr, when, user_properties=list(_PROPS)
    )


def test_each_outcome_becomes_one_row_and_the_last_word_wins() -> None:
    skipped = ("t.py", 3, "Skipped: m1: PIN1 has 2 tries left")
    rows = [
        row_of(_report("setup", "passed")),  # nothing settled yet
        row_of(_report("call", "passed")),
        row_of(
            _report(
                "teardown",
                "failed",
                "guard",
            )
        ),  # the guard found a counter lowered
        row_of(_report("setup", "skipped", skipped, nodeid="t.py::a[m1]")),
        row_of(_report("call", "failed", "assert", nodeid="t.py::a[m2]")),
        row_of(_report("setup", "failed", "bench", nodeid="t.py::a[m3]")),
    ]
    assert rows[0] is None
    settled = [row for row in rows if row is not None]
    assert [row.outcome for row in settled] == [
        "passed",
        "error",
        "skipped: m1: PIN1 has 2 tries left",
        "failed",
        "error",
    ]
    table = render(settled, "lab.toml")
    assert "| PIN-002 | TS 102 221 §11.1.9 | x | `a[m0]` | error |" in table
    assert "`a[m1]` | skipped: m1: PIN1 has 2 tries left |" in table
    assert table.rstrip().endswith("0 of 4 passed.")


def test_a_report_without_the_marker_is_not_a_row() -> None:
    report = pytest.TestReport("t.py::b", ("t.py", 1, "b"), {}, "passed", None, "call")
    assert row_of(report) is None
