"""What a PIN campaign found, as values, and how it is shown (tables and a progress bar).

Every guess is shown masked; the one exception is the right one found on a card
the configuration marks virtual (its PIN belongs to a simulator). On a real
card a found PIN stays `****`: the report says that it was found and at which
attempt, which is the finding, and the owner already knows the value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import TextIO

from tabulate import tabulate

from harness.attack.target import AttackedSecret, Counters, Outcome, Verdict
from harness.secrets import Secret

__all__ = [
    "AttemptRecord",
    "CampaignResult",
    "Progress",
    "StopReason",
    "TrickRecord",
    "render_result",
]

MASK = "****"


class StopReason(Enum):
    FOUND = "found the secret"
    BLOCKED = "the PIN is blocked"
    DESTROYED = "the PUK is exhausted: the SIM is blocked for good"
    ALREADY_BLOCKED = "nothing to attack: the counter was already at 0"
    GUARD = "the safety gate refused the next guess (floor reached); nothing was spent"
    BUDGET = "the attempt budget is spent"
    EXHAUSTED = "the strategy has no more guesses"
    ERROR = "the device refused"
    DRY_RUN = "dry run: no guess was sent"


@dataclass(frozen=True)
class AttemptRecord:
    n: int
    guess: Secret = field(repr=False)
    outcome: Outcome
    before: int | None
    after: int | None
    time: float  # time.time() when it was presented

    def shown_guess(self, virtual: bool) -> str:
        if self.outcome.verdict is Verdict.CORRECT and virtual:
            return self.guess.reveal()
        return MASK


@dataclass(frozen=True)
class TrickRecord:
    after_attempt: int
    trick: str
    before: Counters
    after: Counters

    @property
    def survived(self) -> bool:
        """Neither counter went up: the trick gave the thief nothing."""
        return not (
            _rose(self.before.pin, self.after.pin) or _rose(self.before.puk, self.after.puk)
        )


def _rose(before: int | None, after: int | None) -> bool:
    return before is not None and after is not None and after > before


@dataclass
class CampaignResult:
    device: str
    iccid: str | None
    virtual: bool
    secret: AttackedSecret
    strategy: str
    policy: str
    lifted: bool
    stop: StopReason
    detail: str = ""
    attempts: list[AttemptRecord] = field(default_factory=list)
    tricks: list[TrickRecord] = field(default_factory=list)
    start: Counters | None = None
    end: Counters | None = None
    found: Secret | None = field(default=None, repr=False)
    warnings: list[str] = field(default_factory=list)
    ledger: str | None = None
    plan: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return self.end is not None and self.end.of(self.secret) == 0

    @property
    def blocked_for_good(self) -> bool:
        return self.end is not None and self.end.puk == 0

    @property
    def tricks_survived(self) -> int:
        return sum(1 for t in self.tricks if t.survived)

    @property
    def spent(self) -> int:
        return sum(
            1 for a in self.attempts if a.outcome.verdict in (Verdict.WRONG, Verdict.CORRECT)
        )

    def shown_found(self) -> str:
        if self.found is None:
            return "no"
        if self.virtual:
            return f"yes: {self.found.reveal()} (virtual card: shown)"
        return f"yes: {MASK} (real card: masked)"


def _stamp(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%H:%M:%S.%f")[:-3]


def _n(value: int | None) -> str:
    return "?" if value is None else str(value)


def render_result(result: CampaignResult) -> str:
    """Plan (dry run) or attempts, tricks and a summary, as tables."""
    parts: list[str] = []
    if result.plan:
        parts.append(tabulate([[line] for line in result.plan], tablefmt="plain"))
    if result.attempts:
        rows = [
            [
                a.n,
                a.shown_guess(result.virtual),
                a.outcome.verdict.value,
                a.outcome.code,
                _n(a.before),
                _n(a.after),
                _stamp(a.time),
            ]
            for a in result.attempts
        ]
        headers = ["#", "guess", "result", "SW / CME", "tries before", "after", "time (UTC)"]
        parts.append(
            tabulate(rows, headers=headers, tablefmt="rounded_outline", disable_numparse=True)
        )
    if result.tricks:
        pin, puk = result.secret.counter_names
        rows = [
            [
                t.after_attempt,
                t.trick,
                f"{_n(t.before.pin)} -> {_n(t.after.pin)}",
                f"{_n(t.before.puk)} -> {_n(t.after.puk)}",
                "yes" if t.survived else "NO: the counter went up",
            ]
            for t in result.tricks
        ]
        headers = ["after #", "reset trick", pin.upper(), puk.upper(), "counter survived"]
        parts.append(
            tabulate(rows, headers=headers, tablefmt="rounded_outline", disable_numparse=True)
        )
    parts.append(tabulate(_summary_rows(result), tablefmt="rounded_outline", disable_numparse=True))
    return "\n".join(parts)


def _summary_rows(result: CampaignResult) -> list[list[str]]:
    kind = "virtual" if result.virtual else "REAL to the safety gate"
    rows = [
        ["device", f"{result.device} ({kind})"],
        ["ICCID", result.iccid or "- (not read)"],
        ["attacked", f"{result.secret.label} by {result.strategy}"],
        ["safety floor", ("LIFTED: " if result.lifted else "") + result.policy],
        ["stopped", result.stop.value + (f" - {result.detail}" if result.detail else "")],
    ]
    if result.stop is not StopReason.DRY_RUN:
        pin, puk = result.secret.counter_names
        start = result.start or Counters(None, None)
        end = result.end or Counters(None, None)
        rows += [
            ["attempts spent", str(result.spent)],
            ["found", result.shown_found()],
            [f"{pin.upper()} tries", f"{_n(start.pin)} -> {_n(end.pin)}"],
            [f"{puk.upper()} tries", f"{_n(start.puk)} -> {_n(end.puk)}"],
            ["blocked", _blocked(result)],
        ]
        if result.tricks:
            failed = len(result.tricks) - result.tricks_survived
            text = f"the counter survived {result.tricks_survived} reset tricks"
            rows.append(["reset tricks", text + (f"; {failed} RESET IT" if failed else "")])
    rows += [["warning", w] for w in result.warnings]
    if result.ledger:
        rows.append(["ledger", result.ledger])
    return rows


def _blocked(result: CampaignResult) -> str:
    if result.blocked_for_good:
        return "for good (PUK exhausted)"
    if result.end is not None and result.end.pin == 0:
        return "PIN blocked (PUK needed)"
    return "no"


class Progress:
    """A one-line progress bar, drawn only when `stream` is a terminal."""

    WIDTH = 30

    def __init__(self, total: int, stream: TextIO | None, label: str = "attack") -> None:
        self._total = max(total, 1)
        self._stream = stream if stream is not None and _isatty(stream) else None
        self._label = label
        self._drawn = False

    def update(self, done: int, note: str = "") -> None:
        if self._stream is None:
            return
        filled = self.WIDTH * min(done, self._total) // self._total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self._stream.write(f"\r{self._label} [{bar}] {done}/{self._total} {note}".ljust(72))
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self._stream is not None and self._drawn:
            self._stream.write("\n")
            self._stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
