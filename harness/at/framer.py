"""Bytes from a modem -> lines and prompts, incrementally.

Lines are `\\r\\n<text>\\r\\n` (TS 27.007 §4.1), but real modems also end lines with a
bare CR (the echo `AT+CPIN?\\r`), a bare LF, or `\\r\\r\\n` (Huawei +CLAC); any run of
CR/LF ends a line and empty lines are dropped. Bytes arrive in chunks of any
size, so nothing is decided until a terminator arrives, except the SMS prompt
`> ` (27.005 §3.5.1: 0x0D 0x0A 0x3E 0x20), which is never terminated and is
recognised as soon as its two bytes sit at the start of a line.

After a +CMT, +CBM, +CDS, +CMGR or +CMGL header the next line is the message
data (27.005 §3.4.1, §3.4.3): it is attached to its header and never read as a
URC or a final code. Exceptions, where 27.005 puts no data line: a text-mode
+CDS (`+CDS: <fo>,<mr>,...`, one line), a text-mode status report read by
+CMGR/+CMGL (two quoted time stamps, <scts> and <dt>), and test-form answers
(`+CMGL: (...)`).

Text is decoded as UTF-8 with replacement characters; the raw bytes stay on
each line. Leading and trailing whitespace is stripped from the text (Wavecom
answers ` WAVECOM MODEM`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

PROMPT = b"> "
CTRL_Z = b"\x1a"

_DATA_HEADERS = ("+CMT:", "+CBM:", "+CDS:", "+CMGR:", "+CMGL:")
_TIMESTAMP = re.compile(r'"\d\d/\d\d/\d\d,\d\d:\d\d:\d\d[+-]\d\d"')


class Line(NamedTuple):
    """One complete line; `data` is the line that followed a PDU-follows header.

    A NamedTuple, not a frozen dataclass: one is built per line read, and a frozen
    dataclass costs about 1 µs more to build (benchmarks/at.py)."""

    text: str
    raw: bytes
    data: str | None = None
    data_raw: bytes | None = None
    terminated: bool = True


@dataclass(frozen=True)
class Prompt:
    """The `> ` prompt of +CMGS/+CMGW: the modem waits for the PDU and Ctrl-Z."""


FramerEvent = Line | Prompt
_PROMPT = Prompt()
# From a line start: CR/LF runs, then a prompt (group 1) or a terminated line's content
# (group 2, its terminators consumed). No match: an unterminated line (or nothing) is left.
# Possessive (++): a long line fed in small chunks is rescanned on every feed, and must
# not be backtracked over as well.
_NEXT = re.compile(rb"[\r\n]*(?:(" + re.escape(PROMPT) + rb")|([^\r\n]++)[\r\n]+)")
_NEXT_LINE = re.compile(rb"[\r\n]*()([^\r\n]++)[\r\n]+")  # after a data-line header
_TERMINATOR_RUN = re.compile(rb"[\r\n]*")
_TERMINATOR = re.compile(rb"[\r\n]")


def data_follows(text: str) -> bool:
    """True when a header line announces a data line (see the module docstring)."""
    if not text.startswith(_DATA_HEADERS):
        return False
    payload = text.split(":", 1)[1].strip()
    if payload.startswith("("):
        return False
    if text.startswith("+CDS:"):
        return payload.isascii() and payload.isdigit()
    if text.startswith(("+CMGR:", "+CMGL:")):
        return len(_TIMESTAMP.findall(payload)) < 2
    return True


class LineFramer:
    """Incremental framer: `feed(bytes) -> events`; `flush()` for an idle deadline.

    Not thread-safe: one reader feeds it (the channel serialises access).
    """

    def __init__(self, max_line: int = 65536) -> None:
        self._buffer = bytearray()
        self._max_line = max_line
        self._header: Line | None = None
        self._echo: str | None = None

    @property
    def pending(self) -> bool:
        """True when bytes of an unterminated line, or a header without its data, wait."""
        return bool(self._buffer) or self._header is not None

    def expect_echo(self, text: str | None) -> None:
        """Drop the next line equal to `text` (the command just sent; a trailing Ctrl-Z
        of an echoed PDU is ignored). None clears the expectation."""
        self._echo = None if text is None else text.strip()

    def feed(self, data: bytes) -> list[FramerEvent]:
        buffer = self._buffer
        events: list[FramerEvent] = []
        if buffer and buffer != b">" and _TERMINATOR.search(data) is None:
            # The held line goes on and nothing ends (a prompt only starts a line): no
            # rescan, or a long line fed byte by byte costs its length squared.
            buffer += data
            return self._cut_overlong(events)
        buffer += data
        pos, size = 0, len(buffer)
        while pos < size and (found := _NEXT.match(buffer, pos)) is not None:
            if found.lastindex == 1 and self._header is not None:
                found = _NEXT_LINE.match(buffer, pos)  # a data line may begin with "> "
                if found is None:
                    break
            pos = found.end()
            if found.lastindex == 1:
                events.append(_PROMPT)
            else:  # group() copies out of the buffer now, before `del buffer[:pos]`
                self._take_line(found.group(2), events, True)
        if pos < size:
            pos = _TERMINATOR_RUN.match(buffer, pos).end()  # type: ignore[union-attr]
        del buffer[:pos]
        return self._cut_overlong(events)

    def _cut_overlong(self, events: list[FramerEvent]) -> list[FramerEvent]:
        if len(self._buffer) >= self._max_line:
            self._take_line(bytes(self._buffer), events, False)
            self._buffer.clear()
        return events

    def flush(self) -> list[FramerEvent]:
        """Emit what is held: an unterminated line, or a header whose data never came."""
        events: list[FramerEvent] = []
        if self._buffer:
            raw = bytes(self._buffer)
            self._buffer.clear()
            self._take_line(raw, events, False)
        if self._header is not None:
            events.append(self._header)
            self._header = None
        return events

    def _take_line(self, raw: bytes, events: list[FramerEvent], terminated: bool) -> None:
        """`raw` holds no CR/LF: feed() cuts lines at them and keeps none in the buffer."""
        text = raw.decode("utf-8", "replace").strip()
        if not text:
            return
        header = self._header
        if header is not None:
            self._header = None
            events.append(Line(header.text, header.raw, text, raw, terminated))
            return
        if self._echo is not None and text.rstrip("\x1a").strip() == self._echo:
            self._echo = None
            return
        line = Line(text, raw, None, None, terminated)
        if terminated and data_follows(text):
            self._header = line
            return
        events.append(line)
