"""The attempt ledger: one JSON file per ICCID that remembers every guess ever spent.

Why: the retry counter is the card's memory, the ledger is the harness's. With
both, separate runs cannot quietly exhaust a card between them, and a run that
starts on a card whose counter does not match what the harness left behind
knows that something happened outside it.

- Written atomically (temp file + fsync + rename + fsync of the directory), and
  *before* each guess is presented (write-ahead: the attempt is "pending"), so a
  run killed mid-attempt leaves a ledger that loads and says which attempt may
  or may not have reached the card. The next run resolves it from the counter.
- A file that does not read back whole is never overwritten: `LedgerDamaged`
  keeps it, refuses the card and says how to resolve it (harness.attack.ledger_file).
- An exclusive lock (flock on `<ICCID>.lock`) keeps two campaigns off one card.
- Guesses are stored masked ("****"); the one exception is a correct guess on a
  card the configuration marks virtual. The ledger refuses anything else.

Which disagreement is dangerous: the card showing FEWER tries than the ledger
expects. Then attempts were made outside the harness (another tool, a phone,
ModemManager replaying a stored PIN): an unknown party is spending tries, the
budget across runs no longer adds up, and it may spend the last ones between
our counter check and our guess. The run refuses to start (`LedgerMismatch`,
a `SafetyRefusal`) until a person finds out and accepts the card's counter
(`resync=True`, recorded). MORE tries than expected is recorded and reported
but not refused: a counter goes up only when a correct PIN/PUK was entered
(or the card, or a virtual card's state, was reset or swapped), which takes
the card further from being destroyed, never closer; the run's own counter
reads and the driver's gate still hold its floor. On a card under test for
"the counter persists", that warning is itself worth reading.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from harness.attack.ledger_file import LEDGER_VERSION, LedgerDamaged, empty_ledger, read_ledger
from harness.errors import ConfigError, SafetyRefusal
from harness.secrets import Secret

__all__ = [
    "LEDGER_VERSION",
    "AttemptLedger",
    "LedgerDamaged",
    "LedgerMismatch",
    "StartCheck",
    "default_state_dir",
]
MASKED = "****"
_ICCID = re.compile(r"[0-9]{6,20}F?")


class LedgerMismatch(SafetyRefusal):
    """The card's counter is lower than the ledger allows: attempts happened outside."""


def default_state_dir() -> Path:
    """$XDG_STATE_HOME/simharness/ledger (~/.local/state/simharness/ledger)."""
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "simharness" / "ledger"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class StartCheck:
    """What the start-of-run comparison found (warnings are for the report)."""

    warnings: tuple[str, ...]
    resolved_pending: str | None


