"""The bench file: which modems and readers a lab has, and which SIMs it may destroy.

    sacrificial_iccids = ["8988211000000000018"]   # SIMs a destructive run may block for good
    lock_dir = "/run/lock/simharness"  # optional: device locks, shared by every job on the host
    capabilities = ["sim_move"]        # optional: steps a person at the terminal can do

    [[device]]
    name = "quectel0"
    kind = "modem"                # "modem" (AT) or "reader" (PC/SC)
    port = "/dev/serial/by-id/usb-Quectel_EG25-if02-port0"
    vendor = "quectel"            # optional: overrides detection
    virtual = false               # what the bench engineer says; drivers never decide it
    features = ["sms"]            # optional: this modem's SIM has a live line
    pin_env = "SIM_PIN_QUECTEL0"  # optional: env variable holding its SIM's PIN1 (restores)
    puk_env = "SIM_PUK_QUECTEL0"  # optional: its PUK1, for destructive tests on a sacrificial SIM

    [[device]]
    name = "shared-eg25"
    kind = "modem"
    place = "lab-eg25"            # a labgrid place instead of a port (acquired, then released)
    resource = "modem0"           # optional: which serial port, when the place has several

    [[device]]
    name = "sim-sim"
    kind = "reader"
    virtual = true                # no port/reader: the bench builds a simulator itself
    profile = "sims/weak.toml"    # optional; paths are relative to this file
    state = "state/sim-sim.json"  # optional: the virtual card's EEPROM across runs

A bench declares `emergency_call` only where dialling 112 reaches no real
service (a shielded test network). A bench that runs the stolen-phone
scenarios adds a `[scenario]` table and a
`[hooks]` table (harness.bench.scenario_config). `load_bench` checks every
field and raises `ConfigError` naming the file, the line and the field;
`harness.bench.devices.open_device` turns an entry into driver objects.
`virtual` is configuration, never detection: it only ever *relaxes* safety
when a bench file says so, and a run must still be explicitly destructive for that to matter.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.bench.lines import FieldLocator
from harness.bench.scenario_config import SCENARIO_TABLES, ScenarioConfig, scenario_from_dict
from harness.errors import ConfigError
from harness.modem.vendors import profile_named

__all__ = [
    "BenchConfig",
    "DeviceConfig",
    "load_bench",
    "reader_selector",
    "virtual_bench_config",
]

_KINDS = ("modem", "reader")
_TOP_KEYS = frozenset(
    {"sacrificial_iccids", "device", "lock_dir", "capabilities", *SCENARIO_TABLES}
)
_DEVICE_KEYS = frozenset(
    {
        "name",
        "kind",
        "port",
        "place",
        "resource",
        "reader",
        "vendor",
        "virtual",
        "profile",
        "state",
        "personality",
        "features",
        "pin_env",
        "puk_env",
    }
)
FEATURES = frozenset({"sms"})
DECLARED_CAPABILITIES = frozenset({"sms", "sim_move", "operator", "emergency_call"})
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ICCID = re.compile(r"[0-9]{18,20}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class DeviceConfig:
    name: str
    kind: str  # "modem" | "reader"
    virtual: bool
    port: str | None = None
    place: str | None = None  # a labgrid place holding the modem's serial port
    resource: str | None = None  # which of the place's serial ports (when it has several)
    reader: str | None = None
    vendor: str | None = None
    profile: Path | None = None  # simulated devices: the SIM profile (default.toml if None)
    state: Path | None = None  # simulated devices: the card's state file
    personality: str = "generic"  # simulated modems
    subscriber: int = 0  # simulated cards: subscriber n of the profile (own ICCID/IMSI/MSISDN)
    features: frozenset[str] = frozenset()  # "sms": its SIM has a live line
    pin_env: str | None = None  # name of the env variable holding its SIM's PIN1
    puk_env: str | None = None  # name of the env variable holding its SIM's PUK1

    @property
    def simulated(self) -> bool:
        """True when the bench builds the device itself (virtual, and no port/reader/place)."""
        return self.virtual and self.port is None and self.reader is None and self.place is None

    def describe(self) -> str:
        where = self.port or self.reader or self._place_text() or "simulated in process"
        return f"{self.kind} {self.name} ({where})"  # callers add virtual/REAL (see simulated)

    def _place_text(self) -> str | None:
        if self.place is None:
            return None
        suffix = f", resource {self.resource}" if self.resource else ""
        return f"labgrid place {self.place}{suffix}"


@dataclass(frozen=True)
class BenchConfig:
    source: str
    devices: tuple[DeviceConfig, ...]
    sacrificial_iccids: frozenset[str] = frozenset()
    scenario: ScenarioConfig | None = None  # the [scenario] and [hooks] tables, when written
    lock_dir: Path | None = None  # None: harness.bench.locks.default_lock_dir()
    declared: frozenset[str] = frozenset()  # capabilities a person at the terminal provides

    def device(self, name: str) -> DeviceConfig:
        for device in self.devices:
            if device.name == name:
                return device
        known = ", ".join(d.name for d in self.devices) or "none"
        raise ConfigError(f"{self.source}: no device named {name!r}; it has {known}")


def virtual_bench_config(state_dir: Path | None = None, profile: Path | None = None) -> BenchConfig:
    """The built-in virtual bench (`--bench virtual`): a simulated modem "modem" and a
    simulated reader "reader", each with its own virtual card; with `state_dir`, the
    cards keep their counters there across runs."""

    def state(name: str) -> Path | None:
        return state_dir / f"virtual-{name}-card.json" if state_dir is not None else None

    return BenchConfig(
        "<virtual bench>",
        (
            DeviceConfig("modem", "modem", True, profile=profile, state=state("modem")),
            DeviceConfig(
                "reader", "reader", True, profile=profile, state=state("reader"), subscriber=1
            ),
        ),
    )


def load_bench(path: Path | str) -> BenchConfig:
    """Read and check a bench file; `ConfigError` names the file and the field."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise ConfigError(f"bench file {path} does not exist") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"bench file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"bench file {path} cannot be read ({exc.strerror})") from None
    where = FieldLocator.of_text(str(path), text)
    return bench_from_dict(raw, source=str(path), base=path.parent, where=where)


