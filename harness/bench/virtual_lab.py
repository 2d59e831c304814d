"""`VirtualLab`: the built-in virtual bench as a `Lab` — what `pytest` uses without --bench.

Two modems (a Quectel and a SIMCom personality) on ptys, each with its own
subscriber's SIM, on one virtual network; one PC/SC reader (a private pcscd
whose vpcd slot 0 holds a third SIM). Tests reach them exactly as on a real
bench: the bench configuration names the ports and the reader, and devices are
acquired under locks and opened with the drivers. The reader's pcscd starts on
first use, so a session that needs no reader starts none.

The stolen-phone stage is fresh for every test (harness.bench.virtual_stage):
moving SIMs, reporting a line lost or swapping a SIM must not leak into the
next test, and on simulators a fresh stage costs milliseconds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.bench.config import BenchConfig, DeviceConfig
from harness.bench.lab import FileLab
from harness.bench.virtual_stage import virtual_stage
from harness.scenarios.stage import Stage
from harness.secrets import Secret
from harness.transcript import Transcript
from harness.virtual.bench import ModemSpec, SimSpec, VirtualBench, numbered_profile
from harness.virtual.card.profile import DEFAULT_PROFILE, CardProfile, load_profile
from harness.virtual.pcscd import PrivatePcscd
from harness.virtual.vpcd import reader_name

__all__ = ["VIRTUAL_MODEMS", "VirtualLab"]

VIRTUAL_MODEMS = (("modem0", "quectel"), ("modem1", "simcom"))
READER = "reader0"
_READER_SIM = "sim-reader"
_CARD_WAIT_S = 10.0


class VirtualLab(FileLab):
    """Start with `start()`, stop with `close()`; safe to close when never started."""

    def __init__(self) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="simharness-lab-"))
        base = load_profile(DEFAULT_PROFILE)
        self._profiles: dict[str, CardProfile] = {
            name: numbered_profile(base, index) for index, (name, _) in enumerate(VIRTUAL_MODEMS)
        }
        self._profiles[READER] = numbered_profile(base, len(VIRTUAL_MODEMS))
        devices = [
            DeviceConfig(
                name,
                "modem",
                True,
                port=str(self.workdir / name),
                personality=personality,
                features=frozenset({"sms"}),
            )
            for name, personality in VIRTUAL_MODEMS
        ]
        devices.append(DeviceConfig(READER, "reader", True, reader=reader_name(0)))
        super().__init__(
            BenchConfig(
                "<virtual bench>",
                tuple(devices),
                frozenset(p.iccid for p in self._profiles.values()),
                lock_dir=self.workdir / "locks",
                declared=frozenset({"sms", "sim_move", "operator", "emergency_call"}),
            )
        )
        self._bench: VirtualBench | None = None
        self._pcscd: PrivatePcscd | None = None
        self._previous_socket: str | None = None
        self._guard = threading.Lock()

    @property
    def real(self) -> bool:
        return False

    def start(self) -> None:
        with self._guard:
            if self._bench is not None:
                return
            sims = [SimSpec(f"sim-{name}", profile) for name, profile in self._profiles.items()]
            placement = {f"sim-{name}": name for name, _ in VIRTUAL_MODEMS}
            modems = [ModemSpec(name, personality) for name, personality in VIRTUAL_MODEMS]
            self._bench = VirtualBench(modems, sims, placement=placement, workdir=self.workdir)
            self._bench.start()

    def prepare(self, device: DeviceConfig) -> None:
        """The reader's pcscd and vpcd card on first use (pcscd takes about a second)."""
        self.start()
        if device.kind != "reader":
            return
        with self._guard:
            if self._pcscd is not None:
                return
            from harness.sim.pcsc_link import wait_for_card  # noqa: PLC0415 - needs pyscard

            daemon = PrivatePcscd()
            daemon.start()
            self._pcscd = daemon
            # libpcsclite reads the socket path once per process: set it before any PC/SC call.
            self._previous_socket = os.environ.get("PCSCLITE_CSOCK_NAME")
            os.environ["PCSCLITE_CSOCK_NAME"] = str(daemon.socket_path)
            assert self._bench is not None
            self._bench.pcscd = daemon
            self._bench.to_reader(f"sim-{READER}", 0)
            wait_for_card(reader_name(0), present=True, timeout=_CARD_WAIT_S)

    def close(self) -> None:
        with self._guard:
            if self._bench is not None:
                self._bench.close()
                self._bench = None
            if self._pcscd is not None:
                self._pcscd.stop()
                self._pcscd = None
                if self._previous_socket is None:
                    os.environ.pop("PCSCLITE_CSOCK_NAME", None)
                else:
                    os.environ["PCSCLITE_CSOCK_NAME"] = self._previous_socket
            shutil.rmtree(self.workdir, ignore_errors=True)

    def pin(self, device: DeviceConfig) -> Secret | None:
        profile = self._profiles.get(device.name)
        return Secret(profile.pin1) if profile is not None else None

    def puk(self, device: DeviceConfig) -> Secret | None:
        profile = self._profiles.get(device.name)
        return Secret(profile.puk1) if profile is not None else None

    @contextmanager
    def stage(self, *, wait_s: float, transcript: Transcript | None = None) -> Iterator[Stage]:
        with virtual_stage(transcript=transcript) as stage:
            yield stage
