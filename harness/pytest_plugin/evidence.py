"""Evidence for CI: per-test transcripts, JUnit properties and attachment lines.

Every AT and APDU exchange of a test is recorded, masked at the source
(harness.transcript), into the test's `transcript`. With --bench-report DIR
it is written to DIR/<test id>/transcript.txt (and .jsonl), and the path is
printed as `[[ATTACHMENT|path]]` in the test's system-out, the form GitLab's
unit test reports and Jenkins' junit-attachments plugin pick up. A failed test
shows the last lines of its transcript in its report. The devices a test used
become JUnit properties (device, vendor, model, firmware, ICCID, virtual).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from harness.pytest_plugin.session import DeviceFacts
from harness.transcript import Transcript

__all__ = ["EVIDENCE", "TAIL_LINES", "TestEvidence", "add_to_junit", "on_report", "test_dir"]

TAIL_LINES = 20
ATTACH_SECTION = "Captured stdout teardown"
TAIL_SECTION = f"simharness transcript (last {TAIL_LINES} lines)"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-\[\]]+")


@dataclass
class TestEvidence:
    transcript: Transcript = field(default_factory=Transcript)
    devices: list[DeviceFacts] = field(default_factory=list)


EVIDENCE = pytest.StashKey[TestEvidence]()


def test_dir(report_dir: Path, nodeid: str) -> Path:
    """DIR/<test id>: the node id with path separators and '::' made file-name safe."""
    return report_dir / _UNSAFE.sub("_", nodeid).strip("_")


def add_device(item: pytest.Item, facts: DeviceFacts) -> None:
    evidence = item.stash.setdefault(EVIDENCE, TestEvidence())
    evidence.devices.append(facts)
    for name, value in facts.properties():
        item.user_properties.append((name, value))


def on_report(item: pytest.Item, report: pytest.TestReport, report_dir: Path | None) -> None:
    """Add the transcript tail to a failure; write the files and attachment at teardown."""
    evidence = item.stash.get(EVIDENCE, None)
    if evidence is None:
        return
    if report.failed and report.when in ("setup", "call"):
        lines = evidence.transcript.render_text().splitlines()[-TAIL_LINES:]
        if lines:
            report.sections.append((TAIL_SECTION, "\n".join(lines)))
    if report.when != "teardown" or report_dir is None:
        return
    target = test_dir(report_dir, item.nodeid)
    text = evidence.transcript.write(target / "transcript.txt")
    jsonl = evidence.transcript.write(target / "transcript.jsonl", fmt="jsonl")
    attachments = "".join(f"[[ATTACHMENT|{path}]]\n" for path in (text, jsonl))
    report.sections.append((ATTACH_SECTION, attachments))


def add_to_junit(config: pytest.Config, report: pytest.TestReport) -> None:
    """Without junit_logging, pytest writes no system-out: put the attachment lines there."""
    if report.when != "teardown":
        return
    lines = "".join(text for name, text in report.sections if name == ATTACH_SECTION)
    if not lines:
        return
    try:
        from _pytest.junitxml import xml_key  # noqa: PLC0415 - pytest's own stash key
    except ImportError:  # pragma: no cover - a pytest without it writes no XML we can extend
        return
    xml = config.stash.get(xml_key, None)
    if xml is None or xml.logging in ("system-out", "out-err", "all"):
        return  # no XML, or pytest's own system-out carries the captured teardown output
    node = ET.Element("system-out")
    node.text = lines
    xml.node_reporter(report).append(node)
