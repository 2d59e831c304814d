"""The state one command handler works on: files, secrets, channels, pending response."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from harness.sim.apdu import Response
from harness.virtual.card.files import Cursor
from harness.virtual.card.layout import CardTree
from harness.virtual.card.pins import PinBank

MAX_CHANNELS = 4  # basic channel 0 + 1..3 (CLA b2-b1, TS 102 221 §10.1.1)


@dataclass
class CardContext:
    tree: CardTree
    pins: PinBank
    persist: Callable[[], None]
    cursors: dict[int, Cursor] = field(default_factory=dict)
    pending: dict[int, bytes] = field(default_factory=dict)  # GET RESPONSE data per channel

    def reset_volatile(self) -> None:
        """Power off/on or reset: channels closed, MF selected, nothing verified."""
        self.cursors = {0: Cursor(self.tree.mf)}
        self.pending.clear()
        self.pins.clear_volatile()


def sw(value: int, data: bytes = b"") -> Response:
    return Response.of_sw(value, data)


def deliver_t0(ctx: CardContext, channel: int, data: bytes, le: int | None) -> Response:
    """Return data the way a T=0 card does (ISO/IEC 7816-3 §10.3.4, TS 102 221 §7.3.1.1.4):
    no Le -> 61xx and keep the data for GET RESPONSE; Le too long -> 6Cxx with the exact
    length; Le shorter -> that many bytes, and 61xx for the rest."""
    if not data:
        return sw(0x9000)
    if le is None:
        ctx.pending[channel] = data
        return sw(0x6100 | (len(data) & 0xFF))
    if le > len(data):
        return sw(0x6C00 | (len(data) & 0xFF))
    rest = data[le:]
    if rest:
        ctx.pending[channel] = rest
        return sw(0x6100 | (len(rest) & 0xFF), data[:le])
    return sw(0x9000, data)
