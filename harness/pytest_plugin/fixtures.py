"""The fixtures a lab's tests use; every device comes through `harness.bench` and its drivers.

`bench` (session) starts the bench and its health check on first use.
`modem` and `sim_card` hold one device each (parametrized by the markers
module: the test id carries the device name) under its lock, opened with its
driver and recording into the test's `transcript`; they leave the SIM's PIN
state as they found it (harness.pytest_plugin.guard). `stage` is the stolen-
phone stage; `phones` (owner, thief), `sim_slot`, `operator` and `otp_source`
are its parts. A failure to get a device is a `BenchFault`: an error of the
test's set-up, never a failure of the SIM.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import NamedTuple

import pytest

from harness.bench.devices import OpenedDevice
from harness.errors import ConfigError, HarnessError
from harness.modem import Modem
from harness.pytest_plugin.evidence import EVIDENCE, TestEvidence, add_device
from harness.pytest_plugin.guard import restore_and_check, snapshot
from harness.pytest_plugin.markers import wanted_vendors
from harness.pytest_plugin.session import BenchFault, BenchSession
from harness.safety import SafetyPolicy
from harness.scenarios.interfaces import Operator, OtpSource, SimSlot
from harness.scenarios.stage import Stage
from harness.sim.card import SimCard
from harness.transcript import Transcript

__all__ = [
    "SESSION",
    "Phones",
    "bench",
    "modem",
    "operator",
    "otp_source",
    "phones",
    "sim_card",
    "sim_slot",
    "stage",
    "transcript",
]

SESSION = pytest.StashKey[BenchSession]()
_PROPERTY_NAMES = frozenset(
    {
        "device",
        "vendor",
        "model",
        "firmware",
        "iccid",
        "virtual",
        "labgrid_place",
        "labgrid_exporter",
    }
)


class Phones(NamedTuple):
    """The stolen-phone pair: the rightful owner's phone and the thief's."""

    owner: Modem
    thief: Modem


@pytest.fixture(scope="session")
def bench(request: pytest.FixtureRequest) -> BenchSession:
    """The session's bench: `.config`, `.capabilities`, `.real`, `.lab`; started here."""
    session = request.config.stash[SESSION]
    session.start()
    return session


@pytest.fixture
def transcript(request: pytest.FixtureRequest) -> Transcript:
    """This test's record of every AT and APDU exchange, masked (fresh on every attempt)."""
    evidence = TestEvidence()
    request.node.stash[EVIDENCE] = evidence
    node = request.node
    node.user_properties[:] = [p for p in node.user_properties if p[0] not in _PROPERTY_NAMES]
    return evidence.transcript


@pytest.fixture
def modem(
    request: pytest.FixtureRequest, bench: BenchSession, transcript: Transcript
) -> Iterator[Modem]:
    """A modem of the bench, opened with the `Modem` driver (one test id per device)."""
    with _device(request, bench, transcript, "modem") as opened:
        assert opened.modem is not None
        yield opened.modem


@pytest.fixture
def sim_card(
    request: pytest.FixtureRequest, bench: BenchSession, transcript: Transcript
) -> Iterator[SimCard]:
    """The card in a PC/SC reader of the bench, as `SimCard` (one test id per reader)."""
    with _device(request, bench, transcript, "sim_card") as opened:
        assert opened.card is not None
        yield opened.card


@pytest.fixture
def stage(
    request: pytest.FixtureRequest, bench: BenchSession, transcript: Transcript
) -> Iterator[Stage]:
    """The stolen-phone stage (fresh for every test on the virtual bench)."""
    with ExitStack() as stack:
        try:
            built = stack.enter_context(
                bench.lab.stage(wait_s=bench.settings.device_wait_s, transcript=transcript)
            )
        except ConfigError as exc:
            pytest.skip(f"stolen-phone stage unavailable: {exc}")
        except (HarnessError, OSError) as exc:
            raise BenchFault(f"stolen-phone stage: the bench is at fault: {exc}") from exc
        yield built


@pytest.fixture
def phones(stage: Stage) -> Phones:
    return Phones(stage.owner, stage.thief)


@pytest.fixture
def sim_slot(stage: Stage) -> SimSlot:
    return stage.slot


@pytest.fixture
def operator(stage: Stage) -> Operator:
    return stage.operator


@pytest.fixture
def otp_source(stage: Stage) -> OtpSource:
    return stage.otp


@contextmanager
def _device(
    request: pytest.FixtureRequest, session: BenchSession, transcript: Transcript, fixture: str
) -> Iterator[OpenedDevice]:
    name = getattr(request, "param", None)
    if name is None:
        raise ConfigError(
            f"the {fixture} fixture is parametrized by the plugin; ask for it by name in the "
            "test's arguments (not through another fixture's indirect parameter)"
        )
    device = session.config.device(name)
    session.check_usable(device)  # a quarantined device: an error, not retried
    node = request.node
    destructive = node.get_closest_marker("destructive") is not None
    safety = (
        SafetyPolicy.unrestricted("destructive run on a sacrificial SIM")
        if destructive
        else SafetyPolicy.strict()
    )
    with ExitStack() as stack:
        try:
            opened = stack.enter_context(
                session.lab.acquire(
                    device,
                    wait_s=session.settings.device_wait_s,
                    transcript=transcript,
                    safety=safety,
                )
            )
            facts = session.record_facts(opened)
            before = snapshot(opened)
        except (HarnessError, OSError) as exc:
            raise BenchFault(f"{device.name}: set-up failed, the bench is at fault: {exc}") from exc
        vendors = wanted_vendors(node)
        if vendors and opened.modem is not None and opened.modem.profile.name not in vendors:
            pytest.skip(
                f"needs a modem of vendor {', '.join(sorted(vendors))}; {device.name} is "
                f"{opened.modem.profile.name} ({facts.vendor} {facts.model})"
            )
        if destructive and facts.iccid not in session.config.sacrificial_iccids:
            pytest.skip(
                f"destructive: the SIM in {device.name} (ICCID {facts.iccid or 'unknown'}) is "
                f"not in sacrificial_iccids of {session.source}"
            )
        add_device(node, facts)
        yield opened
        if destructive:
            try:
                restore_and_check(opened, before, session.lab.pin(device))
            except HarnessError as exc:
                session.quarantine[device.name] = f"left spent by destructive {node.nodeid}: {exc}"
        else:
            restore_and_check(opened, before, session.lab.pin(device))
