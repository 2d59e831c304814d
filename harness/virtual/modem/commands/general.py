"""General commands: V.250 basics, identification, +CMEE, +CFUN, signal and registration.

TS 27.007 §5 (identification), §7.2/§7.3/§8.5 (+CREG, +COPS, +CSQ), §8.2 (+CFUN),
§9.1 (+CMEE), §10.1.20/22 (+CGREG, +CEREG); ITU-T V.250 §6 for E, Z, &F, I, S.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.virtual.modem.at_syntax import AtCommand, Kind
from harness.virtual.modem.registration import read_line
from harness.virtual.modem.replies import CmeFault, PlainError, Reply

if TYPE_CHECKING:
    from harness.virtual.modem.firmware import Firmware, Handler


def number(command: AtCommand, index: int, lo: int, hi: int, default: int | None = None) -> int:
    """An integer argument within lo..hi; a missing one takes `default` or is an error."""
    arg = command.arg(index)
    if arg is None:
        if default is None:
            raise CmeFault(50)
        return default
    text = arg.text.strip()
    if not text.isascii() or not text.isdigit() or not lo <= int(text) <= hi:
        raise CmeFault(50)  # incorrect parameters
    return int(text)


def _basic_flag(command: AtCommand) -> int:
    value = command.args[0].text if command.args else "0"
    if value not in ("0", "1"):
        raise PlainError(command.text)
    return int(value)


def echo(fw: Firmware, command: AtCommand) -> list[str]:
    fw.settings.echo = _basic_flag(command) == 1
    return []


def accept(fw: Firmware, command: AtCommand) -> list[str]:
    """V, Q, X, &C, &D, &W, H, S-registers: accepted; the modem keeps V1/Q0 framing."""
    if command.name == "V" and command.args and command.args[0].text == "0":
        raise PlainError("numeric result codes (ATV0) are not offered")
    if command.kind is Kind.READ:
        return ["000"]
    return []


def reset(fw: Firmware, command: AtCommand) -> list[str]:
    """ATZ / AT&F: settings back to their defaults (the +CFUN level and SIM stay)."""
    fw.settings = fw.default_settings()
    fw.sms.ack.clear()  # +CSMS is back at 0: the ME acknowledges by itself again
    return []


def identify(fw: Firmware, command: AtCommand) -> list[str]:
    return [line.format(imei=fw.imei) for line in fw.personality.ati]


def gcap(fw: Firmware, command: AtCommand) -> list[str]:
    """+GCAP (V.250 §6.1.9, 27.007 §5.6 notes +CGSM): the capability list, as the
    personality's ATI shows it, else the GSM command set alone."""
    if command.kind is Kind.TEST:
        return []
    for line in fw.personality.ati:
        if line.startswith("+GCAP:"):
            return [line]
    return ["+GCAP: +CGSM"]


def dial(fw: Firmware, command: AtCommand) -> list[str] | Reply:
    """ATD: emergency numbers always (27.007 §8.3 note); others need a registered modem."""
    target = command.args[0].text.rstrip(";").strip() if command.args else ""
    if target in ("112", "911"):
        return []
    state = fw.sim_state()
    if state.locked:
        raise CmeFault(state.cme)
    if not fw.radio.registered:
        return Reply(["NO CARRIER"], final=False)  # NO CARRIER is the final result
    return []


def manufacturer(fw: Firmware, command: AtCommand) -> list[str]:
    return [fw.personality.manufacturer] if command.kind is not Kind.TEST else []


def model(fw: Firmware, command: AtCommand) -> list[str]:
    return [fw.personality.model] if command.kind is not Kind.TEST else []


def revision(fw: Firmware, command: AtCommand) -> list[str]:
    if fw.personality.revision is None:
        raise PlainError("no revision")
    return [fw.personality.revision] if command.kind is not Kind.TEST else []


def serial_number(fw: Firmware, command: AtCommand) -> list[str]:
    return [fw.imei] if command.kind is not Kind.TEST else []


