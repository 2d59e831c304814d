"""LineFramer over byte streams rebuilt from docs/sources.md, split any way."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from harness.at.framer import Line, LineFramer, Prompt, data_follows

PDU_1 = "07917238010040F5040B917247587706F400003110821142148004C8329BFD06"
PDU_SR = "07917248014000F506B70AA18092020000317071518590803170715185418000"

# (name, echo expected by the framer, stream, events as (text, data) / "PROMPT")
RECORDED: list[tuple[str, str | None, bytes, list[object]]] = [
    (
        "wavecom CGMI with echo and a leading space",
        "AT+CGMI",
        b"AT+CGMI\r\r\n WAVECOM MODEM\r\n\r\nOK\r\n",
        [("WAVECOM MODEM", None), ("OK", None)],
    ),
    (
        "wavecom CPIN? without OK",
        "AT+CPIN?",
        b"AT+CPIN?\r\r\n+CPIN: READY\r\n",
        [("+CPIN: READY", None)],
    ),
    (
        "huawei E1752 CLAC, one per line with an extra CR",
        None,
        b"\r\n&C\r\r\n&D\r\r\n^WPDCP\r\r\n\r\nOK\r\n",
        [("&C", None), ("&D", None), ("^WPDCP", None), ("OK", None)],
    ),
    (
        "huawei COMMAND NOT SUPPORT",
        None,
        b"\r\nCOMMAND NOT SUPPORT\r\n",
        [("COMMAND NOT SUPPORT", None)],
    ),
    (
        "+CMGL PDU list (Cell C)",
        None,
        f"\r\n+CMGL: 0,0,,35\r\n{PDU_1}\r\n+CMGL: 1,1,,35\r\n{PDU_1}\r\n\r\nOK\r\n".encode(),
        [("+CMGL: 0,0,,35", PDU_1), ("+CMGL: 1,1,,35", PDU_1), ("OK", None)],
    ),
    (
        "ZTE +CMGR of a status report with empty <stat>",
        None,
        f"\r\n+CMGR: ,,27\r\n{PDU_SR}\r\n\r\nOK\r\n".encode(),
        [("+CMGR: ,,27", PDU_SR), ("OK", None)],
    ),
    (
        "text-mode status report: no data line",
        None,
        b'\r\n+CMGR: ,6,20,"0870000000",129,"13/04/29,19:58:00+04","13/04/29,19:59:00+04",0'
        b"\r\n\r\nOK\r\n",
        [
            ('+CMGR: ,6,20,"0870000000",129,"13/04/29,19:58:00+04","13/04/29,19:59:00+04",0', None),
            ("OK", None),
        ],
    ),
    (
        "text-mode +CMGR with a body that reads OK",
        None,
        b'\r\n+CMGR: "REC UNREAD","+27748577604",,"13/03/08,15:02:16+08"\r\nOK\r\n\r\nOK\r\n',
        [('+CMGR: "REC UNREAD","+27748577604",,"13/03/08,15:02:16+08"', "OK"), ("OK", None)],
    ),
    (
        "ZTE URCs around the > prompt, then +CMGS",
        None,
        b'\r\n+ZDONR: "METEOR",272,3,"CS_ONLY","ROAM_OFF"\r\n\r\n> '
        b'\r\n+ZPASR: "UMTS"\r\n\r\n+CMGS: 5\r\n\r\nOK\r\n',
        [
            ('+ZDONR: "METEOR",272,3,"CS_ONLY","ROAM_OFF"', None),
            "PROMPT",
            ('+ZPASR: "UMTS"', None),
            ("+CMGS: 5", None),
            ("OK", None),
        ],
    ),
    (
        "+CMT with its PDU, then +CMTI, back to back",
        None,
        f'\r\n+CMT: ,35\r\n{PDU_1}\r\n\r\n+CMTI: "SM",26\r\n'.encode(),
        [("+CMT: ,35", PDU_1), ('+CMTI: "SM",26', None)],
    ),
    (
        "PDU-mode +CDS carries its PDU; text-mode +CDS does not",
        None,
        b"\r\n+CDS: 25\r\n060C91534810325476171160316255001711603152120000\r\n"
        b'\r\n+CDS: 6,20,"0870000000",129,"13/04/29,19:58:00+04","13/04/29,19:59:00+04",0\r\n',
        [
            ("+CDS: 25", "060C91534810325476171160316255001711603152120000"),
            ('+CDS: 6,20,"0870000000",129,"13/04/29,19:58:00+04","13/04/29,19:59:00+04",0', None),
        ],
    ),
    (
        "verbose CME error and a bare LF terminator",
        None,
        b"\n+CME ERROR: SIM PIN required\n",
        [("+CME ERROR: SIM PIN required", None)],
    ),
    (
        "non-UTF-8 garbage line",
        None,
        b"\r\n\xff\xfe\x80junk\r\nOK\r\n",
        [("\ufffd\ufffd\ufffdjunk", None), ("OK", None)],
    ),
    (
        "+CMGL test form carries no data",
        None,
        b'\r\n+CMGL: ("REC UNREAD","REC READ","STO UNSENT","STO SENT","ALL")\r\n\r\nOK\r\n',
        [('+CMGL: ("REC UNREAD","REC READ","STO UNSENT","STO SENT","ALL")', None), ("OK", None)],
    ),
]


def simplify(events: list[object]) -> list[object]:
    out: list[object] = []
    for event in events:
        if isinstance(event, Prompt):
            out.append("PROMPT")
        else:
            assert isinstance(event, Line)
            out.append((event.text, event.data))
    return out


def frame(stream: bytes, chunks: list[bytes], echo: str | None) -> list[object]:
    framer = LineFramer()
    framer.expect_echo(echo)
    events: list[object] = []
    for chunk in chunks:
        events += framer.feed(chunk)
    assert b"".join(chunks) == stream
    return simplify(events)


def test_recorded_streams_whole() -> None:
    for name, echo, stream, expected in RECORDED:
        assert frame(stream, [stream], echo) == expected, name


def test_recorded_streams_one_byte_at_a_time() -> None:
    for name, echo, stream, expected in RECORDED:
        chunks = [stream[i : i + 1] for i in range(len(stream))]
        assert frame(stream, chunks, echo) == expected, name


@st.composite
def split_stream(draw: st.DrawFn) -> tuple[int, list[bytes]]:
    index = draw(st.integers(0, len(RECORDED) - 1))
    stream = RECORDED[index][2]
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(stream) - 1)), max_size=12)))
    bounds = [0, *cuts, len(stream)]
    return index, [stream[a:b] for a, b in itertools.pairwise(bounds) if b > a]


@settings(max_examples=300, deadline=None)
@given(split_stream())
def test_recorded_streams_randomly_split(case: tuple[int, list[bytes]]) -> None:
    index, chunks = case
    _, echo, stream, expected = RECORDED[index]
    assert frame(stream, chunks, echo) == expected


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, len(RECORDED) - 1), min_size=1, max_size=5), st.data())
def test_recorded_streams_merged(indexes: list[int], data: st.DataObject) -> None:
    """Several recordings back to back in one buffer, cut anywhere, frame as their sum."""
    chosen = [i for i in indexes if RECORDED[i][1] is None]  # echo is per command
    stream = b"".join(RECORDED[i][2] for i in chosen)
    expected = [event for i in chosen for event in RECORDED[i][3]]
    cut = data.draw(st.integers(0, len(stream)))
    assert frame(stream, [stream[:cut], stream[cut:]], None) == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300), st.lists(st.integers(1, 50), max_size=20))
def test_garbage_never_raises_and_invents_nothing(data: bytes, sizes: list[int]) -> None:
    framer = LineFramer(max_line=64)
    chunks, pos = [], 0
    for size in sizes:
        chunks.append(data[pos : pos + size])
        pos += size
    chunks.append(data[pos:])
    events = []
    for chunk in chunks:
        events += framer.feed(chunk)
    events += framer.flush()
    assert not framer.pending
    raw = b"".join((e.raw + (e.data_raw or b"")) if isinstance(e, Line) else b"> " for e in events)
    # Nothing is invented: every byte emitted was received, in order.
    it = iter(data)
    assert all(byte in it for byte in raw)


def test_unterminated_line_is_held_until_flush() -> None:
    framer = LineFramer()
    assert framer.feed(b"\r\nOK") == []
    assert framer.pending
    (line,) = framer.flush()
    assert isinstance(line, Line)
    assert (line.text, line.terminated) == ("OK", False)
    assert not framer.pending


def test_header_without_data_is_released_by_flush() -> None:
    framer = LineFramer()
    assert framer.feed(b"\r\n+CMT: ,35\r\n") == []
    (line,) = framer.flush()
    assert isinstance(line, Line)
    assert (line.text, line.data) == ("+CMT: ,35", None)


def test_bare_prompt_at_line_start_and_prompt_merged_with_echoed_pdu() -> None:
    framer = LineFramer()
    assert simplify(framer.feed(b"> ")) == ["PROMPT"]
    framer.expect_echo("0011AA")
    assert simplify(framer.feed(b"\r\n> 0011AA\x1a\r\n+CMGS: 3\r\n")) == [
        "PROMPT",
        ("+CMGS: 3", None),
    ]


def test_echo_is_dropped_once_only() -> None:
    framer = LineFramer()
    framer.expect_echo("ATI")
    events = framer.feed(b"ATI\r\r\nATI\r\nOK\r\n")
    assert simplify(events) == [("ATI", None), ("OK", None)]


def test_overlong_line_is_cut_not_buffered_forever() -> None:
    framer = LineFramer(max_line=16)
    events = framer.feed(b"X" * 40)
    assert [(e.text, e.terminated) for e in events if isinstance(e, Line)] == [("X" * 40, False)]


def test_data_follows_rules() -> None:
    assert data_follows("+CMT: ,35")
    assert data_follows('+CMT: "+4477",,"13/01/28,14:51:42+08"')
    assert data_follows("+CBM: 88")
    assert data_follows("+CDS: 25")
    assert not data_follows('+CDS: 6,20,"08",129,"13/04/29,19:58:00+04","13/04/29,19:59:00+04",0')
    assert data_follows("+CMGL: 17,3,35")
    assert not data_follows("+CMGL: (0-4)")
    assert not data_follows('+CMTI: "SM",3')
    assert not data_follows("+CMGS: 5")
