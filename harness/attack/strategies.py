"""Guess orders for a PIN campaign, and the weak-PIN audit over the common-PIN list.

The list (harness/data/pins/common_pins.txt, read by harness.pin_setup.lists) names
its source in its header: ranks 1-20 are the DataGenetics 2012 table (3.4 million
leaked 4-digit PINs); below a marker line comes a generated tail that is *not*
from the source (years 1940-2025). The dictionary order is that file, then every other 4-digit value
in ascending order, so a long campaign still covers the whole space once.

Guesses are `Secret`s: a guess that turns out to be the PIN is the owner's PIN,
so it is treated as one from the moment it is made.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum

from harness.errors import ConfigError
from harness.pin_setup.lists import COMMON_PINS, SOURCE, CommonPins, load_common_pins
from harness.secrets import Secret
from harness.sim.pin_service import encode_pin

__all__ = [
    "COMMON_PINS",
    "AuditResult",
    "CommonPins",
    "Guess",
    "Strategy",
    "audit_pin",
    "guesses",
    "load_common_pins",
]


class Strategy(Enum):
    DICTIONARY = "dictionary"  # the common-PIN list, most frequent first
    SEQUENTIAL = "sequential"  # 0000, 0001, ... (00000000... for a PUK)
    RANDOM = "random"  # uniformly, without replacement, from a seed
    RESET_TRICKS = "reset-tricks"  # dictionary (PIN) / sequential (PUK), a reset between guesses


@dataclass(frozen=True)
class Guess:
    value: Secret
    origin: str  # where it came from, without its digits: "common list #3", "random draw 2"


def guesses(
    strategy: Strategy,
    *,
    digits: int,
    limit: int,
    seed: int | None = None,
    common: CommonPins | None = None,
) -> Iterator[Guess]:
    """At most `limit` guesses of `digits` digits in the strategy's order, each once."""
    if strategy is Strategy.RESET_TRICKS:
        strategy = Strategy.DICTIONARY if digits == 4 else Strategy.SEQUENTIAL
    if strategy is Strategy.DICTIONARY:
        if digits != 4:
            raise ConfigError(
                f"the dictionary strategy holds 4-digit PINs; a {digits}-digit secret (the "
                f"PUK) is guessed with --strategy sequential or random"
            )
        return _dictionary(common or load_common_pins(), limit)
    if strategy is Strategy.SEQUENTIAL:
        return (
            Guess(Secret(f"{n:0{digits}d}"), f"sequential #{n + 1}")
            for n in range(min(limit, 10**digits))
        )
    draws = random.Random(seed).sample(range(10**digits), min(limit, 10**digits))
    return (Guess(Secret(f"{n:0{digits}d}"), f"random draw {i}") for i, n in enumerate(draws, 1))


def _dictionary(common: CommonPins, limit: int) -> Iterator[Guess]:
    listed = set(common.pins)
    rest = (f"{n:04d}" for n in range(10**4) if f"{n:04d}" not in listed)
    count = 0
    for rank, pin in enumerate(common.pins, start=1):
        if count >= limit:
            return
        yield Guess(Secret(pin), f"common list #{rank}")
        count += 1
    for pin in rest:
        if count >= limit:
            return
        yield Guess(Secret(pin), "ascending after the list")
        count += 1


@dataclass(frozen=True)
class AuditResult:
    """Where an owner's PIN stands on the common list; holds no digit of it.

    The list is public, so an exact rank (or its share) *is* the PIN: `rank` and
    `share` are for code that must decide, and are kept out of repr; what is
    printed (`describe`) is a band of at least three PINs.
    """

    rank: int | None = field(repr=False)
    sourced: bool  # ranked by the named source (not in the generated tail)
    share: str | None = field(repr=False)
    listed: int
    sourced_count: int

    @property
    def on_list(self) -> bool:
        return self.rank is not None

    def describe(self, tries: int = 3) -> str:
        if self.rank is None:
            return (
                f"Not on the common-PIN list ({self.listed} PINs: the {self.sourced_count} most "
                f"common by {SOURCE}, then year-like PINs). A dictionary attack with {tries} "
                f"tries will not find it."
            )
        if self.rank <= tries:
            return (
                f"WEAK: among the {tries} most common 4-digit PINs ({SOURCE}): a thief with "
                f"{tries} tries finds it. Change it."
            )
        if self.sourced:
            return (
                f"WEAK: among the {self.sourced_count} most common 4-digit PINs ({SOURCE}): "
                f"beyond a thief's {tries} tries, but on every guessing list. Change it."
            )
        return (
            "WEAK: a year-like PIN, on the generated tail of the common-PIN list (a birth "
            f"year is the next thing a thief tries): beyond {tries} tries, but guessable. "
            "Change it."
        )


def audit_pin(pin: Secret, common: CommonPins | None = None) -> AuditResult:
    """Rank the owner's PIN on the common list; `PinFormatError` (value never quoted)
    when it is not a PIN at all."""
    encode_pin(pin, "PIN")
    listing = common or load_common_pins()
    rank = listing.rank(pin.reveal())
    share = listing.shares.get(pin.reveal()) if rank is not None else None
    return AuditResult(
        rank=rank,
        sourced=rank is not None and rank <= listing.sourced,
        share=share,
        listed=len(listing.pins),
        sourced_count=listing.sourced,
    )
