"""Virtual stolen SIMs for the PIN attack tests: a card with a chosen PIN1, reached
over a virtual modem's pty (the AT path) or a VirtualLink (APDUs), as a Target."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Protocol

from harness.attack.target import (
    CardTarget,
    Counters,
    ModemTarget,
    ResetTrick,
    Target,
)
from harness.modem import Modem
from harness.sim.card import SimCard
from harness.sim.virtual_link import VirtualLink
from harness.transcript import Transcript
from harness.virtual.bench import numbered_profile
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem

UNCOMMON_PIN = "7391"  # on no list: a dictionary attack never finds it


def stolen_card(
    pin1: str = UNCOMMON_PIN, index: int = 0, state: Path | None = None, puk1: str = "12345678"
) -> VirtualUicc:
    base = numbered_profile(load_profile(DEFAULT_PROFILE), index)
    return VirtualUicc(dataclasses.replace(base, pin1=pin1, puk1=puk1), state_path=state)


def card_counters(card: VirtualUicc) -> Counters:
    """PIN1/PUK1 as the SimCard driver reads them over its own link (spends nothing)."""
    sim = SimCard(VirtualLink(card))
    return Counters(sim.pins.retries(), sim.pins.puk_retries())


@contextmanager
def modem_target(
    card: VirtualUicc, *, virtual: bool, transcript: Transcript | None = None
) -> Iterator[ModemTarget]:
    with VirtualModem(card, personality="generic") as device:
        port = device.start_pty()

        def reinsert() -> None:
            device.remove_sim()
            device.insert_sim(card)

        with Modem(port, transcript=transcript, default_timeout=3.0) as modem:
            yield ModemTarget(modem, virtual=virtual, reinsert_sim=reinsert, name="virtual modem")


@contextmanager
def card_target(
    card: VirtualUicc, *, virtual: bool, transcript: Transcript | None = None
) -> Iterator[CardTarget]:
    tracer = transcript.apdu_tracer("card") if transcript is not None else None
    with VirtualLink(card, tracer) as link:

        def power_cycle() -> None:  # out of the reader and back in: power lost
            card.power_off()
            link.reset()

        extra: dict[ResetTrick, Callable[[], None]] = {
            ResetTrick.POWER_CYCLE: power_cycle,
            ResetTrick.REINSERT: power_cycle,
        }
        target = CardTarget(SimCard(link), virtual=virtual, extra=extra, name="virtual reader")
        try:
            yield target
        finally:
            target.close()


class OpenTarget(Protocol):
    def __call__(
        self, card: VirtualUicc, *, virtual: bool, transcript: Transcript | None = None
    ) -> AbstractContextManager[Target]: ...


PATHS: dict[str, OpenTarget] = {"modem": modem_target, "card": card_target}
