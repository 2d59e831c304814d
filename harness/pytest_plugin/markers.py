"""Markers by capability; a test the bench cannot serve is skipped, naming what is missing.

`modem` and `sim_card` are parametrized over every matching device of the
bench (the test id carries the device name); `vendor("quectel", ...)` narrows
the modems to those vendors. What the test needs comes from its markers and
from the fixtures it uses (`sim_slot` needs `sim_move`, ...).
"""

from __future__ import annotations

import pytest

from harness.bench.config import DeviceConfig
from harness.pytest_plugin.session import BenchSession

__all__ = [
    "MARKERS",
    "device_params",
    "missing_need",
    "vendor_of",
    "wanted_vendors",
]

MARKERS = {
    "hardware": "needs real hardware: runs only with --bench naming a real device",
    "modem": "needs a modem (AT port) on the bench",
    "sim_reader": "needs a PC/SC card reader on the bench",
    "sms": "needs the bench to make an SMS arrive",
    "sim_move": "needs a SIM to be moved between devices",
    "operator": "needs operator actions (loss report, reactivation, SIM swap)",
    "emergency_call": "dials an emergency number: only where the bench declares it may "
    "(a shielded test network, or the virtual bench)",
    "destructive": "may block a SIM for good: needs --allow-destructive and a SIM the "
    "bench file lists in sacrificial_iccids",
    "conformance(test_id, clause)": "a stable test id and the spec clause it checks: JUnit "
    "properties test_id and spec_clause, and a row of DIR/conformance.md (--bench-report)",
    "vendor(name, ...)": "runs the modem fixture only on modems of these vendors "
    "(e.g. vendor('quectel', 'simcom'))",
}

# fixture -> the capability it needs
_FIXTURE_NEEDS = {
    "modem": "modem",
    "sim_card": "sim_reader",
    "sim_slot": "sim_move",
    "operator": "operator",
    "otp_source": "sms",
}
_CAPABILITY_MARKERS = ("modem", "sim_reader", "sms", "sim_move", "operator", "emergency_call")


def register(config: pytest.Config) -> None:
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def vendor_of(device: DeviceConfig) -> str | None:
    """The vendor a bench file declares (a simulated modem wears its personality)."""
    if device.vendor is not None:
        return device.vendor.lower()
    if device.virtual and device.personality != "generic":
        return device.personality.lower()
    return None


def wanted_vendors(node: pytest.Item | pytest.Function) -> frozenset[str]:
    found: set[str] = set()
    for mark in node.iter_markers("vendor"):
        found.update(str(arg).lower() for arg in mark.args)
    return frozenset(found)


def device_params(session: BenchSession, fixture: str, vendors: frozenset[str]) -> list[object]:
    """`pytest.param`s for `fixture` ("modem" / "sim_card"); one skipped param if none fit."""
    kind = "modem" if fixture == "modem" else "reader"
    devices = [d for d in session.config.devices if d.kind == kind]
    if vendors and kind == "modem":
        # Undeclared vendors are kept: the fixture checks what the modem answers.
        devices = [d for d in devices if vendor_of(d) in vendors or vendor_of(d) is None]
    if devices:
        return [pytest.param(d.name, id=d.name) for d in devices]
    capability = "modem" if kind == "modem" else "sim_reader"
    if vendors and any(d.kind == kind for d in session.config.devices):
        reason = f"needs a modem of vendor {', '.join(sorted(vendors))}; bench {session.source} "
        reason += "has " + ", ".join(
            f"{d.name} ({vendor_of(d) or 'vendor unknown'})"
            for d in session.config.devices
            if d.kind == kind
        )
    else:
        reason = session.describe_missing(capability)
    return [pytest.param(None, id=f"no-{capability}", marks=pytest.mark.skip(reason=reason))]


def missing_need(session: BenchSession, item: pytest.Item, fixtures: set[str]) -> str | None:
    """Why the bench cannot serve `item` (None when it can); `fixtures`: the plugin's
    fixtures it uses."""
    if item.get_closest_marker("hardware") is not None and not session.real:
        return (
            f"needs real hardware; bench {session.source} has only virtual devices "
            "(run with --bench lab.toml naming real modems or readers)"
        )
    needs = [name for name in _CAPABILITY_MARKERS if item.get_closest_marker(name) is not None]
    needs += [need for fixture, need in _FIXTURE_NEEDS.items() if fixture in fixtures]
    for need in needs:
        if need not in session.capabilities:
            return session.describe_missing(need)
    if item.get_closest_marker("destructive") is not None:
        if not session.settings.allow_destructive:
            return "destructive: may block a SIM for good; run with --allow-destructive"
        if not session.config.sacrificial_iccids:
            return (
                f"destructive: bench {session.source} marks no SIM sacrificial (sacrificial_iccids)"
            )
    return None
