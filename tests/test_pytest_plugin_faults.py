"""The plugin when the bench is at fault, and when a test leaves a SIM changed.

A missing port is an ERROR of the test's set-up (the device is quarantined by
the session's health check, its neighbours run); --device-retries reruns only
set-up errors the bench caused; a device another job holds past --device-wait
errors naming the holder; a device fixture restores PIN state it can and errors
when a counter ends lower than it started; destructive tests need the flag and
a sacrificial SIM.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from harness.bench.config import DeviceConfig
from harness.bench.locks import acquire, lock_name
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem

pytestmark = pytest.mark.usefixtures("lean_pytester")

SIMULATED = """
sacrificial_iccids = ["8988211000000000018"]

[[device]]
name = "sim-modem"
kind = "modem"
virtual = true
personality = "quectel"
"""


def _bench(pytester: pytest.Pytester, extra: str = "") -> Path:
    path = pytester.path / "lab.toml"
    path.write_text(SIMULATED + extra)
    return path


def test_a_missing_port_is_a_setup_error_and_quarantines_only_that_device(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile("def test_answers(modem):\n    modem.command('AT')\n")
    gone = pytester.path / "dev" / "ttyUSB-gone"
    bench = _bench(pytester, f'[[device]]\nname = "gone"\nkind = "modem"\nport = "{gone}"\n')
    result = pytester.runpytest("--bench", str(bench), "-v")
    result.assert_outcomes(passed=1, errors=1)  # an error, never a failure of the SIM
    result.stdout.fnmatch_lines(
        [
            "*test_answers[[]sim-modem[]] PASSED*",
            "*test_answers[[]gone[]] ERROR*",
            "*DeviceQuarantined: device gone is quarantined: health check at session start "
            f"failed: *{gone}*",
        ],
        consecutive=False,
    )


RETRY_CONFTEST = """
import pytest
from pathlib import Path
from harness.errors import TransportError

def _count(name):
    path = Path(__file__).parent / name
    n = int(path.read_text()) + 1 if path.exists() else 1
    path.write_text(str(n))
    return n

@pytest.fixture
def flaky_port():
    if _count("flaky.count") == 1:
        raise TransportError("/dev/ttyUSB2 vanished (USB re-enumeration)")

@pytest.fixture
def broken_fixture():
    _count("broken.count")
    raise ValueError("a bug in the test's own fixture, not the bench")
"""

RETRY_TESTS = """
from pathlib import Path

def test_flaky_setup(flaky_port):
    pass

def test_fails(modem):
    p = Path(__file__).parent / "fails.count"
    p.write_text(str(int(p.read_text()) + 1 if p.exists() else 1))
    assert modem.model_name() == "NOT-THIS"

def test_own_bug(broken_fixture):
    pass
"""


def test_device_retries_rerun_only_the_setup_error_the_bench_caused(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(RETRY_CONFTEST)
    pytester.makepyfile(RETRY_TESTS)
    bench = _bench(pytester)
    result = pytester.runpytest("--bench", str(bench), "--device-retries", "1")
    result.assert_outcomes(passed=1, failed=1, errors=1)
    assert result.parseoutcomes()["rerun"] == 1
    # R: the set-up error rerun, then . (passed); F and E are not retried
    result.stdout.fnmatch_lines(["*.py R.FE *", "*1 failed, 1 passed,*1 error, 1 rerun*"])
    assert (pytester.path / "flaky.count").read_text() == "2"  # rerun once, then passed
    assert (pytester.path / "fails.count").read_text() == "1"  # a failed assertion: never
    assert (pytester.path / "broken.count").read_text() == "1"  # not the bench: never


def test_without_retries_a_bench_fault_is_an_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(RETRY_CONFTEST)
    pytester.makepyfile(RETRY_TESTS)
    result = pytester.runpytest("--bench", str(_bench(pytester)), "-k", "flaky")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*TransportError: /dev/ttyUSB2 vanished*"])


def test_a_device_held_by_another_job_errors_naming_the_holder(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    port = tmp_path / "ttyUSB7"
    port.touch()  # never opened: the lock is taken first
    locks = tmp_path / "locks"
    device = DeviceConfig("lab-modem", "modem", False, port=str(port))
    pytester.makepyfile("def test_uses(modem):\n    pass\n")
    bench = pytester.path / "lab.toml"
    bench.write_text(
        f'lock_dir = "{locks}"\n[[device]]\nname = "lab-modem"\nkind = "modem"\nport = "{port}"\n'
    )
    with acquire(lock_name(device), locks, 0):
        result = pytester.runpytest("--bench", str(bench), "--device-wait", "0.3")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        [
            "*BenchFault: lab-modem: set-up failed, the bench is at fault: modem lab-modem "
            f"({port}) is in use by PID {os.getpid()} (`*`, for * s); waited 0.3 s*"
        ]
    )


PIN_TESTS = """
import pytest
from harness.errors import WrongPinError

def test_wrong_pin(modem):
    with pytest.raises(WrongPinError):
        modem.unlock("0000")
    assert modem.pin_retries().pin1 == 2
