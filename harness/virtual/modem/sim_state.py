"""The SIM as the modem sees it at one moment, and the error each state gives.

Derived from the card on every use (`SimView`), never stored: the card is the
one source of truth for PIN state (DESIGN.md).
"""

from __future__ import annotations

from enum import Enum

from harness.virtual.sim_view import CpinCode


class SimState(Enum):
    ABSENT = "absent"  # no card in the holder
    OFF = "off"  # card present but powered down (+CFUN=0)
    READY = "READY"
    PIN = "SIM PIN"
    PUK = "SIM PUK"
    FAILURE = "SIM FAILURE"  # PUK exhausted

    @classmethod
    def from_cpin(cls, code: CpinCode) -> SimState:
        return {
            CpinCode.READY: cls.READY,
            CpinCode.SIM_PIN: cls.PIN,
            CpinCode.SIM_PUK: cls.PUK,
            CpinCode.SIM_FAILURE: cls.FAILURE,
        }[code]

    @property
    def locked(self) -> bool:
        """A PIN or PUK (or a dead SIM) stands between the modem and the SIM's files."""
        return self in (SimState.PIN, SimState.PUK, SimState.FAILURE)

    @property
    def cme(self) -> int:
        """+CME ERROR for a command the state forbids (27.007 §9.2)."""
        return {
            SimState.ABSENT: 10,  # SIM not inserted
            SimState.OFF: 13,  # SIM failure: the SIM is not powered at +CFUN=0
            SimState.PIN: 11,  # SIM PIN required
            SimState.PUK: 12,  # SIM PUK required
            SimState.FAILURE: 13,  # SIM failure (PUK blocked: card permanently locked)
            SimState.READY: 3,
        }[self]

    @property
    def cms(self) -> int:
        """+CMS ERROR for an SMS command the state forbids (27.005 §3.2.5, docs/sources.md §3.5)."""
        return {
            SimState.ABSENT: 310,
            SimState.OFF: 313,
            SimState.PIN: 311,
            SimState.PUK: 316,
            SimState.FAILURE: 313,
            SimState.READY: 302,
        }[self]
