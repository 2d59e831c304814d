"""Vendor commands: retry counters, ICCID and SIM-status switches, in each dialect's format.

Formats from docs/sources.md §2.1/§2.3 (oFono and ModemManager parsers, vendor manuals);
every counter is read from the card through `SimView` (empty VERIFY/UNBLOCK).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.virtual.modem.at_syntax import AtCommand, Kind
from harness.virtual.modem.commands.general import number
from harness.virtual.modem.replies import CmeFault
from harness.virtual.modem.sim_state import SimState

if TYPE_CHECKING:
    from harness.virtual.modem.firmware import Firmware, Handler


def qpinc(fw: Firmware, command: AtCommand) -> list[str]:
    """Quectel `AT+QPINC?` / `AT+QPINC="SC"`: `+QPINC: "SC",<pin>,<puk>` and `"P2"`."""
    if command.kind is Kind.TEST:
        return ['+QPINC: ("SC","P2")']
    view = fw.pin_view()
    lines = {
        "SC": f'+QPINC: "SC",{view.pin1},{view.puk1}',
        "P2": f'+QPINC: "P2",{view.pin2},{view.puk2}',
    }
    if command.kind is Kind.READ:
        return list(lines.values())
    arg = command.arg(0)
    if arg is None or arg.text.upper() not in lines:
        raise CmeFault(50)
    return [lines[arg.text.upper()]]


def qccid(fw: Firmware, command: AtCommand) -> list[str]:
    """Quectel prints the EF.ICCID nibbles: a 19-digit ICCID keeps its filler F."""
    if command.kind is Kind.TEST:
        return []
    iccid = fw.read_iccid()
    return [f"+QCCID: {iccid}{'F' if len(iccid) == 19 else ''}"]


def qsimstat(fw: Firmware, command: AtCommand) -> list[str]:
    """`AT+QSIMSTAT=<enable>`; read `+QSIMSTAT: <enable>,<inserted>`."""
    if command.kind is Kind.TEST:
        return ["+QSIMSTAT: (0,1)"]
    if command.kind is Kind.READ:
        inserted = int(fw.card is not None)
        return [f"+QSIMSTAT: {fw.settings.vendor.get('qsimstat', 0)},{inserted}"]
    fw.settings.vendor["qsimstat"] = number(command, 0, 0, 1)
    return []


def spic(fw: Firmware, command: AtCommand) -> list[str]:
    """SIMCom `AT+SPIC`: `+SPIC: <pin1>,<puk1>,<pin2>,<puk2>`."""
    if command.kind is Kind.TEST:
        return []
    view = fw.pin_view()
    return [f"+SPIC: {view.pin1},{view.puk1},{view.pin2},{view.puk2}"]


def ciccid(fw: Firmware, command: AtCommand) -> list[str]:
    """SIMCom `AT+CICCID` -> `+ICCID: <iccid>`."""
    if command.kind is Kind.TEST:
        return []
    return [f"+ICCID: {fw.read_iccid()}"]


def huawei_cpin(fw: Firmware, command: AtCommand) -> list[str]:
    """`AT^CPIN?` -> `^CPIN: <code>,[<times>],<puk>,<pin>,<puk2>,<pin2>`."""
    if command.kind is not Kind.READ:
        return []
    state = fw.sim_state()
    if state in (SimState.ABSENT, SimState.OFF, SimState.FAILURE):
        raise CmeFault(state.cme)
    view = fw.pin_view()
    times = {SimState.PIN: str(view.pin1), SimState.PUK: str(view.puk1)}.get(state, "")
    return [f"^CPIN: {state.value},{times},{view.puk1},{view.pin1},{view.puk2},{view.pin2}"]


def huawei_iccid(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return []
    return [f"^ICCID: {fw.read_iccid()}"]


def cpinc(fw: Firmware, command: AtCommand) -> list[str]:
    """Sierra / Wavecom `AT+CPINC?`: `+CPINC: <pin1>,<pin2>,<puk1>,<puk2>`."""
    if command.kind is Kind.TEST:
        return []
    view = fw.pin_view()
    return [f"+CPINC: {view.pin1},{view.pin2},{view.puk1},{view.puk2}"]


def sierra_iccid(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return []
    return [f"!ICCID: {fw.read_iccid()}"]


def telit_pct(fw: Firmware, command: AtCommand) -> list[str]:
    """Telit `AT#PCT` -> `#PCT: <n>`, the tries of the password now required (PIN1 if none)."""
    if command.kind is Kind.TEST:
        return []
    state = fw.sim_state()
    if state in (SimState.ABSENT, SimState.OFF):
        raise CmeFault(state.cme)
    view = fw.pin_view()
    return [f"#PCT: {view.puk1 if state in (SimState.PUK, SimState.FAILURE) else view.pin1}"]


def telit_qss(fw: Firmware, command: AtCommand) -> list[str]:
    """Telit `AT#QSS=<mode>`; read `#QSS: <mode>,<status>` (0 absent .. 3 ready)."""
    if command.kind is Kind.TEST:
        return ["#QSS: (0-2)"]
    if command.kind is Kind.READ:
        return [f"#QSS: {fw.settings.vendor.get('qss', 0)},{qss_status(fw)}"]
    fw.settings.vendor["qss"] = number(command, 0, 0, 2)
    return []


def qss_status(fw: Firmware) -> int:
    state = fw.sim_state()
    if state in (SimState.ABSENT, SimState.OFF):
        return 0
    return 3 if state is SimState.READY else 1


def upincnt(fw: Firmware, command: AtCommand) -> list[str]:
    """u-blox `AT+UPINCNT` -> `+UPINCNT: <pin1>,<pin2>,<puk1>,<puk2>`."""
    if command.kind is Kind.TEST:
        return []
    view = fw.pin_view()
    return [f"+UPINCNT: {view.pin1},{view.pin2},{view.puk1},{view.puk2}"]


def wind(fw: Firmware, command: AtCommand) -> list[str]:
    """Wavecom `AT+WIND=<bitmap>` / `AT+WIND?` (general indications)."""
    if command.kind is Kind.TEST:
        return ["+WIND: (0-4095)"]
    if command.kind is Kind.READ:
        return [f"+WIND: {fw.settings.vendor.get('wind', 0)}"]
    fw.settings.vendor["wind"] = number(command, 0, 0, 4095)
    return []


def bare_iccid(prefix: str) -> Handler:
    def handler(fw: Firmware, command: AtCommand) -> list[str]:
        if command.kind is Kind.TEST:
            return []
        return [f"{prefix}: {fw.read_iccid()}"]

    return handler


def module_reset(fw: Firmware, command: AtCommand) -> list[str]:
    """A vendor's whole-module reset (SIMCom AT+CRESET, Huawei AT^RESET, Telit
    AT#REBOOT, Sierra AT!RESET): OK, then a power cycle with the start-up URCs."""
    if command.kind is Kind.TEST:
        return []
    if command.kind is not Kind.ACTION:
        raise CmeFault(50)
    fw.defer(fw.restart)  # after the OK is out, as the modules do
    return []
