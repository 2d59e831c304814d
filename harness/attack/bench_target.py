"""From a bench device to a campaign `Target`: which path carries the guesses, which
reset tricks the bench can do, and what the configuration says about virtual.

- a reader: `CardTarget` over its link (card reset; a simulated reader can also
  power-cycle and re-insert its card);
- a modem, PIN1 or PUK: `ModemTarget` over +CPIN (power cycle, radio off/on; a
  simulated modem can also have its SIM taken out and put back);
- a modem, PIN2: `CardTarget` over the modem's +CSIM link, with the modem's
  power cycle and radio as its tricks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from harness.attack.target import (
    AttackedSecret,
    CardTarget,
    ModemTarget,
    ResetTrick,
    Target,
)
from harness.bench import OpenedDevice
from harness.errors import ConfigError
from harness.modem import Modem
from harness.sim.card import SimCard

__all__ = ["bench_target"]

_SETTLE_S = 10.0


@contextmanager
def bench_target(device: OpenedDevice, secret: AttackedSecret) -> Iterator[Target]:
    """The campaign target for `secret` on an opened bench device."""
    if device.card is not None:
        extra: dict[ResetTrick, Callable[[], None]] = {}
        if device.power_cycle_card is not None:
            extra[ResetTrick.POWER_CYCLE] = device.power_cycle_card
        if device.reinsert_sim is not None:
            extra[ResetTrick.REINSERT] = device.reinsert_sim
        target = CardTarget(device.card, virtual=device.virtual, extra=extra, name=device.name)
        try:
            yield target
        finally:
            target.close()
        return
    modem = device.modem
    if modem is None:
        raise ConfigError(f"bench device {device.name} has neither a modem nor a card")
    if secret is not AttackedSecret.PIN2:
        yield ModemTarget(
            modem, virtual=device.virtual, reinsert_sim=device.reinsert_sim, name=device.name
        )
        return
    with modem.sim_link() as link:
        tricks = _modem_tricks(modem, device.reinsert_sim)
        card = SimCard(link, safety=modem.safety)
        target = CardTarget(card, virtual=device.virtual, extra=tricks, name=device.name)
        try:
            yield target
        finally:
            target.close()


def _modem_tricks(
    modem: Modem, reinsert: Callable[[], None] | None
) -> dict[ResetTrick, Callable[[], None]]:
    def power_cycle() -> None:
        modem.power_cycle()

    def radio() -> None:
        modem.radio(False)
        modem.radio(True)
        modem.wait_sim_settled(_SETTLE_S)

    tricks = {ResetTrick.POWER_CYCLE: power_cycle, ResetTrick.RADIO: radio}
    if reinsert is not None:

        def reinsert_and_settle() -> None:
            reinsert()
            modem.wait_sim_settled(_SETTLE_S)

        tricks[ResetTrick.REINSERT] = reinsert_and_settle
    return tricks