class AttemptLedger:
    """The ledger of one card; open with `AttemptLedger.open(state_dir, iccid)` as a
    context manager (it holds the card's lock until closed)."""

    def __init__(self, path: Path, iccid: str, data: dict[str, Any], lock_fd: int) -> None:
        self.path = path
        self.iccid = iccid
        self._data = data
        self._lock_fd: int | None = lock_fd
        self._run: dict[str, Any] | None = None

    # --- lifetime ------------------------------------------------------------------
    @classmethod
    def open(cls, state_dir: Path, iccid: str) -> AttemptLedger:
        if not _ICCID.fullmatch(iccid):
            raise ConfigError(f"ICCID {iccid!r} cannot name a ledger file (digits only)")
        path = state_dir / f"{iccid}.json"
        try:
            state_dir.mkdir(parents=True, exist_ok=True)
            lock_fd = os.open(state_dir / f"{iccid}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise ConfigError(
                f"ledger directory {state_dir} cannot be used ({exc.strerror}); give a "
                f"writable one with --state-dir. Nothing was sent to the card."
            ) from None
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(lock_fd)
            raise ConfigError(
                f"the ledger of ICCID {iccid} ({path}) is held by another run; two campaigns "
                f"on one card would race for its tries. Wait for the other run to finish."
            ) from None
        try:
            data = cls._load(path, iccid)
        except BaseException:
            os.close(lock_fd)
            raise
        return cls(path, iccid, data, lock_fd)

    @staticmethod
    def _load(path: Path, iccid: str) -> dict[str, Any]:
        for stale in path.parent.glob(f".{path.name}.*.tmp"):  # a write cut short: never renamed
            with contextlib.suppress(OSError):
                stale.unlink()
        data = read_ledger(path, iccid)  # LedgerDamaged: kept on disk, card refused
        return empty_ledger(iccid) if data is None else data

    def close(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # releases the flock
            self._lock_fd = None

    def __enter__(self) -> AttemptLedger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._run is not None and "ended" not in self._run:
            reason = f"aborted: {exc_type.__name__}" if exc_type is not None else "aborted"
            self.end_run(reason)
        self.close()

    # --- reading -------------------------------------------------------------------
    @property
    def counters(self) -> dict[str, int]:
        """Last counters the harness saw, by name (pin1, puk1, pin2, puk2)."""
        return dict(self._data["counters"])

    @property
    def attempts(self) -> list[dict[str, Any]]:
        return [dict(a) for a in self._data["attempts"]]

    @property
    def pending(self) -> dict[str, Any] | None:
        index = self._data["pending"]
        return None if index is None else dict(self._data["attempts"][index])

    @property
    def runs(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._data["runs"]]

    @property
    def events(self) -> list[dict[str, Any]]:
        return [dict(e) for e in self._data["events"]]

    # --- the start-of-run check ------------------------------------------------------
    def check_start(self, observed: dict[str, int | None], *, resync: bool = False) -> StartCheck:
        """Compare the card's counters with the ledger; raise `LedgerMismatch` when the
        card shows fewer tries than the ledger allows (see the module doc)."""
        warnings: list[str] = []
        resolved, pending_counter = self._resolve_pending(observed)
        for name, seen in sorted(observed.items()):
            expected = self._data["counters"].get(name)
            if seen is None:
                warnings.append(f"{name.upper()} counter unreadable: the ledger cannot check it")
                continue
            if expected is None:
                continue
            lowest = expected - 1 if name == pending_counter else expected
            if seen < lowest and not resync:
                raise LedgerMismatch(
                    f"ICCID {self.iccid}: the card shows {seen} {name.upper()} tries left but "
                    f"the ledger ({self.path}) expects {expected}: attempts were made outside "
                    f"the harness (another tool, a phone, a connection manager with a stored "
                    f"PIN). Nothing was sent. Find out who spends this card's tries; then "
                    f"accept the card's counter with --resync-ledger."
                )
            if seen < lowest:
                self._event("resync", f"{name}: ledger {expected}, card {seen}; accepted by user")
                warnings.append(f"{name.upper()}: ledger resynced from {expected} to {seen}")
            elif seen > expected:
                text = (
                    f"{name.upper()} went UP between runs ({expected} -> {seen}): a correct "
                    f"value was entered outside the harness, or the card (state) was reset or "
                    f"swapped"
                )
                self._event("counter-higher", text)
                warnings.append(text)
            self._data["counters"][name] = seen
        self._save()
        return StartCheck(tuple(warnings), resolved)

    def _resolve_pending(self, observed: dict[str, int | None]) -> tuple[str | None, str | None]:
        """A run that died between writing "pending" and the card's answer: the counter
        says whether the guess reached the card. Returns (what happened, its counter)."""
        index = self._data["pending"]
        if index is None:
            return None, None
        attempt = self._data["attempts"][index]
        name = attempt["counter"]
        before, seen = attempt["before"], observed.get(name)
        if seen is None or before is None:
            result = "unknown: the run stopped mid-attempt and the counter is unreadable"
        elif seen == before - 1:
            result = "spent: the run stopped mid-attempt; the counter fell, so it was wrong"
        elif seen == before:
            result = "not spent: the run stopped before the card counted it"
        else:
            result = f"unclear: the run stopped mid-attempt; counter {before} -> {seen}"
        attempt.update(verdict="interrupted", detail=result, after=seen)
        self._data["pending"] = None
        self._event("pending-resolved", f"attempt {attempt['n']} of run {attempt['run']}: {result}")
        return result, name

    # --- a run -----------------------------------------------------------------------
    def begin_run(self, **info: Any) -> str:
        """Record a run's start (`info`: target, strategy, virtual, destructive, policy...)."""
        run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{os.getpid()}-{len(self._data['runs']) + 1}"
        self._run = {"id": run_id, "started": _now(), **info}
        self._data["runs"].append(self._run)
        self._save()
        return run_id

    def begin_attempt(self, n: int, counter: str, before: int | None) -> int:
        """Write-ahead: the attempt is on disk as "pending" before the guess is sent."""
        run = self._require_run()
        self._data["attempts"].append(
            {
                "run": run["id"],
                "n": n,
                "counter": counter,
                "guess": MASKED,
                "verdict": "pending",
                "code": "",
                "before": before,
                "after": None,
                "time": _now(),
            }
        )
        self._data["pending"] = len(self._data["attempts"]) - 1
        self._save()
        return int(self._data["pending"])

    def finish_attempt(
        self,
        index: int,
        *,
        verdict: str,
        code: str,
        counters: dict[str, int | None],
        revealed: Secret | None = None,
    ) -> None:
        """The card answered: its verdict, status word/CME code and the counters after."""
        run = self._require_run()
        attempt = self._data["attempts"][index]
        if revealed is not None and not (verdict == "correct" and run.get("virtual") is True):
            raise ValueError(
                "the ledger keeps a guess in clear only when correct on a virtual card"
            )
        attempt.update(
            verdict=verdict,
            code=code,
            after=counters.get(attempt["counter"]),
            guess=revealed.reveal() if revealed is not None else MASKED,
        )
        self._update_counters(counters)
        self._data["pending"] = None
        self._save()

    def record_trick(self, trick: str, counters: dict[str, int | None], survived: bool) -> None:
        run = self._require_run()
        self._event("trick", f"{trick}: {'counter kept' if survived else 'COUNTER WENT UP'}")
        self._data["events"][-1]["run"] = run["id"]
        self._update_counters(counters)
        self._save()

    def note(self, kind: str, text: str) -> None:
        """Record an event that is not an attempt (e.g. a person's confirmation that this
        card may have its last PIN try or a PUK try spent); `text` holds no secret."""
        self._event(kind, text)
        self._save()

    def end_run(self, result: str) -> None:
        run = self._require_run()
        run.update(ended=_now(), result=result)
        self._save()

    # --- internals -------------------------------------------------------------------
    def _require_run(self) -> dict[str, Any]:
        if self._run is None:
            raise RuntimeError("begin_run() first")
        return self._run

    def _update_counters(self, counters: dict[str, int | None]) -> None:
        for name, value in counters.items():
            if value is not None:
                self._data["counters"][name] = value

    def _event(self, kind: str, text: str) -> None:
        self._data["events"].append({"time": _now(), "kind": kind, "text": text})

    def _save(self) -> None:
        """Write the ledger; a failure stops the run before its next guess is sent."""
        try:
            self._write()
        except OSError as exc:
            raise ConfigError(
                f"ledger {self.path} could not be written ({exc.strerror}); the run stops "
                f"here so that no guess goes unrecorded. Free space or fix the permissions."
            ) from None

    def _write(self) -> None:
        """Temp file, fsync, rename over the old file, fsync the directory."""
        body = json.dumps(self._data, indent=1, sort_keys=True).encode("utf-8")
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
        dir_fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