"""


def test_a_counter_left_lower_errors_and_says_which(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(PIN_TESTS)
    result = pytester.runpytest("--bench", str(_bench(pytester)))
    result.assert_outcomes(passed=1, errors=1)  # the test passed; its teardown errors
    result.stdout.fnmatch_lines(
        [
            "*PinStateChanged: sim-modem: the test left the SIM changed: retry counters ended "
            "lower than they started (PIN1 3 -> 2); give the device's PIN (pin_env*"
        ]
    )


def test_with_the_pin_known_the_fixture_restores_the_counter(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAB_SIM_PIN", "1234")
    pytester.makepyfile(PIN_TESTS)
    bench = pytester.path / "lab.toml"
    bench.write_text(SIMULATED + 'pin_env = "LAB_SIM_PIN"\n')
    result = pytester.runpytest("--bench", str(bench))
    result.assert_outcomes(passed=1)
    # The virtual bench knows its cards' PINs, and its devices live for the session: the
    # next test finds the SIM as the first one did (counter full, waiting for its PIN).
    pytester.makepyfile(
        test_x_after_it="""
        from harness.modem import SimState

        def test_found_as_the_first_test_found_it(modem):
            assert modem.pin_retries().pin1 == 3
            assert modem.sim_state() is SimState.SIM_PIN
        """
    )
    result = pytester.runpytest("-k", "modem0", "-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_wrong_pin*PASSED*", "*test_found_as*PASSED*"])


DESTRUCTIVE = """
import pytest
from harness.errors import WrongPinError

@pytest.mark.destructive
def test_block_the_pin(modem):
    for left in (2, 1, 0):
        with pytest.raises(WrongPinError):
            modem.unlock("0000")
    assert modem.pin_retries().pin1 == 0
"""


def test_destructive_needs_the_flag_and_a_sacrificial_sim(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(DESTRUCTIVE)
    bench = _bench(pytester)
    result = pytester.runpytest("--bench", str(bench), "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED * destructive: * run with --allow-destructive"])
    result = pytester.runpytest("--bench", str(bench), "--allow-destructive")
    result.assert_outcomes(passed=1)  # the last attempt was allowed on the sacrificial SIM
    other = pytester.path / "other.toml"
    other.write_text(SIMULATED.replace("8988211000000000018", "8988211000000000026"))
    result = pytester.runpytest("--bench", str(other), "--allow-destructive", "-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(
        ["SKIPPED * the SIM in sim-modem (ICCID 8988211000000000018) is not in sacrificial*"]
    )


CARD_PIN_TESTS = """
import pytest
from harness.errors import WrongPinError
from harness.sim.pin_service import PinRef

def test_wrong_pin_on_the_card(sim_card):
    with pytest.raises(WrongPinError):
        sim_card.pins.verify(PinRef.PIN1, "0000")
    assert sim_card.pins.retries(PinRef.PIN1) == 2
"""
READER = '[[device]]\nname = "card"\nkind = "reader"\nvirtual = true\n'


def test_a_card_counter_left_lower_errors_and_is_restored_with_the_pin(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile(CARD_PIN_TESTS)
    bench = pytester.path / "lab.toml"
    bench.write_text(READER)
    result = pytester.runpytest("--bench", str(bench))
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*PinStateChanged: card: * (PIN1 3 -> 2)*"])
    monkeypatch.setenv("LAB_CARD_PIN", "1234")
    bench.write_text(READER.replace("virtual = true", 'virtual = true\npin_env = "LAB_CARD_PIN"'))
    result = pytester.runpytest("--bench", str(bench))
    result.assert_outcomes(passed=1)


class _RefusalSignal:
    """In the inner session: sets `refused` at the first set-up that did not pass, so the
    holder lets go only after the plugin was refused once, whatever the machine's load."""

    def __init__(self, refused: threading.Event) -> None:
        self.refused = refused

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "setup" and not report.passed:
            self.refused.set()


def test_a_device_busy_in_setup_is_retried_until_it_is_free(
    pytester: pytest.Pytester, tmp_path: Path
) -> None:
    port = tmp_path / "ttyUSB9"
    locks = tmp_path / "locks"
    device = DeviceConfig("lab-modem", "modem", False, port=str(port))
    held, refused = threading.Event(), threading.Event()

    def hold() -> None:  # another job holds the modem until the plugin has been refused once
        with acquire(lock_name(device), locks, 0):
            held.set()
            refused.wait(20)

    pytester.makepyfile("def test_uses(modem):\n    assert modem.command('AT').final == 'OK'\n")
    bench = pytester.path / "lab.toml"
    bench.write_text(
        f'lock_dir = "{locks}"\n[[device]]\nname = "lab-modem"\nkind = "modem"\nport = "{port}"\n'
    )
    # a modem served on a pty stands in for the lab's: to the plugin it is a real port
    with VirtualModem(VirtualUicc(load_profile(DEFAULT_PROFILE))) as served:
        served.start_pty(port)
        holder = threading.Thread(target=hold)
        holder.start()
        held.wait(5)
        result = pytester.runpytest(
            "--bench",
            str(bench),
            "--device-wait",
            "0.2",
            "--device-retries",
            "8",
            plugins=[_RefusalSignal(refused)],
        )
        refused.set()
        holder.join(5)
    result.assert_outcomes(passed=1)
    assert 1 <= result.parseoutcomes()["rerun"] <= 8  # busy in set-up: rerun until free
