"""A served card with its exchanges traced: a masked APDU log and/or GSMTAP packets.

`CardTap` sits between the vpcd bridge and the virtual card and has the card's byte
interface (`CardLike`), so the bridge serves it unchanged. Every power-on or reset
is reported as the ATR (GSMTAP sub-type ATR: pySim-trace takes it as a card reset,
and it tracks the selected file from there), every command with its response as
one exchange. The polls pcscd makes for the ATR change nothing and are not traced.
"""

from __future__ import annotations

import threading

from harness.sim.card_protocol import CardLike
from harness.sim.gsmtap import GsmtapSender
from harness.transcript import Channel, Direction, Transcript

__all__ = ["CardTap"]


class CardTap:
    """`card`'s byte interface, recording to `transcript` and sending to `gsmtap`."""

    def __init__(
        self,
        card: CardLike,
        *,
        transcript: Transcript | None = None,
        gsmtap: GsmtapSender | None = None,
        note: str = "card",
    ) -> None:
        self.card = card
        self.transcript = transcript
        self.gsmtap = gsmtap
        self.note = note
        self._lock = threading.Lock()  # an exchange's packets stay together

    @property
    def atr(self) -> bytes:
        return self.card.atr

    def power_on(self) -> bytes:
        atr = self.card.power_on()
        self._atr(atr)
        return atr

    def power_off(self) -> None:
        self.card.power_off()

    def reset(self) -> bytes:
        atr = self.card.reset()
        self._atr(atr)
        return atr

    def transmit(self, raw: bytes) -> bytes:
        response = self.card.transmit(raw)
        with self._lock:
            if self.transcript is not None:
                self.transcript.record(Channel.APDU, Direction.TX, raw, self.note)
                self.transcript.record(Channel.APDU, Direction.RX, response, self.note)
            if self.gsmtap is not None:
                self.gsmtap.send_apdu(raw, response)
        return response

    def _atr(self, atr: bytes) -> None:
        with self._lock:
            if self.transcript is not None:
                self.transcript.record(Channel.APDU, Direction.RX, atr, f"{self.note} ATR")
            if self.gsmtap is not None:
                self.gsmtap.send_atr(atr)
