"""The network's event log: who did what to which line, and when — a scenario's evidence.

Operator actions name their actor (`by=`, e.g. "owner" reporting a loss or
"caller" talking the operator into a reactivation); what modems and the SMSC
cause is logged as "network" / "smsc". An OTP code is never written here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from harness.virtual.network.subscribers import msisdn_key

__all__ = ["EventLog", "NetworkEvent"]


@dataclass(frozen=True)
class NetworkEvent:
    at: datetime
    actor: str
    action: str  # e.g. "report-lost", "attach", "attach-denied", "deliver", "expire"
    msisdn: str | None = None
    detail: str = ""
    bound_iccid: str | None = None  # provision / swap-sim: the SIM now bound to the line

    @property
    def sim_change(self) -> bool:
        """A new SIM bound to the number: CAMARA counts a new subscription as a SIM swap."""
        return self.bound_iccid is not None

    def __str__(self) -> str:
        line = f" {self.msisdn}" if self.msisdn else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.at.isoformat()} {self.actor} {self.action}{line}{detail}"


class EventLog:
    """Append-only and thread-safe; readers get copies."""

    def __init__(self) -> None:
        self._events: list[NetworkEvent] = []
        self._lock = threading.Lock()

    def add(self, event: NetworkEvent) -> None:
        with self._lock:
            self._events.append(event)

    def all(self) -> tuple[NetworkEvent, ...]:
        with self._lock:
            return tuple(self._events)

    def __len__(self) -> int:
        with self._lock:
            return len(self._events)

    def since(self, index: int) -> tuple[NetworkEvent, ...]:
        """The events from position `index` on (for followers that poll)."""
        with self._lock:
            return tuple(self._events[index:])

    def actions(self, msisdn: str | None = None) -> list[str]:
        """The action names in order, optionally for one line only (handy in asserts)."""
        key = msisdn_key(msisdn) if msisdn is not None else None
        return [
            e.action
            for e in self.all()
            if key is None or (e.msisdn is not None and msisdn_key(e.msisdn) == key)
        ]
