"""A `Stage` for the stolen-phone scenarios, built from a bench file.

The `[scenario]` table names the owner's and the thief's modems (and maybe
the bank's); the steps between readings are done by hooks or a person
(harness.bench.hands). Two simulated modems make the harness's own virtual
stage instead (one network, simulators doing every step), so a bench file of
virtual devices runs the same scenario as `--bench virtual`.

Every device of the run is held under its lock (harness.bench.locks) for the
whole run, exactly as the pytest plugin holds it. What cannot be done on this
bench is known before anything is opened (`gaps`): the scenario is then not
run and its verdict is INCONCLUSIVE with the reasons.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from harness.bench.config import BenchConfig, DeviceConfig
from harness.bench.devices import open_device
from harness.bench.hands import BenchHands, HookOperator, HookOtpSource, HookSimSlot
from harness.bench.labgrid import LabgridOptions
from harness.bench.locks import DEFAULT_LOCK_TIMEOUT_S, acquire_all
from harness.bench.scenario_config import ScenarioConfig
from harness.errors import ConfigError
from harness.modem import Modem
from harness.safety import SafetyPolicy
from harness.scenarios.manual import BenchEngineer
from harness.scenarios.needs import SCENARIO_STEPS
from harness.scenarios.stage import OWNER, THIEF, Stage
from harness.secrets import Secret, read_secret
from harness.transcript import Transcript

__all__ = ["ScenarioBench", "bench_stage", "gaps", "scenario_bench"]


@dataclass(frozen=True)
class ScenarioBench:
    """The devices of a bench file that take part in the scenarios."""

    bench: BenchConfig
    scenario: ScenarioConfig
    owner: DeviceConfig
    thief: DeviceConfig
    sender: DeviceConfig | None = None

    @property
    def simulated(self) -> bool:
        return self.owner.simulated and self.thief.simulated

    @property
    def roles(self) -> dict[str, DeviceConfig]:
        return {OWNER: self.owner, THIEF: self.thief}


def scenario_bench(bench: BenchConfig) -> tuple[ScenarioBench | None, list[str]]:
    """The scenario's devices, or the reasons this bench has none (no second modem...)."""
    modems = [d.name for d in bench.devices if d.kind == "modem"]
    have = f"it has {len(modems)} modem(s){': ' + ', '.join(modems) if modems else ''}"
    scenario = bench.scenario
    if scenario is None:
        return None, [
            f"{bench.source} has no [scenario] table naming the owner's and the thief's modems "
            f"({have}; see hardware.md)"
        ]
    reasons = [
        f"{bench.source}: scenario.{role} names no modem: the scenario needs one for the "
        f"{role}'s phone, two in all ({have})"
        for role, name in ((OWNER, scenario.owner), (THIEF, scenario.thief))
        if name is None
    ]
    if reasons or scenario.owner is None or scenario.thief is None:
        return None, reasons
    sender = bench.device(scenario.otp_sender) if scenario.otp_sender else None
    return ScenarioBench(
        bench, scenario, bench.device(scenario.owner), bench.device(scenario.thief), sender
    ), []


def gaps(setup: ScenarioBench, name: str, *, interactive: bool) -> list[str]:
    """The steps of scenario `name` nobody on this bench can do (empty: it can run)."""
    if setup.simulated:
        return []  # the simulators do every step
    hands = BenchHands(setup.scenario, setup.roles)
    return hands.missing(
        SCENARIO_STEPS[name], has_sender=setup.sender is not None, interactive=interactive
    )


