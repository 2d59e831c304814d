"""`Lab`: the one small interface through which tests acquire bench devices.

A lab is a bench that is running: a bench file's real devices (`FileLab`), or
the built-in virtual bench the pytest plugin starts (`VirtualLab`). Acquiring
a device takes its lock (harness.bench.locks) and opens it with its driver
(harness.bench.devices), so callers see the same `OpenedDevice` on both. A
labgrid place or any other reservation system plugs in here by implementing
`Lab`; nothing above it knows which lab it got.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Protocol

from harness.bench.capabilities import bench_capabilities, is_real
from harness.bench.config import BenchConfig, DeviceConfig
from harness.bench.devices import OpenedDevice, open_device
from harness.bench.labgrid import LabgridOptions
from harness.bench.labgrid.lease import HeldPlaces
from harness.bench.locks import DeviceBusyError, acquire, default_lock_dir, lock_name
from harness.bench.scenario_stage import bench_stage, scenario_bench
from harness.errors import ConfigError
from harness.safety import SafetyPolicy
from harness.scenarios.stage import Stage
from harness.secrets import Secret
from harness.transcript import Transcript, TranscriptEntry

__all__ = ["FileLab", "Lab"]

log = logging.getLogger(__name__)


class Lab(Protocol):
    """A running bench: its configuration, what it can do, and device acquisition."""

    @property
    def config(self) -> BenchConfig: ...
    @property
    def capabilities(self) -> frozenset[str]: ...
    @property
    def real(self) -> bool: ...

    def start(self) -> None: ...
    def close(self) -> None: ...

    def acquire(
        self,
        device: DeviceConfig,
        *,
        wait_s: float,
        transcript: Transcript | None = None,
        safety: SafetyPolicy | None = None,
    ) -> AbstractContextManager[OpenedDevice]:
        """Hold `device` (waiting at most `wait_s` for its lock) and open it."""
        ...

    def pin(self, device: DeviceConfig) -> Secret | None:
        """PIN1 of the SIM in `device`, when the bench knows it (to restore PIN state)."""
        ...

    def puk(self, device: DeviceConfig) -> Secret | None:
        """PUK1 of the SIM in `device`, when the bench knows it (destructive tests only)."""
        ...

    def stage(
        self, *, wait_s: float, transcript: Transcript | None = None
    ) -> AbstractContextManager[Stage]:
        """The stolen-phone stage: owner's and thief's phones and the three interfaces."""
        ...


class FileLab:
    """The devices a bench file lists; locks in its `lock_dir`.

    A modem in a labgrid place: its place is acquired the first time a test takes
    the modem (after the device lock) and held until `close()`, which releases it
    under the device lock again, so no other process on this host is using it then.
    """

    def __init__(self, config: BenchConfig, labgrid: LabgridOptions | None = None) -> None:
        self._config = config
        self._labgrid = labgrid or LabgridOptions()
        self._places = HeldPlaces(self._labgrid)

    @property
    def config(self) -> BenchConfig:
        return self._config

    @property
    def capabilities(self) -> frozenset[str]:
        return bench_capabilities(self._config)

    @property
    def real(self) -> bool:
        return is_real(self._config)

    @property
    def lock_dir(self) -> Path:
        return self._config.lock_dir or default_lock_dir()

    def start(self) -> None:
        """Nothing to start: the devices are plugged in (or served by another process)."""

    def close(self) -> None:
        """Release the labgrid places this run acquired, each under its device's lock."""
        try:
            for device in self._config.devices:
                if device.place is not None and device.place in self._places.acquired:
                    self._release_place(device)
        finally:
            self._places.close()

    def _release_place(self, device: DeviceConfig) -> None:
        assert device.place is not None
        try:
            with acquire(
                lock_name(device), self.lock_dir, self._labgrid.wait, label=device.describe()
            ):
                self._places.release(device.place)
        except DeviceBusyError as exc:  # a sibling worker overran: do not leave it held
            log.warning("releasing labgrid place %s without its lock: %s", device.place, exc)
            self._places.release(device.place)

    def prepare(self, device: DeviceConfig) -> None:
        """Hook for labs that bring a device up on first use (the virtual reader)."""

    @contextmanager
    def acquire(
        self,
        device: DeviceConfig,
        *,
        wait_s: float,
        transcript: Transcript | None = None,
        safety: SafetyPolicy | None = None,
    ) -> Iterator[OpenedDevice]:
        self.prepare(device)
        with ExitStack() as stack:
            if not device.simulated:  # a simulator built per open is nobody else's
                label = device.describe()
                stack.enter_context(acquire(lock_name(device), self.lock_dir, wait_s, label=label))
            labgrid = replace(self._labgrid, wait=wait_s)
            yield stack.enter_context(
                open_device(
                    device,
                    safety=safety,
                    transcript=transcript,
                    labgrid=labgrid,
                    places=self._places,
                )
            )

    def pin(self, device: DeviceConfig) -> Secret | None:
        return _secret_from(device.pin_env)

    def puk(self, device: DeviceConfig) -> Secret | None:
        return _secret_from(device.puk_env)

    @contextmanager
    def stage(self, *, wait_s: float, transcript: Transcript | None = None) -> Iterator[Stage]:
        """The bench file's `[scenario]` cast, its steps done by `[hooks]` (or a person at
        the terminal, with pytest -s); `ConfigError` names what the bench lacks."""
        setup, reasons = scenario_bench(self._config)
        if setup is None:
            raise ConfigError("; ".join(reasons))
        with bench_stage(
            setup,
            stdin=sys.stdin,
            out=sys.stderr,
            lock_dir=self.lock_dir,
            lock_timeout=wait_s,
            lg_coordinator=self._labgrid.coordinator,
        ) as stage:
            if transcript is not None:
                for part in {id(t): t for t in stage.transcripts.values()}.values():
                    copy = _copy_into(transcript)
                    for entry in part.entries:  # what opening the modems already said
                        copy(entry)
                    part.add_listener(copy)
            yield stage


def _copy_into(transcript: Transcript) -> Callable[[TranscriptEntry], None]:
    """A listener that copies a stage modem's (already masked) exchanges into `transcript`."""

    def copy(entry: TranscriptEntry) -> None:
        transcript.record(entry.channel, entry.direction, entry.data, entry.note)

    return copy


def _secret_from(env: str | None) -> Secret | None:
    value = os.environ.get(env) if env is not None else None
    return Secret(value) if value else None
