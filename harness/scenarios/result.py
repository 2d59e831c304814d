"""What a scenario hands back: steps, findings with their checks, evidence, transcripts.

Plain values (dataclasses), so a report, a test or a CI job reads the same
thing. A verdict is never stored by hand: `Finding.of(checks)` computes it from
the checks, and each check from evidence a driver read off a device.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum

from harness.scenarios.evidence import CaptureEvidence
from harness.transcript import Transcript

__all__ = ["Check", "Finding", "Participant", "ScenarioResult", "Step", "Timeline", "Verdict"]


class Verdict(Enum):
    PROTECTED = "PROTECTED"
    VULNERABLE = "VULNERABLE"
    INCONCLUSIVE = "INCONCLUSIVE"  # the bench could not show the attack would have worked

    @staticmethod
    def worst(verdicts: Iterable[Verdict]) -> Verdict:
        found = set(verdicts)
        for verdict in (Verdict.VULNERABLE, Verdict.INCONCLUSIVE):
            if verdict in found:
                return verdict
        return Verdict.PROTECTED


@dataclass(frozen=True)
class Check:
    """One claim a PROTECTED verdict needs, whether the evidence bears it out, and the evidence."""

    key: str  # "a", "b", "c", or a short name
    claim: str
    passed: bool
    evidence: str


@dataclass(frozen=True)
class Finding:
    """The answer to one question ("can the thief read an OTP?"), computed from its checks."""

    subject: str
    verdict: Verdict
    checks: tuple[Check, ...]
    headline: str = ""  # the one line of evidence a summary table shows

    @classmethod
    def of(
        cls,
        subject: str,
        checks: Iterable[Check],
        *,
        baseline: Check | None = None,
        headline: str = "",
    ) -> Finding:
        """PROTECTED when every check passed, else VULNERABLE; INCONCLUSIVE when the
        `baseline` (the bench delivers an OTP to the rightful SIM at all) failed, or when
        there is no check at all (no evidence is never a defence)."""
        checks = tuple(checks)
        if baseline is not None and not baseline.passed:
            return cls(subject, Verdict.INCONCLUSIVE, (baseline, *checks), baseline.evidence)
        if not checks:
            return cls(subject, Verdict.INCONCLUSIVE, (), headline or "no evidence was gathered")
        verdict = Verdict.PROTECTED if all(c.passed for c in checks) else Verdict.VULNERABLE
        if not headline:
            failed = [c for c in checks if not c.passed]
            headline = failed[0].evidence if failed else "; ".join(c.key for c in checks)
        return cls(subject, verdict, checks, headline)


@dataclass(frozen=True)
class Participant:
    id: str  # Mermaid-safe id
    label: str


@dataclass(frozen=True)
class Step:
    """One thing someone did or a device showed, for the table and the sequence diagram.

    `target` None makes it a note over `actor`.
    """

    actor: str
    action: str
    target: str | None = None
    dashed: bool = False  # an answer or an absence ("nothing within 0.5 s")


class Timeline:
    """Steps in order, as the scenario takes them."""

    def __init__(self) -> None:
        self.steps: list[Step] = []

    def act(self, actor: str, target: str, action: str, *, dashed: bool = False) -> None:
        self.steps.append(Step(actor, action, target, dashed))

    def note(self, over: str, text: str) -> None:
        self.steps.append(Step(over, text))


@dataclass
class ScenarioResult:
    name: str  # "theft", "loss"
    title: str
    bench: str
    pin_enabled: bool
    participants: list[Participant]
    steps: list[Step] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    evidence: list[CaptureEvidence] = field(default_factory=list)
    transcripts: dict[str, Transcript] = field(default_factory=dict)
    started: float = field(default_factory=time.time)
    duration_s: float = 0.0

    @property
    def verdict(self) -> Verdict:
        if not self.findings:
            return Verdict.INCONCLUSIVE
        return Verdict.worst(f.verdict for f in self.findings)

    @property
    def slug(self) -> str:
        return f"{self.name}-pin-{'enabled' if self.pin_enabled else 'disabled'}"

    @property
    def label(self) -> str:
        return f"{self.name} (PIN {'enabled' if self.pin_enabled else 'disabled'})"
