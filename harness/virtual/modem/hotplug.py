"""SIM hot-plug, readiness and boot URCs in each vendor's words (docs/sources.md §2.3).

Four moments: a SIM inserted, a SIM removed, the SIM becoming ready after a
PIN/PUK, and the modem booting. Each hook returns the URC lines to send.
Exact sets marked [U] in docs/sources.md are best knowledge, not recordings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem.settings import Settings
from harness.virtual.modem.sim_state import SimState


class HotPlugHost(Protocol):
    """What a hot-plug hook reads of the firmware (`Firmware` is one)."""

    card: VirtualUicc | None
    settings: Settings


StateHook = Callable[[HotPlugHost, SimState], list[str]]
PlainHook = Callable[[HotPlugHost], list[str]]


def _none_state(fw: HotPlugHost, state: SimState) -> list[str]:
    return []


def _none(fw: HotPlugHost) -> list[str]:
    return []


@dataclass(frozen=True)
class HotPlug:
    insert: StateHook = _none_state
    remove: PlainHook = _none
    ready: PlainHook = _none
    boot: StateHook = _none_state


def _cpin(state: SimState) -> list[str]:
    """`+CPIN: <code>` as an indication, for the codes +CPIN? itself can give."""
    if state in (SimState.READY, SimState.PIN, SimState.PUK):
        return [f"+CPIN: {state.value}"]
    return []


# --- Quectel: +QSIMSTAT (when enabled), +QUSIM: 1 on (re)init, +CPIN: NOT READY, +QIND --------
def _quectel_insert(fw: HotPlugHost, state: SimState) -> list[str]:
    lines = ["+QSIMSTAT: 1,1"] if fw.settings.vendor.get("qsimstat") else []
    lines += ["+QUSIM: 1", *_cpin(state)]
    return lines + (["+QIND: SMS DONE"] if state is SimState.READY else [])


def _quectel_remove(fw: HotPlugHost) -> list[str]:
    lines = ["+QSIMSTAT: 1,0"] if fw.settings.vendor.get("qsimstat") else []
    return [*lines, "+CPIN: NOT READY"]


def _quectel_ready(fw: HotPlugHost) -> list[str]:
    return ["+CPIN: READY", "+QIND: SMS DONE"]


def _quectel_boot(fw: HotPlugHost, state: SimState) -> list[str]:
    lines = ["RDY", *_cpin(state), "+QUSIM: 1"] if fw.card is not None else ["RDY"]
    return lines + (["+QIND: SMS DONE"] if state is SimState.READY else [])


QUECTEL = HotPlug(_quectel_insert, _quectel_remove, _quectel_ready, _quectel_boot)


# --- SIMCom: +CPIN: <code>, "SMS Ready" [U exact set] -----------------------------------------
def _simcom_insert(fw: HotPlugHost, state: SimState) -> list[str]:
    return _cpin(state) + (["SMS Ready"] if state is SimState.READY else [])


SIMCOM = HotPlug(
    _simcom_insert,
    lambda fw: ["+CPIN: NOT READY"],
    lambda fw: ["+CPIN: READY", "SMS Ready"],
    lambda fw, state: ["RDY", *_simcom_insert(fw, state)],
)


# --- Huawei: ^SIMST: 0 invalid or PIN-locked, 1 valid, 255 not present ------------------------
def _simst(state: SimState) -> list[str]:
    if state in (SimState.ABSENT, SimState.OFF):
        return ["^SIMST: 255"]
    return [f"^SIMST: {1 if state is SimState.READY else 0}"]


HUAWEI = HotPlug(
    lambda fw, state: _simst(state),
    lambda fw: ["^SIMST: 255"],
    lambda fw: ["^SIMST: 1"],
    lambda fw, state: _simst(state),
)

# --- Sierra (HL series, AT+KSIMDET): +SIM: 1 removed, +SIM: 0 inserted (docs/sources.md §2.3)
SIERRA = HotPlug(insert=lambda fw, state: ["+SIM: 0"], remove=lambda fw: ["+SIM: 1"])


# --- Telit #QSS: mode 1 gives 0/1, mode 2 adds 2 (PIN unlocked) and 3 (ready) -----------------
def _telit_insert(fw: HotPlugHost, state: SimState) -> list[str]:
    mode = fw.settings.vendor.get("qss", 0)
    if mode == 0:
        return []
    lines = ["#QSS: 1"]
    return lines + (["#QSS: 3"] if mode == 2 and state is SimState.READY else [])


def _telit_remove(fw: HotPlugHost) -> list[str]:
    return ["#QSS: 0"] if fw.settings.vendor.get("qss", 0) else []


def _telit_ready(fw: HotPlugHost) -> list[str]:
    return ["#QSS: 2", "#QSS: 3"] if fw.settings.vendor.get("qss", 0) == 2 else []


TELIT = HotPlug(_telit_insert, _telit_remove, _telit_ready)


# --- u-blox +UUSIMSTAT: 0 absent, 1 PIN needed, 2 PIN blocked, 3 PUK blocked, 6 operational [U]
def _usimstat(state: SimState) -> list[str]:
    value = {SimState.PIN: 1, SimState.PUK: 2, SimState.FAILURE: 3, SimState.READY: 6}
    return [f"+UUSIMSTAT: {value.get(state, 0)}"]


UBLOX = HotPlug(
    lambda fw, state: _usimstat(state),
    lambda fw: ["+UUSIMSTAT: 0"],
    lambda fw: ["+UUSIMSTAT: 6"],
)

# --- Wavecom +WIND: 0 SIM removed, 1 inserted, 3 ready (no SIM commands), 4 fully ready [U] --
WAVECOM = HotPlug(
    lambda fw, state: ["+WIND: 1"],
    lambda fw: ["+WIND: 0"],
    lambda fw: ["+WIND: 4"],
    lambda fw, state: ["+WIND: 3", *(["+WIND: 4"] if state is SimState.READY else [])],
)

GENERIC = HotPlug()
