"""`Lab`: the one small interface through which tests acquire bench devices.

A lab is a bench that is running: a bench file's real devices (`FileLab`), or
the built-in virtual bench the pytest plugin starts (`VirtualLab`). Acquiring
a device takes its lock (harness.bench.locks) and opens it with its driver
(harness.bench.devices), so callers see the same `OpenedDevice` on both. A
labgrid place or any other reservation system plugs in here by implementing
`Lab`; nothing above it knows which lab it got.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Protocol

from harness.bench.capabilities import bench_capabilities, is_real
from harness.bench.config import BenchConfig, DeviceConfig
from harness.bench.devices import OpenedDevice, open_device
from harness.bench.locks import DEFAULT_LOCK_DIR, DeviceLock
from harness.errors import ConfigError
from harness.safety import SafetyPolicy
from harness.scenarios.interfaces import Operator, OtpSource, SentOtp, SimSlot
from harness.scenarios.stage import Stage
from harness.secrets import Secret
from harness.transcript import Transcript

__all__ = ["FileLab", "Lab", "Unavailable"]


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


class Unavailable:
    """Stands for an interface the bench cannot provide; any use says what is missing."""

    def __init__(self, what: str, source: str) -> None:
        self._what = what
        self._source = source

    def _refuse(self) -> ConfigError:
        return ConfigError(
            f"{self._source} cannot do this: {self._what}; declare the capability in the "
            f"bench file (capabilities = [...]) only when a person or robot can do it"
        )

    @property
    def name(self) -> str:
        return self._what

    def move(self, sim: str, device: str) -> None:
        raise self._refuse()

    def take_out(self, sim: str) -> None:
        raise self._refuse()

    def report_lost(self, msisdn: str, *, by: str) -> None:
        raise self._refuse()

    def reactivate(self, msisdn: str, *, by: str) -> None:
        raise self._refuse()

    def swap_sim(self, msisdn: str, sim: str, *, by: str) -> None:
        raise self._refuse()

    def send_otp(self, msisdn: str, label: str) -> SentOtp:
        raise self._refuse()


class FileLab:
    """The devices a bench file lists; locks in its `lock_dir`."""

    def __init__(self, config: BenchConfig) -> None:
        self._config = config

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
        return self._config.lock_dir or DEFAULT_LOCK_DIR

    def start(self) -> None:
        """Nothing to start: the devices are plugged in (or served by another process)."""

    def close(self) -> None:
        """Nothing to stop."""

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
                stack.enter_context(DeviceLock(device, self.lock_dir, wait_s))
            yield stack.enter_context(open_device(device, safety=safety, transcript=transcript))

    def pin(self, device: DeviceConfig) -> Secret | None:
        return _secret_from(device.pin_env)

    def puk(self, device: DeviceConfig) -> Secret | None:
        return _secret_from(device.puk_env)

    @contextmanager
    def stage(self, *, wait_s: float, transcript: Transcript | None = None) -> Iterator[Stage]:
        """Owner and thief by role; SIM moves and the operator by a person when declared;
        the OTP from the `sender` modem."""
        roles = {d.role: d for d in self._config.devices if d.role is not None}
        missing = [role for role in ("owner", "thief") if role not in roles]
        if missing:
            raise ConfigError(
                f"{self._config.source}: no modem with role {' or '.join(missing)}; give two "
                f'modems role = "owner" and role = "thief" for the stolen-phone tests'
            )
        owner, thief = roles["owner"], roles["thief"]
        if owner.msisdn is None:
            raise ConfigError(f"{self._config.source}: device {owner.name!r}.msisdn: missing")
        from harness.scenarios.manual import (  # noqa: PLC0415 - only on real benches
            BenchEngineer,
            ManualOperator,
            ManualSimSlot,
        )
        from harness.scenarios.otp_sender import ModemOtpSource  # noqa: PLC0415

        with ExitStack() as stack:
            opened = {
                role: stack.enter_context(
                    self.acquire(device, wait_s=wait_s, transcript=transcript)
                ).modem
                for role, device in (("owner", owner), ("thief", thief))
            }
            slot: SimSlot = Unavailable("moving a SIM", self._config.source)
            operator: Operator = Unavailable("operator actions", self._config.source)
            if "sim_move" in self.capabilities:
                slot = ManualSimSlot(BenchEngineer(), {"owner": owner.name, "thief": thief.name})
            if "operator" in self.capabilities:
                operator = ManualOperator(BenchEngineer())
            otp: OtpSource = Unavailable("sending an SMS code", self._config.source)
            if "sender" in roles:
                sender = stack.enter_context(self.acquire(roles["sender"], wait_s=wait_s)).modem
                assert sender is not None
                otp = ModemOtpSource(sender)
            pin = self.pin(owner)
            assert opened["owner"] is not None and opened["thief"] is not None
            yield Stage(
                owner=opened["owner"],
                thief=opened["thief"],
                slot=slot,
                operator=operator,
                otp=otp,
                msisdn=owner.msisdn,
                pins={"victim": pin} if pin is not None else {},
                window_s=30.0,
                bench=self._config.source,
            )


def _secret_from(env: str | None) -> Secret | None:
    value = os.environ.get(env) if env is not None else None
    return Secret(value) if value else None
