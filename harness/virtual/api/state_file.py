"""Where a running `simulate` / `modem serve` leaves its API address for the CLI verbs.

Order a client looks in: `--api URL`, the environment variable SIMHARNESS_API,
then the state file `$SIMHARNESS_API_FILE`, else `$XDG_RUNTIME_DIR/simharness-api.json`,
else `/tmp/simharness-<uid>/api.json`. The file holds `{"url": ..., "pid": ...}` and is
removed when the bench that wrote it stops.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

__all__ = [
    "API_ENV",
    "API_FILE_ENV",
    "clear_api_url",
    "read_api_url",
    "state_path",
    "write_api_url",
]

API_ENV = "SIMHARNESS_API"
API_FILE_ENV = "SIMHARNESS_API_FILE"


def state_path() -> Path:
    explicit = os.environ.get(API_FILE_ENV)
    if explicit:
        return Path(explicit)
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / "simharness-api.json"
    return Path(tempfile.gettempdir()) / f"simharness-{os.getuid()}" / "api.json"


def write_api_url(url: str) -> Path:
    """Record `url` for this process (atomically: a reader never sees half a file)."""
    path = state_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"url": url, "pid": os.getpid()}), encoding="utf-8")
    tmp.replace(path)
    return path


def clear_api_url() -> None:
    """Remove the file if it is still ours (a later bench may have replaced it)."""
    path = state_path()
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def read_api_url() -> tuple[str | None, Path]:
    """The recorded URL (None when there is no file or its writer is gone) and the path."""
    path = state_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        url, pid = str(data["url"]), int(data["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None, path
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None, path
    except PermissionError:
        pass  # alive, someone else's
    return url, path
