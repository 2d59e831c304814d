"""PIN attack campaigns on virtual cards, over both paths: a Modem on a virtual modem's pty
(+CPIN) and a SimCard over VirtualLink (VERIFY / UNBLOCK PIN).

Verdicts come from driver reads (the target's counters, or a second SimCard on the
same card), never from simulator internals.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.attack.campaign import Budget, CampaignConfig, run_campaign
from harness.attack.ledger import AttemptLedger
from harness.attack.report import StopReason, render_result
from harness.attack.strategies import Strategy
from harness.attack.target import AttackedSecret, Counters, ResetTrick, Verdict
from harness.errors import ConfigError, PinStateError
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef
from harness.sim.virtual_link import VirtualLink
from harness.transcript import Transcript
from tests.pin_attack_support import PATHS, card_counters, stolen_card
from tests.test_virtual_modem_support import new_card

DESTROY = CampaignConfig(allow_destructive=True, budget=Budget(max_attempts=20))


@pytest.mark.parametrize("path", sorted(PATHS))
def test_virtual_destructive_run_goes_from_pin_to_puk_to_blocked_for_good(
    path: str, tmp_path: Path
) -> None:
    card = stolen_card()
    with PATHS[path](card, virtual=True) as target:
        pin = run_campaign(target, DESTROY, state_dir=tmp_path)
        assert pin.stop is StopReason.BLOCKED and pin.lifted
        assert [a.after for a in pin.attempts] == [2, 1, 0]
        assert pin.end == Counters(0, 10) and not pin.blocked_for_good
        puk = CampaignConfig(
            secret=AttackedSecret.PUK,
            strategy=Strategy.SEQUENTIAL,
            allow_destructive=True,
            budget=Budget(max_attempts=20),
        )
        dead = run_campaign(target, puk, state_dir=tmp_path)
        assert dead.stop is StopReason.DESTROYED and dead.blocked_for_good
        assert [a.after for a in dead.attempts] == list(range(9, -1, -1))
        assert "for good" in render_result(dead)
        again = run_campaign(target, puk, state_dir=tmp_path)  # nothing left to spend
        assert again.stop is StopReason.ALREADY_BLOCKED and not again.attempts
    assert card_counters(card) == Counters(0, 0)


@pytest.mark.parametrize("path", sorted(PATHS))
def test_every_reset_trick_leaves_the_pin_and_puk_counters_as_they_were(
    path: str, tmp_path: Path
) -> None:
    card = stolen_card()
    tricks = CampaignConfig(strategy=Strategy.RESET_TRICKS, allow_destructive=True)
    with PATHS[path](card, virtual=True) as target:
        result = run_campaign(target, tricks, state_dir=tmp_path)
        offered = set(target.tricks())
        puk = CampaignConfig(
            secret=AttackedSecret.PUK,
            strategy=Strategy.RESET_TRICKS,
            allow_destructive=True,
            budget=Budget(max_attempts=len(offered)),
        )
        puk_result = run_campaign(target, puk, state_dir=tmp_path)
    assert result.stop is StopReason.BLOCKED
    applied = {t.trick for t in result.tricks + puk_result.tricks}
    assert applied == {t.value for t in offered}
    expected = {"modem": {"power-cycle", "radio-off-on", "sim-reinsert"}}
    assert applied >= expected.get(path, {"card-reset", "power-cycle", "sim-reinsert"})
    assert all(t.survived for t in result.tricks + puk_result.tricks)
    assert all(t.after == t.before for t in result.tricks + puk_result.tricks)
    assert f"survived {len(result.tricks)} reset tricks" in render_result(result)
    assert card_counters(card) == Counters(0, 10 - len(offered))


@pytest.mark.parametrize("path", sorted(PATHS))
def test_a_card_marked_real_keeps_its_last_pin_try_and_every_puk_try(
    path: str, tmp_path: Path
) -> None:
    card = stolen_card()  # a virtual card, only *marked* real
    with PATHS[path](card, virtual=False) as target:
        # Destructive asked for, but the ICCID is not on the sacrificial list: floor kept.
        result = run_campaign(target, DESTROY, state_dir=tmp_path)
        assert result.stop is StopReason.GUARD and not result.lifted
        assert [a.outcome.verdict for a in result.attempts] == [
            Verdict.WRONG,
            Verdict.WRONG,
            Verdict.REFUSED,
        ]
        assert result.attempts[-1].outcome.code == "not sent"
        assert card_counters(card) == Counters(1, 10)
        # A second run is refused at once: nothing left above the floor.
        second = run_campaign(target, DESTROY, state_dir=tmp_path)
        assert second.stop is StopReason.GUARD and second.spent == 0
        puk = CampaignConfig(secret=AttackedSecret.PUK, strategy=Strategy.SEQUENTIAL)
        with pytest.raises(ConfigError, match="new PIN"):  # a real card: no random new PIN
            run_campaign(target, puk, state_dir=tmp_path)
        puk = CampaignConfig(
            secret=AttackedSecret.PUK, strategy=Strategy.SEQUENTIAL, new_pin=Secret("0000")
        )
        if path == "modem":  # +CPIN takes a PUK only once the PIN is blocked
            with pytest.raises(PinStateError, match="only once PIN1 is blocked"):
                run_campaign(target, puk, state_dir=tmp_path)
        else:  # UNBLOCK PIN is always possible by APDU: the gate refuses it
            refused = run_campaign(target, puk, state_dir=tmp_path)
            assert refused.stop is StopReason.GUARD and refused.spent == 0
    assert card_counters(card) == Counters(1, 10)


def test_the_floor_is_lifted_for_a_real_card_only_when_sacrificial_and_destructive(
    tmp_path: Path,
) -> None:
    card = stolen_card()
    iccid = card.profile.iccid
    with PATHS["card"](card, virtual=False) as target:
        listed = CampaignConfig(sacrificial_iccids=frozenset({iccid}))  # not destructive
        assert run_campaign(target, listed, state_dir=tmp_path).stop is StopReason.GUARD
        lifted = CampaignConfig(allow_destructive=True, sacrificial_iccids=frozenset({iccid}))
        result = run_campaign(target, lifted, state_dir=tmp_path)
    assert result.lifted and "sacrificial" in result.policy
    assert result.stop is StopReason.BLOCKED and card_counters(card) == Counters(0, 10)


@pytest.mark.parametrize("path", sorted(PATHS))
def test_a_dry_run_reads_the_counter_and_presents_nothing(path: str, tmp_path: Path) -> None:
    card = stolen_card()
    transcript = Transcript()
    with PATHS[path](card, virtual=True, transcript=transcript) as target:
        config = CampaignConfig(
            strategy=Strategy.RESET_TRICKS, allow_destructive=True, dry_run=True
        )
        plan = run_campaign(target, config, state_dir=tmp_path)
    assert plan.stop is StopReason.DRY_RUN and not plan.attempts
    assert plan.start == Counters(3, 10) and plan.iccid is not None
    text = render_result(plan)
    assert "no guess is sent" in text and "common list #1" in text
    assert "3 attempt(s) possible" in text  # a virtual card in a destructive run: all 3
    assert ("modem REBOOTS" if path == "modem" else "warm reset of the card") in text
    masked = [e for e in transcript.entries if b"****" in e.data or b"\x2a" * 4 in e.data]
    assert masked == []  # no PIN was ever presented
    assert not list(tmp_path.iterdir())  # not even a ledger
    assert card_counters(card) == Counters(3, 10)


def test_a_dry_run_plans_only_what_the_counter_and_floor_allow(tmp_path: Path) -> None:
    card = new_card(retries__pin1=2)
    with PATHS["modem"](card, virtual=False) as target:
        plan = run_campaign(target, CampaignConfig(dry_run=True), state_dir=tmp_path)
    text = render_result(plan)
    assert "PIN1 tries left 2" in text and "1 attempt(s) possible" in text


@pytest.mark.parametrize("path", sorted(PATHS))
def test_a_found_pin_is_shown_on_a_virtual_card_and_masked_on_a_real_one(
    path: str, tmp_path: Path
) -> None:
    for index, virtual in enumerate((True, False)):
        card = stolen_card("1111", index=index)  # #2 on the common list
        with PATHS[path](card, virtual=virtual) as target:
            result = run_campaign(target, CampaignConfig(), state_dir=tmp_path / str(index))
        assert result.stop is StopReason.FOUND and len(result.attempts) == 2
        text = render_result(result)
        ledger = Path(result.ledger or "").read_text()
        if virtual:
            assert "yes: 1111" in text and result.attempts[-1].shown_guess(True) == "1111"
            assert '"guess": "1111"' in ledger
        else:
            assert "1111" not in text and "yes: ****" in text
            assert "1111" not in ledger
        assert ledger.count('"guess": "****"') == (1 if virtual else 2)
        assert card_counters(card) == Counters(3, 10)  # the right PIN resets the counter


def test_pin2_is_attacked_over_the_modems_csim_link_with_the_modems_tricks(
    tmp_path: Path,
) -> None:
    from harness.attack.bench_target import bench_target
    from harness.bench import DeviceConfig, OpenedDevice
    from tests.pin_attack_support import modem_target

    card = stolen_card()
    with modem_target(card, virtual=True) as modem_side:
        device = OpenedDevice(DeviceConfig("m", "modem", True), modem=modem_side.modem)
        with bench_target(device, AttackedSecret.PIN2) as target:
            assert set(target.tricks()) >= {ResetTrick.RADIO, ResetTrick.POWER_CYCLE}
            config = CampaignConfig(secret=AttackedSecret.PIN2, strategy=Strategy.RESET_TRICKS)
            result = run_campaign(target, config, state_dir=tmp_path)
    assert result.stop is StopReason.GUARD and result.end == Counters(1, 10)
    assert [a.outcome.code for a in result.attempts[:2]] == ["63C2", "63C1"]
    assert all(t.survived for t in result.tricks)
    with AttemptLedger.open(tmp_path, card.profile.iccid) as ledger:
        assert ledger.counters == {"pin2": 1, "puk2": 10}


@pytest.mark.parametrize("path", sorted(PATHS))
def test_a_found_puk_on_a_virtual_card_is_shown_with_the_pin_it_set(
    path: str, tmp_path: Path
) -> None:
    card = stolen_card(puk1="00000002")
    with PATHS[path](card, virtual=True) as target:
        run_campaign(target, DESTROY, state_dir=tmp_path)  # block the PIN first
        puk = CampaignConfig(
            secret=AttackedSecret.PUK, strategy=Strategy.SEQUENTIAL, allow_destructive=True
        )
        result = run_campaign(target, puk, state_dir=tmp_path)
    assert result.stop is StopReason.FOUND and len(result.attempts) == 3
    text = render_result(result)
    assert "yes: 00000002" in text and "│ 00000002 │ correct" in text  # digits kept as text
    (note,) = [w for w in result.warnings if "the found PUK set PIN1 to" in w]
    assert card_counters(card) == Counters(3, 10)  # unblocked: both counters back to full
    new_pin = note.rsplit(" ", 1)[-1]
    sim = SimCard(VirtualLink(card))
    sim.pins.verify(PinRef.PIN1, new_pin)  # the PIN the report showed opens the card
