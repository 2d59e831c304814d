"""The record of every exchange with a device (AT and APDU), secrets masked at the source.

`Transcript.record` masks before it stores, so no entry, rendering or listener
ever holds a raw PIN/PUK/ADM. AT traffic is masked in both directions (a modem
with echo on sends the command, PIN included, back); APDU responses carry no
secret and are kept as they are. An AT reader thread and a test thread record
concurrently, so every mutation happens under one lock.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Literal

from harness.secrets import AtStreamMasker, mask_apdu, mask_text

log = logging.getLogger(__name__)


class Direction(Enum):
    TX = "tx"  # harness -> device
    RX = "rx"  # device -> harness


class Channel(Enum):
    AT = "at"
    APDU = "apdu"


_ARROWS = {Direction.TX: "->", Direction.RX: "<-"}
_ESCAPES = {0x5C: "\\\\", 0x0D: "\\r", 0x0A: "\\n", 0x09: "\\t"}


@dataclass(frozen=True)
class TranscriptEntry:
    """One recorded chunk; `data` is already masked."""

    timestamp: float  # time.time()
    direction: Direction
    channel: Channel
    data: bytes
    note: str = ""

    @property
    def iso_time(self) -> str:
        stamp = datetime.fromtimestamp(self.timestamp, tz=UTC)
        return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def payload_text(self) -> str:
        """AT as printable escaped text, APDU as spaced upper-case hex."""
        if self.channel is Channel.APDU:
            return self.data.hex(" ").upper()
        return "".join(
            _ESCAPES.get(b, chr(b) if 0x20 <= b < 0x7F else f"\\x{b:02x}") for b in self.data
        )

    def render_text(self) -> str:
        line = f"{self.iso_time} {_ARROWS[self.direction]} {self.channel.value:<4} "
        line += self.payload_text()
        return f"{line}  # {self.note}" if self.note else line

    def render_json(self) -> str:
        data = self.data.hex() if self.channel is Channel.APDU else self.data.decode("latin-1")
        record = {
            "time": self.iso_time,
            "ts": self.timestamp,
            "dir": self.direction.value,
            "channel": self.channel.value,
            "data": data,
            "note": self.note,
        }
        return json.dumps(record, ensure_ascii=True)


Listener = Callable[[TranscriptEntry], None]
ApduTrace = Callable[[Direction, bytes], None]
"""What an APDU link calls for each command (TX) and response (RX)."""


class ApduTracer:
    """Callable handed to APDU links: ``tracer(Direction.TX, raw_apdu)``."""

    def __init__(self, transcript: Transcript, note: str = "") -> None:
        self._transcript = transcript
        self._note = note

    def __call__(self, direction: Direction, raw: bytes) -> None:
        self._transcript.record(Channel.APDU, direction, raw, self._note)


class Transcript:
    """Thread-safe, append-only list of masked exchanges, with live listeners."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: list[TranscriptEntry] = []
        self._listeners: list[Listener] = []
        # One masker per (source, direction): chunks of two ports interleave, and a
        # secret split across reads must be matched within its own stream.
        self._at_maskers: dict[tuple[str, Direction], AtStreamMasker] = {}

    def record(
        self, channel: Channel, direction: Direction, data: bytes, note: str = ""
    ) -> TranscriptEntry:
        """Mask `data`, append it, tell the listeners (in order) and return the entry."""
        with self._lock:
            if channel is Channel.AT:
                masker = self._at_maskers.setdefault((note, direction), AtStreamMasker())
                masked = masker.feed(bytes(data))
            elif direction is Direction.TX:
                masked = mask_apdu(bytes(data))
            else:
                masked = bytes(data)
            entry = TranscriptEntry(self._clock(), direction, channel, masked, mask_text(note))
            self._entries.append(entry)
            for listener in self._listeners:
                try:
                    listener(entry)
                except Exception:  # a full disk must not break the exchange being recorded
                    log.exception("transcript listener %r failed; entry kept in memory", listener)
            return entry

    @property
    def entries(self) -> tuple[TranscriptEntry, ...]:
        with self._lock:
            return tuple(self._entries)

    def add_listener(self, listener: Listener) -> None:
        """Call `listener` with each new entry (e.g. to stream a per-test log file)."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            self._listeners.remove(listener)

    def apdu_tracer(self, note: str = "") -> ApduTracer:
        return ApduTracer(self, note)

    def render_text(self) -> str:
        return "".join(entry.render_text() + "\n" for entry in self.entries)

    def render_jsonl(self) -> str:
        return "".join(entry.render_json() + "\n" for entry in self.entries)

    def write(self, path: str | Path, fmt: Literal["text", "jsonl"] = "text") -> Path:
        """Write the whole transcript to `path` (parents created); returns the path."""
        if fmt not in ("text", "jsonl"):
            raise ValueError(f"transcript format {fmt!r}: use 'text' or 'jsonl'")
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        body = self.render_text() if fmt == "text" else self.render_jsonl()
        target.write_text(body, encoding="utf-8")
        return target
