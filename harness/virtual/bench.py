"""`VirtualBench`: a whole lab in one process — a network, modems on ptys, SIM cards, readers.

A bench engineer moves SIMs between phones, pulls one into a card reader and
power-cycles a modem; this class does the same to simulators. It holds only
device-side objects (DESIGN.md: simulators never import the drivers): a host
opens `bench.ports[name]` with the Modem driver, or a vpcd reader with
SimCard over PC/SC, exactly as on a real bench.

    with VirtualBench(["owner", "thief"], [SimSpec.load("victim", NO_PIN_PROFILE)]) as bench:
        Modem(bench.ports["owner"])...
        bench.insert("victim", "thief")

Modem ports are symlinks in the bench's directory, so a name stays valid when
a modem reboots onto a new pty. Every SIM is provisioned on the network unless
its spec says it is a spare (a replacement card, bound later by a SIM swap).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import shutil
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import TracebackType

from tabulate import tabulate

from harness.data import sim_profile
from harness.errors import ConfigError
from harness.sim.ef.identity import luhn_digit
from harness.transcript import Transcript
from harness.virtual.card.profile import CardProfile, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import PERSONALITIES, VirtualModem
from harness.virtual.modem.faults import FaultConfig
from harness.virtual.modem.identity import imei_for
from harness.virtual.network import VirtualNetwork
from harness.virtual.pcscd import PrivatePcscd
from harness.virtual.vpcd import VpcdBridge, reader_name

__all__ = [
    "NO_PIN_PROFILE",
    "REPLACEMENT_PROFILE",
    "ModemInfo",
    "ModemSpec",
    "SimSpec",
    "VirtualBench",
    "numbered_profile",
]

log = logging.getLogger(__name__)

NO_PIN_PROFILE = sim_profile("no-pin")
REPLACEMENT_PROFILE = sim_profile("replacement")
READER_SLOTS = (0, 1)
DEFAULT_LINE_AGE = timedelta(days=365)
"""How long ago the bench's lines were activated: subscribers of long standing, so only a
SIM swap made on the bench reads as recent to the operator's SIM Swap API."""


@dataclass(frozen=True)
class ModemSpec:
    """A modem on the bench. link: where its port symlink goes (default: the bench's
    directory); tcp_port: also serve it on 127.0.0.1 (0 picks a free port)."""

    name: str
    personality: str = "generic"
    faults: FaultConfig | None = None
    link: Path | None = None
    tcp_port: int | None = None


@dataclass(frozen=True)
class ModemInfo:
    """Where a host finds a bench modem, and what it holds."""

    name: str
    personality: str
    imei: str
    port: str  # the symlink a host opens; it follows reboots
    pty: str | None  # the pty behind it now
    tcp_port: int | None
    sim: str | None


@dataclass(frozen=True)
class SimSpec:
    """A card on the bench. `provisioned` False: a spare the network does not know yet."""

    name: str
    profile: CardProfile
    provisioned: bool = True
    state_path: Path | None = None

    @classmethod
    def load(cls, name: str, path: Path | str, *, provisioned: bool = True) -> SimSpec:
        return cls(name, load_profile(path), provisioned)


def numbered_profile(base: CardProfile, index: int) -> CardProfile:
    """Subscriber `index` derived from `base`: its own ICCID, IMSI and MSISDN (numbered from
    default.toml's +15555550118), the same secrets. For benches with many modems."""
    if not 0 <= index < 80:
        raise ConfigError(f"subscriber index {index} out of range 0-79")
    body = f"8988211{index + 1:011d}"
    return dataclasses.replace(
        base,
        name=f"{base.name}-{index}",
        iccid=body + luhn_digit(body),
        imsi=f"00101{18 + index:010d}",
        msisdn=f"+155555501{18 + index:02d}",
    )


