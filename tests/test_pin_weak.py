"""The weak-PIN rules and the common-PIN lists with their named sources."""

from __future__ import annotations

import pytest

from harness.errors import PinFormatError
from harness.pin_setup.lists import common_pin_lists
from harness.pin_setup.weak import judge_pin
from harness.secrets import Secret


def rules(pin: str, **kw: object) -> set[str]:
    return {r.rule for r in judge_pin(Secret(pin), **kw).reasons}  # type: ignore[arg-type]


def test_every_list_names_its_source_and_holds_pins_of_one_length() -> None:
    lists = common_pin_lists()
    names = {p.name for p in lists}
    assert {"datagenetics", "markert2020_4digit", "markert2020_6digit", "solc2018_4digit"} <= names
    for listing in lists:
        assert listing.source and listing.short
        assert len({len(p) for p in listing.pins}) == 1, listing.name
        assert len(set(listing.pins)) == len(listing.pins), f"{listing.name} repeats a PIN"
    lengths = {len(p.pins[0]) for p in lists}
    assert lengths == {4, 6, 8}
    derived = next(p for p in lists if p.name == "derived_8digit")
    assert not derived.measured  # says it is not a measurement
    assert all(p.measured for p in lists if p.name != "derived_8digit")


@pytest.mark.parametrize(
    ("pin", "rule"),
    [
        ("1234", "common-list"),
        ("2580", "common-list"),  # Markert et al. 2020, missing from the 4-digit dictionary
        ("654321", "common-list"),
        ("159753", "common-list"),
        ("12341234", "common-list"),  # derived 8-digit list
        ("7777", "one-digit"),
        ("00000000", "one-digit"),
        ("4567", "run"),
        ("8901", "run"),  # the keypad's 9-0 wrap
        ("98765", "run"),
        ("12345678", "run"),
        ("1987", "year"),
        ("2061", "year"),
        ("198503", "year"),
        ("01012001", "year"),
    ],
)
def test_each_rule_catches_its_pins(pin: str, rule: str) -> None:
    assert rule in rules(pin)


@pytest.mark.parametrize("pin", ["8642", "73915", "739154", "7391548", "73915482"])
def test_pins_that_break_no_rule_are_not_weak(pin: str) -> None:
    judgement = judge_pin(Secret(pin))
    assert not judgement.weak, judgement.describe()
    assert "Not weak" in judgement.describe()


def test_digits_of_the_card_numbers_and_the_puk_are_weak() -> None:
    assert rules("0000018", iccid="8988211000000000018") >= {"card-number"}
    assert "card-number" in rules("5550", msisdn="+15555550100")
    assert "card-number" in rules("8642", puk=Secret("98642123"))
    assert "card-number" not in rules("8642", iccid="8988211000000000018")


def test_a_judgement_never_holds_the_digits() -> None:
    for pin in ("2580", "654321", "19850101", "8988"):
        judgement = judge_pin(Secret(pin), iccid="8988211000000000018")
        assert pin not in judgement.describe()
        assert pin not in str(judgement.as_dict())


@pytest.mark.parametrize("bad", ["123", "123456789", "12a4", ""])
def test_not_a_pin_is_a_format_error_that_does_not_quote_it(bad: str) -> None:
    with pytest.raises(PinFormatError) as caught:
        judge_pin(Secret(bad))
    assert bad == "" or bad not in str(caught.value)
