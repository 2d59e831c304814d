"""Weak-PIN rules, the same for `simharness pin setup|change|unblock` and `attack audit`.

A PIN (4-8 digits, TS 102 221 §9.5.1 / TS 51.010-1 §27.14.2) is weak when it is
- on a common-PIN list of its length, each list with its named source
  (harness.pin_setup.lists);
- all one digit (``7777``);
- an ascending or descending run, the keypad's 9-0 wrap included (``4567``, ``8901``,
  ``654321``);
- a year 1900-2099, or (6 and 8 digits) begins or ends with one (``198501``,
  ``01011985``): birth years and dates are what a thief tries after the lists;
- found among the digits of the card's ICCID, MSISDN or PUK: printed on the card
  carrier, known to the operator, or on the same sheet.

The judgement names rules and lists, never a digit of the PIN.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from harness.pin_setup.lists import PinList, common_pin_lists
from harness.secrets import Secret
from harness.sim.pin_service import encode_pin

__all__ = ["PinJudgement", "WeakReason", "judge_pin"]

_YEARS = range(1900, 2100)


@dataclass(frozen=True)
class WeakReason:
    rule: str  # "common-list", "one-digit", "run", "year", "card-number"
    text: str  # for the user; holds no digit of the PIN


@dataclass(frozen=True)
class PinJudgement:
    digits: int
    reasons: tuple[WeakReason, ...]
    lists_checked: tuple[str, ...]  # names of the lists of this length
    sources: tuple[tuple[str, str], ...] = ()  # (list name, full source) of those lists

    @property
    def weak(self) -> bool:
        return bool(self.reasons)

    def describe(self) -> str:
        if not self.reasons:
            checked = ", ".join(self.lists_checked) or "no list holds PINs of this length"
            return (
                f"Not weak by the rules: {'an' if self.digits == 8 else 'a'} {self.digits}-digit "
                f"PIN on no common-PIN list "
                f"({checked}), not one digit, not a run, not a year, not from the card's "
                f"numbers."
            )
        return "WEAK: " + "; ".join(r.text for r in self.reasons) + ". Choose another PIN."

    def as_dict(self) -> dict[str, object]:
        return {
            "weak": self.weak,
            "digits": self.digits,
            "reasons": [{"rule": r.rule, "text": r.text} for r in self.reasons],
            "lists_checked": list(self.lists_checked),
            "sources": dict(self.sources),
        }


def judge_pin(
    pin: Secret,
    *,
    iccid: str | None = None,
    msisdn: str | None = None,
    puk: Secret | None = None,
    lists: tuple[PinList, ...] | None = None,
) -> PinJudgement:
    """Judge `pin` by every rule; `PinFormatError` (never quoting it) if it is no PIN."""
    encode_pin(pin, "PIN")
    value = pin.reveal()
    same_length = [
        p for p in (lists or common_pin_lists()) if p.pins and len(p.pins[0]) == len(value)
    ]
    reasons: list[WeakReason] = []
    for listing in same_length:
        if value in listing:
            kind = "common-PIN list" if listing.measured else "derived common-PIN list"
            reasons.append(
                WeakReason("common-list", f"on the {kind} '{listing.name}' ({listing.short})")
            )
    if len(set(value)) == 1:
        reasons.append(WeakReason("one-digit", "all one digit"))
    elif _is_run(value, 1) or _is_run(value, -1):
        reasons.append(WeakReason("run", "an ascending or descending run of digits"))
    year = _year_rule(value)
    if year:
        reasons.append(WeakReason("year", year))
    for name, digits in (
        ("ICCID", iccid),
        ("MSISDN", msisdn),
        ("PUK", puk.reveal() if puk is not None else None),
    ):
        only = "".join(c for c in digits or "" if c.isdigit())
        if only and value in only:
            reasons.append(WeakReason("card-number", f"taken from the digits of the {name}"))
    return PinJudgement(
        len(value),
        tuple(reasons),
        tuple(p.name for p in same_length),
        tuple((p.name, p.source) for p in same_length),
    )


def _is_run(value: str, step: int) -> bool:
    return all((int(b) - int(a)) % 10 == step % 10 for a, b in itertools.pairwise(value))


def _year_rule(value: str) -> str | None:
    if len(value) == 4:
        return "a year between 1900 and 2099" if int(value) in _YEARS else None
    if len(value) in (6, 8) and (int(value[:4]) in _YEARS or int(value[-4:]) in _YEARS):
        return "begins or ends with a year between 1900 and 2099 (a date)"
    return None
