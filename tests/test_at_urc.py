"""URC routing: taken out wherever they arrive, handlers by pattern, queue and wait_for."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_at_support import OK, STREAM_KINDS, FakeStream, Responder, one_byte_chunks

from harness.at import AtChannel, Urc
from harness.at.framer import data_follows
from harness.at.urc import is_known_urc, line_prefix
from harness.errors import HarnessTimeout

PDU = "07917238010040F5040B917247587706F400003110821142148004C8329BFD06"
SUBMIT = "0001000B917228001011F100000CC8329BFD065DDF72363904"

CMGL_ANSWER = f"\r\n+CMGL: 0,0,,35\r\n{PDU}\r\n+CMGL: 1,1,,35\r\n{PDU}\r\n\r\nOK\r\n".encode()
CMGL_LINES = ["+CMGL: 0,0,,35", PDU, "+CMGL: 1,1,,35", PDU]

URCS: list[tuple[bytes, Urc]] = [
    (b'\r\n+CMTI: "SM",3\r\n', Urc('+CMTI: "SM",3')),
    (f"\r\n+CMT: ,35\r\n{PDU}\r\n".encode(), Urc("+CMT: ,35", PDU)),
    (b"\r\nRING\r\n", Urc("RING")),
    (b'\r\n+CREG: 1,"CE00","01CEAD8F"\r\n', Urc('+CREG: 1,"CE00","01CEAD8F"')),
    (b'\r\n+ZPASR: "UMTS"\r\n', Urc('+ZPASR: "UMTS"')),
]


def line_boundaries(answer: bytes) -> list[int]:
    """Offsets where a whole URC can be spliced in: 0 and after each CR LF pair, except
    between a +CMGL header and its PDU (27.005 §3.4.2: the PDU line follows at once)."""
    out = [0]
    for i in range(len(answer) - 1):
        if answer[i : i + 2] == b"\r\n":
            line = answer[:i].rsplit(b"\n", 1)[-1].decode()
            if not data_follows(line.strip()):
                out.append(i + 2)
    return out


def same(got: Urc, want: Urc) -> bool:
    return (got.line, got.data) == (want.line, want.data)


@pytest.fixture(params=sorted(STREAM_KINDS))
def stream_cls(request: pytest.FixtureRequest) -> type[FakeStream]:
    """Every test runs over a stream without fileno() (the background reader hands
    answers over) and one with it (the calling thread reads its own answer)."""
    return STREAM_KINDS[request.param]


@pytest.fixture
def modem() -> Responder:
    return Responder({"AT": OK, "AT+CMGL=4": CMGL_ANSWER})


def test_urc_at_every_position_of_a_multi_line_response(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    for urc_bytes, urc in URCS:
        for position in line_boundaries(CMGL_ANSWER):
            modem.answers["AT+CMGL=4"] = CMGL_ANSWER[:position] + urc_bytes + CMGL_ANSWER[position:]
            with AtChannel(stream_cls(modem)) as at:
                response = at.command("AT+CMGL=4")
                assert response.lines == CMGL_LINES, (urc, position)
                queued = at.drain_urcs()
                assert len(queued) == 1 and same(queued[0], urc), (urc, position)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(range(len(URCS))),
    st.sampled_from(line_boundaries(CMGL_ANSWER)),
    st.lists(st.integers(1, 7), min_size=1, max_size=40),
)
@pytest.mark.parametrize("kind", sorted(STREAM_KINDS))
def test_urc_spliced_and_randomly_chunked(
    kind: str, urc_index: int, position: int, sizes: list[int]
) -> None:
    urc_bytes, urc = URCS[urc_index]
    answer = CMGL_ANSWER[:position] + urc_bytes + CMGL_ANSWER[position:]

    def chunker(data: bytes) -> list[bytes]:
        chunks, pos, i = [], 0, 0
        while pos < len(data):
            size = sizes[i % len(sizes)]
            chunks.append(data[pos : pos + size])
            pos, i = pos + size, i + 1
        return chunks

    modem = Responder({"AT+CMGL=4": answer})
    with AtChannel(STREAM_KINDS[kind](modem, chunker=chunker)) as at:
        assert at.command("AT+CMGL=4").lines == CMGL_LINES
        (queued,) = at.drain_urcs()
        assert same(queued, urc)


def test_urcs_between_prompt_and_pdu_and_around_it(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    modem.answers["AT+CMGS=24"] = b'\r\n+ZDONR: "METEOR",272,3,"CS_ONLY","ROAM_OFF"\r\n\r\n> '
    modem.on_pdu = lambda pdu: b'\r\n+ZPASR: "UMTS"\r\n\r\n+CMGS: 5\r\n\r\n+CMTI: "SM",4\r\nOK\r\n'
    stream = stream_cls(modem, chunker=one_byte_chunks)
    with AtChannel(stream) as at:
        # a URC that lands after the prompt, before the PDU is written
        modem.answers["AT+CMGS=24"] += b'\r\n+CMTI: "SM",5\r\n'
        assert at.command("AT+CMGS=24", pdu=SUBMIT).lines == ["+CMGS: 5"]
        lines = [urc.line for urc in at.drain_urcs()]
    assert lines == [
        '+ZDONR: "METEOR",272,3,"CS_ONLY","ROAM_OFF"',
        '+CMTI: "SM",5',
        '+ZPASR: "UMTS"',
        '+CMTI: "SM",4',
    ]


def test_back_to_back_urcs_keep_their_order_and_pdu_lines(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    stream = stream_cls(modem)
    with AtChannel(stream) as at:
        stream.inject(b"".join(urc_bytes for urc_bytes, _ in URCS))
        got = [at.wait_for(re.compile(r".*"), timeout=2.0) for _ in URCS]
    assert all(same(g, w) for g, w in zip(got, [u for _, u in URCS], strict=True))


def test_handler_by_prefix_and_regex_installed_before_the_enabling_command(
    modem: Responder,
    stream_cls: type[FakeStream],
) -> None:
    stream = stream_cls(modem)
    seen: list[Urc] = []
    ready = threading.Event()
    with AtChannel(stream) as at:
        at.on_urc("+CMT:", seen.append)
        token = at.on_urc(re.compile(r"\+C(G|E)?REG: "), lambda urc: ready.set())
        modem.answers["AT+CNMI=2,2,0,0,0"] = OK + f"\r\n+CMT: ,35\r\n{PDU}\r\n".encode()
        at.command("AT+CNMI=2,2,0,0,0")
        stream.inject(b"\r\n+CEREG: 1\r\n")
        assert ready.wait(2.0)
        at.remove_urc_handler(token)
        stream.inject(b"\r\n+CEREG: 5\r\n")
        assert at.wait_for("+CEREG:", timeout=2.0).line == "+CEREG: 5"
    assert [(u.line, u.data) for u in seen] == [("+CMT: ,35", PDU)]
    assert at.pending_urcs() == []


def test_handler_failure_does_not_stop_the_reader(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    stream = stream_cls(modem)

    def broken(urc: Urc) -> None:
        raise RuntimeError("handler bug")

    with AtChannel(stream) as at:
        at.on_urc("RING", broken)
        stream.inject(b"\r\nRING\r\n")
        assert at.command("AT").final == "OK"


def test_wait_for_finds_earlier_urcs_and_times_out_cleanly(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    stream = stream_cls(modem)
    with AtChannel(stream) as at:
        stream.inject(b'\r\n+CMTI: "SM",1\r\n\r\n+QIND: SMS DONE\r\n')
        time.sleep(0.05)
        assert at.wait_for("+QIND:", timeout=1.0).line == "+QIND: SMS DONE"
        assert at.wait_for("+CMTI:", timeout=1.0).line == '+CMTI: "SM",1'
        started = time.monotonic()
        with pytest.raises(HarnessTimeout) as timeout:
            at.wait_for("+CMTI:", timeout=0.2)
        assert 0.2 <= time.monotonic() - started < 1.0
        assert "+CMTI:" in str(timeout.value)


def test_wait_for_wakes_when_the_urc_arrives(
    modem: Responder, stream_cls: type[FakeStream]
) -> None:
    stream = stream_cls(modem)
    with AtChannel(stream) as at:
        threading.Timer(0.1, stream.inject, args=(b"\r\nRDY\r\n",)).start()
        assert at.wait_for("RDY", timeout=2.0).line == "RDY"


@pytest.fixture
def routed(stream_cls: type[FakeStream]) -> Iterator[tuple[AtChannel, FakeStream]]:
    modem = Responder(
        {
            "AT+CPIN?": b"\r\n+CPIN: READY\r\n\r\nOK\r\n",
            'AT+CPIN="1234"': b"\r\n+CPIN: READY\r\n\r\nOK\r\n",
            "AT+CREG?": b"\r\n+CREG: 0,1\r\n\r\nOK\r\n",
            "AT+CSQ": b"\r\n+CREG: 1\r\n+FOO: 1\r\n+CSQ: 9,99\r\n\r\nOK\r\n",
            "ATI": b"\r\nQuectel\r\nEC25\r\n+FOO: 2\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n",
            'AT+CLCK="SC",2': b"\r\n+CLCK: 1\r\n\r\nOK\r\n",
        }
    )
    stream = stream_cls(modem)
    with AtChannel(stream) as at:
        yield at, stream


def test_the_routing_rule(routed: tuple[AtChannel, FakeStream]) -> None:
    at, _ = routed
    assert at.command("AT+CPIN?").lines == ["+CPIN: READY"]
    assert at.drain_urcs() == []
    assert at.command('AT+CPIN="1234"').lines == []
    assert [u.line for u in at.drain_urcs()] == ["+CPIN: READY"]
    assert at.command("AT+CREG?").lines == ["+CREG: 0,1"]
    assert at.command("AT+CSQ").lines == ["+CSQ: 9,99"]
    assert [u.line for u in at.drain_urcs()] == ["+CREG: 1", "+FOO: 1"]
    assert at.command("ATI").lines == ["Quectel", "EC25", "+FOO: 2", "Revision: EC25EFAR06A06M4G"]
    assert at.command('AT+CLCK="SC",2', prefixes=("+CLCK:",)).lines == ["+CLCK: 1"]


def test_stray_final_code_with_no_command_is_kept(routed: tuple[AtChannel, FakeStream]) -> None:
    at, stream = routed
    stream.inject(b"\r\nOK\r\n")
    assert at.wait_for("OK", timeout=1.0).line == "OK"


def test_known_urc_tables() -> None:
    assert is_known_urc("RING") and not is_known_urc("RINGING")
    assert is_known_urc('+CMTI: "SM",1') and is_known_urc("^SIMST: 255")
    assert is_known_urc("#QSS: 2") and is_known_urc("SMS Ready")
    assert not is_known_urc("+CSQ: 9,99")
    assert line_prefix("+CSQ:4,0") == "+CSQ:"
    assert line_prefix("%PINNUM: 3,10,3,10") == "%PINNUM:"
    assert line_prefix("Revision: X") is None


def test_input_is_never_flushed_and_a_urc_merged_after_the_final_is_kept(
    stream_cls: type[FakeStream],
) -> None:
    modem = Responder({"AT": b'\r\nOK\r\n\r\n+CMTI: "SM",9\r\n'})
    stream = stream_cls(modem)
    with AtChannel(stream) as at:
        stream.inject(b"\r\nRING\r\n")
        time.sleep(0.05)
        assert at.command("AT").lines == []
        time.sleep(0.05)
        assert [u.line for u in at.drain_urcs()] == ["RING", '+CMTI: "SM",9']
