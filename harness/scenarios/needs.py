"""What each scenario needs a bench to do, and its result when a bench cannot.

The steps are the interface calls a scenario makes besides the drivers
(harness.scenarios.interfaces): `move_sim` (SimSlot.move), `report_lost`,
`reactivate`, `swap_sim` (Operator) and `send_otp` (OtpSource). A bench that
has no way to do one of them (no hook, no sender modem, nobody at a terminal,
no second modem) proves nothing either way: every question of the scenario is
INCONCLUSIVE, with the reason as its evidence. It is never PROTECTED: absent
evidence is not a defence.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.scenarios.loss import HELD_SUBJECT, LOSS_TITLE, REACTIVATION_SUBJECT, SWAP_SUBJECT
from harness.scenarios.result import Check, Finding, ScenarioResult
from harness.scenarios.stage import PARTICIPANTS
from harness.scenarios.theft import THEFT_SUBJECT, THEFT_TITLE

__all__ = ["SCENARIO_STEPS", "SUBJECTS", "TITLES", "unrunnable"]

SCENARIO_STEPS: dict[str, tuple[str, ...]] = {
    "theft": ("move_sim", "send_otp"),
    "loss": ("move_sim", "report_lost", "reactivate", "swap_sim", "send_otp"),
}
SUBJECTS: dict[str, tuple[str, ...]] = {
    "theft": (THEFT_SUBJECT,),
    "loss": (HELD_SUBJECT, REACTIVATION_SUBJECT, SWAP_SUBJECT),
}
TITLES = {"theft": THEFT_TITLE, "loss": LOSS_TITLE}


def unrunnable(
    name: str, *, bench: str, pin_enabled: bool, reasons: Sequence[str]
) -> ScenarioResult:
    """Scenario `name` not run: each of its questions INCONCLUSIVE, `reasons` as evidence."""
    if not reasons:
        raise ValueError("an unrunnable scenario needs the reason it could not run")
    why = "; ".join(reasons)
    check = Check("bench", "the bench can do every step of the scenario", False, why)
    result = ScenarioResult(name, TITLES[name], bench, pin_enabled, list(PARTICIPANTS))
    result.findings = [Finding.of(subject, [], baseline=check) for subject in SUBJECTS[name]]
    result.steps = []
    return result
