"""Files the package ships: virtual SIM profiles (`sims/`) and PIN lists (`pins/`).

They are package data, read through `importlib.resources`, so an installed wheel
finds them as a checkout does; a lab's own copies live wherever the lab keeps
them and are passed by path (`--profile FILE`, a bench file's `profile = ...`).
"""

from __future__ import annotations

import atexit
import contextlib
from importlib.resources import as_file, files
from pathlib import Path

__all__ = ["packaged_file", "pin_list", "sim_profile"]

# Resources inside a zip (zipimport) are extracted to temporary files that must
# outlive the call; they are removed when the interpreter exits.
_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def packaged_file(*parts: str) -> Path:
    """A real filesystem path to a shipped file (extracted first if the package is zipped)."""
    resource = files(__name__).joinpath(*parts)
    if not resource.is_file():
        raise FileNotFoundError(f"{'/'.join(parts)} is not shipped with harness.data")
    if isinstance(resource, Path):
        return resource
    return _extracted.enter_context(as_file(resource))


def sim_profile(name: str) -> Path:
    """A shipped virtual-SIM profile by name: "default", "no-pin", "replacement"."""
    return packaged_file("sims", f"{name}.toml")


def pin_list(filename: str) -> Path:
    """A shipped PIN list, e.g. "common_pins.txt"."""
    return packaged_file("pins", filename)
