"""Open a bench device with its driver: a `Modem`, or a `SimCard` over PC/SC or in process.

A virtual device without a port or reader is built here on demand (a
`VirtualModem` on a pty, or a `VirtualLink`, around a `VirtualUicc`), so tests
and demos take the same path as a real bench. This is the one place above the
drivers that may build simulators; scenarios and attacks receive what it opens.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harness.bench.config import DeviceConfig, reader_selector
from harness.bench.labgrid import LabgridOptions
from harness.bench.labgrid.lease import HeldPlaces, PlaceLease, lease_place
from harness.modem import Modem
from harness.safety import SafetyPolicy
from harness.sim.card import SimCard
from harness.transcript import Transcript
from harness.transport import LineSettings

if TYPE_CHECKING:
    from harness.virtual.card.uicc import VirtualUicc

__all__ = ["OpenedDevice", "open_device"]


@dataclass
class OpenedDevice:
    """Driver objects for one bench device, and what a hand could do to a simulated one.

    `reinsert_sim` and `power_cycle_card` exist only where the bench can do them
    (simulators); on a real bench those are manual steps.
    """

    config: DeviceConfig
    modem: Modem | None = None
    card: SimCard | None = None
    reinsert_sim: Callable[[], None] | None = None
    power_cycle_card: Callable[[], None] | None = None
    lease: PlaceLease | None = None  # the labgrid place held while the device is open

    @property
    def virtual(self) -> bool:
        """Virtual for the safety floor only when the harness built the simulator itself:
        a bench file saying `virtual = true` next to a real port or reader is not enough
        (a misconfigured line must never lift the floor on a real SIM)."""
        return self.config.simulated

    @property
    def name(self) -> str:
        return self.config.name


@contextmanager
def open_device(
    device: DeviceConfig,
    *,
    safety: SafetyPolicy | None = None,
    transcript: Transcript | None = None,
    labgrid: LabgridOptions | None = None,
    places: HeldPlaces | None = None,
) -> Iterator[OpenedDevice]:
    """Open `device` with its driver; a simulated one is built first and torn down after.

    A modem in a labgrid place: the place is acquired first (waiting up to
    `labgrid.wait` while someone else holds it) and released after the modem closes,
    whatever ends the `with` body; with `places`, it stays held by them instead
    (from first use to `places.close()`; `labgrid.wait`, when given, is the wait).
    """
    with ExitStack() as stack:
        if device.kind == "modem":
            yield _open_modem(device, stack, safety, transcript, labgrid, places)
        else:
            yield _open_reader(device, stack, safety, transcript)


def _open_modem(
    device: DeviceConfig,
    stack: ExitStack,
    safety: SafetyPolicy | None,
    transcript: Transcript | None,
    labgrid: LabgridOptions | None,
    places: HeldPlaces | None,
) -> OpenedDevice:
    opened = OpenedDevice(device)
    port = device.port
    if device.place is not None and places is not None:
        wait = labgrid.wait if labgrid is not None else None
        opened.lease = places.lease(device.place, device.resource, wait=wait)
        port = opened.lease.url
    elif device.place is not None:
        labgrid = labgrid or LabgridOptions()
        opened.lease = stack.enter_context(
            lease_place(
                device.place,
                resource=device.resource,
                coordinator=labgrid.coordinator,
                wait=labgrid.wait,
                call_timeout=labgrid.call_timeout,
            )
        )
        port = opened.lease.url
    elif device.simulated:
        from harness.virtual.modem import VirtualModem  # noqa: PLC0415 - simulators on demand

        card = _virtual_card(device)
        simulator = stack.enter_context(
            VirtualModem(card, personality=device.personality, imei=_imei(device.name))
        )
        workdir = Path(tempfile.mkdtemp(prefix="simharness-dev-"))
        stack.callback(shutil.rmtree, workdir, ignore_errors=True)
        simulator.start_pty(workdir / device.name)
        port = str(workdir / device.name)

        def reinsert() -> None:
            simulator.remove_sim()
            simulator.insert_sim(card)

        opened.reinsert_sim = reinsert
    assert port is not None
    # the exporter's speed: ser2net sets the real port to what an RFC 2217 client asks
    settings = LineSettings(baudrate=opened.lease.endpoint.speed) if opened.lease else None
    modem = Modem(
        port,
        vendor=device.vendor,
        safety=safety,
        transcript=transcript,
        name=device.name,
        settings=settings,
    )
    opened.modem = stack.enter_context(modem)
    return opened


def _open_reader(
    device: DeviceConfig,
    stack: ExitStack,
    safety: SafetyPolicy | None,
    transcript: Transcript | None,
) -> OpenedDevice:
    tracer = transcript.apdu_tracer(device.name) if transcript is not None else None
    opened = OpenedDevice(device)
    if device.simulated:
        from harness.sim.virtual_link import VirtualLink  # noqa: PLC0415

        card = _virtual_card(device)
        link = stack.enter_context(VirtualLink(card, tracer))

        def power_cycle() -> None:  # what pulling the card out of the reader and back does
            card.power_off()
            link.reset()

        opened.power_cycle_card = power_cycle
        opened.reinsert_sim = power_cycle
    else:
        from harness.sim.pcsc_link import PcscLink  # noqa: PLC0415 - needs pyscard

        assert device.reader is not None
        link = stack.enter_context(PcscLink(reader_selector(device.reader), tracer=tracer))
    opened.card = SimCard(link, safety=safety)
    return opened


def _virtual_card(device: DeviceConfig) -> VirtualUicc:
    """The simulated card; subscriber n > 0 gets its own ICCID (and so its own ledger)."""
    from harness.virtual.bench import numbered_profile  # noqa: PLC0415
    from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile  # noqa: PLC0415
    from harness.virtual.card.uicc import VirtualUicc  # noqa: PLC0415

    if device.state is not None:
        device.state.parent.mkdir(parents=True, exist_ok=True)
    profile = load_profile(device.profile or DEFAULT_PROFILE)
    if device.subscriber:
        profile = numbered_profile(profile, device.subscriber)
    return VirtualUicc(profile, state_path=device.state)


def _imei(name: str) -> str:
    """A stable, valid-looking IMEI per simulated modem name."""
    from harness.virtual.modem.identity import imei_for  # noqa: PLC0415

    return imei_for(sum(name.encode()) % 1000)
