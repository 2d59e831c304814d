"""Output paths a user names (--report DIR, --transcript FILE), checked before any work.

Why: a run that takes minutes and then fails to write its report has wasted the
run and, on a real card, possibly spent attempts for nothing. Each check makes
the directory if needed and proves it writable with a throw-away file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from harness.errors import ConfigError


def check_output_dir(path: Path, what: str = "report directory") -> None:
    """Make `path` (and parents) if missing; raise ConfigError unless files can be written."""
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not path.is_dir():
            raise NotADirectoryError(20, "not a directory")
        fd, probe = tempfile.mkstemp(prefix=".simharness-probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(
            f"{what} {path} cannot be written ({reason}); nothing was run. Give a writable "
            f"directory."
        ) from None


def check_output_file(path: Path, what: str = "output file") -> None:
    """The directory of `path` must be writable, and `path` must not be a directory."""
    if path.is_dir():
        raise ConfigError(f"{what} {path} is a directory; give a file name. Nothing was run.")
    check_output_dir(path.parent if str(path.parent) else Path("."), f"directory of the {what}")
