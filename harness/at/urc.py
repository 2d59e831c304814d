"""Unsolicited result codes: which lines are URCs, their handlers and their queue.

The rule the channel applies to every complete line (documented here because
drivers rely on it):

1. a final result code (OK, ERROR, +CME ERROR...) completes the running command;
   with no command running it is a stray and goes to the URC queue;
2. with no command running, every line is a URC;
3. while a command runs, a line starting with one of its expected prefixes is a
   response line (this is how `+CPIN: READY` answers AT+CPIN? but is a URC
   while AT+CPIN="...", and how `+CREG: 0,1` answers AT+CREG?);
4. otherwise a line matching a registered handler pattern, a known URC prefix
   (KNOWN_URC_PREFIXES) or a known bare URC line (KNOWN_URC_LINES) is a URC;
5. otherwise, if the command declared prefixes and the line has a prefix of its
   own (`+XXX:`, `^XXX:`, `#XXX:`...), it is a URC from a family we do not know;
6. otherwise (bare text such as an IMSI, a +CGMI answer) it is a response line.

URCs that no handler takes go to a queue, oldest first, never dropped;
`wait_for` consumes from it, so a URC that arrived before the call is found.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.errors import HarnessTimeout, TransportError

log = logging.getLogger(__name__)

UrcPattern = str | re.Pattern[str]
UrcHandler = Callable[["Urc"], None]

# Prefix-style URCs: 27.005 §3.4.1 (+CMTI +CMT +CBM +CDS +CDSI), 27.007 (+CREG family,
# RING/+CRING, +CLIP, +CCWA, +CUSD, +CIEV, +CPIN), vendor SIM/boot indications of
# docs/sources.md §2.3, and the call/status URCs recorded in docs/sources.md §R.
KNOWN_URC_PREFIXES: tuple[str, ...] = (
    "+CMTI:",
    "+CMT:",
    "+CDSI:",
    "+CDS:",
    "+CBM:",
    "+CBMI:",
    "+CREG:",
    "+CGREG:",
    "+CEREG:",
    "+C5GREG:",
    "+CRING:",
    "+CLIP:",
    "+CCWA:",
    "+CUSD:",
    "+CIEV:",
    "+CPIN:",
    "+CFUN:",
    "+QIND:",
    "+QUSIM:",
    "+QSIMSTAT:",
    "+UUSIMSTAT:",
    "^SIMST:",
    "^SCKS:",
    "#QSS:",
    "+SIM:",
    "+XSIM:",
    "*EPEV",
    "^ORIG:",
    "^CONF:",
    "^CONN:",
    "^CEND:",
    "^RSSI:",
    "^MODE:",
    "^BOOT:",
    "+WIND:",
    "+ZDONR:",
    "+ZPASR:",
    "HANGUP:",
)

# Whole-line URCs (boot and ring indications).
KNOWN_URC_LINES: frozenset[str] = frozenset(
    {
        "RING",
        "RDY",
        "^SYSSTART",
        "SMS Ready",
        "SMS DONE",
        "Call Ready",
        "PB DONE",
        "+PBREADY",
        "NORMAL POWER DOWN",
    }
)

_PREFIX = re.compile(r"^([+^#$%*!_][A-Za-z0-9_]+):")


def line_prefix(text: str) -> str | None:
    """The `+XXX:` style prefix of a line, colon included, or None for bare text."""
    match = _PREFIX.match(text)
    return match.group(0) if match else None


def is_known_urc_prefix(prefix: str) -> bool:
    """True when `prefix` (e.g. '+CREG:') names a URC family the harness knows."""
    return prefix in KNOWN_URC_PREFIXES


def is_known_urc(text: str) -> bool:
    """True when a line belongs to a known URC family or is a known bare URC."""
    return text in KNOWN_URC_LINES or any(text.startswith(p) for p in KNOWN_URC_PREFIXES)


def pattern_matches(pattern: UrcPattern, text: str) -> bool:
    """A str pattern is a prefix; a compiled regex is tried with re.match (anchored)."""
    if isinstance(pattern, str):
        return text.startswith(pattern)
    return pattern.match(text) is not None


@dataclass(frozen=True)
class Urc:
    """One unsolicited result: its line, and the data line for +CMT/+CDS/+CBM style URCs."""

    line: str
    data: str | None = None
    raw: bytes = b""
    received_at: float = field(default_factory=time.monotonic)

    @property
    def prefix(self) -> str:
        return line_prefix(self.line) or self.line


class UrcQueue:
    """Handlers by pattern plus the queue of URCs no handler took; thread-safe.

    Handlers run on the thread that holds the channel's input when the URC arrives:
    its background reader between commands, the calling thread while a command
    reads its own answer (harness.at.reader). Only one thread holds the input, so
    handlers run one at a time and in arrival order. They must return quickly and
    must not call `AtChannel.command` (the input holder would wait for itself).
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._handlers: dict[int, tuple[UrcPattern, UrcHandler]] = {}
        self._next_id = 0
        self._queue: deque[Urc] = deque()
        self._failure: TransportError | None = None
        # Threads running a handler now. A set of idents, not a threading.local: this is
        # asked on every command, and a missing thread-local attribute is slow to ask for.
        self._handler_threads: set[int] = set()

    def add_handler(self, pattern: UrcPattern, handler: UrcHandler) -> int:
        """Register a handler; returns a token for `remove_handler`. First match wins."""
        with self._cond:
            self._next_id += 1
            self._handlers[self._next_id] = (pattern, handler)
            return self._next_id

    def remove_handler(self, token: int) -> None:
        with self._cond:
            self._handlers.pop(token, None)

    def handler_for(self, text: str) -> UrcHandler | None:
        with self._cond:
            for pattern, handler in self._handlers.values():
                if pattern_matches(pattern, text):
                    return handler
        return None

    def is_unsolicited(self, text: str, expected: tuple[str, ...]) -> bool:
        """Rule steps 3-6 (module docstring) for a line arriving while a command runs."""
        if any(text.startswith(prefix) for prefix in expected):
            return False
        if is_known_urc(text) or self.handler_for(text) is not None:
            return True
        return bool(expected) and line_prefix(text) is not None

    def deliver(self, urc: Urc, where: str = "AT") -> None:
        """Give `urc` to its handler (on this thread, no lock held) or queue it."""
        handler = self.handler_for(urc.line)
        if handler is None:
            self.put(urc)
            return
        me = threading.get_ident()
        self._handler_threads.add(me)
        try:
            handler(urc)
        except Exception:
            log.exception("%s: URC handler failed on %r", where, urc.prefix)
        finally:
            self._handler_threads.discard(me)

    def in_handler(self) -> bool:
        """True on a thread that is running a URC handler right now."""
        return threading.get_ident() in self._handler_threads

    def put(self, urc: Urc) -> None:
        with self._cond:
            self._queue.append(urc)
            self._cond.notify_all()

    def fail(self, error: TransportError) -> None:
        """The line is gone: wake every waiter with this error."""
        with self._cond:
            self._failure = error
            self._cond.notify_all()

    def snapshot(self) -> list[Urc]:
        with self._cond:
            return list(self._queue)

    def drain(self) -> list[Urc]:
        """Take every queued URC (oldest first)."""
        with self._cond:
            items = list(self._queue)
            self._queue.clear()
            return items

    def wait_for(self, pattern: UrcPattern, timeout: float, where: str = "AT") -> Urc:
        """Consume the oldest queued URC matching `pattern`, waiting up to `timeout` s."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for urc in self._queue:
                    if pattern_matches(pattern, urc.line):
                        self._queue.remove(urc)
                        return urc
                if self._failure is not None:
                    raise type(self._failure)(f"{where}: {self._failure}")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    shown = pattern if isinstance(pattern, str) else pattern.pattern
                    raise HarnessTimeout(
                        f"{where}: no unsolicited {shown!r} within {timeout:g} s "
                        f"({len(self._queue)} other URCs queued). Check that the URC is "
                        f"enabled (e.g. AT+CNMI, AT+CREG=2) and that the event happened."
                    )
                self._cond.wait(remaining)
