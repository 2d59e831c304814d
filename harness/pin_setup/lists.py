"""The common-PIN lists the weak-PIN rules check, each with its named source.

- ``datagenetics``: the sourced part (ranks 1-20 of DataGenetics 2012) of the attack
  dictionary (harness/data/pins/common_pins.txt, `load_common_pins`, which the PIN campaigns of
  harness.attack read too); its generated tail of years is not a source and is left to
  the year rule.
- the files in ``harness/data/pins/`` (read with importlib.resources): each opens with
  ``# source:`` and ``# derived:`` header lines saying where it comes from and how it
  was made; a list that is not a measurement says so (``derived_8digit``).

There is no list for 5 or 7 digits: those PINs meet the rules (one digit, runs, years,
the card's own numbers) only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from harness.data import pin_list
from harness.errors import ConfigError

__all__ = [
    "COMMON_PINS",
    "SOURCE",
    "CommonPins",
    "PinList",
    "common_pin_lists",
    "load_common_pins",
]

_PACKAGE = "harness.data.pins"


COMMON_PINS = pin_list("common_pins.txt")  # the attack dictionary
TAIL_MARKER = "# --- generated tail"
SOURCE = "DataGenetics 2012, 3.4 million leaked 4-digit PINs"


@dataclass(frozen=True)
class CommonPins:
    """The attack dictionary: ranked PINs, the first `sourced` from the named source."""

    pins: tuple[str, ...]
    sourced: int  # the first `sourced` entries come from the named source
    shares: dict[str, str]  # PIN -> share of the source's data set, as the source gives it
    path: Path

    def rank(self, pin: str) -> int | None:
        try:
            return self.pins.index(pin) + 1
        except ValueError:
            return None


def load_common_pins(path: Path = COMMON_PINS) -> CommonPins:
    """Read the dictionary; `ConfigError` names the file and line of a bad entry."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise ConfigError(f"common-PIN list {path} cannot be read ({exc.strerror})") from None
    pins: list[str] = []
    shares: dict[str, str] = {}
    sourced: int | None = None
    for number, line in enumerate(lines, start=1):
        if line.startswith(TAIL_MARKER):
            sourced = len(pins)
        value, _, comment = line.partition("#")
        value = value.strip()
        if not value:
            continue
        if not (value.isascii() and value.isdigit() and len(value) == 4):
            raise ConfigError(f"{path}:{number}: {value!r} is not a 4-digit PIN")
        if value in shares or value in pins:
            raise ConfigError(f"{path}:{number}: {value} is listed twice")
        pins.append(value)
        share = comment.split()[-1] if comment.strip().endswith("%") else None
        if share is not None:
            shares[value] = share
    return CommonPins(tuple(pins), len(pins) if sourced is None else sourced, shares, path)


@dataclass(frozen=True)
class PinList:
    name: str  # the file's stem, e.g. "markert2020_6digit"
    short: str  # the source in a few words, for messages ("Markert et al., IEEE S&P 2020")
    source: str  # the full reference and how the list was made
    measured: bool  # False: derived by a rule, not ranked from data
    pins: tuple[str, ...]  # most common first where the source ranks them

    def __contains__(self, pin: object) -> bool:
        return pin in self.pins


def _parse(name: str, text: str) -> PinList:
    source: list[str] = []
    short = name
    pins: list[str] = []
    in_source = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#"):
            body = line[1:].strip()
            if body.startswith("short:"):
                short = body.removeprefix("short:").strip()
                in_source = False
            elif body.startswith("source:"):
                in_source = True
                source.append(body.removeprefix("source:").strip())
            elif in_source and line.startswith("#   "):
                source.append(body)
            else:
                in_source = False
            continue
        value = line.split("#", 1)[0].strip()
        if not value:
            continue
        if not (value.isascii() and value.isdigit() and 4 <= len(value) <= 8):
            raise ConfigError(f"{_PACKAGE}/{name}.txt:{number}: not a PIN of 4-8 digits")
        pins.append(value)
    if not source:
        raise ConfigError(f"{_PACKAGE}/{name}.txt names no source (a '# source:' line)")
    text_source = " ".join(source)
    return PinList(name, short, text_source, not text_source.startswith("none"), tuple(pins))


@cache
def common_pin_lists() -> tuple[PinList, ...]:
    """Every list, the attack dictionary's sourced part first."""
    dictionary = load_common_pins()
    lists = [
        PinList(
            "datagenetics",
            "DataGenetics 2012",
            f"Nick Berry, {SOURCE} (datagenetics.com/blog/september32012/)",
            True,
            dictionary.pins[: dictionary.sourced],
        )
    ]
    folder = resources.files(_PACKAGE)
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".txt") and entry.name != "common_pins.txt":  # the dictionary
            lists.append(_parse(entry.name.removesuffix(".txt"), entry.read_text("utf-8")))
    return tuple(lists)
