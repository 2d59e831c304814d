"""What a bench can do, by name: the vocabulary of the pytest plugin's markers.

A capability is derived from the devices the bench file lists, or declared by
it when no device shows it (a SIM moved by a person or a robot, an operator's
test portal). The built-in virtual bench can do everything: simulators move
SIMs, play the operator and send SMS.
"""

from __future__ import annotations

from harness.bench.config import BenchConfig

__all__ = ["CAPABILITIES", "bench_capabilities", "is_real"]

CAPABILITIES: dict[str, str] = {
    "modem": "a modem (AT port)",
    "sim_reader": "a PC/SC card reader",
    "sms": "an SMS can be made to arrive (two modems with live lines, or declared)",
    "sim_move": "a SIM can be moved between devices (declared, or the virtual bench)",
    "operator": "loss report / reactivation / SIM swap can be done (declared, or virtual)",
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
    return frozenset(found)
