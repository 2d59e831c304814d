"""The virtual modem's I/O loop: what it logs when a session fails, and that it never hangs."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import pytest
from test_virtual_modem_support import RawPort, modem_on_pty, new_card

from harness.errors import DeviceGoneError, HarnessTimeout
from harness.virtual.modem import RegStatus, VirtualModem
from harness.virtual.modem.ports import IoLoop

SECRET_PIN = "7391"  # distinctive digits: not in any ICCID, IMSI or timestamp of the card


class _FailingNetwork:
    """A network whose attach raises: the session fails inside the AT+CPIN that unlocked."""

    def __init__(self) -> None:
        self.attach_called = threading.Event()

    def attach(self, imsi: str, modem: VirtualModem) -> RegStatus:
        self.attach_called.set()
        raise RuntimeError("network down")

    def detach(self, imsi: str) -> None:
        pass


def _rendered(record: logging.LogRecord) -> str:
    """The record as a handler would write it, traceback included."""
    return logging.Formatter("%(message)s").format(record)


def test_a_failing_session_does_not_log_the_pin(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    network = _FailingNetwork()
    card = new_card(pins__pin1=SECRET_PIN)
    with VirtualModem(card, network=network) as modem:
        port = RawPort(modem.start_pty())
        try:
            port.write(f'AT+CPIN="{SECRET_PIN}"\r'.encode())
            assert network.attach_called.wait(2.0)
            _ = modem.registration  # takes the loop's lock: the failure has been logged
        finally:
            port.close()
    failures = [r for r in caplog.records if "session failed" in r.getMessage()]
    assert failures, "the session failure was not logged at all"
    assert '"****"' in failures[0].getMessage()  # masked, not dropped: still useful
    for record in caplog.records:
        assert SECRET_PIN not in _rendered(record)


def _fail_once_with_a_call_queued(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Make IoLoop._run_calls raise once, when a call is waiting: a fault outside feed."""
    failed = threading.Event()
    original: Callable[[IoLoop], None] = IoLoop._run_calls

    def run_calls(self: IoLoop) -> None:
        if self._calls and not failed.is_set():
            failed.set()
            raise RuntimeError("injected loop fault")
        original(self)

    monkeypatch.setattr(IoLoop, "_run_calls", run_calls)
    return failed


def _in_thread(fn: Callable[[], object], wait_s: float) -> list[object]:
    """Run `fn` in a daemon thread; its result or exception, or [] if still running."""
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(fn())
        except BaseException as error:  # the test inspects it
            outcome.append(error)

    worker = threading.Thread(target=run, daemon=True)  # daemon: a hang must not block exit
    worker.start()
    worker.join(wait_s)
    return outcome


def test_a_loop_fault_outside_feed_neither_hangs_calls_nor_kills_the_port(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with modem_on_pty(new_card(pins__pin1_enabled=False)) as (modem, port):
        failed = _fail_once_with_a_call_queued(monkeypatch)
        outcome = _in_thread(modem.power_cycle, wait_s=3.0)
        assert failed.is_set()
        assert outcome == [None], "a call queued when the loop failed never came back"
        # the loop thread is alive and serving (echo is back on after the power cycle)
        assert port.command("AT").endswith(b"\r\nOK\r\n")
    assert any("I/O loop failed" in r.getMessage() for r in caplog.records)


def test_a_stuck_loop_fails_the_caller_with_harness_timeout() -> None:
    loop = IoLoop(threading.RLock(), name="test-loop")
    loop.start()
    entered, release = threading.Event(), threading.Event()

    def stuck() -> None:
        entered.set()
        release.wait()

    try:
        threading.Thread(target=lambda: loop.call(stuck), daemon=True).start()
        assert entered.wait(2.0)  # the loop thread now sits in stuck()
        outcome = _in_thread(lambda: loop.call(lambda: "late", deadline_s=0.2), wait_s=3.0)
        assert len(outcome) == 1 and isinstance(outcome[0], HarnessTimeout)
        assert "test-loop" in str(outcome[0])
    finally:
        release.set()
        loop.stop()


def test_a_loop_that_keeps_failing_gives_up_and_fails_queued_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def always(self: IoLoop) -> None:
        if self._calls:  # only once a call waits, so the call cannot run inline instead
            raise RuntimeError("injected persistent fault")

    loop = IoLoop(threading.RLock(), name="test-loop")
    monkeypatch.setattr(IoLoop, "_run_calls", always)
    try:
        loop.start()
        outcome = _in_thread(lambda: loop.call(lambda: "never", deadline_s=5.0), wait_s=6.0)
        assert len(outcome) == 1 and isinstance(outcome[0], DeviceGoneError)
        monkeypatch.undo()
        assert loop.call(lambda: "inline") == "inline"  # the thread is gone: runs here
    finally:
        loop.stop()
