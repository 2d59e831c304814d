"""A `PinDevice` from what the command line names: a modem port or a PC/SC reader."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from harness.bench.config import reader_selector
from harness.modem import Modem
from harness.pin_setup.device import CardPins, ModemPins, PinDevice
from harness.sim.card import SimCard
from harness.transcript import Transcript

__all__ = ["open_pin_device"]


@contextmanager
def open_pin_device(
    *,
    port: str | None = None,
    reader: str | None = None,
    vendor: str | None = None,
    transcript: Transcript | None = None,
) -> Iterator[PinDevice]:
    """Open a modem (`port`: path, by-id link or pyserial URL) or a reader (`reader`:
    name, index or /regex/); the driver's safety gate starts strict."""
    if port is not None:
        with Modem(port, vendor=vendor, transcript=transcript) as modem:
            yield ModemPins(modem, name=port)
        return
    from harness.sim.pcsc_link import PcscLink  # noqa: PLC0415 - needs pyscard

    tracer = transcript.apdu_tracer("reader") if transcript is not None else None
    with PcscLink(reader_selector(reader or "0"), tracer=tracer) as link:
        yield CardPins(SimCard(link))
