"""PIN commands: +CPIN, +CPINR, +CLCK, +CPWD (TS 27.007 §8.3, §8.65, §7.4, §7.5).

Each one is the APDU real firmware sends (VERIFY 0020, UNBLOCK 002C, ENABLE 0028,
DISABLE 0026, CHANGE 0024 on PIN1 = 01 or PIN2 = 81) and the card's status word
mapped to a result code: 63Cx -> +CME ERROR 16 (incorrect password), 6983 ->
12/18 (PUK/PUK2 required) or 13 when the PUK itself is gone, 6984/6985 -> 3.
Retry counts come from the card (`SimView`, empty VERIFY/UNBLOCK): the modem
keeps none of its own.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from harness.secret_ins import CHANGE_PIN, DISABLE_PIN, ENABLE_PIN, UNBLOCK_PIN, VERIFY_PIN
from harness.sim.key_refs import UICC_PIN1, UICC_PIN2, pin_block
from harness.virtual.modem.at_syntax import Arg, AtCommand, Kind
from harness.virtual.modem.commands.general import number
from harness.virtual.modem.replies import CmeFault, Reply
from harness.virtual.modem.sim_state import SimState

if TYPE_CHECKING:
    from harness.virtual.modem.firmware import Firmware, Handler

DEFAULT_PIN_TRIES, DEFAULT_PUK_TRIES = 3, 10  # TS 102 221 initial counters (docs/sources.md §4.3)
PERSONALISATION = ("PS", "PF", "PN", "PU", "PP", "PC")


def secret(arg: Arg | None, lo: int, hi: int) -> str:
    """A PIN/PUK argument of lo..hi digits; anything else is +CME ERROR 50 (never echoed)."""
    if arg is None or not arg.text.isascii() or not arg.text.isdigit():
        raise CmeFault(50)
    if not lo <= len(arg.text) <= hi:
        raise CmeFault(50)
    return arg.text


def check_sw(sw: int, *, blocked: int) -> None:
    """Map the card's answer to a PIN command; `blocked` is the CME code for 6983."""
    if sw == 0x9000:
        return
    if sw & 0xFFF0 == 0x63C0:
        raise CmeFault(16)  # incorrect password
    if sw == 0x6983:
        raise CmeFault(blocked)
    if sw in (0x6984, 0x6985):
        raise CmeFault(3)  # operation not allowed (PIN disabled / already in that state)
    if sw == 0x6A80:
        raise CmeFault(50)
    raise CmeFault(100)


def cpin(fw: Firmware, command: AtCommand) -> list[str] | Reply:
    if command.kind is Kind.TEST:
        return []
    state = fw.sim_state()
    if state in (SimState.ABSENT, SimState.OFF, SimState.FAILURE):
        raise CmeFault(state.cme)
    if command.kind is Kind.READ:
        return Reply([f"+CPIN: {state.value}"], final=fw.personality.cpin_read_final)
    if command.kind is not Kind.SET:
        raise CmeFault(50)
    sim = fw.require_sim()
    if state is SimState.READY:
        raise CmeFault(3)  # nothing pending: no action towards the SIM (27.007 §8.3)
    if state is SimState.PIN:
        pin = secret(command.arg(0), 4, 8)
        check_sw(sim.pin_command(VERIFY_PIN, UICC_PIN1, pin_block(pin)), blocked=12)
    else:
        if command.arg(1) is None:
            raise CmeFault(3)  # SIM PUK needs <puk>,<newpin>
        puk = secret(command.arg(0), 8, 8)
        new_pin = secret(command.arg(1), 4, 8)
        sw = sim.pin_command(UNBLOCK_PIN, UICC_PIN1, pin_block(puk) + pin_block(new_pin))
        check_sw(sw, blocked=13)
    fw.defer(fw.sim_ready)
    return []


def cpinr(fw: Firmware, command: AtCommand) -> list[str]:
    """`+CPINR: SIM PIN,<left>,3` per matching code (<code> unquoted, 27.007 §8.65)."""
    if command.kind is Kind.TEST:
        return []
    selector = "*"
    if command.kind is Kind.SET:
        arg = command.arg(0)
        selector = arg.text.upper() if arg is not None else "*"
    view = fw.pin_view()
    entries = (
        ("SIM PIN", view.pin1, DEFAULT_PIN_TRIES),
        ("SIM PUK", view.puk1, DEFAULT_PUK_TRIES),
        ("SIM PIN2", view.pin2, DEFAULT_PIN_TRIES),
        ("SIM PUK2", view.puk2, DEFAULT_PUK_TRIES),
    )
    return [
        f"+CPINR: {code},{left},{initial}"
        for code, left, initial in entries
        if fnmatchcase(code, selector)
    ]


def clck(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return ['+CLCK: ("SC","FD","P2","PS","PF","PN","PU","PP","PC")']
    if command.kind is not Kind.SET or command.arg(0) is None:
        raise CmeFault(50)
    facility = command.args[0].text.upper()
    mode = number(command, 1, 0, 2)
    if facility in PERSONALISATION:
        if mode == 2:
            return ["+CLCK: 0"]  # no personalisation lock on a virtual modem
        raise CmeFault(4)
    if facility not in ("SC", "FD", "P2"):
        raise CmeFault(4)  # operation not supported
    sim = fw.require_sim()
    if facility == "SC":
        if mode == 2:
            return [f"+CLCK: {int(sim.pin1_enabled())}"]
        pin = secret(command.arg(2), 4, 8)
        check_sw(
            sim.pin_command(ENABLE_PIN if mode == 1 else DISABLE_PIN, UICC_PIN1, pin_block(pin)),
            blocked=12,
        )
        return []
    if mode == 2:
        return [f"+CLCK: {int(fw.fdn_enabled) if facility == 'FD' else 1}"]
    pin2 = secret(command.arg(2), 4, 8)
    check_sw(sim.pin_command(VERIFY_PIN, UICC_PIN2, pin_block(pin2)), blocked=18)
    if facility == "FD":
        fw.fdn_enabled = mode == 1
    return []


def cpwd(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return ['+CPWD: ("SC",8),("P2",8)']
    if command.kind is not Kind.SET or command.arg(0) is None:
        raise CmeFault(50)
    facility = command.args[0].text.upper()
    if facility not in ("SC", "P2"):
        raise CmeFault(4)
    old = secret(command.arg(1), 4, 8)
    new = secret(command.arg(2), 4, 8)
    sim = fw.require_sim()
    key = UICC_PIN1 if facility == "SC" else UICC_PIN2
    check_sw(
        sim.pin_command(CHANGE_PIN, key, pin_block(old) + pin_block(new)),
        blocked=12 if facility == "SC" else 18,
    )
    return []


COMMANDS: dict[str, Handler] = {
    "+CPIN": cpin,
    "+CPINR": cpinr,
    "+CLCK": clck,
    "+CPWD": cpwd,
}
