"""pexpect over the harness transport: `TransportSpawn` is a pexpect spawn whose child is a
`SerialTransport` (a device path, a by-id link, socket:// or rfc2217://).

pexpect's own fdpexpect needs a pollable descriptor, which socket:// and rfc2217://
ports do not offer (pyserial buffers them behind its own reader); its SpawnBase
with `read_nonblocking` and `send` is the documented extension point (PopenSpawn is
built the same way). So the runner gets pexpect's expect machinery and the
transport keeps what it does everywhere: the exclusive open (a second opener gets
PortBusyError), URL ports, deadlines, typed errors for a vanished device.
Nothing is logged here: the runner records the masked lines itself.
"""

from __future__ import annotations

from typing import Any

from pexpect import EOF
from pexpect.spawnbase import SpawnBase

from harness.errors import DeviceGoneError
from harness.transport import ByteStream

__all__ = ["TransportSpawn"]


class TransportSpawn(SpawnBase):  # type: ignore[misc]  # pexpect ships no type hints
    """A pexpect spawn (text mode, latin-1: every byte maps to one character)."""

    def __init__(self, stream: ByteStream, timeout: float = 5.0) -> None:
        super().__init__(timeout=timeout, maxread=4096, encoding="latin-1")
        self.stream = stream
        self.closed = False

    def read_nonblocking(self, size: int = 1, timeout: float | None = -1) -> Any:
        """What arrives within `timeout` (pexpect's loop keeps the overall deadline)."""
        if timeout == -1:
            timeout = self.timeout
        try:
            data = self.stream.read(0.0 if timeout is None else max(timeout, 0.0), max(size, 1))
        except DeviceGoneError as exc:
            self.flag_eof = True
            raise EOF(str(exc)) from exc
        return self._decoder.decode(data, final=False)

    def send(self, s: str) -> int:
        data = s.encode("latin-1")
        self.stream.write(data)
        return len(data)

    def close(self) -> None:
        self.closed = True  # the stream belongs to whoever opened it
