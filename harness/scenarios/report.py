"""Scenario results as a terminal table and as a Markdown report with a Mermaid sequence diagram.

The report holds what a reviewer needs to re-check a verdict without
re-running it: every check with its evidence, what each device answered in
each window, and the masked AT transcripts of both phones (written beside the
report). PINs never appear: the transcripts are masked at the source.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from tabulate import tabulate

from harness.scenarios.evidence import CaptureEvidence, StorageReading
from harness.scenarios.result import ScenarioResult, Step

__all__ = ["mermaid_diagram", "render_markdown", "render_table", "write_report"]

_HEADERS = ["scenario", "question", "verdict", "evidence"]
_NOTE_WIDTH = 48


def _rows(results: Sequence[ScenarioResult], width: int | None) -> list[list[str]]:
    rows = []
    for result in results:
        for finding in result.findings:
            headline = finding.headline
            if width is not None:
                headline = textwrap.fill(headline, width)
            rows.append([result.label, finding.subject, finding.verdict.value, headline])
    return rows


def render_table(results: Sequence[ScenarioResult]) -> str:
    """One row per finding, for a terminal."""
    return tabulate(
        _rows(results, 60),
        headers=_HEADERS,
        tablefmt="rounded_grid",
        maxcolwidths=[22, 28, None, 60],
    )


# --- Mermaid -----------------------------------------------------------------------------------
def _mermaid_text(text: str) -> str:
    """Mermaid reads ';' as a statement end and '#' as an entity start."""
    return text.replace(";", ",").replace("#", "no. ").replace("\n", " ")


def _wrapped(text: str) -> str:
    return "<br/>".join(textwrap.wrap(_mermaid_text(text), _NOTE_WIDTH)) or " "


def _line(step: Step) -> str:
    if step.target is None:
        return f"    Note over {step.actor}: {_wrapped(step.action)}"
    arrow = "-->>" if step.dashed else "->>"
    return f"    {step.actor}{arrow}{step.target}: {_wrapped(step.action)}"


def mermaid_diagram(result: ScenarioResult) -> str:
    """A `sequenceDiagram` of who did what, from the scenario's steps."""
    used = {s.actor for s in result.steps} | {s.target for s in result.steps if s.target}
    lines = ["sequenceDiagram", "    autonumber"]
    lines += [f"    participant {p.id} as {p.label}" for p in result.participants if p.id in used]
    lines += [_line(step) for step in result.steps]
    return "\n".join(lines)


# --- Markdown ----------------------------------------------------------------------------------
def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _md_table(headers: list[str], rows: list[list[str]]) -> str:
    return tabulate([[_cell(c) for c in row] for row in rows], headers=headers, tablefmt="github")


def _storage(reading: StorageReading) -> str:
    if not reading.readable:
        return f"unreadable: `{reading.error}`"
    if not reading.messages:
        return "readable, empty"
    items = "; ".join(f"{m.where} from {m.sender or '?'}: “{m.text}”" for m in reading.messages)
    return f"readable: {items}"


def _evidence(ev: CaptureEvidence) -> str:
    title = f"{ev.device}'s phone" + (f", {ev.sent.label} sent" if ev.sent else ", watching")
    captured = ", ".join(f"{c.label} = {c.code or '?'} ({c.where})" for c in ev.captured)
    rows = [
        ["+CPIN?", ev.sim_state],
        ["registration before", ev.registration_before.summary()],
        ["registration after", ev.registration_after.summary()],
        ["SMS set-up (+CMGF/+CNMI)", ev.sms_setup_error or "accepted"],
        ["SM storage (SIM)", _storage(ev.sm)],
        ["ME storage (device)", _storage(ev.me)],
        [
            f"URCs in the window (up to {ev.window_s:g} s)",
            ", ".join(f"`{u}`" for u in ev.urcs) or "none",
        ],
        ["URCs before the window", ", ".join(f"`{u}`" for u in ev.earlier_urcs) or "none"],
        ["OTPs readable", captured or "none"],
    ]
    return f"#### {title}\n\n" + _md_table(["what", "the device showed"], rows)


def _section(result: ScenarioResult, transcripts: dict[str, Path], base: Path) -> str:
    parts = [
        f"## {result.title}: PIN {'enabled' if result.pin_enabled else 'disabled'} — "
        f"{result.verdict.value}",
        f"Bench: {result.bench}; {result.duration_s:.2f} s.",
        "```mermaid\n" + mermaid_diagram(result) + "\n```",
        "### Findings",
    ]
    for finding in result.findings:
        parts.append(f"**{finding.subject}: {finding.verdict.value}** — {finding.headline}")
        rows = [
            [c.key, c.claim, "pass" if c.passed else "FAIL", c.evidence] for c in finding.checks
        ]
        parts.append(_md_table(["check", "claim", "result", "evidence"], rows))
    parts.append("### Evidence")
    parts += [_evidence(ev) for ev in result.evidence]
    if transcripts:
        parts.append("### Transcripts (AT, secrets masked)")
        parts.append(
            "\n".join(
                f"- {device}: [{path.relative_to(base)}]({path.relative_to(base)})"
                for device, path in transcripts.items()
            )
        )
    return "\n\n".join(parts)


def render_markdown(
    results: Sequence[ScenarioResult],
    *,
    title: str = "Stolen-phone scenarios",
    transcripts: dict[str, dict[str, Path]] | None = None,
    base: Path | None = None,
) -> str:
    """The whole report; `transcripts` (slug -> device -> file) adds links relative to `base`."""
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    links = transcripts or {}
    summary = _md_table(_HEADERS, _rows(results, None))
    sections = [_section(r, links.get(r.slug, {}), base or Path()) for r in results]
    return (
        "\n\n".join(
            [f"# {title}", f"sim-harness report, {stamp}.", "## Summary", summary, *sections]
        )
        + "\n"
    )


def write_report(
    results: Sequence[ScenarioResult],
    report_dir: Path,
    *,
    name: str = "scenarios",
    title: str = "Stolen-phone scenarios",
) -> Path:
    """`<report_dir>/<name>.md` plus `transcripts/<slug>-<device>.txt`; returns the report path."""
    report_dir.mkdir(parents=True, exist_ok=True)
    links: dict[str, dict[str, Path]] = {}
    for result in results:
        for device, transcript in result.transcripts.items():
            path = transcript.write(report_dir / "transcripts" / f"{result.slug}-{device}.txt")
            links.setdefault(result.slug, {})[device] = path
    target = report_dir / f"{name}.md"
    target.write_text(
        render_markdown(results, title=title, transcripts=links, base=report_dir),
        encoding="utf-8",
    )
    return target
