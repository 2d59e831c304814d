"""AtChannel against an in-memory scripted modem (device thread behind a fake ByteStream)."""

from __future__ import annotations

import gc
import threading
import time
import types
from collections.abc import Iterator

import pytest
from test_at_support import OK, STREAM_KINDS, FakeStream, Responder, one_byte_chunks

from harness.at import AtChannel
from harness.errors import (
    AtCommandError,
    AtTimeout,
    CmeError,
    CmsError,
    CodecError,
    DeviceGoneError,
    HarnessError,
    SafetyRefusal,
    TransportError,
)
from harness.modem import Modem, ReplayScript, ReplayStream
from harness.transcript import Channel, Direction, Transcript

PDU = "0001000B917228001011F100000CC8329BFD065DDF72363904"  # docs/sources.md §5.8 V4


@pytest.fixture(params=sorted(STREAM_KINDS))
def stream_cls(request: pytest.FixtureRequest) -> type[FakeStream]:
    """Every test runs over a stream without fileno() (the background reader hands
    answers over) and one with it (the calling thread reads its own answer)."""
    return STREAM_KINDS[request.param]


@pytest.fixture
def modem() -> Responder:
    return Responder(
        {
            "AT": OK,
            "ATE0": OK,
            "AT+CSQ": b"\r\n+CSQ: 18,99\r\n\r\nOK\r\n",
            "AT+CPIN?": b"\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n",
            'AT+CPIN="1234"': b"\r\n+CME ERROR: 16\r\n",
            "AT+CIMI": b"\r\n+CME ERROR: SIM PIN required\r\n",
            "AT+CGSN": b"\r\n+CME ERROR: (U)SIM PIN required\r\n",
            "AT+CSCA?": b"\r\n+CMS ERROR: 330\r\n",
            "AT+WIND?": b"\r\nCOMMAND NOT SUPPORT\r\n",
            "AT+CGMI": b"\r\n WAVECOM MODEM\r\n\r\nOK\r\n",
            "AT+CMGS=24": b"\r\n> ",
            "AT+CMGW=24": b"\r\n+CMS ERROR: 304\r\n",
            "AT+SILENT": b"",
        }
    )


@pytest.fixture
def channel(modem: Responder, stream_cls: type[FakeStream]) -> Iterator[AtChannel]:
    with AtChannel(stream_cls(modem), name="fake0", default_timeout=2.0) as at:
        yield at


def test_plain_command_and_info_lines(channel: AtChannel) -> None:
    assert channel.command("AT").lines == []
    response = channel.command("AT+CSQ")
    assert (response.lines, response.final) == (["+CSQ: 18,99"], "OK")


def test_leading_space_is_stripped(channel: AtChannel) -> None:
    assert channel.command("AT+CGMI").lines == ["WAVECOM MODEM"]


