"""One AT port's line discipline: echo, line editing, command lines and the SMS prompt.

Bytes from the host arrive in any chunking. In command state a CR ends the
line (V.250 S3), BS/DEL remove the last character (S5), LF is ignored; in
prompt state (after `> `) Ctrl-Z (0x1A) submits the text and ESC (0x1B)
aborts with OK (27.005 §3.5.1). Echo (ATE1) returns every byte as it comes,
before the answer to the line it ends.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from harness.virtual.modem.faults import FaultConfig
from harness.virtual.modem.replies import PendingPrompt, frame
from harness.virtual.modem.settings import Settings


class SessionHost(Protocol):
    """What a port's line discipline needs of the firmware (`Firmware` is one)."""

    faults: FaultConfig
    lines_run: int
    settings: Settings

    def run_line(self, line: str) -> tuple[bytes, PendingPrompt | None]: ...
    def finish_prompt(self, prompt: PendingPrompt, text: str) -> bytes: ...
    def run_deferred(self) -> None: ...


CR, LF, BS, DEL, CTRL_Z, ESC = 0x0D, 0x0A, 0x08, 0x7F, 0x1A, 0x1B
MAX_LINE = 2048
PROMPT = b"\r\n> "


class AtSession:
    """Feeds host bytes to the firmware; `send` takes what goes back to the host.

    `on_fault("disconnect" | "reboot")` is called when a fault knob cuts a
    command short; the session sends nothing more after it is closed.
    """

    def __init__(
        self,
        firmware: SessionHost,
        send: Callable[[bytes], None],
        on_fault: Callable[[str], None],
        on_input: Callable[[bytes], None] | None = None,
    ) -> None:
        self.fw = firmware
        self._send = send
        self._on_fault = on_fault
        self._on_input = on_input  # sees the host's bytes first (a trace)
        self._line = bytearray()
        self._prompt: PendingPrompt | None = None
        self._echo = bytearray()
        self.closed = False

    @property
    def in_prompt(self) -> bool:
        return self._prompt is not None

    def feed(self, data: bytes) -> None:
        if self._on_input is not None:
            self._on_input(data)
        for byte in data:
            if self.closed:
                return
            if self.fw.settings.echo or self.fw.faults.echo_ignores_ate0:
                self._echo.append(byte)
            if self._prompt is not None:
                self._prompt_byte(self._prompt, byte)
            else:
                self._command_byte(byte)
        self._flush_echo()

    def _flush_echo(self) -> None:
        if self._echo and not self.closed:
            self._send(bytes(self._echo))
        self._echo.clear()

    def _command_byte(self, byte: int) -> None:
        if byte == CR:
            text = self._line.decode("latin-1")
            self._line.clear()
            self._flush_echo()
            self._run(text)
        elif byte in (BS, DEL):
            if self._line:
                self._line.pop()
        elif byte != LF and len(self._line) < MAX_LINE:
            self._line.append(byte)

    def _prompt_byte(self, prompt: PendingPrompt, byte: int) -> None:
        if byte == CTRL_Z:
            text = self._line.decode("utf-8", errors="replace")
            self._line.clear()
            self._prompt = None
            self._flush_echo()
            self._send(self.fw.finish_prompt(prompt, text))
            self.fw.run_deferred()
        elif byte == ESC:
            self._line.clear()
            self._prompt = None
            self._flush_echo()
            self._send(frame("OK"))
        elif byte == CR:
            if self.fw.settings.cmgf == 1:  # text mode: a new line of text, a new prompt
                self._line.append(LF)
                self._flush_echo()
                self._send(PROMPT)
        elif byte in (BS, DEL):
            if self._line:
                self._line.pop()
        elif byte != LF and len(self._line) < MAX_LINE:
            self._line.append(byte)

    def _run(self, text: str) -> None:
        answer, prompt = self.fw.run_line(text)
        line_number = self.fw.lines_run
        faults = self.fw.faults
        cut = None
        if answer and faults.disconnect_on_command == line_number:
            cut = "disconnect"
        elif answer and faults.reboot_on_command == line_number:
            cut = "reboot"
        if cut is not None:
            self._send(answer[: len(answer) // 2])
            self.fw.run_deferred()
            self._on_fault(cut)
            return
        self._send(answer)
        self._prompt = prompt
        self.fw.run_deferred()
