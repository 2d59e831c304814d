"""Fault injection for the virtual modem: what a flaky USB serial line and a buggy firmware do.

Every knob is off by default. Byte-level knobs (split, merge, latency, drop,
garbage) shape what the port writes; the others change what the firmware says
(`urc_*`, `echo_ignores_ate0`, `verbose_cmee`), make the stand-in network
send a status report in the same breath as the +CMGS it reports
(`status_report_burst`; a real SC takes a while), or do something to the port in
the middle of a command (`disconnect_on_command`, `reboot_on_command`). All
randomness comes from one `random.Random(seed)` per port, so a failing run
replays byte for byte.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Sequence
from dataclasses import dataclass

from harness.errors import ConfigError

SPLIT_GAP_S = 0.001  # between the 1-byte writes of split_writes, so a reader sees them apart
MERGE_WINDOW_S = 0.03  # merge_writes holds output this long, so several writes go out as one
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class FaultConfig:
    """The knobs; `FaultConfig.parse(["latency_ms=20", "split_writes=1"])` builds one."""

    seed: int = 0
    split_writes: bool = False  # every byte in its own write
    merge_writes: bool = False  # hold output MERGE_WINDOW_S so responses and URCs travel together
    latency_ms: int = 0  # delay before each write
    drop_bytes: float = 0.0  # probability that an output byte is lost
    garbage: float = 0.0  # probability that a write is preceded by 1-4 random bytes
    urc_burst: int = 0  # unsolicited lines sent after every final result code
    urc_in_response: bool = False  # an unsolicited line between a response and its final code
    urc_after_prompt: bool = False  # an unsolicited line right after the SMS prompt "> "
    echo_ignores_ate0: bool = False  # echo stays on whatever ATE says
    verbose_cmee: bool = False  # errors always verbose, as if AT+CMEE=2
    disconnect_on_command: int = 0  # the Nth command line: half its answer, then the port drops
    reboot_on_command: int = 0  # the Nth command line: half its answer, then the modem reboots
    status_report_burst: bool = False  # the stand-in network's report comes with the +CMGS

    def __post_init__(self) -> None:
        for name in ("drop_bytes", "garbage"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"fault {name}={value}: a probability must be 0..1")
        for name in ("latency_ms", "urc_burst", "disconnect_on_command", "reboot_on_command"):
            if getattr(self, name) < 0:
                raise ConfigError(f"fault {name}={getattr(self, name)} must not be negative")

    @classmethod
    def knobs(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    @classmethod
    def parse(cls, items: Sequence[str]) -> FaultConfig:
        """KNOB=VALUE strings (the CLI's --fault); a bad knob or value raises ConfigError."""
        types = {f.name: f.type for f in dataclasses.fields(cls)}
        values: dict[str, object] = {}
        for item in items:
            name, sep, text = item.partition("=")
            name = name.strip().replace("-", "_")
            if not sep:
                raise ConfigError(f"fault {item!r} is not KNOB=VALUE")
            if name not in types:
                raise ConfigError(
                    f"unknown fault knob {name!r}; known knobs: {', '.join(cls.knobs())}"
                )
            values[name] = _convert(name, str(types[name]), text.strip())
        return cls(**values)  # type: ignore[arg-type]

    @property
    def shapes_bytes(self) -> bool:
        return bool(
            self.split_writes
            or self.merge_writes
            or self.latency_ms
            or self.drop_bytes
            or self.garbage
        )


def _convert(name: str, kind: str, text: str) -> object:
    try:
        if kind == "bool":
            lowered = text.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise ValueError(text)
        if kind == "int":
            return int(text)
        return float(text)
    except ValueError:
        raise ConfigError(f"fault {name}={text!r}: expected a {kind} value") from None


class OutputShaper:
    """Turns each write of the modem into timed chunks, per the byte-level knobs."""

    def __init__(self, faults: FaultConfig, salt: int = 0) -> None:
        self.faults = faults
        self._random = random.Random(faults.seed * 1_000_003 + salt)
        self._last_due = 0.0

    def shape(self, data: bytes, now: float) -> list[tuple[float, bytes]]:
        """(due time, bytes) chunks, in order; never earlier than a chunk already scheduled."""
        faults = self.faults
        if faults.drop_bytes:
            data = bytes(b for b in data if self._random.random() >= faults.drop_bytes)
        if faults.garbage and self._random.random() < faults.garbage:
            data = self._random.randbytes(self._random.randint(1, 4)) + data
        if not data:
            return []
        if faults.merge_writes:  # join the open window, or open one
            due = self._last_due if self._last_due > now else now + MERGE_WINDOW_S
        else:
            due = max(now, self._last_due)
        delay = faults.latency_ms / 1000.0
        if faults.split_writes:
            chunks = []
            gap = max(delay, SPLIT_GAP_S)
            for byte in data:
                due += gap
                chunks.append((due, bytes((byte,))))
        else:
            due += delay
            chunks = [(due, data)]
        self._last_due = chunks[-1][0]
        return chunks
