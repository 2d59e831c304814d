"""What a bench can do, by name: the vocabulary of the pytest plugin's markers.

A capability is derived from what the bench file lists — its devices, the
`[scenario]` cast and the `[hooks]` that do steps (harness.bench.hands) — or
declared by it (`capabilities`) when a person at the terminal does the step.
The built-in virtual bench, and a scenario cast of simulated modems, can do
everything: simulators move SIMs, play the operator and send SMS.
"""

from __future__ import annotations

from harness.bench.config import BenchConfig
from harness.bench.scenario_stage import scenario_bench

__all__ = ["CAPABILITIES", "bench_capabilities", "is_real"]

CAPABILITIES: dict[str, str] = {
    "modem": "a modem (AT port)",
    "sim_reader": "a PC/SC card reader",
    "sms": "an SMS can be made to arrive (a sender modem, a send_otp hook, or declared)",
    "sim_move": "a SIM can be moved between devices (a move_sim hook, or declared)",
    "operator": "loss report / reactivation / SIM swap can be done (hooks, or declared)",
    "emergency_call": "an emergency number may be dialled: a shielded test network, never a "
    "live one (declared, or virtual)",
}


def is_real(config: BenchConfig) -> bool:
    """True when the bench has real hardware: some device is not marked virtual."""
    return any(not device.virtual for device in config.devices)


def bench_capabilities(config: BenchConfig) -> frozenset[str]:
    """The capabilities of `config`: derived from its devices, plus what it declares."""
    found = set(config.declared)
    kinds = {device.kind for device in config.devices}
    if "modem" in kinds:
        found.add("modem")
    if "reader" in kinds:
        found.add("sim_reader")
    if sum("sms" in device.features for device in config.devices) >= 2:
        found.add("sms")
    found |= _from_scenario(config)
    return frozenset(found)


def _from_scenario(config: BenchConfig) -> set[str]:
    """What the `[scenario]` cast and its `[hooks]` can do without a person."""
    setup, _ = scenario_bench(config)
    if setup is None:
        return set()
    if setup.simulated:
        return {"sms", "sim_move", "operator"}  # the simulators do every step
    hooks = setup.scenario.hooks
    found = set()
    if "move_sim" in hooks:
        found.add("sim_move")
    if {"report_lost", "reactivate", "swap_sim"} <= set(hooks):
        found.add("operator")
    if "send_otp" in hooks or setup.sender is not None:
        found.add("sms")
    return found