def test_echo_is_removed_even_when_ate0_is_ignored(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    modem.echo = True
    with AtChannel(stream_cls(modem)) as at:
        at.command("ATE0")
        assert at.command("AT+CSQ").lines == ["+CSQ: 18,99"]
        assert at.command("AT+CPIN?").lines == ["+CPIN: SIM PIN"]


def test_numeric_and_verbose_cme_errors(channel: AtChannel) -> None:
    with pytest.raises(CmeError) as wrong:
        channel.command('AT+CPIN="1234"')
    assert (wrong.value.code, wrong.value.text) == (16, "incorrect password")
    for cmd in ("AT+CIMI", "AT+CGSN"):
        with pytest.raises(CmeError) as verbose:
            channel.command(cmd)
        assert (verbose.value.code, verbose.value.text) == (11, "SIM PIN required")
        assert verbose.value.command == f"fake0: {cmd}"


def test_secret_never_in_error_text(channel: AtChannel) -> None:
    with pytest.raises(CmeError) as error:
        channel.command('AT+CPIN="1234"')
    assert "1234" not in str(error.value)
    assert "1234" not in error.value.command
    assert "fake0" in str(error.value)


def test_cms_error_and_plain_errors(channel: AtChannel) -> None:
    with pytest.raises(CmsError) as cms:
        channel.command("AT+CSCA?")
    assert (cms.value.code, cms.value.text) == (330, "SMSC address unknown")
    with pytest.raises(AtCommandError) as plain:
        channel.command("AT+UNKNOWN")
    assert plain.value.final == "ERROR"
    with pytest.raises(AtCommandError) as huawei:
        channel.command("AT+WIND?")
    assert huawei.value.final == "COMMAND NOT SUPPORT"


def test_timeout_names_command_deadline_and_bytes_then_channel_still_works(
    modem: Responder,
    stream_cls: type[FakeStream],
) -> None:
    modem.answers['AT+CPIN="9876"'] = b"\r\n+CPIN: partial"
    modem.echo = True
    with AtChannel(stream_cls(modem), name="fake1", idle_flush=5.0) as at:
        started = time.monotonic()
        with pytest.raises(AtTimeout) as timeout:
            at.command('AT+CPIN="9876"', timeout=0.3)
        assert 0.3 <= time.monotonic() - started < 1.5
        assert timeout.value.deadline_s == 0.3
        assert timeout.value.command == 'fake1: AT+CPIN="****"'
        assert b"+CPIN: partial" in timeout.value.received
        assert b"9876" not in timeout.value.received
        assert "9876" not in str(timeout.value)
        at.command("ATE0")
        assert at.command("AT+CSQ").lines == ["+CSQ: 18,99"]


def test_modem_that_never_answers(channel: AtChannel) -> None:
    with pytest.raises(AtTimeout) as timeout:
        channel.command("AT+SILENT", timeout=0.2)
    assert timeout.value.received == b""
    assert channel.command("AT").final == "OK"


def test_wavecom_cpin_without_ok_needs_the_grace_option(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    modem.answers["AT+CPIN?"] = b"\r\n+CPIN: READY\r\n"
    with AtChannel(stream_cls(modem)) as at:
        with pytest.raises(AtTimeout):
            at.command("AT+CPIN?", timeout=0.3)
        response = at.command("AT+CPIN?", info_grace=0.1)
        assert response.lines == ["+CPIN: READY"]
        assert response.completed_by_grace


def test_sms_pdu_after_prompt_with_ctrl_z(channel: AtChannel, modem: Responder) -> None:
    response = channel.command("AT+CMGS=24", pdu=PDU)
    assert response.lines == ["+CMGS: 7"]
    assert modem.pdus == [PDU]


def test_sms_error_before_prompt_sends_no_pdu(channel: AtChannel, modem: Responder) -> None:
    with pytest.raises(CmsError) as error:
        channel.command("AT+CMGW=24", pdu=PDU)
    assert error.value.code == 304
    assert modem.pdus == []


def test_sms_without_prompt_is_aborted_with_esc(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    modem.answers["AT+CMGS=24"] = b""
    stream = stream_cls(modem)
    with AtChannel(stream) as at:
        with pytest.raises(AtTimeout):
            at.command("AT+CMGS=24", pdu=PDU, timeout=0.2)
        assert stream.written.endswith(b"\x1b")
        assert PDU.encode() not in stream.written


def test_a_lost_prompt_ends_at_the_channel_default_not_the_long_send_deadline(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    """+CMGS gets 60 s for the network; the '> ' prompt that never came must not."""
    modem.answers["AT+CMGS=24"] = b""
    stream = stream_cls(modem)
    with AtChannel(stream, default_timeout=0.3) as at:
        started = time.monotonic()
        with pytest.raises(AtTimeout):
            at.command("AT+CMGS=24", pdu=PDU)
        assert time.monotonic() - started < 2.0
        assert stream.written.endswith(b"\x1b") and PDU.encode() not in stream.written


def test_echoed_pdu_is_not_a_response_line(modem: Responder, stream_cls: type[FakeStream]) -> None:
    modem.echo = True
    with AtChannel(stream_cls(modem)) as at:
        assert at.command("AT+CMGS=24", pdu=PDU).lines == ["+CMGS: 7"]


def test_one_byte_chunks(modem: Responder, stream_cls: type[FakeStream]) -> None:
    with AtChannel(stream_cls(modem, chunker=one_byte_chunks)) as at:
        assert at.command("AT+CSQ").lines == ["+CSQ: 18,99"]
        assert at.command("AT+CMGS=24", pdu=PDU).lines == ["+CMGS: 7"]
        with pytest.raises(CmeError):
            at.command("AT+CIMI")


def test_garbage_and_non_utf8_do_not_kill_the_reader(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    stream = stream_cls(modem)
    with AtChannel(stream, idle_flush=0.05) as at:
        stream.inject(b"\x00\xff\xfe\r\n\x80\x81garbage\r\n\xc3")
        time.sleep(0.15)  # let the idle flush take the unterminated byte
        assert at.command("AT+CSQ").lines == ["+CSQ: 18,99"]
        lines = [urc.line for urc in at.drain_urcs()]
        assert "\ufffd\ufffdgarbage" in lines


def test_unterminated_final_code_completes_after_idle_flush(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    modem.answers["AT+NOCRLF"] = b"\r\nOK"
    with AtChannel(stream_cls(modem), idle_flush=0.1) as at:
        started = time.monotonic()
        assert at.command("AT+NOCRLF", timeout=2.0).final == "OK"
        assert time.monotonic() - started < 1.0


def test_device_gone_reaches_waiting_and_later_commands(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    stream = stream_cls(modem)
    with AtChannel(stream) as at:
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
        stream.unplug()
        thread.join(2.0)
        assert time.monotonic() - started < 1.0
        assert len(outcome) == 1 and isinstance(outcome[0], DeviceGoneError)
        with pytest.raises(DeviceGoneError):
            at.command("AT")
        with pytest.raises(DeviceGoneError):
            at.wait_for("+CMTI:", timeout=5.0)


def test_after_the_reader_died_a_new_thread_still_hears_that_the_device_is_gone(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    """A new thread may get the dead reader thread's ident: that is no URC handler."""
    stream = stream_cls(modem)
    with AtChannel(stream) as at:
        stream.unplug()
        with pytest.raises(DeviceGoneError):
            at.command("AT")
        at._reader.thread.join(2.0)  # gone: its ident is free for the next new thread
        assert not at._reader.thread.is_alive()
        outcomes: list[BaseException] = []

        def later() -> None:
            try:
                at.command("AT")
            except BaseException as exc:
                outcomes.append(exc)

        for _ in range(5):  # new threads, likely on the reader's old ident
            thread = threading.Thread(target=later)
            thread.start()
            thread.join(2.0)
        assert len(outcomes) == 5
        assert all(isinstance(outcome, DeviceGoneError) for outcome in outcomes), outcomes


def test_close_is_prompt_and_final(modem: Responder, stream_cls: type[FakeStream]) -> None:
    stream = stream_cls(modem)
    at = AtChannel(stream, poll_interval=0.05)
    at.command("AT")
    started = time.monotonic()
    at.close()
    assert time.monotonic() - started < 0.5
    assert stream.closed
    with pytest.raises(TransportError):
        at.command("AT")
    at.close()  # idempotent


def test_commands_from_many_threads_are_serialised(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    for n in range(8):
        modem.answers[f"AT+TEST={n}"] = f"\r\n+TEST: {n}\r\n\r\nOK\r\n".encode()
    results: dict[int, list[str]] = {}

    def worker(n: int) -> None:
        for _ in range(10):
            results.setdefault(n, []).extend(at.command(f"AT+TEST={n}").lines)

    with AtChannel(stream_cls(modem, chunker=lambda d: [d[:3], d[3:]])) as at:
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10.0)
    assert results == {n: [f"+TEST: {n}"] * 10 for n in range(8)}


def test_bad_command_text_is_refused_before_sending(channel: AtChannel) -> None:
    with pytest.raises(CodecError):
        channel.command("AT\r+CSQ")
    with pytest.raises(CodecError):
        channel.command("AT+CMGS=24", pdu="00\x1a11")
    assert channel.command("AT").final == "OK"


def test_a_refused_line_shows_no_part_of_a_pin(channel: AtChannel) -> None:
    """Masking stops at a line end, so the error shows the line only up to it."""
    with pytest.raises(CodecError) as refused:
        channel.command('AT+CPIN="12\n34"')
    assert "12" not in str(refused.value) and "34" not in str(refused.value)
    assert 'AT+CPIN="****"' in str(refused.value)


def test_the_driver_refusal_shows_no_part_of_a_pin_either() -> None:
    """Modem.command refuses an ungated PIN line; its message is cut like the channel's."""
    modem = Modem(ReplayStream(ReplayScript.parse("")), vendor="generic")
    for line in ('AT+CPIN="12\n34"', "ATD**04*12\n34*5678*5678#;"):
        with pytest.raises(SafetyRefusal) as refused:
            modem.command(line)
        assert not any(digits in str(refused.value) for digits in ("12", "34", "5678"))


def test_command_from_a_urc_handler_is_refused(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    stream = stream_cls(modem)
    errors: list[BaseException] = []
    with AtChannel(stream) as at:

        def handler(_: object) -> None:
            try:
                at.command("AT")
            except HarnessError as exc:
                errors.append(exc)

        at.on_urc("RING", handler)
        stream.inject(b"\r\nRING\r\n")
        deadline = time.monotonic() + 2.0
        while not errors and time.monotonic() < deadline:
            time.sleep(0.01)
        assert errors and "URC handler" in str(errors[0])
        assert at.command("AT").final == "OK"


def test_transcript_records_tx_and_rx_with_the_pin_masked(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    modem.echo = True
    transcript = Transcript()
    with AtChannel(stream_cls(modem, chunker=one_byte_chunks), transcript=transcript) as at:
        with pytest.raises(CmeError):
            at.command('AT+CPIN="1234"')
        at.command("AT+CSQ")
    tx = b"".join(e.data for e in transcript.entries if e.direction is Direction.TX)
    rx = b"".join(e.data for e in transcript.entries if e.direction is Direction.RX)
    assert all(e.channel is Channel.AT for e in transcript.entries)
    assert tx == b'AT+CPIN="****"\rAT+CSQ\r'
    assert b"+CME ERROR: 16" in rx and b"+CSQ: 18,99" in rx
    assert b"1234" not in tx + rx
    assert b'AT+CPIN="****"' in rx


def _texts_reachable_from(root: object, *, stop_at: object) -> list[str | bytes | bytearray]:
    """Every str/bytes object reachable from `root`, not walking into `stop_at`,
    modules, classes or functions (shared code, not the channel's state)."""
    skip = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType)
    seen: set[int] = {id(stop_at)}
    found: list[str | bytes | bytearray] = []
    todo = [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, skip):
            continue
        seen.add(id(obj))
        if isinstance(obj, (str, bytes, bytearray)):
            found.append(obj)
            continue
        todo.extend(gc.get_referents(obj))
    return found


def test_the_channel_keeps_no_pin_once_the_command_is_done(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    """Command lines are remembered (harness.at.channel._Plan) only when nothing in
    them is masked and no four digits follow each other; the echo, the framer and
    the exchange are let go."""
    modem.echo = True
    modem.answers['AT+CPIN="8642"'] = OK
    modem.answers["AT+XPIN=8642"] = OK  # a vendor form masking does not know
    stream = stream_cls(modem, chunker=one_byte_chunks)
    with AtChannel(stream, name="fake0") as at:
        at.command("AT")
        at.command('AT+CPIN="8642"')
        at.command('AT+CPIN="8642"')
        at.command("AT+XPIN=8642")
        at.command("AT+XPIN=8642")
        at.command("AT+CSQ")
        texts = _texts_reachable_from(at, stop_at=stream)
    assert any("AT+CSQ" in str(text) for text in texts)  # the walk does reach the state
    assert not [text for text in texts if "8642" in str(text)]
