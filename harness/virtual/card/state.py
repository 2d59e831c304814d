"""Non-volatile card state in a JSON file, written atomically (the card's EEPROM).

What persists: secret values, counters and enabled flags, and every file body.
What does not: verified flags, current files, channels (volatile, TS 102 221 §6).
A write goes to a temporary file in the same directory, is fsynced, then
renamed over the old one and the directory fsynced: a crash at any point leaves
either the old or the new state, never a half-written file or a reset counter.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from harness.errors import ConfigError
from harness.virtual.card.fs import DedicatedFile, LinearEf, TransparentEf, path_of
from harness.virtual.card.pins import SecretId, SecretRecord

STATE_VERSION = 1


def snapshot(secrets: dict[SecretId, SecretRecord], roots: list[DedicatedFile]) -> dict[str, Any]:
    files: dict[str, Any] = {}
    for root in roots:
        for node in root.walk():
            if isinstance(node, TransparentEf):
                files[path_of(node)] = node.body.data.hex()
            elif isinstance(node, LinearEf):
                files[path_of(node)] = [bytes(r).hex() for r in node.body.records]
    return {
        "version": STATE_VERSION,
        "secrets": {
            sid.value: {
                "value": rec.value.hex(),
                "retries": rec.retries,
                "max_retries": rec.max_retries,
                "enabled": rec.enabled,
            }
            for sid, rec in secrets.items()
        },
        "files": files,
    }


def restore(
    state: dict[str, Any],
    secrets: dict[SecretId, SecretRecord],
    roots: list[DedicatedFile],
    *,
    source: str,
) -> None:
    """Overwrite the profile's initial values with a saved state."""
    if state.get("version") != STATE_VERSION:
        raise ConfigError(
            f"card state {source} has version {state.get('version')!r}, "
            f"expected {STATE_VERSION}; delete it to start from the profile"
        )
    try:
        missing = {sid.value for sid in secrets} - set(state["secrets"])
        if missing:  # else those counters would silently restart at their maximum
            raise KeyError(", ".join(sorted(missing)))
        for name, saved in state["secrets"].items():
            rec = secrets[SecretId(name)]
            value = bytes.fromhex(saved["value"])
            retries, maximum, enabled = saved["retries"], saved["max_retries"], saved["enabled"]
            # A counter out of 0..max (e.g. -1: never blocks) or a flag that is not a bool
            # is damage, not a state (counters 0..15: TS 51.011 §9.3 CHV status b4-b1).
            if (
                len(value) != len(rec.value)
                or not _is_int(retries)
                or not _is_int(maximum)
                or not 0 <= retries <= maximum <= 15
                or not isinstance(enabled, bool)
            ):
                raise ValueError(f"secret {name!r} out of range")
            rec.value, rec.retries, rec.max_retries, rec.enabled = value, retries, maximum, enabled
        nodes = {path_of(n): n for root in roots for n in root.walk()}
        for path, body in state["files"].items():
            node = nodes.get(path)
            # File sizes are fixed at personalisation (the FCP describes them): a body of
            # another size is damage.
            if isinstance(node, TransparentEf):
                data = bytes.fromhex(body)
                if len(data) != node.size:
                    raise ValueError(f"file {path} has {len(data)} bytes, not {node.size}")
                node.body.data[:] = data
            elif isinstance(node, LinearEf):
                records = [bytearray.fromhex(r) for r in body]
                if len(records) != node.record_count or any(
                    len(r) != node.record_length for r in records
                ):
                    raise ValueError(
                        f"file {path} does not have {node.record_count} records "
                        f"of {node.record_length} bytes"
                    )
                node.body.records[:] = records
    except (KeyError, ValueError, TypeError, AttributeError) as exc:  # e.g. a list for a table
        raise ConfigError(
            f"card state {source} is damaged ({exc!r}); "
            f"restore it from a backup or delete it to start from the profile"
        ) from None


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def load_state(path: Path) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"card state {path} cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:  # garbage bytes are damage too, not a crash
        raise ConfigError(
            f"card state {path} is not UTF-8 JSON ({exc.reason} at byte "
            f"{exc.start}); restore it from a backup or delete it"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"card state {path} is not valid JSON ({exc}); restore it from a backup or delete it"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"card state {path} is not a JSON object; delete it")
    return data


def write_atomically(path: Path, state: dict[str, Any]) -> None:
    payload = json.dumps(state, indent=1, sort_keys=True).encode("utf-8")
    directory = path.parent
    if not directory.is_dir():
        raise ConfigError(
            f"card state {path}: directory {directory} does not exist; create it or "
            f"choose another --state path"
        )
    try:
        _replace_atomically(path, directory, payload)
    except OSError as exc:
        raise ConfigError(
            f"card state {path} cannot be written ({exc.strerror}); the card refuses to go "
            f"on without saving its counters: free space or fix permissions"
        ) from None


def _replace_atomically(path: Path, directory: Path, payload: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
