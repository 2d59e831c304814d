"""Guess orders, the sourced common-PIN list, the weak-PIN audit and the campaign's floor."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.attack.budget import Budget, CampaignConfig, decide_floor
from harness.attack.strategies import (
    COMMON_PINS,
    Strategy,
    audit_pin,
    guesses,
    load_common_pins,
)
from harness.errors import ConfigError, PinFormatError, SafetyRefusal
from harness.safety import SafetyPolicy, Spend
from harness.secrets import Secret

DATAGENETICS_TOP_10 = [
    "1234",
    "1111",
    "0000",
    "1212",
    "7777",
    "1004",
    "2000",
    "4444",
    "2222",
    "6969",
]


def values(strategy: Strategy, digits: int = 4, limit: int = 10**4, seed: int = 1) -> list[str]:
    return [g.value.reveal() for g in guesses(strategy, digits=digits, limit=limit, seed=seed)]


def test_the_list_names_its_source_and_marks_what_is_generated() -> None:
    header = COMMON_PINS.read_text().split("\n1234", 1)[0]
    assert "DataGenetics" in header and "3.4 million" in header
    assert "NOT from the source" in COMMON_PINS.read_text()
    common = load_common_pins()
    assert list(common.pins[:10]) == DATAGENETICS_TOP_10
    assert common.sourced == 20 and common.shares["1234"] == "10.713%"
    assert "1984" in common.pins[20:] and common.rank("1984") is not None


def test_every_order_covers_each_value_once() -> None:
    dictionary = values(Strategy.DICTIONARY)
    assert dictionary[:10] == DATAGENETICS_TOP_10
    assert sorted(dictionary) == [f"{n:04d}" for n in range(10**4)]
    assert values(Strategy.SEQUENTIAL, limit=3) == ["0000", "0001", "0002"]
    drawn = values(Strategy.RANDOM, limit=500)
    assert len(set(drawn)) == 500 and drawn == values(Strategy.RANDOM, limit=500)
    assert drawn != values(Strategy.RANDOM, limit=500, seed=2)
    puks = values(Strategy.RANDOM, digits=8, limit=50)
    assert len(set(puks)) == 50 and all(len(p) == 8 for p in puks)
    assert values(Strategy.RESET_TRICKS, limit=2) == ["1234", "1111"]
    assert values(Strategy.RESET_TRICKS, digits=8, limit=1) == ["00000000"]
    origins = [g.origin for g in guesses(Strategy.DICTIONARY, digits=4, limit=2)]
    assert origins == ["common list #1", "common list #2"]  # no digits in the label


def test_the_dictionary_is_refused_for_a_puk() -> None:
    with pytest.raises(ConfigError, match="sequential or random"):
        guesses(Strategy.DICTIONARY, digits=8, limit=10)


def test_a_bad_list_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "pins.txt"
    bad.write_text("# header\n1234\n12a4\n")
    with pytest.raises(ConfigError, match=r"pins.txt:3: '12a4'"):
        load_common_pins(bad)


def test_the_audit_ranks_1234_first_and_never_quotes_the_pin() -> None:
    first = audit_pin(Secret("1234"))
    assert first.on_list and first.rank == 1 and first.sourced
    text = first.describe()
    assert "among the 3 most common" in text and "finds it" in text
    assert "1234" not in text and "#1" not in text and "10.713%" not in text
    assert "1234" not in repr(first) and "10.713" not in repr(first)
    mid = audit_pin(Secret("5555"))
    assert mid.on_list and "among the 20 most common" in mid.describe()
    assert "#" not in mid.describe() and "%" not in mid.describe()
    year = audit_pin(Secret("1987"))
    assert year.on_list and not year.sourced and "generated tail" in year.describe()
    uncommon = audit_pin(Secret("7391"))
    assert not uncommon.on_list and "Not on the common-PIN list" in uncommon.describe()
    assert "7391" not in uncommon.describe()
    assert not audit_pin(Secret("123456")).on_list
    with pytest.raises(PinFormatError):
        audit_pin(Secret("12x4"))


def test_the_floor_is_kept_unless_destructive_and_virtual_or_sacrificial() -> None:
    iccid = "8988211000000000018"
    plain = CampaignConfig()
    assert not decide_floor(plain, virtual=True, iccid=iccid).lifted  # virtual alone: no
    destructive = CampaignConfig(allow_destructive=True)
    assert decide_floor(destructive, virtual=True, iccid=iccid).lifted
    assert not decide_floor(destructive, virtual=False, iccid=iccid).lifted
    listed = CampaignConfig(allow_destructive=True, sacrificial_iccids=frozenset({iccid}))
    assert decide_floor(listed, virtual=False, iccid=iccid).lifted
    assert not decide_floor(listed, virtual=False, iccid="8988211000000000026").lifted
    kept = decide_floor(destructive, virtual=False, iccid=iccid).policy
    with pytest.raises(SafetyRefusal, match="only 1 attempt left"):
        kept.check(Spend.PIN, "PIN1", 1, "card")
    with pytest.raises(SafetyRefusal, match="PUK"):
        kept.check(Spend.PUK, "PUK1", 10, "card")
    higher = decide_floor(CampaignConfig(budget=Budget(pin_floor=2)), virtual=True, iccid=iccid)
    with pytest.raises(SafetyRefusal, match="keeps at least 2"):
        higher.policy.check(Spend.PIN, "PIN1", 2, "card")
    higher.policy.check(Spend.PIN, "PIN1", 3, "card")
    with pytest.raises(ConfigError):
        Budget(pin_floor=0)


def test_a_floor_policy_needs_a_reason_to_allow_the_last_try() -> None:
    with pytest.raises(ValueError, match="reason"):
        SafetyPolicy.with_floor(0, None, "")
    puk_floor = SafetyPolicy.with_floor(0, 3, "sacrificial SIM")
    puk_floor.check(Spend.PUK, "PUK1", 4, "card")
    with pytest.raises(SafetyRefusal, match="keeps at least 3"):
        puk_floor.check(Spend.PUK, "PUK1", 3, "card")
    with pytest.raises(SafetyRefusal, match="unknown number"):
        puk_floor.check(Spend.PUK, "PUK1", None, "card")
    assert SafetyPolicy.strict().describe() == "keeps at least 1 PIN try, spends no PUK tries"
