"""`CardLike`: the byte interface of a card, shared by the driver and the device side.

It lives in its own module, importing nothing, so that both layers can name it
without crossing DESIGN.md's one-way rule: the driver-side `VirtualLink`
(harness/sim/virtual_link.py) takes a `CardLike`, and the simulators
(harness/virtual/: sim_view, modem/sim_io, vpcd) type their card with it without
loading the driver module harness.sim.link into every simulator process.
"""

from __future__ import annotations

from typing import Protocol


class CardLike(Protocol):
    """What a link needs of a card: the device side's byte interface."""

    @property
    def atr(self) -> bytes: ...
    def power_on(self) -> bytes: ...
    def power_off(self) -> None: ...
    def reset(self) -> bytes: ...
    def transmit(self, raw: bytes) -> bytes: ...
