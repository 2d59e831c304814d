"""The `[scenario]` and `[hooks]` tables of a bench file: who is who in the stolen-phone runs.

    [scenario]
    owner = "eg25-a"            # the owner's modem (a [[device]] of kind "modem")
    thief = "eg25-b"            # the thief's modem
    msisdn = "+4915112345678"   # the victim's number, as the bank texts it
    pin_env = "OWNER_SIM_PIN"   # where the owner's SIM PIN is (or pin_file); never the value
    window_s = 60               # how long the thief waits for an SMS
    delivery_timeout_s = 120    # how long the owner may wait for one
    otp_sender = "eg25-c"       # optional: a third modem that texts the code
    otp_from = "MyBank"         # optional: the sender the bank's SMS shows

    [hooks]                     # steps done by commands (argv lists, no shell)
    timeout_s = 60
    move_sim = ["python3", "hooks/robot.py", "move", "{sim}", "{device}"]
    send_otp = { argv = ["python3", "hooks/bank.py", "{msisdn}"], timeout_s = 30 }

Every field is checked here; an error names the file, the line and the field
(harness.bench.lines). What a hook receives and how it is run:
harness.bench.hooks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from harness.bench.hooks import DEFAULT_HOOK_TIMEOUT_S, HOOK_STEPS, Hook, hook_from_value
from harness.bench.lines import FieldLocator

__all__ = ["SCENARIO_TABLES", "ScenarioConfig", "scenario_from_dict"]

SCENARIO_TABLES = ("scenario", "hooks")

DEFAULT_WINDOW_S = 60.0
"""A thief's window on a real network: SMS delivery there takes seconds, sometimes a minute."""
DEFAULT_DELIVERY_TIMEOUT_S = 120.0

_MSISDN = re.compile(r"\+?[0-9]{3,15}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SCENARIO_KEYS = frozenset(
    {
        "owner",
        "thief",
        "msisdn",
        "sim",
        "replacement",
        "window_s",
        "delivery_timeout_s",
        "pin_env",
        "pin_file",
        "replacement_pin_env",
        "replacement_pin_file",
        "otp_sender",
        "otp_from",
    }
)


class DeviceConfig(Protocol):
    """What this table needs of a `[[device]]` (harness.bench.config.DeviceConfig)."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def simulated(self) -> bool: ...


@dataclass(frozen=True)
class ScenarioConfig:
    """What the bench file says about the stolen-phone scenarios. Device names refer to
    `[[device]]` entries; no secret is held here, only where to find one."""

    source: str
    owner: str | None = None
    thief: str | None = None
    msisdn: str | None = None
    sim: str = "victim"  # what the SIMs are called in prompts and hook arguments
    replacement: str = "replacement"
    window_s: float = DEFAULT_WINDOW_S
    delivery_timeout_s: float = DEFAULT_DELIVERY_TIMEOUT_S
    pin_env: str | None = None
    pin_file: Path | None = None
    replacement_pin_env: str | None = None
    replacement_pin_file: Path | None = None
    otp_sender: str | None = None
    otp_from: str | None = None
    hooks: Mapping[str, Hook] = field(default_factory=dict)
    hook_dir: Path = Path()  # hooks run here: the bench file's directory


def scenario_from_dict(
    raw: Mapping[str, Any],
    devices: Sequence[DeviceConfig],
    where: FieldLocator,
    base: Path | None,
) -> ScenarioConfig | None:
    """The checked `[scenario]`/`[hooks]` tables; None when the file has neither."""
    if not any(name in raw for name in SCENARIO_TABLES):
        return None
    table = _table(raw, "scenario", where)
    hooks = _hooks(_table(raw, "hooks", where), where)
    unknown = sorted(set(table) - _SCENARIO_KEYS)
    if unknown:
        raise where.error(
            ("scenario", unknown[0]),
            "scenario",
            f"unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(_SCENARIO_KEYS))}",
        )
    fields = _Fields(table, where)
    modems = {d.name for d in devices if d.kind == "modem"}
    owner, thief = fields.modem("owner", modems), fields.modem("thief", modems)
    sender = fields.modem("otp_sender", modems)
    if owner is not None and owner == thief:
        raise where.error(("scenario", "thief"), "scenario.thief", f"{thief!r} is the owner too")
    if sender is not None and sender in (owner, thief):
        raise where.error(
            ("scenario", "otp_sender"),
            "scenario.otp_sender",
            f"{sender!r} plays the owner or the thief; the bank needs a modem of its own",
        )
    msisdn = fields.text("msisdn")
    if msisdn is not None and not _MSISDN.fullmatch(msisdn):
        raise where.error(
            ("scenario", "msisdn"), "scenario.msisdn", f"{msisdn!r}: a phone number (+ and digits)"
        )
    _check_pair(devices, owner, thief, msisdn, where)
    sim = fields.text("sim") or "victim"
    replacement = fields.text("replacement") or "replacement"
    if sim == replacement:
        raise where.error(
            ("scenario", "replacement"), "scenario.replacement", "must differ from scenario.sim"
        )
    return ScenarioConfig(
        source=where.source,
        owner=owner,
        thief=thief,
        msisdn=msisdn,
        sim=sim,
        replacement=replacement,
        window_s=fields.seconds("window_s", DEFAULT_WINDOW_S),
        delivery_timeout_s=fields.seconds("delivery_timeout_s", DEFAULT_DELIVERY_TIMEOUT_S),
        pin_env=fields.env("pin_env"),
        pin_file=_path(fields.text("pin_file"), base),
        replacement_pin_env=fields.env("replacement_pin_env"),
        replacement_pin_file=_path(fields.text("replacement_pin_file"), base),
        otp_sender=sender,
        otp_from=fields.text("otp_from"),
        hooks=hooks,
        hook_dir=base or Path(),
    )


def _check_pair(
    devices: Sequence[DeviceConfig],
    owner: str | None,
    thief: str | None,
    msisdn: str | None,
    where: FieldLocator,
) -> None:
    """Both phones on one network: both simulated by the harness, or both reached by a port;
    and a real pair needs the victim's number (a simulated one takes it from its SIM)."""
    by_name = {d.name: d for d in devices}
    pair = [by_name[name] for name in (owner, thief) if name is not None]
    if len(pair) == 2 and pair[0].simulated != pair[1].simulated:
        raise where.error(
            ("scenario", "thief"),
            "scenario.thief",
            "the owner's and the thief's modems must share a network: make both simulated "
            "(virtual = true, no port) or give both a port",
        )
    if any(not d.simulated for d in pair) and msisdn is None:
        raise where.error(
            ("scenario",),
            "scenario.msisdn",
            'missing: the victim\'s number, as the bank texts it ("+4915112345678")',
        )


