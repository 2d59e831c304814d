"""Where a field sits in a bench file: line numbers that `tomllib` does not give for values.

`tomllib` reports the line of a syntax error only; a value of the wrong type
or an unknown name is found after parsing, when the line is gone. This module
finds it again in the text: every table header (`[scenario]`, `[[device]]`,
counted per array) and every `key =` is recorded under its path, e.g.
`("device", 2, "port")` or `("hooks", "send_otp")`. A path not written in the
file (a missing field, a key inside an inline table) falls back to the nearest
written parent, so an error always points somewhere useful.

The scan is line-based, which TOML allows for keys: a key always starts its
line; multi-line strings are skipped so their content is never taken for a key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from harness.errors import ConfigError

__all__ = ["FieldLocator", "FieldPath", "TomlLines"]

FieldPath = tuple[str | int, ...]

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r'"(?:[^"\\]|\\.)*"|\'[^\']*\''
_PART = rf"(?:{_BARE}|{_QUOTED})"
_DOTTED = rf"{_PART}(?:\s*\.\s*{_PART})*"
_ARRAY_HEADER = re.compile(rf"^\s*\[\[\s*({_DOTTED})\s*\]\]")
_TABLE_HEADER = re.compile(rf"^\s*\[\s*({_DOTTED})\s*\]")
_KEY = re.compile(rf"^\s*({_DOTTED})\s*=")
_SPLIT = re.compile(rf"({_PART})\s*(?:\.\s*|$)")


def _parts(dotted: str) -> tuple[str, ...]:
    out = []
    for match in _SPLIT.finditer(dotted.strip()):
        part = match.group(1)
        out.append(part[1:-1] if part[:1] in "\"'" else part)
    return tuple(out)


@dataclass
class TomlLines:
    """The line (1-based) of each table header and key in a TOML text."""

    lines: dict[FieldPath, int] = field(default_factory=dict)

    @classmethod
    def scan(cls, text: str) -> TomlLines:
        found = cls()
        table: FieldPath = ()
        arrays: dict[tuple[str, ...], int] = {}
        fence: str | None = None  # the quote of an open multi-line string
        for number, line in enumerate(text.splitlines(), start=1):
            if fence is not None:
                if line.count(fence) % 2 == 1:
                    fence = None
                continue
            if (match := _ARRAY_HEADER.match(line)) is not None:
                name = _parts(match.group(1))
                arrays[name] = arrays.get(name, -1) + 1
                table = (*found._with_indexes(name, arrays), arrays[name])
                found.lines.setdefault(table, number)
            elif (match := _TABLE_HEADER.match(line)) is not None:
                table = found._with_indexes(_parts(match.group(1)), arrays)
                found.lines.setdefault(table, number)
            elif (match := _KEY.match(line)) is not None:
                found.lines.setdefault((*table, *_parts(match.group(1))), number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    fence = quote
                    break
        return found

    @staticmethod
    def _with_indexes(name: tuple[str, ...], arrays: dict[tuple[str, ...], int]) -> FieldPath:
        """`[device.extra]` after the third `[[device]]` is `("device", 2, "extra")`."""
        path: list[str | int] = []
        for depth, part in enumerate(name):
            path.append(part)
            prefix = name[: depth + 1]
            if prefix in arrays and depth + 1 < len(name):
                path.append(arrays[prefix])
        return tuple(path)

    def line(self, path: FieldPath) -> int | None:
        """The line of `path`, else of its nearest written parent; None when neither is."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class FieldLocator:
    """Turns a field path into `file:line: field: message` errors."""

    source: str
    lines: TomlLines | None = None

    @classmethod
    def of_text(cls, source: str, text: str) -> FieldLocator:
        return cls(source, TomlLines.scan(text))

    def at(self, path: FieldPath) -> str:
        line = self.lines.line(path) if self.lines is not None else None
        return f"{self.source}:{line}" if line is not None else self.source

    def error(self, path: FieldPath, name: str, message: str) -> ConfigError:
        """`name` is the field as a user reads it (`device 'q0'.port`, `scenario.window_s`)."""
        return ConfigError(f"{self.at(path)}: {name}: {message}")
