"""A short PIN attack on the virtual bench, for `make demo` (about a second).

A stolen SIM whose owner chose PIN 5555 (#13 of the most common 4-digit PINs)
sits in a virtual modem:
1. the card is virtual but the harness is told to treat it as a real SIM, to
   show the safety floor: a dictionary attack spends 2 tries and the safety gate
   stops it with 1 try left; nothing more is sent;
2. another such card, marked virtual, in an explicitly destructive run: the
   attack blocks the PIN, reset tricks (power cycle, radio off/on, SIM
   re-insert) between and after the guesses give nothing back, and two PUK
   guesses later the PUK counter has survived them as well;
3. the owner's PIN audited against the common list.
"""

from __future__ import annotations

import sys
import tempfile
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol, TextIO

from harness.attack.campaign import Budget, CampaignConfig, run_campaign
from harness.attack.report import CampaignResult, StopReason, render_result
from harness.attack.strategies import Strategy, audit_pin
from harness.attack.target import AttackedSecret, ModemTarget
from harness.secrets import Secret

__all__ = ["DEMO_PIN", "StolenPhone", "run_short_attack_demo"]

DEMO_PIN = "5555"  # the virtual card's PIN1: common, but not in a thief's first 3 guesses


class StolenPhone(Protocol):
    """Opens stolen phone `index` (a fresh card with its own ICCID and PIN1 `pin`) as a target
    marked `virtual` or REAL; the bench side builds it (harness.bench.stolen_phone)."""

    def __call__(
        self, index: int, pin: str, *, virtual: bool
    ) -> AbstractContextManager[ModemTarget]: ...


def run_short_attack_demo(stolen_phone: StolenPhone, out: TextIO = sys.stdout) -> int:
    """Run the three steps on phones from `stolen_phone`; 0 when every defence held."""
    ok = True
    with tempfile.TemporaryDirectory(prefix="simharness-ledger-") as ledger_dir:
        state = Path(ledger_dir)
        print(
            "PIN attack 1: dictionary attack on PIN1. The SIM is virtual, but the harness "
            "treats it as a real one here, to show the safety floor:",
            file=out,
        )
        with stolen_phone(0, DEMO_PIN, virtual=False) as target:
            guarded = run_campaign(target, CampaignConfig(), state_dir=state)
        print(render_result(guarded), file=out)
        ok &= guarded.stop is StopReason.GUARD and _left(guarded) == 1

        print("\nPIN attack 2: another such card, marked virtual, destructive run", file=out)
        with stolen_phone(1, DEMO_PIN, virtual=True) as target:
            blocked = run_campaign(
                target,
                CampaignConfig(strategy=Strategy.RESET_TRICKS, allow_destructive=True),
                state_dir=state,
            )
            print(render_result(blocked), file=out)
            puk = CampaignConfig(
                secret=AttackedSecret.PUK,
                strategy=Strategy.RESET_TRICKS,
                budget=Budget(max_attempts=2),
                allow_destructive=True,
            )
            print("\nPIN attack 2b: two PUK guesses, reset tricks between", file=out)
            survived = run_campaign(target, puk, state_dir=state)
        print(render_result(survived), file=out)
        ok &= blocked.stop is StopReason.BLOCKED and _all_survived(blocked, survived)

    audit = audit_pin(Secret(DEMO_PIN))
    print(f"\nWeak-PIN audit of the owner's PIN: {audit.describe()}", file=out)
    print("Guesses are masked above; only a PIN found on a virtual card is shown.", file=out)
    return 0 if ok else 1


def _left(result: CampaignResult) -> int | None:
    return result.end.of(result.secret) if result.end is not None else None


def _all_survived(*results: CampaignResult) -> bool:
    return all(r.tricks and r.tricks_survived == len(r.tricks) for r in results)