@contextmanager
def bench_stage(
    setup: ScenarioBench,
    *,
    stdin: TextIO | None,
    out: TextIO,
    lock_dir: Path,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    lg_coordinator: str | None = None,
) -> Iterator[Stage]:
    """Lock the devices, open them, and yield the stage; everything released after.

    A modem in a labgrid place is acquired after its lock (waiting up to
    `lock_timeout` while someone else holds the place) and released with it."""
    if setup.simulated:
        with _simulated_stage(setup) as stage:
            yield stage
        return
    devices = [setup.owner, setup.thief, *([setup.sender] if setup.sender else [])]
    scenario = setup.scenario
    safety = SafetyPolicy.strict()  # a real SIM: never the last PIN try, never a PUK try
    labgrid = LabgridOptions(lg_coordinator, lock_timeout)
    with acquire_all(devices, lock_dir, lock_timeout), ExitStack() as stack:
        transcripts = {OWNER: Transcript(), THIEF: Transcript()}
        opened: dict[str, Modem] = {}
        for role, device in setup.roles.items():
            dev = stack.enter_context(
                open_device(device, safety=safety, transcript=transcripts[role], labgrid=labgrid)
            )
            assert dev.modem is not None
            opened[role] = dev.modem
        sender: Modem | None = None
        if setup.sender is not None:
            transcripts["sender"] = Transcript()
            dev = stack.enter_context(
                open_device(
                    setup.sender,
                    safety=safety,
                    transcript=transcripts["sender"],
                    labgrid=labgrid,
                )
            )
            sender = dev.modem
            assert sender is not None
            _ready_to_send(sender, setup.sender, scenario.delivery_timeout_s)
        here = stdin is not None and stdin.isatty()
        engineer = BenchEngineer(stdin=stdin, out=out) if here else None
        # Every variable the bench file names for a secret, besides the names hooks.py
        # hides by their shape: a hook never sees a PIN, a PUK or a token.
        named = [scenario.pin_env, scenario.replacement_pin_env]
        named += [d.pin_env for d in setup.bench.devices] + [d.puk_env for d in setup.bench.devices]
        hide = [v for v in named if v]
        hands = BenchHands(scenario, setup.roles, engineer, sender, hide)
        assert scenario.msisdn is not None  # checked with the bench file
        yield Stage(
            owner=opened[OWNER],
            thief=opened[THIEF],
            slot=HookSimSlot(hands),
            operator=HookOperator(hands),
            otp=HookOtpSource(hands),
            msisdn=scenario.msisdn,
            pins=BenchPins(scenario),
            sim=scenario.sim,
            replacement=scenario.replacement,
            window_s=scenario.window_s,
            delivery_timeout_s=scenario.delivery_timeout_s,
            bench=setup.bench.source,
            transcripts=transcripts,
        )


def _ready_to_send(modem: Modem, device: DeviceConfig, timeout_s: float) -> None:
    """The bank's modem must be able to send: its SIM unlocked (the harness holds no PIN
    for it) and registered."""
    if modem.wait_sim_settled(timeout_s).needs_pin:
        raise ConfigError(
            f"sender modem {device.describe()}: its SIM asks for a PIN; give the bank's modem "
            "a SIM without the PIN lock (or unlock it first with `simharness modem pin unlock`)"
        )
    modem.enable_registration_urcs()
    modem.wait_for_registration(timeout_s)


@contextmanager
def _simulated_stage(setup: ScenarioBench) -> Iterator[Stage]:
    from harness.bench.virtual_stage import virtual_stage  # noqa: PLC0415 - simulators on demand
    from harness.virtual.bench import NO_PIN_PROFILE  # noqa: PLC0415

    with virtual_stage(
        sim_profile=setup.owner.profile or NO_PIN_PROFILE,
        personalities=(setup.owner.personality, setup.thief.personality),
        window_s=setup.scenario.window_s,
    ) as stage:
        stage.bench = f"{setup.bench.source} (simulated)"
        stage.delivery_timeout_s = setup.scenario.delivery_timeout_s
        yield stage


class BenchPins(Mapping[str, Secret]):
    """The owner's PIN of each SIM, read from where the bench file says when first needed
    (a run that never presents a PIN needs none)."""

    def __init__(self, scenario: ScenarioConfig) -> None:
        self._scenario = scenario
        self._where = {
            scenario.sim: ("pin_env", scenario.pin_env, scenario.pin_file),
            scenario.replacement: (
                "replacement_pin_env",
                scenario.replacement_pin_env,
                scenario.replacement_pin_file,
            ),
        }
        self._read: dict[str, Secret] = {}

    def __getitem__(self, sim: str) -> Secret:
        if sim in self._read:
            return self._read[sim]
        field, env, file = self._where[sim]  # KeyError: no such SIM (the stage says so)
        if env is None and file is None:
            raise ConfigError(
                f"{self._scenario.source}: scenario.{field}: missing; the run needs the PIN of "
                f"SIM {sim!r}: name the environment variable (or *_file) that holds it"
            )
        self._read[sim] = read_secret(
            f"the PIN of SIM {sim!r}", env=env, file=str(file) if file else None
        )
        return self._read[sim]

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)
