"""The conformance suite's own rules and fixtures: every test carries the `conformance`
marker (the plugin turns it into JUnit properties and the coverage table), and the
secrets of the device under test come from the bench."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.pytest_plugin.session import BenchSession
from harness.secrets import Secret

_HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this suite carries its id and clause (the plugin records them)."""
    for item in items:
        if _HERE in item.path.parents and item.get_closest_marker("conformance") is None:
            raise pytest.UsageError(
                f"{item.nodeid}: every conformance test needs "
                '@pytest.mark.conformance("<ID>", "<spec clause>")'
            )


def _device_name(request: pytest.FixtureRequest) -> str:
    params = getattr(getattr(request.node, "callspec", None), "params", {})
    name = params.get("modem") or params.get("sim_card")
    if not isinstance(name, str):
        raise TypeError(f"{request.fixturename} goes with the modem or sim_card fixture")
    return name


@pytest.fixture
def device_pin(request: pytest.FixtureRequest, bench: BenchSession) -> Secret:
    """PIN1 of the SIM in the test's `modem` or `sim_card` device (`pin_env` in the bench
    file; the virtual bench knows its own); skips, naming the device, when unknown."""
    name = _device_name(request)
    pin = bench.lab.pin(bench.config.device(name))
    if pin is None:
        pytest.skip(f"the bench does not know the PIN of {name}: set pin_env in its bench file")
    return pin


@pytest.fixture
def device_puk(request: pytest.FixtureRequest, bench: BenchSession) -> Secret:
    """PUK1 of the SIM in the test's device (`puk_env`); only destructive tests ask for it."""
    name = _device_name(request)
    puk = bench.lab.puk(bench.config.device(name))
    if puk is None:
        pytest.skip(f"the bench does not know the PUK of {name}: set puk_env in its bench file")
    return puk


@pytest.fixture
def live_line(request: pytest.FixtureRequest, bench: BenchSession) -> None:
    """The test's modem has a SIM with a live line (`features = ["sms"]` in the bench file;
    the virtual bench's modems do); skips, naming the device, otherwise."""
    name = _device_name(request)
    if "sms" not in bench.config.device(name).features:
        pytest.skip(f'{name}: no live line to send an SMS over (features = ["sms"])')
