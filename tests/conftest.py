"""Shared fixtures: virtual cards, and the real PC/SC stack (private pcscd + vpcd)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from installed_package import installed_wheel, outside_dir  # noqa: F401  (fixtures)

from harness.sim.pcsc_link import wait_for_card
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.pcscd import PcscUnavailable, PrivatePcscd
from harness.virtual.vpcd import VpcdBridge

# The plugin's own tests (tests/test_pytest_plugin*.py) run pytest sessions in tmp dirs.
pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def private_api_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Benches started by tests (and their subprocesses) record their API address in a
    private file, never in the one a person's running `simulate` left for the CLI."""
    path = tmp_path_factory.getbasetemp() / "simharness-api.json"
    old = {name: os.environ.pop(name, None) for name in ("SIMHARNESS_API_FILE", "SIMHARNESS_API")}
    os.environ["SIMHARNESS_API_FILE"] = str(path)
    yield
    os.environ.pop("SIMHARNESS_API_FILE", None)
    for name, value in old.items():
        if value is not None:
            os.environ[name] = value


@pytest.fixture
def card() -> VirtualUicc:
    """A fresh default virtual card with no state file."""
    return VirtualUicc(load_profile(DEFAULT_PROFILE))


@pytest.fixture
def state_file(tmp_path: Path) -> Path:
    return tmp_path / "card-state.json"


@pytest.fixture(scope="session")
def pcscd() -> Iterator[PrivatePcscd]:
    """One private pcscd per test session (libpcsclite caches the socket path per process).

    Skips only where pcscd truly cannot run; in CI (CI=true) that is a failure instead.
    """
    daemon = PrivatePcscd(log_apdus=True)
    try:
        daemon.start()
    except PcscUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"the real PC/SC stack must run in CI: {exc}")
        pytest.skip(f"real PC/SC stack unavailable: {exc}")
    os.environ["PCSCLITE_CSOCK_NAME"] = str(daemon.socket_path)
    try:
        yield daemon
    finally:
        daemon.stop()
        os.environ.pop("PCSCLITE_CSOCK_NAME", None)


@pytest.fixture(scope="session")
def vpcd_slot(pcscd: PrivatePcscd) -> Iterator[VpcdBridge]:
    """Slot 0 of the private pcscd, holding a card for the whole session.

    Tests put their own card behind it (`bridge.card = ...`) and reset it through
    PC/SC, which is faster than a removal and insertion that pcscd must poll for.
    Removal and insertion themselves are tested in test_vpcd_bridge.py.
    """
    bridge = VpcdBridge(VirtualUicc(load_profile(DEFAULT_PROFILE)), slot=0, netns=pcscd.netns)
    bridge.start()
    wait_for_card(bridge.reader, present=True, timeout=10.0)
    try:
        yield bridge
    finally:
        bridge.stop()


LEAN_ADDOPTS = "-p no:hypothesispytest -p no:labgrid"


@pytest.fixture
def lean_pytester(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """pytester for the plugin's tests. Its in-process runs drop the modules each run
    imports: the virtual bench and the drivers are loaded here, before any run, so runs do
    not import (and compile) them again; hypothesis's plugin would import all of hypothesis
    in every run for nothing those runs use, so it is left out of them, and so is labgrid's
    (it imports labgrid and grpc: about a second per process)."""
    import harness.bench.virtual_lab
    import harness.sim.virtual_link  # noqa: F401

    monkeypatch.setenv("PYTEST_ADDOPTS", LEAN_ADDOPTS)
    return pytester