def bench_from_dict(
    raw: dict[str, Any],
    *,
    source: str,
    base: Path | None = None,
    where: FieldLocator | None = None,
) -> BenchConfig:
    """Check `raw` (a parsed bench file); `where` locates fields for the error messages."""
    where = where or FieldLocator(source)
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        # A misspelt sacrificial_iccids must not silently mean "none" (or anything else).
        raise where.error(
            (unknown[0],),
            f"unknown top-level field(s) {', '.join(unknown)}",
            f"known: {', '.join(sorted(_TOP_KEYS))}",
        )
    entries = raw.get("device", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise where.error(("device",), "device", "write each device as a [[device]] table")
    devices = tuple(_device(entry, index, where, base) for index, entry in enumerate(entries))
    names = [d.name for d in devices]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise where.error(
                ("device", index, "name"),
                "device.name",
                f"{name!r} is used twice; names are unique",
            )
    iccids = _iccids(raw.get("sacrificial_iccids", []), where)
    scenario = scenario_from_dict(raw, devices, where, base)
    lock_dir = raw.get("lock_dir")
    if lock_dir is not None and (not isinstance(lock_dir, str) or not lock_dir.strip()):
        raise where.error(("lock_dir",), "lock_dir", "a directory path (quoted)")
    declared = _names(
        raw.get("capabilities", []),
        DECLARED_CAPABILITIES,
        lambda message: where.error(("capabilities",), "capabilities", message),
    )
    return BenchConfig(
        source,
        devices,
        iccids,
        scenario,
        lock_dir=_path(lock_dir.strip() if lock_dir else None, base),
        declared=declared,
    )


def _names(
    value: object, known: frozenset[str], fail: Callable[[str], ConfigError]
) -> frozenset[str]:
    """A list of names from `known` (features, capabilities); the error lists the known ones."""
    choices = ", ".join(sorted(known))
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise fail(f'a list of quoted names (["..."]); known: {choices}')
    unknown = sorted(set(value) - known)
    if unknown:
        raise fail(f"unknown {', '.join(map(repr, unknown))}; known: {choices}")
    return frozenset(value)


def _iccids(value: object, where: FieldLocator) -> frozenset[str]:
    at = ("sacrificial_iccids",)
    if not isinstance(value, list):
        raise where.error(at, "sacrificial_iccids", 'a list of quoted ICCIDs (["89..."])')
    found: set[str] = set()
    for item in value:
        if not isinstance(item, str) or not _ICCID.fullmatch(item):
            raise where.error(
                at, "sacrificial_iccids", f"{item!r} is not an ICCID (18-20 digits, quoted)"
            )
        found.add(item)
    return frozenset(found)


def _device(
    entry: dict[str, Any], index: int, where: FieldLocator, base: Path | None
) -> DeviceConfig:
    label = f"device[{index}]"

    def fail(field: str, message: str) -> ConfigError:
        return where.error(("device", index, field), f"{label}.{field}", message)

    unknown = sorted(set(entry) - _DEVICE_KEYS)
    if unknown:
        raise where.error(
            ("device", index, unknown[0]), label, f"unknown field(s) {', '.join(unknown)}"
        )

    def text(field: str, *, required: bool = False) -> str | None:
        value = entry.get(field)
        if value is None:
            if required:
                raise fail(field, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            raise fail(field, "a non-empty string")
        return value.strip()

    name = text("name", required=True)
    assert name is not None
    if not _NAME.fullmatch(name):
        raise fail("name", f"{name!r}: use letters, digits, '.', '-' and '_'")
    label = f"device {name!r}"
    kind = text("kind", required=True)
    if kind not in _KINDS:
        raise fail("kind", f'{kind!r}; use "modem" or "reader"')
    virtual = entry.get("virtual", False)
    if not isinstance(virtual, bool):
        raise fail("virtual", "true or false (unquoted)")
    port, reader, vendor = text("port"), text("reader"), text("vendor")
    place, resource = text("place"), text("resource")
    if kind == "modem" and reader is not None:
        raise fail("reader", "a modem has a port, not a reader")
    if kind == "reader" and place is not None:
        raise fail(
            "place",
            "labgrid has no PC/SC resource, so a reader cannot sit in a place; name it "
            "with `reader` on the host it is plugged into (hardware.md)",
        )
    if kind == "reader" and (port is not None or vendor is not None or resource is not None):
        raise fail(
            "port" if port is not None else "vendor" if vendor is not None else "resource",
            "a reader is named by `reader`, not a port (port/vendor)",
        )
    if place is not None and port is not None:
        raise fail("place", "give `port` or `place`, not both")
    if resource is not None and place is None:
        raise fail("resource", "names a serial port of a labgrid `place`; add one")
    if not virtual and kind == "modem" and port is None and place is None:
        raise fail(
            "port", "missing (a real modem needs its /dev/serial/by-id path, or a labgrid `place`)"
        )
    if not virtual and kind == "reader" and reader is None:
        raise fail("reader", "missing (a PC/SC reader name, index or /regex/)")
    if vendor is not None:
        try:
            profile_named(vendor)
        except ConfigError as exc:
            raise fail("vendor", str(exc)) from None
    profile, state = text("profile"), text("state")
    if not virtual and (profile is not None or state is not None):
        raise fail(
            "profile" if profile is not None else "state",
            "only a virtual device has a simulated card (profile/state)",
        )
    personality = text("personality") or "generic"
    features = _names(
        entry.get("features", []), FEATURES, lambda message: fail("features", message)
    )
    if features and kind != "modem":
        raise fail("features", "only a modem has features (its SIM's line)")
    pin_env = text("pin_env")
    if pin_env is not None and not _ENV_NAME.fullmatch(pin_env):
        raise fail("pin_env", f"{pin_env!r} is not an environment variable name")
    puk_env = text("puk_env")
    if puk_env is not None and not _ENV_NAME.fullmatch(puk_env):
        raise fail("puk_env", f"{puk_env!r} is not an environment variable name")
    return DeviceConfig(
        name=name,
        kind=kind,
        virtual=virtual,
        port=port,
        place=place,
        resource=resource,
        reader=reader,
        vendor=vendor,
        profile=_path(profile, base),
        state=_path(state, base),
        personality=personality,
        features=features,
        pin_env=pin_env,
        puk_env=puk_env,
    )


def _path(value: str | None, base: Path | None) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() or base is None else base / path


def reader_selector(text: str) -> str | int | re.Pattern[str]:
    """`2` -> index, `/regex/` -> pattern, anything else -> exact reader name."""
    if text.isdigit():
        return int(text)
    if len(text) > 1 and text.startswith("/") and text.endswith("/"):
        return re.compile(text[1:-1])
    return text
