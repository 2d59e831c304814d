"""When a number last got a new SIM, read from the network's event log.

A SIM change is any event that bound a SIM to a line: the activation of a new
subscription and every SIM swap since (CAMARA SIM Swap: "any change in the
MSISDN-IMSI binding"; a new subscription counts too). The log is the
operator's record, so this is what its SIM Swap API answers from.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from harness.virtual.network.events import NetworkEvent
from harness.virtual.network.subscribers import msisdn_key

__all__ = ["latest_sim_change"]


def latest_sim_change(events: Iterable[NetworkEvent], msisdn: str) -> datetime | None:
    """The latest instant a SIM was bound to `msisdn` (activation or swap); None if never."""
    key = msisdn_key(msisdn)
    changes = [
        e.at
        for e in events
        if e.sim_change and e.msisdn is not None and msisdn_key(e.msisdn) == key
    ]
    return max(changes, default=None)
