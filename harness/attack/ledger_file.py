"""Reading an attempt-ledger file, trusting nothing in it.

Why: a ledger is evidence of attempts already spent on a card. One that does
not read back whole (cut short, hand-edited, a failing disk, another tool's
file) must neither crash the CLI with a traceback nor be replaced by a fresh
one, which would forget those attempts. Every field is checked here before the
ledger object sees it; anything off raises `LedgerDamaged`, which names the
first fault, leaves the file where it is and says how a person resolves it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from harness.errors import ConfigError, SafetyRefusal

LEDGER_VERSION = 1


class LedgerDamaged(ConfigError, SafetyRefusal):
    """The ledger file does not read back whole: the card is not attacked until resolved."""

    def __init__(self, path: Path, iccid: str, fault: str) -> None:
        self.path = path
        self.fault = fault
        super().__init__(
            f"ledger {path} is damaged ({fault}). It was kept as it is and ICCID {iccid} "
            f"will not be attacked: the file is evidence of attempts already spent. To "
            f"resolve: read what it still says, check the card's counters "
            f"(simharness card info, or modem info), then move the file aside "
            f"(mv {path} {path}.damaged) so the next run starts a new ledger from the "
            f"card's counters."
        )


def empty_ledger(iccid: str) -> dict[str, Any]:
    return {
        "version": LEDGER_VERSION,
        "iccid": iccid,
        "counters": {},
        "pending": None,
        "runs": [],
        "attempts": [],
        "events": [],
    }


def read_ledger(path: Path, iccid: str) -> dict[str, Any] | None:
    """The validated content of `path`, or None when there is no file yet."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LedgerDamaged(path, iccid, f"cannot be read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LedgerDamaged(path, iccid, f"not UTF-8 at byte {exc.start}") from None
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        where = ""
        if isinstance(exc, json.JSONDecodeError):
            where = f" ({exc.msg} at line {exc.lineno})"
        raise LedgerDamaged(path, iccid, f"not valid JSON{where}") from None
    fault = _fault(data, iccid)
    if fault is not None:
        raise LedgerDamaged(path, iccid, fault)
    return dict(data)


_ATTEMPT_FIELDS: dict[str, tuple[type, ...]] = {
    "run": (str,),
    "n": (int,),
    "counter": (str,),
    "guess": (str,),
    "verdict": (str,),
    "code": (str,),
    "before": (int, type(None)),
    "after": (int, type(None)),
    "time": (str,),
}
_RUN_FIELDS: dict[str, tuple[type, ...]] = {"id": (str,), "started": (str,)}
_EVENT_FIELDS: dict[str, tuple[type, ...]] = {"time": (str,), "kind": (str,), "text": (str,)}


def _is(value: object, types: tuple[type, ...]) -> bool:
    """isinstance, except that a JSON true/false is never an integer here."""
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)


def _record_fault(record: object, fields: dict[str, tuple[type, ...]], where: str) -> str | None:
    if not isinstance(record, dict):
        return f"{where} is not an object"
    for name, types in fields.items():
        if name not in record:
            return f"{where} has no {name!r}"
        if not _is(record[name], types):
            return f"{where} field {name!r} has the wrong type"
    return None


def _list_fault(data: dict[str, Any], key: str, fields: dict[str, tuple[type, ...]]) -> str | None:
    items = data[key]
    if not isinstance(items, list):
        return f"{key!r} is not a list"
    for number, item in enumerate(items):
        fault = _record_fault(item, fields, f"{key}[{number}]")
        if fault is not None:
            return fault
    return None


def _fault(data: object, iccid: str) -> str | None:
    """The first thing wrong with a decoded ledger, or None."""
    if not isinstance(data, dict):
        return "the top level is not an object"
    if data.get("version") != LEDGER_VERSION:
        return f"unknown format (version {data.get('version')!r}, want {LEDGER_VERSION})"
    if data.get("iccid") != iccid:
        return f"it belongs to ICCID {data.get('iccid')!r}, not {iccid}"
    for key in ("counters", "pending", "runs", "attempts", "events"):
        if key not in data:
            return f"no {key!r}"
    counters = data["counters"]
    if not isinstance(counters, dict):
        return "'counters' is not an object"
    for name, value in counters.items():
        if not _is(value, (int,)) or not 0 <= value <= 255:
            return f"counter {name!r} is not a count of tries"
    for key, fields in (("runs", _RUN_FIELDS), ("attempts", _ATTEMPT_FIELDS)):
        fault = _list_fault(data, key, fields)
        if fault is not None:
            return fault
    fault = _list_fault(data, "events", _EVENT_FIELDS)
    if fault is not None:
        return fault
    pending = data["pending"]
    if pending is not None and (
        not _is(pending, (int,)) or not 0 <= pending < len(data["attempts"])
    ):
        return f"'pending' ({pending!r}) names no recorded attempt"
    return None
