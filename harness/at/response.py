"""Final result codes and the response a command returns.

A command ends on exactly one final result code. Which lines are final is fixed
by V.250 §5.7 (OK, ERROR, NO CARRIER, BUSY, NO ANSWER, NO DIALTONE), TS 27.007
§9.2 (+CME ERROR), TS 27.005 §3.2.5 (+CMS ERROR) and two vendor spellings of a
plain error that ModemManager also treats as final (Huawei "COMMAND NOT SUPPORT",
"TOO MANY PARAMETERS"; docs/sources.md §1.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from harness.at.codes import ErrorCode, decode_cme, decode_cms
from harness.errors import AtCommandError, CmeError, CmsError


class FinalKind(Enum):
    OK = "OK"
    ERROR = "ERROR"
    CME_ERROR = "+CME ERROR"
    CMS_ERROR = "+CMS ERROR"
    NO_CARRIER = "NO CARRIER"
    BUSY = "BUSY"
    NO_ANSWER = "NO ANSWER"
    NO_DIALTONE = "NO DIALTONE"
    COMMAND_NOT_SUPPORT = "COMMAND NOT SUPPORT"
    TOO_MANY_PARAMETERS = "TOO MANY PARAMETERS"


_PLAIN_FINALS = {kind.value: kind for kind in FinalKind} | {"NO DIAL TONE": FinalKind.NO_DIALTONE}


@dataclass(frozen=True)
class Final:
    """A final result code as received, with its decoded error number for +CME/+CMS."""

    kind: FinalKind
    line: str
    error: ErrorCode | None = None

    @property
    def ok(self) -> bool:
        return self.kind is FinalKind.OK


_PLAIN_FINAL_VALUES = {text: Final(kind, text) for text, kind in _PLAIN_FINALS.items()}
"""Finals without a payload, built once (frozen values; one per command otherwise)."""

OK = _PLAIN_FINAL_VALUES["OK"]
"""The final `parse_final` returns for every "OK" line (compare with `is`)."""


def parse_final(text: str) -> Final | None:
    """The final result code on this line, or None when the line is not one."""
    line = text.strip()
    plain = _PLAIN_FINAL_VALUES.get(line)
    if plain is not None:
        return plain
    for prefix, kind, decode in (
        ("+CME ERROR", FinalKind.CME_ERROR, decode_cme),
        ("+CMS ERROR", FinalKind.CMS_ERROR, decode_cms),
    ):
        if line.startswith(prefix):
            payload = line[len(prefix) :].lstrip()
            if payload.startswith(":"):
                payload = payload[1:]
            return Final(kind, line, decode(payload))
    return None


def raise_for_final(final: Final, command: str) -> None:
    """Raise the typed error a failed final result stands for; `command` must be masked."""
    if final.ok:
        return
    if final.kind is FinalKind.CME_ERROR and final.error is not None:
        raise CmeError(final.error.code, final.error.text, command)
    if final.kind is FinalKind.CMS_ERROR and final.error is not None:
        raise CmsError(final.error.code, final.error.text, command)
    raise AtCommandError(command, final.line)


@dataclass
class AtResponse:
    """The information lines of one command (echo and URCs removed) and its final code.

    The data line after a +CMGL/+CMGR header follows its header in `lines`.
    `final` is "" when the command was completed by its info grace period (a modem
    such as Wavecom that answers +CPIN? without OK).
    """

    lines: list[str] = field(default_factory=list)
    final: str = "OK"

    @property
    def completed_by_grace(self) -> bool:
        return self.final == ""

    def with_prefix(self, prefix: str) -> list[str]:
        """The lines starting with `prefix` (e.g. '+CPINR:')."""
        return [line for line in self.lines if line.startswith(prefix)]