def cmee(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.READ:
        return [f"+CMEE: {fw.settings.cmee}"]
    if command.kind is Kind.TEST:
        return ["+CMEE: (0-2)"]
    fw.settings.cmee = number(command, 0, 0, 2, default=0)
    return []


def cfun(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.READ:
        return [f"+CFUN: {fw.cfun}"]
    if command.kind is Kind.TEST:
        return ["+CFUN: (0,1,4),(0-1)"]
    if command.kind is not Kind.SET:
        raise CmeFault(50)
    fun = number(command, 0, 0, 4)
    if fun not in (0, 1, 4):
        raise CmeFault(50)
    if number(command, 1, 0, 1, default=0) == 1:
        if fun != 1:
            raise CmeFault(50)
        fw.defer(fw.restart)  # reset the MT first (27.007 §8.2): after the OK, as modems do
        return []
    fw.set_power(fun)
    return []


def cpas(fw: Firmware, command: AtCommand) -> list[str]:
    return ["+CPAS: (0-5)"] if command.kind is Kind.TEST else ["+CPAS: 0"]


def csq(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return ["+CSQ: (0-31,99),(0-7,99)"]
    return ["+CSQ: 20,99" if fw.cfun == 1 else "+CSQ: 99,99"]


def cops(fw: Firmware, command: AtCommand) -> list[str]:
    name = str(getattr(fw.network, "operator_name", "Harness Test"))
    plmn = str(getattr(fw.network, "plmn", "00101"))
    if command.kind is Kind.TEST:
        return [f'+COPS: (2,"{name}","{name}","{plmn}",7),,(0-4),(0-2)']
    if command.kind is Kind.READ:
        if fw.radio.registered:
            fmt = fw.settings.cops_format
            return [f'+COPS: 0,{fmt},"{plmn if fmt == 2 else name}",7']
        return ["+COPS: 0"]
    mode = number(command, 0, 0, 4, default=0)
    if command.arg(1) is not None:
        fw.settings.cops_format = number(command, 1, 0, 2)
    if mode == 3:
        return []  # 27.007 §7.3: set only <format> for the read command
    if mode == 2:
        fw.radio.detach()
    elif mode in (0, 1, 4):
        fw.defer(fw.radio.try_register)
    else:
        raise CmeFault(3)
    return []


def _registration(attr: str, prefix: str) -> Handler:
    def handler(fw: Firmware, command: AtCommand) -> list[str]:
        if command.kind is Kind.TEST:
            return [f"{prefix}: (0-2)"]
        if command.kind is Kind.READ:
            return [read_line(prefix, getattr(fw.settings, attr), fw.radio.stat)]
        setattr(fw.settings, attr, number(command, 0, 0, 2, default=0))
        return []

    return handler


def cgatt(fw: Firmware, command: AtCommand) -> list[str]:
    """+CGATT (TS 27.007 §10.1.9): packet-domain attach. The virtual network has one
    registration for both domains, so the state is "registered and not detached";
    +CGATT=0 detaches the packet domain only (SMS over CS keeps working)."""
    if command.kind is Kind.TEST:
        return ["+CGATT: (0,1)"]
    if command.kind is Kind.READ:
        attached = fw.radio.registered and fw.settings.ps_attach
        return [f"+CGATT: {int(attached)}"]
    state = number(command, 0, 0, 1)
    fw.settings.ps_attach = bool(state)
    if state and not fw.radio.registered:
        fw.defer(fw.radio.try_register)
    return []


def cscs(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return ['+CSCS: ("GSM","IRA","UCS2")']
    if command.kind is Kind.READ:
        return [f'+CSCS: "{fw.settings.cscs}"']
    arg = command.arg(0)
    if arg is None or arg.text.upper() not in ("GSM", "IRA", "UCS2"):
        raise CmeFault(50)
    fw.settings.cscs = arg.text.upper()
    return []


def clac(fw: Firmware, command: AtCommand) -> list[str]:
    render = fw.personality.clac
    if render is None:
        raise PlainError("+CLAC not offered")
    names = sorted(name for name in fw.commands if name[:1] in "+^#$%!*_")
    return render(names)


COMMANDS: dict[str, Handler] = {
    "E": echo,
    "V": accept,
    "Q": accept,
    "X": accept,
    "&C": accept,
    "&D": accept,
    "&W": accept,
    "H": accept,
    "S0": accept,
    "S3": accept,
    "S4": accept,
    "S5": accept,
    "S7": accept,
    "Z": reset,
    "&F": reset,
    "I": identify,
    "D": dial,
    "+GCAP": gcap,
    "+CGMI": manufacturer,
    "+GMI": manufacturer,
    "+CGMM": model,
    "+GMM": model,
    "+CGMR": revision,
    "+GMR": revision,
    "+CGSN": serial_number,
    "+GSN": serial_number,
    "+CMEE": cmee,
    "+CFUN": cfun,
    "+CPAS": cpas,
    "+CSQ": csq,
    "+COPS": cops,
    "+CREG": _registration("creg_n", "+CREG"),
    "+CGREG": _registration("cgreg_n", "+CGREG"),
    "+CEREG": _registration("cereg_n", "+CEREG"),
    "+CGATT": cgatt,
    "+CSCS": cscs,
    "+CLAC": clac,
}
