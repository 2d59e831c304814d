"""A short PIN attack on the virtual bench, for `make demo` (about a second).

A stolen SIM whose owner chose PIN 5555 (#13 of the most common 4-digit PINs)
sits in a virtual modem:
1. the card is marked REAL: a dictionary attack spends 2 tries and the safety
   gate stops it with 1 try left; nothing more is sent;
2. another such card, marked virtual, in an explicitly destructive run: the
   attack blocks the PIN, reset tricks (power cycle, radio off/on, SIM
   re-insert) between and after the guesses give nothing back, and two PUK
   guesses later the PUK counter has survived them as well;
3. the owner's PIN audited against the common list.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from harness.modem import Modem
from harness.scenarios.pin_attack import Budget, CampaignConfig, run_campaign
from harness.scenarios.pin_attack_report import CampaignResult, StopReason, render_result
from harness.scenarios.pin_attack_strategies import Strategy, audit_pin
from harness.scenarios.pin_attack_target import AttackedSecret, ModemTarget
from harness.secrets import Secret
from harness.virtual.bench import numbered_profile
from harness.virtual.card_profile import DEFAULT_PROFILE, load_profile
from harness.virtual.modem import VirtualModem
from harness.virtual.uicc import VirtualUicc

__all__ = ["DEMO_PIN", "run_short_attack_demo"]

DEMO_PIN = "5555"  # the virtual card's PIN1: common, but not in a thief's first 3 guesses


@contextmanager
def _stolen_phone(index: int, *, virtual: bool) -> Iterator[ModemTarget]:
    """A virtual modem holding fresh virtual card `index` (its own ICCID), PIN1 DEMO_PIN."""
    profile = numbered_profile(load_profile(DEFAULT_PROFILE), index)
    card = VirtualUicc(dataclasses.replace(profile, pin1=DEMO_PIN))
    with (
        tempfile.TemporaryDirectory(prefix="simharness-attack-") as workdir,
        VirtualModem(card, personality="quectel") as device,
    ):
        port = Path(workdir) / "modem"
        device.start_pty(port)

        def reinsert() -> None:
            device.remove_sim()
            device.insert_sim(card)

        with Modem(str(port), default_timeout=3.0) as modem:
            name = f"stolen phone {index + 1} (virtual modem)"
            yield ModemTarget(modem, virtual=virtual, reinsert_sim=reinsert, name=name)


def run_short_attack_demo(out: TextIO = sys.stdout) -> int:
    """Run the three steps; 0 when every defence held as it should."""
    ok = True
    with tempfile.TemporaryDirectory(prefix="simharness-ledger-") as ledger_dir:
        state = Path(ledger_dir)
        print("PIN attack 1: dictionary attack on PIN1, card marked REAL", file=out)
        with _stolen_phone(0, virtual=False) as target:
            guarded = run_campaign(target, CampaignConfig(), state_dir=state)
        print(render_result(guarded), file=out)
        ok &= guarded.stop is StopReason.GUARD and _left(guarded) == 1

        print("\nPIN attack 2: another such card, marked virtual, destructive run", file=out)
        with _stolen_phone(1, virtual=True) as target:
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
