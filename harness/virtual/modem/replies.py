"""What a command handler gives back, and how the modem writes it (V.250 §5.7, 27.007 §9).

Handlers return information lines (or a `Reply` for prompts and quirks) and
raise an `AtFault` to fail; the firmware renders both with V.250 framing
(`\\r\\n<text>\\r\\n`) and the error format +CMEE asks for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.at.codes import cme_text, cms_text


class AtFault(Exception):
    """A command failed; subclasses say which final result code to send."""


class PlainError(AtFault):
    """`ERROR` whatever +CMEE says (syntax errors, unsupported values)."""


class NotSupported(AtFault):
    """An unknown command: `ERROR`, or the personality's own answer (`COMMAND NOT SUPPORT`)."""


class CmeFault(AtFault):
    def __init__(self, code: int) -> None:
        super().__init__(f"+CME ERROR: {code}")
        self.code = code


class CmsFault(AtFault):
    def __init__(self, code: int) -> None:
        super().__init__(f"+CMS ERROR: {code}")
        self.code = code


@dataclass(frozen=True)
class PendingPrompt:
    """A command waiting for its text after `> ` (+CMGS, +CMGW)."""

    command: str  # "+CMGS" or "+CMGW"
    length: int | None = None  # PDU mode: <length> in TPDU octets
    address: str | None = None  # text mode: <da>
    address_type: int | None = None
    status: int | None = None  # +CMGW <stat>


@dataclass
class Reply:
    """Information lines, and what follows them: a final code, a prompt, or nothing."""

    lines: list[str] = field(default_factory=list)
    final: bool = True  # False: no final result code at all (Wavecom +CPIN?)
    prompt: PendingPrompt | None = None


def frame(text: str) -> bytes:
    """One V.250 line: `\\r\\n<text>\\r\\n`."""
    return b"\r\n" + text.encode("latin-1", errors="replace") + b"\r\n"


def info_block(lines: list[str]) -> bytes:
    """A command's information text; a line ending in CR gives Huawei's `\\r\\r\\n`."""
    if not lines:
        return b""
    return frame("\r\n".join(lines))


def error_text(fault: AtFault, cmee: int, unknown_answer: str) -> str:
    """The final result code for `fault` under AT+CMEE=<cmee>."""
    if isinstance(fault, NotSupported):
        return unknown_answer
    if isinstance(fault, CmeFault):
        if cmee == 1:
            return f"+CME ERROR: {fault.code}"
        if cmee == 2:
            return f"+CME ERROR: {_verbose(cme_text(fault.code))}"
        return "ERROR"
    if isinstance(fault, CmsFault):
        # 27.005 §3.2.5: +CMS ERROR is the SMS commands' final code; +CMEE picks only
        # between the number and the text (modems keep the number at CMEE=0).
        if cmee == 2:
            return f"+CMS ERROR: {_verbose(cms_text(fault.code))}"
        return f"+CMS ERROR: {fault.code}"
    return "ERROR"


def _verbose(text: str) -> str:
    """codes.py annotates vendor codes ('device busy (vendor code, ...)'); a modem would not."""
    return text.split(" (vendor", 1)[0]
