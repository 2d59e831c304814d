"""A campaign's settings and its safety decision: the budget, the floor, and when the
floor may be lifted (DESIGN.md "Safety").

By default a campaign keeps at least 1 PIN try and spends no PUK try. The floor
is lifted only for an explicitly destructive run (`allow_destructive`) on a card
that is virtual by configuration, or whose ICCID is on the bench's sacrificial
list. Virtual alone is not enough: a bench file that wrongly says
`virtual = true` must not be all it takes to destroy a real SIM. The decision is
a `SafetyPolicy`, which the drivers' one gate enforces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.attack.strategies import Strategy
from harness.attack.target import AttackedSecret, ResetTrick
from harness.errors import ConfigError
from harness.safety import SafetyPolicy
from harness.secrets import Secret

__all__ = ["Budget", "CampaignConfig", "FloorDecision", "decide_floor"]


@dataclass(frozen=True)
class Budget:
    """At most `max_attempts` guesses, never leaving fewer than `pin_floor` PIN tries
    (at least 1) and spending no PUK try. A lifted floor (see `decide_floor`) clears
    both: the run may then block the PIN and exhaust the PUK."""

    max_attempts: int = 10
    pin_floor: int = 1

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigError("max attempts: at least 1")
        if self.pin_floor < 1:
            raise ConfigError("the PIN floor keeps at least 1 try; only a lifted floor keeps 0")


@dataclass(frozen=True)
class CampaignConfig:
    secret: AttackedSecret = AttackedSecret.PIN1
    strategy: Strategy = Strategy.DICTIONARY
    budget: Budget = field(default_factory=Budget)
    allow_destructive: bool = False
    sacrificial_iccids: frozenset[str] = frozenset()
    seed: int | None = None  # random strategy; None: a fresh seed, reported in the plan
    tricks: tuple[ResetTrick, ...] | None = None  # reset-tricks: None = all the target has
    new_pin: Secret | None = field(default=None, repr=False)  # what a found PUK sets
    resync_ledger: bool = False
    dry_run: bool = False


@dataclass(frozen=True)
class FloorDecision:
    policy: SafetyPolicy
    lifted: bool
    why: str


def decide_floor(config: CampaignConfig, *, virtual: bool, iccid: str | None) -> FloorDecision:
    """The safety policy for this run on this card (iccid None: not read yet, dry run)."""
    budget = config.budget
    sacrificial = iccid is not None and iccid in config.sacrificial_iccids
    if config.allow_destructive and (virtual or sacrificial):
        why = "virtual card" if virtual else f"ICCID {iccid} is on the bench's sacrificial list"
        why += ", destructive run"
        return FloorDecision(SafetyPolicy.with_floor(0, 0, why), True, why)
    if not config.allow_destructive:
        why = "not a destructive run"
    elif iccid is None:
        listed = len(config.sacrificial_iccids)
        why = f"lifted only if the card's ICCID is one of the {listed} sacrificial ICCIDs"
    else:
        why = f"REAL card, ICCID {iccid} not on the sacrificial list: floor kept"
    policy = SafetyPolicy.with_floor(budget.pin_floor, None, why)
    return FloorDecision(policy, False, why)
