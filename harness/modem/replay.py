"""Replaying a recorded modem conversation: a ByteStream that answers each write with
the bytes the real modem sent back (fixtures/transcripts/).

A script is text, one chunk per line, in either of two spellings:

    # title: Quectel EG25 answers +QPINC? (docs/sources.md §2.1)     <- "# key: value" = metadata
    -> AT+QPINC?                                             <- a command line (CR added)
    <- +QPINC: "SC",3,10                                     <- a reply line (CRLF around)
    <- OK

or the harness's own transcript rendering (`Transcript.render_text()`), whose
lines carry a time stamp and a channel and hold raw bytes with escapes
(`\\r`, `\\n`, `\\xNN`), so a recording from real hardware replays as it is.
A `->` line ending in Ctrl-Z (`\\x1a`) is a PDU and gets no CR; `<- >` is the
SMS prompt. Replies before the first command come out when the stream opens.

Secrets are masked in scripts (`"****"`); a write matches its expected line
after masking both, so any PIN replays. A write that does not match raises
`ReplayMismatch` and is kept in `mismatches` for the test to report.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from harness.errors import HarnessError
from harness.secrets import mask_at_command

_TRANSCRIPT_LINE = re.compile(r"^\S+T\S+ (->|<-) (at  |apdu) (.*?)(?:  # .*)?$")
_SHORT_LINE = re.compile(r"^(->|<-)(?: (.*))?$")
_META = re.compile(r"^#\s*([A-Za-z_][\w-]*)\s*:\s*(.*)$")
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|[rnt\\])")
_ESCAPES = {"r": "\r", "n": "\n", "t": "\t", "\\": "\\"}


class ReplayMismatch(HarnessError):
    """The driver sent something the recording does not have at this point."""


def unescape(text: str) -> bytes:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        return chr(int(code[1:], 16)) if code[0] == "x" else _ESCAPES[code]

    return _ESCAPE.sub(one, text).encode("latin-1")


@dataclass
class ReplayScript:
    """Metadata, the replies sent before any command, and (command, reply) pairs."""

    meta: dict[str, str] = field(default_factory=dict)
    opening: bytes = b""
    exchanges: list[tuple[bytes, bytes]] = field(default_factory=list)

    @classmethod
    def parse(cls, text: str) -> ReplayScript:
        script = cls()
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.rstrip("\r\n")
            if not stripped.strip():
                continue
            if stripped.startswith("#"):
                meta = _META.match(stripped)
                if meta:
                    key = meta.group(1).lower()
                    value = meta.group(2).strip()
                    script.meta[key] = (
                        f"{script.meta[key]} {value}" if key in script.meta else value
                    )
                continue
            script._add(stripped, number)
        return script

    @classmethod
    def load(cls, path: str | Path) -> ReplayScript:
        return cls.parse(Path(path).read_text(encoding="utf-8"))

    def _add(self, line: str, number: int) -> None:
        recorded = _TRANSCRIPT_LINE.match(line)
        if recorded:
            if recorded.group(2) == "apdu":
                return  # the APDU view of a +CSIM exchange; its AT lines are what replays
            arrow, data = recorded.group(1), unescape(recorded.group(3))
        else:
            short = _SHORT_LINE.match(line)
            if short is None:
                raise HarnessError(
                    f"replay script line {number}: expected '-> ' or '<- ': {line!r}"
                )
            arrow, data = short.group(1), _framed(short.group(1), short.group(2) or "")
        if arrow == "->":
            self.exchanges.append((data, b""))
        elif self.exchanges:
            command, reply = self.exchanges[-1]
            self.exchanges[-1] = (command, reply + data)
        else:
            self.opening += data


def _framed(arrow: str, text: str) -> bytes:
    data = unescape(text)
    if arrow == "->":
        return data if data.endswith((b"\x1a", b"\x1b")) else data + b"\r"
    if data.strip() == b">":
        return b"\r\n> "
    return b"\r\n" + data + b"\r\n"


class ReplayStream:
    """A ByteStream playing one ReplayScript; `finished` once every exchange was used."""

    def __init__(self, script: ReplayScript) -> None:
        self.script = script
        self.mismatches: list[str] = []
        self._next = 0
        self._cond = threading.Condition()
        self._to_host = bytearray(script.opening)
        self._closed = False

    @property
    def finished(self) -> bool:
        with self._cond:
            return self._next == len(self.script.exchanges)

    @property
    def remaining(self) -> list[bytes]:
        """Commands the recording still expects."""
        with self._cond:
            return [command for command, _ in self.script.exchanges[self._next :]]

    def write(self, data: bytes) -> None:
        with self._cond:
            if self._next >= len(self.script.exchanges):
                problem = f"unexpected {_show(data)}: the recording has no more exchanges"
                self.mismatches.append(problem)
                raise ReplayMismatch(problem)
            expected, reply = self.script.exchanges[self._next]
            if mask_at_command(data) != mask_at_command(expected):
                problem = f"sent {_show(data)}, the recording expects {_show(expected)}"
                self.mismatches.append(problem)
                raise ReplayMismatch(problem)
            self._next += 1
            self._to_host += reply
            self._cond.notify_all()

    def read(self, timeout: float, max_bytes: int = 4096) -> bytes:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._to_host:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    return b""
                self._cond.wait(remaining)
            data = bytes(self._to_host[:max_bytes])
            del self._to_host[:max_bytes]
            return data

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()


def _show(data: bytes) -> str:
    return repr(mask_at_command(data).decode("latin-1"))
