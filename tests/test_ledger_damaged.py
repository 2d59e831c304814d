"""A damaged attempt ledger is kept as it is, refuses the card, and says how to resolve it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.attack.ledger import AttemptLedger, LedgerDamaged
from harness.errors import HarnessError, SafetyRefusal

ICCID = "8988211000000000018"


def valid_ledger(state: Path) -> bytes:
    """A ledger with a run, a finished attempt and a pending one (a run killed mid-guess)."""
    with AttemptLedger.open(state, ICCID) as ledger:
        ledger.check_start({"pin1": 3, "puk1": 10})
        ledger.begin_run(target="card", virtual=False)
        index = ledger.begin_attempt(1, "pin1", 3)
        ledger.finish_attempt(index, verdict="wrong", code="63C2", counters={"pin1": 2})
        ledger.begin_attempt(2, "pin1", 2)
        ledger._run = None  # killed: no end_run
    return (state / f"{ICCID}.json").read_bytes()


@pytest.mark.parametrize(
    ("content", "fault"),
    [
        (json.dumps({"version": 1, "iccid": ICCID}).encode(), "no 'counters'"),
        (b"\xff\xfe{not utf-8", "not UTF-8"),
        (b'{"version": 1, "iccid": "' + ICCID.encode() + b'", "counters"', "not valid JSON"),
        (b"[]", "top level"),
        (b"", "not valid JSON"),
    ],
)
def test_a_damaged_file_is_refused_and_kept(tmp_path: Path, content: bytes, fault: str) -> None:
    path = tmp_path / f"{ICCID}.json"
    path.write_bytes(content)
    with pytest.raises(LedgerDamaged, match=fault) as refused:
        AttemptLedger.open(tmp_path, ICCID)
    assert isinstance(refused.value, SafetyRefusal), "a damaged ledger refuses the card"
    assert "will not be attacked" in str(refused.value) and "mv " in str(refused.value)
    assert path.read_bytes() == content, "never overwritten"
    AttemptLedger.open(tmp_path, ICCID.replace("18", "26")).close()  # other cards unaffected


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d.update(pending=7),
        lambda d: d.update(pending=True),
        lambda d: d["counters"].update(pin1="2"),
        lambda d: d["counters"].update(pin1=-1),
        lambda d: d["attempts"][0].pop("counter"),
        lambda d: d["attempts"][1].update(before="x"),
        lambda d: d["runs"].append(3),
        lambda d: d["events"].append({"time": 1}),
        lambda d: d.update(iccid="8988211000000000026"),
        lambda d: d.update(version=2),
    ],
)
def test_each_field_is_checked(tmp_path: Path, damage: object) -> None:
    data = json.loads(valid_ledger(tmp_path))
    damage(data)  # type: ignore[operator]
    path = tmp_path / f"{ICCID}.json"
    path.write_text(json.dumps(data))
    before = path.read_bytes()
    with pytest.raises(LedgerDamaged):
        AttemptLedger.open(tmp_path, ICCID)
    assert path.read_bytes() == before


def test_an_unusable_state_dir_is_a_typed_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(HarnessError, match="cannot be used"):
        AttemptLedger.open(blocker / "ledger", ICCID)


def mutate(raw: bytes, data: st.DataObject) -> bytes:
    out = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["flip", "cut", "drop", "insert"]))
        at = data.draw(st.integers(0, max(len(out) - 1, 0)))
        if kind == "flip" and out:
            out[at] ^= 1 << data.draw(st.integers(0, 7))
        elif kind == "cut":
            del out[at:]
        elif kind == "drop" and out:
            del out[at]
        else:
            out.insert(at, data.draw(st.integers(0, 255)))
    return bytes(out)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.data())
def test_any_damage_is_refused_or_the_ledger_works(tmp_path: Path, data: st.DataObject) -> None:
    state = tmp_path / "s"
    state.mkdir(exist_ok=True)
    for leftover in state.iterdir():
        leftover.unlink()
    damaged = mutate(valid_ledger(state), data)
    path = state / f"{ICCID}.json"
    path.write_bytes(damaged)
    try:
        ledger = AttemptLedger.open(state, ICCID)
    except LedgerDamaged:
        assert path.read_bytes() == damaged
        return
    with ledger:  # it read back whole: every use works
        ledger.check_start({"pin1": 2, "puk1": 10}, resync=True)
        assert isinstance(ledger.counters, dict) and isinstance(ledger.attempts, list)
        ledger.begin_run(target="card")
        index = ledger.begin_attempt(1, "pin1", 2)
        ledger.finish_attempt(index, verdict="wrong", code="63C1", counters={"pin1": 1})
        ledger.end_run("done")
