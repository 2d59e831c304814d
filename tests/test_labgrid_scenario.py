"""The theft scenario on modems shared through labgrid places (the scenario CLI's path).

A `VirtualBench` (owner, thief and bank modems on one virtual network) is served
on TCP; each modem sits behind its own RFC 2217 bridge, exported by a real
labgrid exporter and put in its own place. The bench file names the places;
`run_scenario` acquires them, opens the modems at the resolved rfc2217:// URLs,
and releases them at the end. The SIM move is a hook driving the virtual bench.
"""

from __future__ import annotations

import io
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

pytest.importorskip(
    "labgrid.remote.client", reason="labgrid not installed (pip install 'sim-harness[labgrid]')"
)

from harness.bench.labgrid import LabgridClient
from harness.cli.scenario import run_scenario
from harness.virtual.bench import (
    NO_PIN_PROFILE,
    REPLACEMENT_PROFILE,
    SimSpec,
    VirtualBench,
    numbered_profile,
)
from harness.virtual.card.profile import load_profile
from tests.bench_control import CONTROL_ENV, BenchControl
from tests.labgrid_lab import LabgridLab
from tests.rfc2217_bridge import Rfc2217Bridge

HOOK = Path(__file__).parent / "hooks" / "bench_hook.py"
MODEMS = ("a", "b", "bank")


def test_the_theft_scenario_runs_on_modems_in_labgrid_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LG_USERNAME", "scenario")
    monkeypatch.setenv("LG_HOSTNAME", "benchpc1")
    monkeypatch.delenv("LG_PROXY", raising=False)
    sims = [
        SimSpec.load("victim", NO_PIN_PROFILE),
        SimSpec.load("replacement", REPLACEMENT_PROFILE, provisioned=False),
        SimSpec("bank", numbered_profile(load_profile(NO_PIN_PROFILE), 3)),
    ]
    with ExitStack() as stack:
        bench = stack.enter_context(
            VirtualBench(list(MODEMS), sims, placement={"victim": "a", "bank": "bank"})
        )
        control = stack.enter_context(BenchControl(bench, tmp_path / "control.sock"))
        bridges = {
            name: stack.enter_context(Rfc2217Bridge(bench.modems[name].start_tcp(0)))
            for name in MODEMS
        }
        exporter_yaml = "".join(
            f"phone-{name}:\n  NetworkSerialPort:\n    host: 127.0.0.1\n"
            f"    port: {bridge.port}\n    protocol: rfc2217\n"
            for name, bridge in bridges.items()
        )
        lab = LabgridLab(exporter_yaml)
        stack.callback(lab.close)
        for name in MODEMS:
            lab.create_place(f"lab-{name}", f"simexp/phone-{name}/NetworkSerialPort")
        path = tmp_path / "lab.toml"
        path.write_text(
            "".join(
                f'[[device]]\nname = "{name}"\nkind = "modem"\nplace = "lab-{name}"\n\n'
                for name in MODEMS
            )
            + '[scenario]\nowner = "a"\nthief = "b"\nmsisdn = "+15555550118"\n'
            + 'otp_sender = "bank"\npin_env = "OWNER_SIM_PIN"\nwindow_s = 2\n'
            + f'[hooks]\nmove_sim = ["{sys.executable}", "{HOOK}"]\n'
        )
        monkeypatch.setenv("OWNER_SIM_PIN", "1234")
        monkeypatch.setenv(CONTROL_ENV, str(control.path))
        out = io.StringIO()
        status = run_scenario(
            "theft",
            True,
            str(path),
            tmp_path / "r",
            out,
            stdin=io.StringIO(),
            lock_dir=tmp_path / "locks",
            lock_timeout=5,
            lg_coordinator=lab.address,
        )
        assert status == 0, out.getvalue()  # PROTECTED: the PIN-locked SIM gave the thief nothing
        assert [r["step"] for r in control.log] == ["move_sim"]
        assert all(bridge.connections >= 1 for bridge in bridges.values())  # all via labgrid
        with LabgridClient(lab.address) as client:
            assert all(client.holder(f"lab-{name}") is None for name in MODEMS)  # released
