"""`BenchSession`: the bench of one pytest session — its lab, health and quarantine.

Created when pytest is configured (a bad bench file stops the run before
collection, naming the file and the field); the lab is started on first use,
so a session whose tests need no device starts nothing. At that moment every
device the collected tests use gets a health check: a modem must answer `AT`,
a reader must show its card's ICCID. A sick device is quarantined (its tests
error with the reason) and the others run. A device another job holds at that
moment is checked when this session first acquires it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import pytest

from harness.bench.capabilities import CAPABILITIES
from harness.bench.config import BenchConfig, DeviceConfig, load_bench
from harness.bench.devices import OpenedDevice
from harness.bench.lab import FileLab, Lab
from harness.bench.labgrid import LabgridOptions
from harness.bench.locks import DeviceBusyError
from harness.errors import ConfigError, HarnessError, PlaceBusyError
from harness.pytest_plugin.options import Settings

__all__ = ["BenchFault", "BenchSession", "DeviceFacts", "DeviceQuarantined"]

log = logging.getLogger(__name__)


class BenchFault(HarnessError):
    """The bench, not the device under test, is at fault (port missing, device gone,
    reader busy, no answer to AT): an ERROR of the test's set-up, retried by
    --device-retries."""


class DeviceQuarantined(HarnessError):
    """The device failed its health check (or was left blocked); its tests error."""


@dataclass
class DeviceFacts:
    """What CI records about a device (JUnit properties); filled by the first check."""

    device: str
    virtual: bool
    vendor: str = ""
    model: str = ""
    firmware: str = ""
    iccid: str = ""
    place: str = ""  # the labgrid place the modem was reached through
    exporter: str = ""  # ... and the exporter serving it ("name (host)")

    def properties(self) -> list[tuple[str, str]]:
        shared = [("labgrid_place", self.place), ("labgrid_exporter", self.exporter)]
        return [
            ("device", self.device),
            ("vendor", self.vendor),
            ("model", self.model),
            ("firmware", self.firmware),
            ("iccid", self.iccid),
            ("virtual", "true" if self.virtual else "false"),
            *(shared if self.place else []),
        ]


@dataclass
class BenchSession:
    settings: Settings
    lab: Lab
    used: set[str] = field(default_factory=set)  # devices the collected tests use
    quarantine: dict[str, str] = field(default_factory=dict)
    facts: dict[str, DeviceFacts] = field(default_factory=dict)
    _started: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: Settings) -> BenchSession:
        if settings.bench is None:
            from harness.bench.virtual_lab import VirtualLab  # noqa: PLC0415 - simulators

            return cls(settings, VirtualLab())
        try:
            config = load_bench(settings.bench)
        except ConfigError as exc:
            raise pytest.UsageError(str(exc)) from None
        return cls(
            settings,
            FileLab(config, LabgridOptions(settings.lg_coordinator, settings.device_wait_s)),
        )

    @property
    def config(self) -> BenchConfig:
        return self.lab.config

    @property
    def source(self) -> str:
        return self.lab.config.source

    @property
    def capabilities(self) -> frozenset[str]:
        return self.lab.capabilities

    @property
    def real(self) -> bool:
        return self.lab.real

    def describe_missing(self, capability: str) -> str:
        what = CAPABILITIES.get(capability, capability)
        return f"needs capability '{capability}' ({what}), which bench {self.source} lacks"

    # --- lifetime -------------------------------------------------------------------
    def start(self) -> None:
        """Start the lab and health-check every device the collected tests use (once)."""
        with self._lock:
            if self._started:
                return
            self._started = True
            try:
                self.lab.start()
            except HarnessError as exc:
                for device in self.config.devices:
                    self.quarantine[device.name] = f"the bench did not start: {exc}"
                return
            for device in self.config.devices:
                if device.name in self.used:
                    self._health_check(device)

    def close(self) -> None:
        self.lab.close()

    # --- health -----------------------------------------------------------------------
    def _health_check(self, device: DeviceConfig) -> None:
        try:
            with self.lab.acquire(device, wait_s=0.0) as opened:
                self.record_facts(opened)
        except (DeviceBusyError, PlaceBusyError) as exc:
            log.info("%s: busy at session start (%s); checked on first use", device.name, exc)
        except (HarnessError, OSError) as exc:
            self.quarantine[device.name] = f"health check at session start failed: {exc}"

    def record_facts(self, opened: OpenedDevice) -> DeviceFacts:
        """Read identity through the driver (a modem must answer AT); cached per device."""
        known = self.facts.get(opened.name)
        if known is not None:
            return known
        device = opened.config
        facts = DeviceFacts(device.name, virtual=device.virtual)
        if opened.lease is not None:
            facts.place = opened.lease.place
            facts.exporter = opened.lease.exporter_host
        if opened.modem is not None:
            modem = opened.modem
            modem.command("AT", timeout=5.0)
            identity = modem.identity()
            facts.vendor = identity.manufacturer
            facts.model = identity.model
            facts.firmware = identity.revision
            facts.iccid = identity.iccid or ""
        elif opened.card is not None:
            facts.vendor = "PC/SC reader"
            facts.model = device.reader or "simulated"
            facts.iccid = opened.card.read_iccid()
        self.facts[device.name] = facts
        return facts

    def check_usable(self, device: DeviceConfig) -> None:
        reason = self.quarantine.get(device.name)
        if reason is not None:
            raise DeviceQuarantined(f"device {device.name} is quarantined: {reason}")
