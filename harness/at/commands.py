"""What a command line says about its own answer: expected prefixes and deadline.

The channel asks this module, so each command carries its own expectations
(like ModemManager's per-command prefix and timeout) without every caller
having to spell them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from harness.at.urc import is_known_urc_prefix


class Form(Enum):
    """The four syntactic forms of an extended command (TS 27.007 §4.1 / V.250 §5.4)."""

    ACTION = "action"  # AT+CIMI
    READ = "read"  # AT+CPIN?
    TEST = "test"  # AT+COPS=?
    SET = "set"  # AT+CPIN="...", AT+CMGS=24


@dataclass(frozen=True)
class CommandPart:
    """One command of a (possibly ';'-joined) command line."""

    name: str  # "+CPIN", "^SPIC", "#PCT", or a basic command such as "Z" / "E0" / "I"
    form: Form

    @property
    def extended(self) -> bool:
        return self.name[:1] in _EXTENDED_MARKS


_EXTENDED_MARKS = frozenset("+^#$%*!_")

# Seconds. PIN/PUK handling makes the SIM run its (slow) EEPROM write; a network
# scan walks every band; sending an SMS waits for the network's RP-ACK.
_SLOW: dict[tuple[str, Form | None], float] = {
    ("+CPIN", None): 15.0,
    ("+CLCK", None): 15.0,
    ("+CPWD", None): 15.0,
    ("+CSIM", None): 15.0,
    ("+COPS", Form.TEST): 180.0,
    ("+COPS", Form.SET): 120.0,
    ("+CMGS", None): 60.0,
    ("+CMSS", None): 60.0,
    ("+CFUN", Form.SET): 15.0,
}


def _split_parts(body: str) -> list[str]:
    """Split 'AT+CEREG?;+C5GREG?' bodies on ';' outside double quotes."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in body:
        if char == '"':
            quoted = not quoted
        if char == ";" and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def _parse_part(text: str) -> CommandPart:
    if text[:1] in _EXTENDED_MARKS:
        end = 1
        while end < len(text) and (text[end].isalnum() or text[end] == "_"):
            end += 1
        name = text[:end].upper()
        rest = text[end:]
        if rest.startswith("=?"):
            return CommandPart(name, Form.TEST)
        if rest.startswith("?"):
            return CommandPart(name, Form.READ)
        if rest.startswith("="):
            return CommandPart(name, Form.SET)
        return CommandPart(name, Form.ACTION)
    return CommandPart(text.upper(), Form.ACTION)


def parse_command(cmd: str) -> list[CommandPart]:
    """The commands on an AT command line ('AT' prefix optional, case-insensitive)."""
    body = cmd.strip()
    if body[:2].upper() == "AT":
        body = body[2:]
    return [_parse_part(part) for part in _split_parts(body)]


def inferred_prefixes(cmd: str) -> tuple[str, ...]:
    """The info-line prefixes a command line is expected to answer with (pass the
    masked command; the answer does not depend on secret values). Not cached here:
    AtChannel keeps the answer for lines that cannot hold a PIN.

    Every extended command answers with its own name ('+CSQ' -> '+CSQ:'), except a
    set command whose name is also a URC (AT+CPIN="..", AT+CREG=2, AT+CFUN=1): those
    answer only OK/ERROR, so a '+CPIN: READY' arriving meanwhile stays a URC.
    """
    prefixes: list[str] = []
    for part in parse_command(cmd):
        if not part.extended:
            continue
        prefix = part.name + ":"
        if part.form is Form.SET and is_known_urc_prefix(prefix):
            continue
        if prefix not in prefixes:
            prefixes.append(prefix)
    return tuple(prefixes)


def default_timeout(cmd: str, fallback: float) -> float:
    """The deadline a command line gets when the caller gives none (slowest part wins)."""
    best = fallback
    for part in parse_command(cmd):
        for key in ((part.name, part.form), (part.name, None)):
            if key in _SLOW:
                best = max(best, _SLOW[key])
    return best
