"""Device-side parsing of one AT command line (ITU-T V.250 §5.2-5.4, TS 27.007 §4).

A line is `AT` (any case) followed by basic commands (`E0`, `Z`, `&F`, `S7=30`,
`D112;`) and extended commands (`+CPIN?`, `^CPIN?`, `#PCT`, `!ICCID?`) separated
by ';'. Characters before `AT` are ignored, as V.250 §5.2.1 has it. Extended
commands come in four forms: action `+X`, read `+X?`, test `+X=?` and set
`+X=<args>`; arguments are split on commas outside double quotes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from harness.at.parsers.fields import is_quoted, split_fields

EXTENDED_PREFIXES = "+^#$%!*_"
_EXTENDED_NAME = re.compile(r"[+^#$%!*_][A-Za-z0-9_.\-]+")


class AtSyntaxError(Exception):
    """The line does not parse; the modem answers ERROR."""


class Kind(Enum):
    ACTION = "action"  # +X  (and basic commands)
    READ = "read"  # +X?
    TEST = "test"  # +X=?
    SET = "set"  # +X=<args>


@dataclass(frozen=True)
class Arg:
    """One argument as typed: its text without quotes, and whether it was quoted."""

    text: str
    quoted: bool = False

    @property
    def empty(self) -> bool:
        return not self.text and not self.quoted


@dataclass(frozen=True)
class AtCommand:
    """One command of a line. `name` is upper-case: '+CPIN', '^CPIN', 'E', '&F', 'S7', 'D'."""

    name: str
    kind: Kind
    args: tuple[Arg, ...] = ()
    text: str = ""

    @property
    def is_extended(self) -> bool:
        return self.name[:1] in EXTENDED_PREFIXES

    def arg(self, index: int) -> Arg | None:
        """The argument at `index`, None when absent or empty."""
        if index < len(self.args) and not self.args[index].empty:
            return self.args[index]
        return None


def find_at(line: str) -> int:
    """Index just past the 'AT' that starts the command, or -1 when the line has none."""
    match = re.search(r"[Aa][Tt]", line)
    return -1 if match is None else match.end()


def parse_line(line: str) -> list[AtCommand] | None:
    """The commands of one line (CR already removed); None for a line with no 'AT'."""
    start = find_at(line)
    if start < 0:
        return None
    body = line[start:]
    commands: list[AtCommand] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char in " ;":
            i += 1
        elif char in EXTENDED_PREFIXES:
            end = _extended_end(body, i)
            commands.append(parse_extended(body[i:end]))
            i = end
        else:
            command, i = _basic(body, i)
            commands.append(command)
    return commands


def _extended_end(body: str, start: int) -> int:
    quoted = False
    for index in range(start, len(body)):
        char = body[index]
        if char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            return index
    if quoted:
        raise AtSyntaxError(f"unterminated string in {body[start:]!r}")
    return len(body)


def parse_extended(text: str) -> AtCommand:
    match = _EXTENDED_NAME.match(text)
    if match is None:
        raise AtSyntaxError(f"no command name in {text!r}")
    name = match.group(0).upper()
    rest = text[match.end() :].strip()
    if not rest:
        return AtCommand(name, Kind.ACTION, text=text)
    if rest == "?":
        return AtCommand(name, Kind.READ, text=text)
    if rest.replace(" ", "") == "=?":
        return AtCommand(name, Kind.TEST, text=text)
    if rest.startswith("="):
        return AtCommand(name, Kind.SET, split_args(rest[1:]), text=text)
    raise AtSyntaxError(f"cannot read {text!r}")


def split_args(text: str) -> tuple[Arg, ...]:
    if not text.strip():
        return ()
    args = []
    for field in split_fields(text):
        if is_quoted(field):
            args.append(Arg(field[1:-1], True))
        else:
            args.append(Arg(field))
    return tuple(args)


def _basic(body: str, i: int) -> tuple[AtCommand, int]:
    """One basic command at body[i]: a letter or &letter with an optional number,
    S-registers (`S7=30`, `S7?`), and D (dial) which takes the rest of the line."""
    begin = i
    char = body[i].upper()
    if char == "D":
        dial = body[i + 1 :]
        return AtCommand("D", Kind.SET, (Arg(dial.strip()),), text=body[i:]), len(body)
    if char == "&":
        if i + 1 >= len(body) or not body[i + 1].isalpha():
            raise AtSyntaxError(f"'&' without a letter in {body!r}")
        name, i = "&" + body[i + 1].upper(), i + 2
    elif char.isalpha():
        name, i = char, i + 1
    else:
        raise AtSyntaxError(f"unexpected {body[i]!r} in {body!r}")
    start = i
    while i < len(body) and body[i].isdigit():
        i += 1
    number = body[start:i]
    if name == "S":
        if not number:
            raise AtSyntaxError(f"S-register without a number in {body!r}")
        name = "S" + str(int(number))
        if body[i : i + 1] == "?":
            return AtCommand(name, Kind.READ, text=body[begin : i + 1]), i + 1
        if body[i : i + 1] == "=":
            j = i + 1
            while j < len(body) and body[j].isdigit():
                j += 1
            return AtCommand(name, Kind.SET, (Arg(body[i + 1 : j]),), text=body[begin:j]), j
        raise AtSyntaxError(f"S-register {name} without '?' or '=' in {body!r}")
    args = (Arg(number),) if number else ()
    return AtCommand(name, Kind.ACTION, args, text=body[begin:i]), i
