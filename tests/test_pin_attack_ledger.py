"""The per-ICCID attempt ledger: atomic, write-ahead, checked against the card at every start."""

from __future__ import annotations

import contextlib
import os
import select
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from harness.attack.campaign import Budget, CampaignConfig, run_campaign
from harness.attack.ledger import AttemptLedger, LedgerMismatch
from harness.attack.report import StopReason
from harness.errors import ConfigError, WrongPinError
from harness.safety import SafetyPolicy
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef
from harness.sim.virtual_link import VirtualLink
from harness.virtual.card.uicc import VirtualUicc
from tests.pin_attack_support import UNCOMMON_PIN, card_counters, card_target, stolen_card

REPO = Path(__file__).resolve().parents[1]
ONE = CampaignConfig(budget=Budget(max_attempts=1))


def outside(card: VirtualUicc, pin: str) -> None:
    """Someone else's tool presents a PIN to the card (not through the campaign)."""
    sim = SimCard(VirtualLink(card), safety=SafetyPolicy.unrestricted("the test's outsider"))
    with contextlib.suppress(WrongPinError):  # a wrong PIN is what an outsider does
        sim.pins.verify(PinRef.PIN1, pin)


def test_attempts_spent_outside_the_harness_stop_the_next_run_before_it_sends(
    tmp_path: Path,
) -> None:
    card = stolen_card()
    with card_target(card, virtual=False) as target:
        assert run_campaign(target, ONE, state_dir=tmp_path).end is not None
    outside(card, "0000")  # 2 -> 1 behind the ledger's back
    with card_target(card, virtual=False) as target:
        with pytest.raises(LedgerMismatch, match="attempts were made outside the harness"):
            run_campaign(target, CampaignConfig(), state_dir=tmp_path)
        assert card_counters(card).pin == 1  # nothing was sent
    with AttemptLedger.open(tmp_path, card.profile.iccid) as ledger:
        assert ledger.counters["pin1"] == 2  # the ledger still says what the harness left


def test_resync_accepts_the_cards_counter_and_records_it(tmp_path: Path) -> None:
    card = stolen_card()
    with card_target(card, virtual=True) as target:
        run_campaign(target, ONE, state_dir=tmp_path)
        outside(card, "0000")
        with pytest.raises(LedgerMismatch):
            run_campaign(target, ONE, state_dir=tmp_path)
        result = run_campaign(target, CampaignConfig(resync_ledger=True), state_dir=tmp_path)
    assert result.stop is StopReason.GUARD and result.spent == 0  # 1 try left: the floor
    assert any("resynced from 2 to 1" in w for w in result.warnings)
    with AttemptLedger.open(tmp_path, card.profile.iccid) as ledger:
        assert [e["kind"] for e in ledger.events] == ["resync"]
        assert ledger.counters["pin1"] == 1


def test_a_counter_that_went_up_is_reported_not_refused(tmp_path: Path) -> None:
    card = stolen_card()
    with card_target(card, virtual=True) as target:
        run_campaign(target, ONE, state_dir=tmp_path)  # 3 -> 2
        outside(card, UNCOMMON_PIN)  # the owner enters the right PIN: back to 3
        result = run_campaign(target, ONE, state_dir=tmp_path)
    assert result.start is not None and result.start.pin == 3
    assert any("went UP between runs (2 -> 3)" in w for w in result.warnings)


def test_the_ledger_is_locked_written_atomically_and_masks_guesses(tmp_path: Path) -> None:
    with AttemptLedger.open(tmp_path, "8988211000000000018") as ledger:
        with pytest.raises(ConfigError, match="held by another run"):
            AttemptLedger.open(tmp_path, "8988211000000000018")
        ledger.begin_run(virtual=False)
        index = ledger.begin_attempt(1, "pin1", 3)
        assert ledger.pending is not None and ledger.pending["verdict"] == "pending"
        with pytest.raises(ValueError, match="virtual"):
            ledger.finish_attempt(
                index, verdict="correct", code="9000", counters={}, revealed=Secret("1234")
            )
        ledger.finish_attempt(index, verdict="wrong", code="63C2", counters={"pin1": 2})
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["8988211000000000018.json", "8988211000000000018.lock"]  # no temp file
    path = tmp_path / "8988211000000000018.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with AttemptLedger.open(tmp_path, "8988211000000000018") as again:
        assert again.attempts[0]["guess"] == "****" and again.counters == {"pin1": 2}
    path.write_text("{ half a ledger")
    with pytest.raises(ConfigError, match="not valid JSON"):
        AttemptLedger.open(tmp_path, "8988211000000000018")
    with pytest.raises(ConfigError, match="digits only"):
        AttemptLedger.open(tmp_path, "../../etc/passwd")


CRASHING_RUN = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from harness.attack.campaign import CampaignConfig, run_campaign
    from tests.pin_attack_support import card_target, stolen_card

    card = stolen_card(state=Path(sys.argv[1]))
    real_transmit, verifies = card.transmit, []

    def transmit(raw: bytes) -> bytes:
        answer = real_transmit(raw)  # the card counts (and persists) before it answers
        if raw[1] == 0x20 and len(raw) > 5:
            verifies.append(raw)
            if len(verifies) == 2:
                print("SPENT", flush=True)
                time.sleep(60)  # killed here: the answer never reaches the harness
        return answer

    card.transmit = transmit
    with card_target(card, virtual=True) as target:
        run_campaign(target, CampaignConfig(allow_destructive=True), state_dir=Path(sys.argv[2]))
    """
)


def test_a_run_killed_mid_attempt_leaves_a_ledger_the_next_run_can_trust(
    tmp_path: Path,
) -> None:
    state, ledgers = tmp_path / "card.json", tmp_path / "ledger"
    proc = subprocess.Popen(
        [sys.executable, "-c", CRASHING_RUN, str(state), str(ledgers)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 20)
        assert ready and proc.stdout.readline().strip() == "SPENT", proc.stderr
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    card = stolen_card(state=state)  # the card's EEPROM: two wrong PINs counted
    assert card_counters(card).pin == 1
    with AttemptLedger.open(ledgers, card.profile.iccid) as ledger:
        assert [a["verdict"] for a in ledger.attempts] == ["wrong", "pending"]
        assert ledger.pending is not None and ledger.pending["before"] == 2

    with card_target(card, virtual=True) as target:
        result = run_campaign(target, CampaignConfig(allow_destructive=True), state_dir=ledgers)
    assert any("stopped mid-attempt: spent" in w for w in result.warnings)
    assert result.stop is StopReason.BLOCKED and len(result.attempts) == 1
    with AttemptLedger.open(ledgers, card.profile.iccid) as ledger:
        verdicts = [a["verdict"] for a in ledger.attempts]
        assert verdicts == ["wrong", "interrupted", "wrong"] and ledger.pending is None
        assert [run.get("result") for run in ledger.runs] == [None, "blocked"]
