"""PDP context definitions (+CGDCONT, TS 27.007 §10.1.1), kept in the modem like its NV.

`+CGDCONT=<cid>[,<PDP_type>[,<APN>[,<PDP_addr>[,<d_comp>[,<h_comp>]]]]]` defines
context <cid>; `+CGDCONT=<cid>` alone makes it undefined again; the read form
lists the defined contexts; the test form gives the ranges per PDP type. The
definitions belong to the modem, not its SIM: they survive ATZ and a power cycle
and are answered whatever the PIN state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.virtual.modem.at_syntax import AtCommand, Kind
from harness.virtual.modem.commands.general import number
from harness.virtual.modem.pdp import MAX_APN, MAX_CID, PDP_TYPES, PdpContext
from harness.virtual.modem.replies import CmeFault

if TYPE_CHECKING:
    from harness.virtual.modem.firmware import Firmware, Handler


def cgdcont(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return [f'+CGDCONT: (1-{MAX_CID}),"{kind}",,,(0-3),(0-4)' for kind in PDP_TYPES]
    if command.kind is Kind.READ:
        return [fw.pdp_contexts[cid].line(cid) for cid in sorted(fw.pdp_contexts)]
    if command.kind is not Kind.SET:
        raise CmeFault(50)
    cid = number(command, 0, 1, MAX_CID)
    if len(command.args) == 1:
        fw.pdp_contexts.pop(cid, None)  # §10.1.1: only <cid> -> the context is undefined
        return []
    fw.pdp_contexts[cid] = _context(command)
    return []


def _context(command: AtCommand) -> PdpContext:
    kind = command.arg(1)
    pdp_type = kind.text.upper() if kind is not None else "IP"
    if pdp_type not in PDP_TYPES:
        raise CmeFault(50)
    apn = command.arg(2)
    address = command.arg(3)
    apn_text = apn.text if apn is not None else ""
    if len(apn_text) > MAX_APN or any(ord(c) < 0x20 or c == '"' for c in apn_text):
        raise CmeFault(50)
    return PdpContext(
        pdp_type=pdp_type,
        apn=apn_text,
        address=address.text if address is not None else "",
        d_comp=number(command, 4, 0, 3, default=0),
        h_comp=number(command, 5, 0, 4, default=0),
    )


COMMANDS: dict[str, Handler] = {"+CGDCONT": cgdcont}
