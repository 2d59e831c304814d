"""The coverage table of the conformance suite, from reports as pytest hands them over."""

from __future__ import annotations

import pytest

from harness.pytest_plugin.coverage import render, row_of

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


LAB_TESTS = '''
import pytest

@pytest.mark.conformance("LAB-001", "TS 27.007 §8.3")
def test_one():
    """The first check."""

@pytest.mark.parametrize("n", [1, 2])
@pytest.mark.conformance("LAB-002", "TS 27.005 §3.5.1")
def test_two(n):
    """The second check, twice."""
    assert n == 1
'''


def test_a_labs_own_tests_get_properties_and_a_table_under_xdist(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_lab=LAB_TESTS)
    # One xdist worker: the controller, which collects nothing, must still write the table.
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-n", "1", "--bench-report", "out", "--junitxml", "j.xml"
    )
    result.assert_outcomes(passed=2, failed=1)
    table = (pytester.path / "out" / "conformance.md").read_text()
    assert "| LAB-001 | TS 27.007 §8.3 | The first check. | `test_one` | passed |" in table
    assert "`test_two[2]` | failed |" in table
    assert "2 of 3 passed." in table
    junit = (pytester.path / "j.xml").read_text()
    assert junit.count('<property name="test_id" value="LAB-002"') == 2
    assert '<property name="spec_clause" value="TS 27.005 §3.5.1"' in junit


def test_two_tests_sharing_an_id_stop_the_run(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_dup="""
import pytest

@pytest.mark.conformance("X-001", "TS 1")
def test_a(): pass

@pytest.mark.conformance("X-001", "TS 2")
def test_b(): pass
"""
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret != 0
    result.stderr.fnmatch_lines(["*conformance id X-001 is used by *test_a and *test_b*"])
