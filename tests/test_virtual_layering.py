"""DESIGN.md layering: simulators import codecs only, never the drivers.

Checked in a fresh interpreter, because in the test process the drivers are
already loaded by other tests and sys.modules would prove nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SIMULATORS = (
    "harness.virtual.modem",
    "harness.virtual.vpcd",
    "harness.virtual.bench",
    "harness.virtual.simulate",
)
DRIVERS = ("harness.sim.link", "harness.sim.card", "harness.sim.pin_service", "harness.modem")


@pytest.mark.parametrize("module", SIMULATORS)
def test_a_simulator_loads_no_driver(module: str) -> None:
    probe = (
        f"import sys, json, {module}\n"
        f"drivers = {DRIVERS!r}\n"
        "print(json.dumps(sorted(m for m in sys.modules\n"
        "    if any(m == d or m.startswith(d + '.') for d in drivers))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert json.loads(done.stdout) == [], f"{module} loads driver modules"
