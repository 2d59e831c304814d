"""Open an ApduLink to a virtual card either in process or through pcscd + vpcd."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from harness.sim.link import ApduLink
from harness.sim.pcsc_link import PcscLink
from harness.sim.virtual_link import VirtualLink
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.vpcd import VpcdBridge


@contextmanager
def open_link(kind: str, card: VirtualUicc, slot: VpcdBridge | None) -> Iterator[ApduLink]:
    """`kind` "virtual": in process; "pcsc": through the session's vpcd slot and pcscd."""
    if kind == "virtual":
        with VirtualLink(card) as link:
            yield link
        return
    assert slot is not None
    slot.card = card
    card.power_on()
    with PcscLink(slot.reader, connect_timeout=10.0) as link:
        link.reset()  # the card behind the slot changed: start from a cold reset
        yield link
