"""Who holds the input: the background reader between commands, the caller during one.

Each test runs over a stream without fileno() (the background reader reads all
and hands answers over) and one with it (harness.at.reader.SelectReader: the
calling thread reads its own answer); the pty tests use a real pyserial port.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
from test_at_support import (
    OK,
    STREAM_KINDS,
    FakeStream,
    PtyModem,
    PySerialNoFilenoStream,
    PySerialStream,
    Responder,
    SelectableTransport,
    one_byte_chunks,
)

from harness.at import AtChannel, Urc
from harness.errors import DeviceGoneError, HarnessError, TransportError

CSQ = b"\r\n+CSQ: 18,99\r\n\r\nOK\r\n"


@pytest.fixture(params=sorted(STREAM_KINDS))
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def modem() -> Responder:
    return Responder({"AT": OK, "AT+CSQ": CSQ})


def wait_until(predicate: object, timeout: float) -> bool:
    assert callable(predicate)
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.002)
    return True


def test_the_caller_reads_its_own_answer_only_on_a_selectable_stream(
    modem: Responder, kind: str
) -> None:
    stream = STREAM_KINDS[kind](modem)
    with AtChannel(stream, name="own") as at:
        for _ in range(5):
            assert at.command("AT+CSQ").lines == ["+CSQ: 18,99"]
    # nothing arrived between commands, so only one thread ever read
    owner = threading.current_thread().name if kind == "select" else "at-reader-own"
    assert stream.readers == {owner}


@pytest.mark.parametrize("reply_delay", [0.0, 0.05])  # quicker / slower than LINGER_S
def test_a_urc_between_commands_reaches_its_handler_promptly(
    modem: Responder, kind: str, reply_delay: float
) -> None:
    stream = STREAM_KINDS[kind](modem, reply_delay=reply_delay)
    fired: list[tuple[str, str]] = []
    event = threading.Event()

    def handler(urc: Urc) -> None:
        fired.append((urc.line, threading.current_thread().name))
        event.set()

    with AtChannel(stream, name="idle") as at:
        at.on_urc("RING", handler)
        assert at.command("AT").final == "OK"
        for _ in range(3):
            event.clear()
            started = time.monotonic()
            stream.inject(b"\r\nRING\r\n")
            assert event.wait(0.5), "no command runs: the background reader must read it"
            assert time.monotonic() - started < 0.5
            assert at.command("AT+CSQ").lines == ["+CSQ: 18,99"]
    assert fired == [("RING", "at-reader-idle")] * 3


def test_a_urc_during_a_command_is_taken_out_by_whoever_reads(modem: Responder, kind: str) -> None:
    modem.answers["AT+CSQ"] = b'\r\n+CMTI: "SM",1\r\n\r\nRING\r\n' + CSQ
    stream = STREAM_KINDS[kind](modem, chunker=one_byte_chunks)
    threads: list[str] = []
    with AtChannel(stream, name="during") as at:
        at.on_urc("RING", lambda urc: threads.append(threading.current_thread().name))
        assert at.command("AT+CSQ").lines == ["+CSQ: 18,99"]
        assert [u.line for u in at.drain_urcs()] == ['+CMTI: "SM",1']
    reader = threading.current_thread().name if kind == "select" else "at-reader-during"
    assert threads == [reader]


def test_a_handler_on_the_calling_thread_cannot_send_a_command(modem: Responder, kind: str) -> None:
    modem.answers["AT+CSQ"] = b"\r\nRING\r\n" + CSQ
    errors: list[BaseException] = []

    def handler(_: Urc) -> None:
        try:
            at.command("AT")
        except HarnessError as exc:
            errors.append(exc)

    with AtChannel(STREAM_KINDS[kind](modem)) as at:
        at.on_urc("RING", handler)
        assert at.command("AT+CSQ").lines == ["+CSQ: 18,99"]
        assert wait_until(lambda: errors, 1.0)
        assert "URC handler" in str(errors[0])
        assert at.command("AT").final == "OK"


def test_many_rapid_commands_interleaved_with_urc_bursts(modem: Responder, kind: str) -> None:
    for n in range(4):
        modem.answers[f"AT+TEST={n}"] = f"\r\n+TEST: {n}\r\n\r\nOK\r\n".encode()
    stream = STREAM_KINDS[kind](modem, chunker=lambda d: [d[:5], d[5:]])
    handled: list[str] = []
    stop = threading.Event()
    sent: list[str] = []

    def bursts() -> None:
        n = 0
        while not stop.is_set():
            lines = [f'+CMTI: "SM",{n}', f"+CREG: {n}", "RING"]
            stream.inject(b"".join(b"\r\n" + line.encode() + b"\r\n" for line in lines))
            sent.extend(lines)
            n += 1
            time.sleep(0.001)

    with AtChannel(stream, default_timeout=2.0) as at:
        at.on_urc("+CREG:", lambda urc: handled.append(urc.line))
        injector = threading.Thread(target=bursts)
        injector.start()
        try:
            for i in range(300):
                n = i % 4
                assert at.command(f"AT+TEST={n}").lines == [f"+TEST: {n}"]
        finally:
            stop.set()
            injector.join(2.0)
        regs = [line for line in sent if line.startswith("+CREG:")]
        others = [line for line in sent if not line.startswith("+CREG:")]
        assert wait_until(lambda: len(at.pending_urcs()) == len(others), 2.0)
        queued = [urc.line for urc in at.drain_urcs()]
    assert handled == regs  # handlers: every one, once, in order
    assert queued == others  # the queue: every other one, in order


def test_a_command_waits_for_a_slow_handler_on_the_background_reader(
    modem: Responder, kind: str
) -> None:
    stream = STREAM_KINDS[kind](modem)
    entered, leave = threading.Event(), threading.Event()
    order: list[str] = []

    def slow(urc: Urc) -> None:
        entered.set()
        leave.wait(2.0)
        order.append(urc.line)

    with AtChannel(stream) as at:
        at.on_urc("+CREG:", slow)
        at.on_urc("RING", lambda urc: order.append(urc.line))
        stream.inject(b"\r\n+CREG: 1\r\n")
        assert entered.wait(1.0)
        modem.answers["AT+CSQ"] = b"\r\nRING\r\n" + CSQ
        threading.Timer(0.1, leave.set).start()
        assert at.command("AT+CSQ", timeout=2.0).lines == ["+CSQ: 18,99"]
        assert wait_until(lambda: len(order) == 2, 1.0)
    assert order == ["+CREG: 1", "RING"]  # one handler at a time, in arrival order


def test_close_from_another_thread_ends_a_waiting_command_promptly(
    modem: Responder, kind: str
) -> None:
    modem.answers["AT+SILENT"] = b""
    stream = STREAM_KINDS[kind](modem)
    at = AtChannel(stream, poll_interval=0.05)
    outcome: list[BaseException] = []

    def waiting() -> None:
        try:
            at.command("AT+SILENT", timeout=5.0)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=waiting)
    thread.start()
    time.sleep(0.1)
    started = time.monotonic()
    at.close()
    thread.join(2.0)
    assert time.monotonic() - started < 0.5
    assert stream.closed
    assert len(outcome) == 1 and isinstance(outcome[0], TransportError)
    assert "closed" in str(outcome[0])


def test_a_handler_may_close_the_channel_under_a_running_command(
    modem: Responder, kind: str
) -> None:
    modem.answers["AT+CSQ"] = b"\r\nRING\r\n"  # and never a final result code
    at = AtChannel(STREAM_KINDS[kind](modem))
    at.on_urc("RING", lambda urc: at.close())
    started = time.monotonic()
    with pytest.raises(TransportError, match="closed"):
        at.command("AT+CSQ", timeout=5.0)
    assert time.monotonic() - started < 1.0


def test_unterminated_urc_between_commands_is_flushed_by_the_background_reader(
    modem: Responder, kind: str
) -> None:
    stream = STREAM_KINDS[kind](modem)
    with AtChannel(stream, idle_flush=0.05) as at:
        assert at.command("AT").final == "OK"
        stream.inject(b"\r\n+QIND: SMS DONE")  # no CR LF ever comes
        assert at.wait_for("+QIND:", timeout=1.0).line == "+QIND: SMS DONE"


# ---- a real pyserial port on a pty -----------------------------------------------


@pytest.fixture
def pty_modem() -> Iterator[PtyModem]:
    modem = PtyModem(Responder({"AT": OK, "AT+CSQ": CSQ}, echo=True))
    yield modem
    modem.close()


@pytest.mark.parametrize("stream_type", [PySerialStream, PySerialNoFilenoStream])
def test_pty_rapid_commands_with_urcs_from_the_modem_side(
    pty_modem: PtyModem, stream_type: type[PySerialStream]
) -> None:
    """pyserial raises when two threads read one port; the switch must never allow it."""
    seen: list[str] = []
    stop = threading.Event()
    sent = 0

    def bursts() -> None:
        nonlocal sent
        while not stop.is_set():
            pty_modem.inject(f"\r\n+CREG: {sent}\r\n".encode())
            sent += 1
            time.sleep(0.0005)

    with AtChannel(stream_type(pty_modem.path), name=pty_modem.path) as at:
        at.on_urc(re.compile(r"\+CREG: \d+$"), lambda urc: seen.append(urc.line))
        injector = threading.Thread(target=bursts)
        injector.start()
        try:
            for _ in range(300):
                assert at.command("AT+CSQ").lines == ["+CSQ: 18,99"]
        finally:
            stop.set()
            injector.join(2.0)
        assert wait_until(lambda: len(seen) == sent, 2.0), (len(seen), sent)
        assert at.command("AT").final == "OK"
    assert seen == [f"+CREG: {n}" for n in range(sent)]
    assert at.pending_urcs() == []


def test_pty_urc_between_commands_fires_its_handler(pty_modem: PtyModem) -> None:
    transport = SelectableTransport(pty_modem.path)
    transport.open()
    event = threading.Event()
    with AtChannel(transport, name=pty_modem.path) as at:
        at.on_urc("RING", lambda urc: event.set())
        assert at.command("AT").final == "OK"
        pty_modem.inject(b"\r\nRING\r\n")
        assert event.wait(0.5)
        assert at.command("AT+CSQ").lines == ["+CSQ: 18,99"]


def test_pty_device_gone_while_the_caller_reads() -> None:
    modem = PtyModem(Responder({"AT": OK, "AT+SILENT": b""}))
    transport = SelectableTransport(modem.path)
    transport.open()
    with AtChannel(transport, name=modem.path) as at:
        assert at.command("AT").final == "OK"
        threading.Timer(0.1, modem.close).start()
        with pytest.raises(DeviceGoneError):
            at.command("AT+SILENT", timeout=2.0)
        with pytest.raises(DeviceGoneError):
            at.command("AT", timeout=2.0)


def test_pty_close_is_prompt_while_a_command_reads(pty_modem: PtyModem) -> None:
    pty_modem.responder.answers["AT+SILENT"] = b""
    transport = SelectableTransport(pty_modem.path)
    transport.open()
    at = AtChannel(transport, name=pty_modem.path)
    outcome: list[BaseException] = []

    def waiting() -> None:
        try:
            at.command("AT+SILENT", timeout=5.0)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=waiting)
    thread.start()
    time.sleep(0.1)
    started = time.monotonic()
    at.close()
    thread.join(2.0)
    assert time.monotonic() - started < 0.5
    assert len(outcome) == 1 and isinstance(outcome[0], TransportError)


def test_fake_streams_report_their_kind() -> None:
    assert not hasattr(FakeStream(Responder()), "fileno")
    assert callable(STREAM_KINDS["select"](Responder()).fileno)
