"""What the modem says about its SIM, as one typed value (TS 27.007 §8.3; docs/sources.md §1.2).

+CPIN? answers a code (READY, SIM PIN, ...), but two states arrive as errors
instead: no SIM is `+CME ERROR: 10` (some modems say `+CPIN: NOT INSERTED`,
the Android emulator `ABSENT`), and a dead SIM, e.g. with its PUK exhausted, is
`+CME ERROR: 13` (SIM failure). A SIM still starting up answers CME 14 (busy)
or `+CPIN: NOT READY` (Quectel). `SimState` folds all of them into one enum.

Why two enums of one shape: `CpinCode` (harness.at.parsers) is what a +CPIN or
+CPINR line literally says, vendor words included; `SimState` is the driver's
answer, which also comes from +CME errors (10 absent, 13/15 failure) that no
+CPIN code expresses, and which callers act on.
"""

from __future__ import annotations

from enum import Enum

from harness.at.parsers import CpinCode


class SimState(Enum):
    READY = "READY"
    SIM_PIN = "SIM PIN"
    SIM_PUK = "SIM PUK"
    SIM_PIN2 = "SIM PIN2"
    SIM_PUK2 = "SIM PUK2"
    PH_SIM_PIN = "PH-SIM PIN"
    PH_FSIM_PIN = "PH-FSIM PIN"
    PH_FSIM_PUK = "PH-FSIM PUK"
    PH_NET_PIN = "PH-NET PIN"
    PH_NET_PUK = "PH-NET PUK"
    PH_NETSUB_PIN = "PH-NETSUB PIN"
    PH_NETSUB_PUK = "PH-NETSUB PUK"
    PH_SP_PIN = "PH-SP PIN"
    PH_SP_PUK = "PH-SP PUK"
    PH_CORP_PIN = "PH-CORP PIN"
    PH_CORP_PUK = "PH-CORP PUK"
    NOT_READY = "NOT READY"  # starting up (CME 14 that did not clear, or NOT READY)
    ABSENT = "ABSENT"  # CME 10, NOT INSERTED, ABSENT
    FAILURE = "SIM FAILURE"  # CME 13 (e.g. PUK exhausted) or CME 15 (SIM wrong)

    @property
    def ready(self) -> bool:
        return self is SimState.READY

    @property
    def present(self) -> bool:
        return self is not SimState.ABSENT

    @property
    def settled(self) -> bool:
        """False while the SIM is still starting up (worth polling again)."""
        return self is not SimState.NOT_READY

    @property
    def needs_pin(self) -> bool:
        return self in (SimState.SIM_PIN, SimState.SIM_PIN2)

    @property
    def needs_puk(self) -> bool:
        return self in (SimState.SIM_PUK, SimState.SIM_PUK2)


_FROM_CPIN_CODE: dict[CpinCode, SimState] = {
    CpinCode.NOT_INSERTED: SimState.ABSENT,
    CpinCode.ABSENT: SimState.ABSENT,
    CpinCode.NOT_READY: SimState.NOT_READY,
}

# +CME ERROR codes that answer +CPIN? with a state instead of a code.
_FROM_CME: dict[int, SimState] = {
    10: SimState.ABSENT,
    11: SimState.SIM_PIN,
    12: SimState.SIM_PUK,
    13: SimState.FAILURE,
    14: SimState.NOT_READY,
    15: SimState.FAILURE,
    17: SimState.SIM_PIN2,
    18: SimState.SIM_PUK2,
    515: SimState.NOT_READY,
}


def state_from_cpin_code(code: CpinCode) -> SimState:
    return _FROM_CPIN_CODE.get(code) or SimState(code.value)


def state_from_cme(code: int | None) -> SimState | None:
    """The SIM state a +CME ERROR to +CPIN? stands for, or None when it says nothing."""
    return _FROM_CME.get(code) if code is not None else None