def _table(raw: Mapping[str, Any], name: str, where: FieldLocator) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise where.error((name,), name, f"write it as a [{name}] table")
    return value


class _Fields:
    """Typed reads of `[scenario]` fields, each failing with its line."""

    def __init__(self, table: dict[str, Any], where: FieldLocator) -> None:
        self._table = table
        self._where = where

    def _fail(self, key: str, message: str) -> Exception:
        return self._where.error(("scenario", key), f"scenario.{key}", message)

    def text(self, key: str) -> str | None:
        value = self._table.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self._fail(key, "a non-empty quoted string")
        return value.strip()

    def modem(self, key: str, modems: set[str]) -> str | None:
        name = self.text(key)
        if name is not None and name not in modems:
            known = ", ".join(sorted(modems)) or "none"
            raise self._fail(key, f'{name!r} is not a [[device]] of kind "modem"; modems: {known}')
        return name

    def seconds(self, key: str, default: float) -> float:
        value = self._table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self._fail(key, f"{value!r}: a number of seconds > 0 (unquoted)")
        return float(value)

    def env(self, key: str) -> str | None:
        name = self.text(key)
        if name is not None and not _ENV_NAME.fullmatch(name):
            raise self._fail(
                key, f"{name!r}: the NAME of an environment variable, never the secret itself"
            )
        return name


def _hooks(table: dict[str, Any], where: FieldLocator) -> dict[str, Hook]:
    default = table.get("timeout_s", DEFAULT_HOOK_TIMEOUT_S)
    if isinstance(default, bool) or not isinstance(default, int | float) or default <= 0:
        raise where.error(
            ("hooks", "timeout_s"), "hooks.timeout_s", f"{default!r}: seconds > 0 (unquoted)"
        )
    hooks: dict[str, Hook] = {}
    for step, value in table.items():
        if step == "timeout_s":
            continue
        if step not in HOOK_STEPS:
            raise where.error(
                ("hooks", step),
                f"hooks.{step}",
                f"no such step; steps: {', '.join(HOOK_STEPS)} (and timeout_s)",
            )
        hooks[step] = hook_from_value(step, value, float(default), where)
    return hooks


def _path(value: str | None, base: Path | None) -> Path | None:
    if value is None:
        return None
    path = Path(value).expanduser()
    return path if path.is_absolute() or base is None else base / path
