"""The pytest plugin on a modem in a labgrid place: a real coordinator and exporter.

A lab's test file asks for `modem` (and the shipped conformance suite runs
unchanged); the bench file names a place instead of a port. The plugin acquires
the place before the first test that needs it (the test sees it held by this
run), runs AT identity, +CPIN? and the PIN counter through the exporter's RFC
2217 port, records the place and the exporter in each test's JUnit properties,
and releases the place at the end. A place held by someone else makes the test
an ERROR of its set-up that names the holder, after --device-wait, never a hang.
"""

from __future__ import annotations

import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

pytest.importorskip(
    "labgrid.remote.client", reason="labgrid not installed (pip install 'sim-harness[labgrid]')"
)

from harness.bench.labgrid import LabgridClient
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem
from tests.labgrid_lab import LabgridLab, as_identity
from tests.rfc2217_bridge import Rfc2217Bridge

pytestmark = pytest.mark.usefixtures("lean_pytester")

PLACE = "ci-modem"
EXPORTER_YAML = """\
## one modem, exported as it is (the tests' ser2net stands in front of it)
ci:
  NetworkSerialPort:
    host: 127.0.0.1
    port: {port}
    protocol: rfc2217
"""

LAB_TESTS = """
import os
from harness.bench.labgrid import LabgridClient
from harness.modem.states import SimState

def test_the_place_is_held_by_this_run(modem):
    with LabgridClient(os.environ["LG_COORDINATOR_FOR_TEST"]) as client:
        assert client.holder("ci-modem") == "benchpc1/harness"

def test_identity(modem):
    assert modem.identity().imei == os.environ["IMEI_FOR_TEST"]

def test_the_sim_asks_for_its_pin(modem):
    assert modem.sim_state() is SimState.SIM_PIN

def test_pin_counter(modem):
    assert modem.pin_retries().pin1 == 3
"""


@pytest.fixture(scope="module")
def lab() -> Iterator[tuple[LabgridLab, VirtualModem]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LG_USERNAME", "harness")
        patch.setenv("LG_HOSTNAME", "benchpc1")
        patch.delenv("LG_COORDINATOR", raising=False)
        patch.delenv("LG_PROXY", raising=False)
        with (
            VirtualModem(VirtualUicc(load_profile(DEFAULT_PROFILE))) as modem,
            Rfc2217Bridge(modem.start_tcp(0)) as bridge,
        ):
            served = LabgridLab(EXPORTER_YAML.format(port=bridge.port))
            try:
                served.create_place(PLACE, "simexp/ci/NetworkSerialPort")
                patch.setenv("LG_COORDINATOR_FOR_TEST", served.address)
                patch.setenv("IMEI_FOR_TEST", modem.imei)
                yield served, modem
            finally:
                served.close()


def bench_file(pytester: pytest.Pytester, extra: str = "") -> str:
    path = pytester.path / "lab.toml"
    path.write_text(
        f'lock_dir = "locks"\n\n[[device]]\nname = "shared"\nkind = "modem"\nplace = "{PLACE}"\n'
        + extra
    )
    return str(path)


def holder(lab: LabgridLab) -> str | None:
    with LabgridClient(lab.address) as client:
        return client.holder(PLACE)


def test_the_plugin_holds_the_place_for_the_run_and_names_it_in_junit(
    lab: tuple[LabgridLab, VirtualModem],
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    served, _ = lab
    monkeypatch.setenv("PYTEST_ADDOPTS", "-p no:hypothesispytest")  # labgrid's plugin: on
    pytester.makepyfile(test_lab=LAB_TESTS)
    xml_path = pytester.path / "junit.xml"
    # labgrid's own pytest plugin loaded too: its --lg-coordinator is the one used
    result = pytester.runpytest(
        "--bench", bench_file(pytester), "--lg-coordinator", served.address,
        f"--junitxml={xml_path}", "-p", "no:cacheprovider",
    )  # fmt: skip
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["plugins: *labgrid-26*"])
    cases = ET.parse(xml_path).getroot().findall(".//testcase")  # noqa: S314 - pytest's XML
    assert len(cases) == 4
    for case in cases:
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert props["device"] == "shared"
        assert props["labgrid_place"] == PLACE
        assert props["labgrid_exporter"] == "simexp (127.0.0.1)"
        assert props["virtual"] == "false"
    assert holder(served) is None  # released at the end of the run


def test_a_place_someone_else_holds_is_a_setup_error_naming_them(
    lab: tuple[LabgridLab, VirtualModem], pytester: pytest.Pytester
) -> None:
    served, _ = lab
    pytester.makepyfile(test_lab="def test_identity(modem):\n    assert modem.identity()\n")
    alice = as_identity(served.address, user="alice", host="benchpc2")
    assert alice.acquire(PLACE)
    try:
        started = time.monotonic()
        result = pytester.runpytest(
            "--bench", bench_file(pytester), "--lg-coordinator", served.address,
            "--device-wait", "1", "-p", "no:cacheprovider",
        )  # fmt: skip
        waited = time.monotonic() - started
        result.assert_outcomes(errors=1)
        result.stdout.fnmatch_lines(["*labgrid place 'ci-modem' is held by benchpc2/alice*"])
        assert waited < 15  # --device-wait 1, then the error: no hang
        assert holder(served) == "benchpc2/alice"  # nothing of hers was released
    finally:
        alice.release(PLACE)
        alice.close()


def test_conformance_tests_run_through_the_place(
    lab: tuple[LabgridLab, VirtualModem],
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shipped suite, unchanged: entry of PIN and a wrong PIN costing one try (the plugin's
    guard then puts the SIM back as it was found, through the same place)."""
    served, _ = lab
    monkeypatch.setenv("SHARED_SIM_PIN", "1234")  # the default virtual card's PIN1
    xml_path = pytester.path / "junit.xml"
    result = pytester.runpytest(
        "--pyargs", "harness.conformance",
        "-k", "test_entry_of_pin or test_wrong_pin_spends_exactly_one_try",
        "--bench", bench_file(pytester, 'pin_env = "SHARED_SIM_PIN"\n'),
        "--lg-coordinator", served.address, f"--junitxml={xml_path}", "-p", "no:cacheprovider",
    )  # fmt: skip
    result.assert_outcomes(passed=2)
    cases = ET.parse(xml_path).getroot().findall(".//testcase")  # noqa: S314 - pytest's XML
    ids = set()
    for case in cases:
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert props["labgrid_place"] == PLACE
        ids.add(props["test_id"])
    assert ids == {"PIN-001", "PIN-002"}
    assert holder(served) is None
