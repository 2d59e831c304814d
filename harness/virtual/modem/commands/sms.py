"""TS 27.005 commands in PDU mode (+CMGF=0) and text mode (+CMGF=1).

Memories: <mem1> for +CMGL/+CMGR/+CMGD, <mem2> for +CMGW/+CMSS, <mem3> for
arrivals (`SmsService`). Errors are +CMS ERROR codes (27.005 §3.2.5): 302
operation not allowed, 304/305 invalid PDU/text mode parameter, 321 invalid
memory index, 330 SMSC address unknown, 331 no network service.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from harness.errors import CodecError
from harness.sms.address import Address
from harness.sms.pdu import SmsPdu
from harness.sms.tpdu import SmsDeliver, SmsSubmit
from harness.virtual.modem.at_syntax import AtCommand, Kind
from harness.virtual.modem.replies import CmeFault, CmsFault, PendingPrompt, Reply
from harness.virtual.modem.sim_io import SimError
from harness.virtual.modem.sim_state import SimState
from harness.virtual.modem.sms.format import (
    STAT_TEXT,
    TEXT_STAT,
    at_stat,
    pdu_lines,
    split_body,
    text_header,
    user_text,
)
from harness.virtual.modem.sms.service import MEMORIES
from harness.virtual.modem.sms.store import MessageStore

if TYPE_CHECKING:
    from harness.virtual.modem.firmware import Firmware, Handler

MAX_TPDU = 164  # 23.040: the longest SMS-SUBMIT TPDU


def _int(
    fw: Firmware, command: AtCommand, index: int, lo: int, hi: int, default: int | None = None
) -> int:
    arg = command.arg(index)
    if arg is None and default is not None:
        return default
    text = arg.text.strip() if arg is not None else ""
    if not text.isascii() or not text.isdigit() or not lo <= int(text) <= hi:
        raise CmsFault(305 if fw.settings.cmgf == 1 else 304)
    return int(text)


def _ready(fw: Firmware) -> None:
    state = fw.sim_state()
    if state is not SimState.READY:
        raise CmsFault(state.cms)


def csms(fw: Firmware, command: AtCommand) -> list[str]:
    """27.005 §3.2.1: set answers `<mt>,<mo>,<bm>`, read `<service>,<mt>,<mo>,<bm>`."""
    if command.kind is Kind.TEST:
        return ["+CSMS: (0,1)"]
    if command.kind is Kind.READ:
        return [f"+CSMS: {fw.settings.csms},1,1,1"]
    service = _int(fw, command, 0, 0, 1)
    if service == 0:
        fw.sms.ack.clear()  # phase 2: the ME acknowledges by itself again
    fw.settings.csms = service
    return ["+CSMS: 1,1,1"]


def cmgf(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return ["+CMGF: (0,1)"]
    if command.kind is Kind.READ:
        return [f"+CMGF: {fw.settings.cmgf}"]
    fw.settings.cmgf = _int(fw, command, 0, 0, 1, default=0)
    return []


def csdh(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return ["+CSDH: (0,1)"]
    if command.kind is Kind.READ:
        return [f"+CSDH: {fw.settings.csdh}"]
    fw.settings.csdh = _int(fw, command, 0, 0, 1, default=0)
    return []


def csca(fw: Firmware, command: AtCommand) -> list[str]:
    """The SMSC number lives in EF.SMSP (record 1); reads and writes go to the card."""
    if command.kind is Kind.TEST:
        return []
    _ready(fw)
    if command.kind is Kind.READ:
        centre = fw.sms.service_centre()
        if centre is None:
            return ['+CSCA: "",129']
        return [f'+CSCA: "{centre[0]}",{centre[1]}']
    arg = command.arg(0)
    if arg is None:
        raise CmsFault(304)
    try:
        sim = fw.require_sim()
        smsp = sim.smsp()
        sim.write_smsp(dataclasses.replace(smsp, sc_address=arg.text, sc_address_toa=None))
    except CodecError:
        raise CmsFault(304) from None
    except (SimError, CmeFault):
        raise CmsFault(320) from None
    return []


def csmp(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return []
    if command.kind is Kind.READ:
        return ["+CSMP: " + ",".join(str(v) for v in fw.settings.csmp)]
    current = fw.settings.csmp
    fw.settings.csmp = (
        _int(fw, command, 0, 0, 255, default=current[0]),
        _int(fw, command, 1, 0, 255, default=current[1]),
        _int(fw, command, 2, 0, 255, default=current[2]),
        _int(fw, command, 3, 0, 255, default=current[3]),
    )
    return []


def cpms(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        group = "(" + ",".join(f'"{m}"' for m in MEMORIES) + ")"
        return [f"+CPMS: {group},{group},{group}"]
    if command.kind is Kind.READ:
        parts = []
        for memory in fw.settings.cpms:
            store = fw.sms.store(memory)
            parts.append(f'"{memory}",{len(store.used())},{store.capacity()}')
        return ["+CPMS: " + ",".join(parts)]
    if not command.args or len(command.args) > 3:
        raise CmsFault(302)
    chosen = list(fw.settings.cpms)
    for position, arg in enumerate(command.args):
        if arg.empty:
            continue
        memory = arg.text.upper()
        if memory not in MEMORIES:
            raise CmsFault(302)
        chosen[position] = memory
    stores = [fw.sms.store(memory) for memory in chosen]  # raises 310/311/... for "SM"
    fw.settings.cpms = (chosen[0], chosen[1], chosen[2])
    return ["+CPMS: " + ",".join(f"{len(s.used())},{s.capacity()}" for s in stores)]


def cnmi(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return ["+CNMI: (0-3),(0-3),(0,2,3),(0-2),(0,1)"]
    if command.kind is Kind.READ:
        return ["+CNMI: " + ",".join(str(v) for v in fw.settings.cnmi)]
    current = fw.settings.cnmi
    limits = (3, 3, 3, 2, 1)
    values = [_int(fw, command, i, 0, limits[i], default=current[i]) for i in range(5)]
    fw.settings.cnmi = (values[0], values[1], values[2], values[3], values[4])
    fw.sms.cnmi_changed()
    return []


def _render(fw: Firmware, prefix: str, stat: int, body: bytes) -> list[str]:
    """PDU mode: `<prefix><stat>,,<length>` + PDU; text mode: text header + text."""
    if fw.settings.cmgf == 0:
        return pdu_lines(f"{prefix}{stat},,", body)
    try:
        tpdu = fw.sms.decode_stored(body)
    except CodecError:
        return [f'{prefix}"{STAT_TEXT[stat]}",,', body.hex().upper()]
    header = text_header(prefix, stat, tpdu)
    if isinstance(tpdu, SmsDeliver | SmsSubmit):
        return [header, user_text(tpdu, fw.settings.cscs)]
    return [header]


def _stat_filter(fw: Firmware, command: AtCommand) -> int:
    if fw.settings.cmgf == 0:
        return _int(fw, command, 0, 0, 4, default=0)
    arg = command.arg(0)
    if arg is None:
        return 0
    if arg.text.upper() not in TEXT_STAT:
        raise CmsFault(305)
    return TEXT_STAT[arg.text.upper()]


def cmgl(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        if fw.settings.cmgf == 0:
            return ["+CMGL: (0-4)"]
        return ["+CMGL: (" + ",".join(f'"{t}"' for t in STAT_TEXT.values()) + ")"]
    wanted = _stat_filter(fw, command)
    store = fw.sms.store(fw.settings.cpms[0])
    lines: list[str] = []
    for index, status, body in store.used():
        stat = at_stat(status)
        if wanted not in (4, stat):
            continue
        lines += _render(fw, f"+CMGL: {index},", stat, body)
        if stat == 0:
            store.set_status(index, 0x01)  # listing reads it (27.005 §3.4.2)
    return lines


def cmgr(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return []
    index = _int(fw, command, 0, 0, 0xFFFF)
    store = fw.sms.store(fw.settings.cpms[0])
    slot = store.read(index)
    if slot is None:
        return []
    status, body = slot
    stat = at_stat(status)
    lines = _render(fw, "+CMGR: ", stat, body)
    if stat == 0:
        store.set_status(index, 0x01)  # REC UNREAD -> REC READ, written to the record
    return lines


_DELFLAG_STATS = {1: {1}, 2: {1, 3}, 3: {1, 2, 3}, 4: {0, 1, 2, 3}}


def cmgd(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return ["+CMGD: (1-50),(0-4)"]
    flag = _int(fw, command, 1, 0, 4, default=0)
    store: MessageStore = fw.sms.store(fw.settings.cpms[0])
    if flag == 0:
        if command.arg(0) is None:
            raise CmsFault(321)
        store.delete(_int(fw, command, 0, 0, 0xFFFF))
        return []
    for index, status, _ in store.used():
        if at_stat(status) in _DELFLAG_STATS[flag]:
            store.delete(index)
    return []


def cnma(fw: Firmware, command: AtCommand) -> list[str]:
    """27.005 §3.4.4: acknowledge the +CMT/+CDS routed to the TE (phase 2+ only).

    Text mode takes the bare command (RP-ACK). PDU mode takes `<n>`: 0 or 1
    RP-ACK, 2 RP-ERROR; the optional SMS-DELIVER-REPORT PDU (`<length>` > 0) is
    not supported here (+CMS ERROR 304). Nothing awaiting acknowledgement, or
    +CSMS service 0 (the ME acknowledged itself): +CMS ERROR 340.
    """
    if command.kind is Kind.TEST:
        return ["+CNMA: (0-2)"] if fw.settings.cmgf == 0 else []
    if command.kind is Kind.READ:
        raise CmsFault(302)
    positive = True
    if command.kind is Kind.SET:
        if fw.settings.cmgf == 1:
            raise CmsFault(305)
        positive = _int(fw, command, 0, 0, 2) != 2
        if _int(fw, command, 1, 0, MAX_TPDU, default=0) != 0:
            raise CmsFault(304)
    if fw.settings.csms != 1 or not fw.sms.ack.acknowledge(positive):
        raise CmsFault(340)
    return []


def cmgs(fw: Firmware, command: AtCommand) -> list[str] | Reply:
    """PDU: `AT+CMGS=<length>` -> `> `; text: `AT+CMGS="<da>"[,<toda>]` -> `> `."""
    if command.kind is Kind.TEST:
        return []
    if command.kind is not Kind.SET:
        raise CmsFault(302)
    _ready(fw)
    if fw.settings.cmgf == 0:
        length = _int(fw, command, 0, 1, MAX_TPDU)
        return Reply(prompt=PendingPrompt("+CMGS", length=length))
    address = command.arg(0)
    if address is None:
        raise CmsFault(305)
    return Reply(
        prompt=PendingPrompt(
            "+CMGS", address=address.text, address_type=_int(fw, command, 1, 0, 255, default=0)
        )
    )


def cmgw(fw: Firmware, command: AtCommand) -> list[str] | Reply:
    if command.kind is Kind.TEST:
        return []
    _ready(fw)
    if fw.settings.cmgf == 0:
        length = _int(fw, command, 0, 1, MAX_TPDU)
        stat = _int(fw, command, 1, 0, 3, default=2)
        return Reply(prompt=PendingPrompt("+CMGW", length=length, status=stat))
    address = command.arg(0)
    stat_arg = command.arg(2)
    stat = TEXT_STAT.get(stat_arg.text.upper(), -1) if stat_arg is not None else 2
    if not 0 <= stat <= 3:
        raise CmsFault(305)
    return Reply(
        prompt=PendingPrompt("+CMGW", address=address.text if address else "", status=stat)
    )


def cmss(fw: Firmware, command: AtCommand) -> list[str]:
    """Send a stored SMS-SUBMIT from <mem2>; it becomes STO SENT."""
    if command.kind is Kind.TEST:
        return []
    _ready(fw)
    index = _int(fw, command, 0, 0, 0xFFFF)
    store = fw.sms.store(fw.settings.cpms[1])
    slot = store.read(index)
    if slot is None:
        raise CmsFault(321)
    try:
        pdu = SmsPdu.from_bytes(slot[1][: _stored_length(slot[1])])
    except CodecError:
        raise CmsFault(304) from None
    tpdu = pdu.tpdu
    if not isinstance(tpdu, SmsSubmit):
        raise CmsFault(302)
    destination = command.arg(1)
    if destination is not None:
        try:
            tpdu = dataclasses.replace(tpdu, destination=Address.parse(destination.text))
        except CodecError:
            raise CmsFault(305 if fw.settings.cmgf else 304) from None
    reference = fw.sms.send(SmsPdu(tpdu, pdu.smsc))
    store.set_status(index, 0x05)
    return [f"+CMSS: {reference}"]


def _stored_length(body: bytes) -> int:
    smsc, tpdu = split_body(body)
    return len(smsc) + len(tpdu)


COMMANDS: dict[str, Handler] = {
    "+CSMS": csms,
    "+CMGF": cmgf,
    "+CSDH": csdh,
    "+CSCA": csca,
    "+CSMP": csmp,
    "+CPMS": cpms,
    "+CNMI": cnmi,
    "+CMGL": cmgl,
    "+CMGR": cmgr,
    "+CMGD": cmgd,
    "+CNMA": cnma,
    "+CMGS": cmgs,
    "+CMGW": cmgw,
    "+CMSS": cmss,
}
