"""`VirtualLink`: an ApduLink straight into a virtual card in this process (fast tests)."""

from __future__ import annotations

from harness.errors import DeviceGoneError
from harness.sim.card_protocol import CardLike  # neutral module: simulators import it too
from harness.sim.link import ApduLink, ApduTracer

__all__ = ["CardLike", "VirtualLink"]  # CardLike re-exported for existing callers


class VirtualLink(ApduLink):
    """Bytes in, bytes out, like a reader; the card is powered on when the link opens."""

    name = "virtual card"

    def __init__(self, card: CardLike, tracer: ApduTracer | None = None) -> None:
        super().__init__(tracer)
        self._card: CardLike | None = card
        self._atr = card.power_on()

    @property
    def atr(self) -> bytes:
        return self._atr

    def _live(self) -> CardLike:
        if self._card is None:
            raise DeviceGoneError(f"{self.name}: link closed; open a new link to the card")
        return self._card

    def _exchange(self, raw: bytes) -> bytes:
        return self._live().transmit(raw)

    def reset(self) -> bytes:
        self._atr = self._live().reset()
        return self._atr

    def cold_reset(self) -> bytes:
        card = self._live()
        card.power_off()
        self._atr = card.power_on()
        return self._atr

    def close(self) -> None:
        if self._card is not None:
            self._card.power_off()
            self._card = None