class VirtualBench:
    """Modems, cards and optional vpcd reader slots around one `VirtualNetwork`.

    modems: names (generic personality) or `ModemSpec`s. sims: the cards.
    placement: SIM name -> modem name at start (default: the i-th SIM in the
    i-th modem, spares excepted). pcscd: a running `PrivatePcscd` whose vpcd
    slots 0 and 1 become readers "0" and "1" (optional).
    """

    def __init__(
        self,
        modems: Sequence[ModemSpec | str],
        sims: Sequence[SimSpec],
        *,
        placement: Mapping[str, str] | None = None,
        network: VirtualNetwork | None = None,
        pcscd: PrivatePcscd | None = None,
        workdir: Path | None = None,
        line_age: timedelta = DEFAULT_LINE_AGE,
        trace: Transcript | None = None,
    ) -> None:
        self._modem_specs = [m if isinstance(m, ModemSpec) else ModemSpec(m) for m in modems]
        self._sim_specs = {s.name: s for s in sims}
        _check_names(self._modem_specs, sims)
        if placement is None:
            users = [s.name for s in sims if s.provisioned]
            placement = dict(zip(users, (m.name for m in self._modem_specs), strict=False))
        self._placement = dict(placement)
        self._check_placement()
        self._own_network = network is None
        self.network = network if network is not None else VirtualNetwork()
        self.pcscd = pcscd
        self._own_workdir = workdir is None
        self.workdir = workdir or Path(tempfile.mkdtemp(prefix="simharness-bench-"))
        self.cards: dict[str, VirtualUicc] = {}
        self.modems: dict[str, VirtualModem] = {}
        self._bridges: dict[int, tuple[str, VpcdBridge]] = {}
        self._tcp: dict[str, int] = {}
        self._line_age = line_age
        self._trace = trace  # every modem port's AT traffic, masked (modem serve --trace)
        self._lock = threading.RLock()
        self._started = False

    # --- lifetime ------------------------------------------------------------------
    def start(self) -> VirtualBench:
        with self._lock:
            if self._started:
                return self
            self._started = True
            try:
                activated = self.network.clock.now() - self._line_age
                for spec in self._sim_specs.values():
                    self.cards[spec.name] = VirtualUicc(spec.profile, state_path=spec.state_path)
                    if spec.provisioned:
                        self.network.provision(spec.profile, by="bench", activated=activated)
                for index, mspec in enumerate(self._modem_specs):
                    modem = VirtualModem(
                        None,
                        personality=mspec.personality,
                        imei=imei_for(index),
                        network=self.network,
                        faults=mspec.faults,
                        trace=self._trace,
                        trace_note=mspec.name,
                    )
                    self.modems[mspec.name] = modem
                # The SIMs go in before any port opens: a modem powered on with its SIM
                # inside, not a hot-plug whose URCs would wait for the first client.
                for sim, modem_name in self._placement.items():
                    self.modems[modem_name].insert_sim(self.cards[sim])
                for mspec in self._modem_specs:
                    modem = self.modems[mspec.name]
                    modem.start_pty(self._port_path(mspec))
                    if mspec.tcp_port is not None:
                        self._tcp[mspec.name] = modem.start_tcp(mspec.tcp_port)
            except BaseException:
                self.close()
                raise
            return self

    def close(self) -> None:
        """Readers emptied, modems unplugged, the network stopped, the directory removed."""
        with self._lock:
            for slot in list(self._bridges):
                self._eject_reader(slot)
            for modem in self.modems.values():
                modem.close()
            self.modems.clear()
            if self._own_network:
                self.network.close()
            if self._own_workdir:
                shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> VirtualBench:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- what is where ---------------------------------------------------------------
    @property
    def ports(self) -> dict[str, str]:
        """Modem name -> the port a host opens (a symlink that follows reboots)."""
        return {s.name: str(self._port_path(s)) for s in self._modem_specs if s.name in self.modems}

    def modem_infos(self) -> list[ModemInfo]:
        """Every modem: its port, pty, TCP port and SIM (for a control API or a listing)."""
        with self._lock:
            return [
                ModemInfo(
                    name=spec.name,
                    personality=spec.personality,
                    imei=self.modems[spec.name].imei,
                    port=str(self._port_path(spec)),
                    pty=self.modems[spec.name].port_path,
                    tcp_port=self._tcp.get(spec.name),
                    sim=self.holder(spec.name),
                )
                for spec in self._modem_specs
                if spec.name in self.modems
            ]

    def sim_spec(self, sim: str) -> SimSpec:
        return self._spec(sim)

    @property
    def readers(self) -> dict[int, str]:
        """Reader slot -> PC/SC reader name; empty without a pcscd."""
        return {slot: reader_name(slot) for slot in READER_SLOTS} if self.pcscd else {}

    def reader_holder(self, slot: int) -> str | None:
        """The SIM in reader `slot`, by name, or None."""
        with self._lock:
            held = self._bridges.get(slot)
            return held[0] if held is not None else None

    def profile(self, sim: str) -> CardProfile:
        return self._spec(sim).profile

    def sim_names(self) -> list[str]:
        return list(self._sim_specs)

    def where(self, sim: str) -> str | None:
        """'modem <name>', 'reader <slot>', or None when the card is on the bench top."""
        card = self._card(sim)
        with self._lock:
            for name, modem in self.modems.items():
                if modem.card is card:
                    return f"modem {name}"
            for slot, (held, _) in self._bridges.items():
                if held == sim:
                    return f"reader {slot}"
        return None

    def holder(self, modem: str) -> str | None:
        """The SIM in `modem`, by name, or None."""
        card = self._modem(modem).card
        return next((name for name, c in self.cards.items() if c is card), None)

    # --- moving cards ----------------------------------------------------------------
    def take_out(self, sim: str) -> None:
        """Pull the card out of whatever holds it (a no-op when it is on the bench top)."""
        card = self._card(sim)
        with self._lock:
            for modem in self.modems.values():
                if modem.card is card:
                    modem.remove_sim()
            for slot, (held, _) in list(self._bridges.items()):
                if held == sim:
                    self._eject_reader(slot)

    def insert(self, sim: str, modem: str) -> None:
        """Move `sim` into `modem` (out of wherever it was); the modem must be empty."""
        target = self._modem(modem)
        card = self._card(sim)
        with self._lock:
            if target.card is card:
                return
            if target.card is not None:
                raise ConfigError(
                    f"modem {modem} already holds SIM {self.holder(modem)}; take it out first"
                )
            self.take_out(sim)
            target.insert_sim(card)

    def eject(self, modem: str) -> str | None:
        """Take the SIM out of `modem`; its name (None when the holder was empty)."""
        with self._lock:
            name = self.holder(modem)
            self._modem(modem).remove_sim()
            return name

    def to_reader(self, sim: str, slot: int = 0, *, connect_timeout: float = 10.0) -> str:
        """Put `sim` into vpcd reader `slot`; returns the reader's PC/SC name."""
        if self.pcscd is None:
            raise ConfigError(
                "this bench has no card readers; start it with a PrivatePcscd "
                "(`simharness simulate --reader`) to put a SIM into a vpcd slot"
            )
        if slot not in READER_SLOTS:
            raise ConfigError(f"reader slot {slot}: vpcd offers slots 0 and 1")
        with self._lock:
            held = self._bridges.get(slot)
            if held is not None and held[0] != sim:
                raise ConfigError(f"reader {slot} already holds SIM {held[0]}; take it out first")
            if held is not None:
                return reader_name(slot)
            self.take_out(sim)
            bridge = VpcdBridge(self._card(sim), slot=slot, netns=self.pcscd.netns)
            bridge.start(connect_timeout)
            self._bridges[slot] = (sim, bridge)
            return bridge.reader

    # --- modem events ----------------------------------------------------------------
    def power_cycle(self, modem: str) -> None:
        """Power off and on: the SIM asks for its PIN again, registration starts over."""
        self._modem(modem).power_cycle()

    def reboot(self, modem: str) -> None:
        """A power cycle with USB re-enumeration: a new pty behind the same port name."""
        self._modem(modem).reboot()

    # --- printing --------------------------------------------------------------------
    def describe(self) -> str:
        """The bench as a table: each modem's port and SIM, each reader, each spare card."""
        rows: list[list[str]] = []
        for spec in self._modem_specs:
            sim = self.holder(spec.name) if spec.name in self.modems else None
            rows.append(
                [
                    f"modem {spec.name}",
                    spec.personality,
                    self.ports.get(spec.name, "-"),
                    _sim_label(self._sim_specs[sim]) if sim else "(empty)",
                ]
            )
        for slot, name in self.readers.items():
            held = self._bridges.get(slot)
            rows.append(
                [
                    f"reader {slot}",
                    "vpcd",
                    name,
                    _sim_label(self._sim_specs[held[0]]) if held else "(empty)",
                ]
            )
        for sim, card in self._sim_specs.items():
            if self.where(sim) is None:
                rows.append([f"SIM {sim}", "bench top", "-", _sim_label(card)])
        return tabulate(rows, headers=["device", "kind", "port", "SIM"], tablefmt="simple")

    # --- internals -------------------------------------------------------------------
    def _port_path(self, spec: ModemSpec) -> Path:
        return spec.link if spec.link is not None else self.workdir / spec.name

    def _spec(self, sim: str) -> SimSpec:
        try:
            return self._sim_specs[sim]
        except KeyError:
            raise ConfigError(
                f"no SIM {sim!r} on this bench; it has {', '.join(self._sim_specs) or 'none'}"
            ) from None

    def _card(self, sim: str) -> VirtualUicc:
        self._spec(sim)
        try:
            return self.cards[sim]
        except KeyError:
            raise ConfigError("the bench is not started; use `with VirtualBench(...)`") from None

    def _modem(self, name: str) -> VirtualModem:
        try:
            return self.modems[name]
        except KeyError:
            raise ConfigError(
                f"no modem {name!r} on this bench (started?); it has "
                f"{', '.join(m.name for m in self._modem_specs)}"
            ) from None

    def _eject_reader(self, slot: int) -> None:
        _, bridge = self._bridges.pop(slot)
        with contextlib.suppress(OSError):
            bridge.stop()

    def _check_placement(self) -> None:
        modems = {m.name for m in self._modem_specs}
        used: set[str] = set()
        for sim, modem in self._placement.items():
            if sim not in self._sim_specs or modem not in modems:
                raise ConfigError(f"placement {sim} -> {modem}: no such SIM or modem")
            if modem in used:
                raise ConfigError(f"placement puts two SIMs into modem {modem}")
            used.add(modem)


def _check_names(modems: Sequence[ModemSpec], sims: Sequence[SimSpec]) -> None:
    names = [m.name for m in modems]
    if len(set(names)) != len(names):
        raise ConfigError(f"modem names must be unique: {names}")
    for spec in modems:
        if not spec.name or "/" in spec.name or spec.name.startswith("."):
            raise ConfigError(f"modem name {spec.name!r}: use letters, digits, - and _")
        if spec.personality not in PERSONALITIES:
            raise ConfigError(
                f"unknown modem personality {spec.personality!r}; choose one of "
                f"{', '.join(sorted(PERSONALITIES))}"
            )
    sim_names = [s.name for s in sims]
    if len(set(sim_names)) != len(sim_names):
        raise ConfigError(f"SIM names must be unique: {sim_names}")


def _sim_label(spec: SimSpec) -> str:
    pin = "PIN1 on" if spec.profile.pin1_enabled else "PIN1 off"
    spare = ", spare" if not spec.provisioned else ""
    return f"{spec.name}: {spec.profile.msisdn}, ICCID {spec.profile.iccid}, {pin}{spare}"
