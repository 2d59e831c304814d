"""Helpers for the virtual modem tests: a raw pty client with deadlines, and modem fixtures.

Deliberately not the harness.modem driver: these tests check the device side
with nothing but os.read/os.write on the pseudo-terminal.
"""

from __future__ import annotations

import os
import re
import select
import termios
import time
import tty
from collections.abc import Iterator
from contextlib import contextmanager

from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile, profile_from_dict
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import FaultConfig, VirtualModem

FINAL = re.compile(
    rb"\r\n(OK|ERROR|\+CME ERROR: [^\r\n]*|\+CMS ERROR: [^\r\n]*|COMMAND NOT SUPPORT|NO CARRIER)"
    rb"\r\n|\r\n> "
)


class PortSilent(AssertionError):
    """No match before the deadline. Deliberately not TimeoutError: that is an OSError,
    and the hang-up checks `pytest.raises((EOFError, OSError))` must not pass on a port
    that is merely silent."""


class RawPort:
    """The host end of a pty: bytes in, bytes out, every wait bounded by a deadline."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd, termios.TCSANOW)  # TCSAFLUSH would drop what the modem said
        self.buffer = bytearray()

    def write(self, data: bytes) -> None:
        os.write(self.fd, data)

    def _fill(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            return False
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return True
        if not data:
            raise EOFError(f"{self.path}: end of file")
        self.buffer += data
        return True

    def read_until(self, pattern: bytes | re.Pattern[bytes], timeout: float = 2.0) -> bytes:
        """Everything up to and including the first match; the rest stays buffered."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        while True:
            match = regex.search(self.buffer)
            if match is not None:
                out = bytes(self.buffer[: match.end()])
                del self.buffer[: match.end()]
                return out
            if time.monotonic() >= deadline:
                raise PortSilent(
                    f"no {regex.pattern!r} within {timeout} s; got {bytes(self.buffer)!r}"
                )
            self._fill(deadline - time.monotonic())

    def drain(self, quiet: float = 0.05) -> bytes:
        """Read until nothing arrives for `quiet` seconds."""
        while self._fill(quiet):
            pass
        out = bytes(self.buffer)
        self.buffer.clear()
        return out

    def command(self, text: str, timeout: float = 2.0) -> bytes:
        """Send a command line; everything up to its final result code (or the prompt)."""
        self.write(text.encode() + b"\r")
        return self.read_until(FINAL, timeout)

    def lines(self, text: str, timeout: float = 2.0) -> list[str]:
        """The non-empty lines of the answer, final result code included (echo off)."""
        raw = self.command(text, timeout).decode("latin-1")
        return [line for line in raw.split("\r\n") if line.strip()]

    def close(self) -> None:
        os.close(self.fd)


def new_card(**overrides: object) -> VirtualUicc:
    """The default profile, with [card]/[pins]/[retries]/[sms] keys overridden."""
    if not overrides:
        return VirtualUicc(load_profile(DEFAULT_PROFILE))
    import tomllib

    raw = tomllib.loads(DEFAULT_PROFILE.read_text())
    for key, value in overrides.items():
        table, _, name = key.partition("__")
        raw.setdefault(table, {})[name] = value
    return VirtualUicc(profile_from_dict(raw))


@contextmanager
def modem_on_pty(
    card: VirtualUicc | None,
    *,
    personality: str = "generic",
    faults: FaultConfig | None = None,
    setup: tuple[str, ...] = ("ATE0", "AT+CMEE=1"),
) -> Iterator[tuple[VirtualModem, RawPort]]:
    """A started modem and an open raw port, echo off and numeric errors unless told."""
    with VirtualModem(card, personality=personality, faults=faults) as modem:
        port = RawPort(modem.start_pty())
        try:
            for line in setup:
                port.command(line)
            port.drain(0.02)
            yield modem, port
        finally:
            port.close()


def unlock(port: RawPort, pin: str = "1234") -> None:
    assert port.lines(f'AT+CPIN="{pin}"')[-1] == "OK"
    port.drain(0.05)
