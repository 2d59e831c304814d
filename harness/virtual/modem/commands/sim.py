"""SIM access commands: +CIMI, +CNUM, ICCID, +CSIM, +CRSM (TS 27.007 §5.6, §7.1, §8.17, §8.18).

+CSIM hands the APDU to the card byte for byte and returns its answer as is
(T=0 procedure bytes included); +CRSM is the modem's own file access with the
T=0 procedure handled, status words in decimal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from harness.errors import CodecError
from harness.sim.apdu import Apdu, Response
from harness.virtual.modem.at_syntax import AtCommand, Kind
from harness.virtual.modem.commands.general import number
from harness.virtual.modem.commands.pin import COMMANDS as PIN_COMMANDS
from harness.virtual.modem.replies import CmeFault
from harness.virtual.modem.sim_io import DEFAULT_DF, SimError

if TYPE_CHECKING:
    from harness.virtual.modem.firmware import Firmware, Handler

# +CRSM <command> (27.007 §8.18) -> INS
CRSM_INS = {176: 0xB0, 178: 0xB2, 192: 0xC0, 214: 0xD6, 220: 0xDC, 242: 0xF2}


def cimi(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return []
    try:
        return [fw.require_sim().imsi()]
    except SimError as error:
        raise CmeFault(11 if error.sw == 0x6982 else 13) from None
    except CodecError:
        raise CmeFault(13) from None


def cnum(fw: Firmware, command: AtCommand) -> list[str]:
    if command.kind is Kind.TEST:
        return []
    try:
        records = fw.require_sim().msisdns()
    except (SimError, CodecError):
        raise CmeFault(13) from None
    return [
        f'+CNUM: "{r.alpha_id}","{r.number}",{145 if r.number.startswith("+") else 129}'
        for r in records
        if r.number
    ]


def _iccid(prefix: str) -> Handler:
    def handler(fw: Firmware, command: AtCommand) -> list[str]:
        if command.kind is Kind.TEST:
            return []
        return [f"{prefix}: {fw.read_iccid()}"]

    return handler


def _hex(text: str) -> bytes:
    try:
        return bytes.fromhex(text)
    except ValueError:
        raise CmeFault(50) from None


def csim(fw: Firmware, command: AtCommand) -> list[str]:
    """`AT+CSIM=<len>,"<apdu>"` -> `+CSIM: <len>,"<response>"`, <len> in hex characters."""
    if command.kind is Kind.TEST:
        return []
    if command.kind is Kind.SET and len(command.args) == 1:
        number(command, 0, 0, 1)  # Telit's AT+CSIM=1 / =0: take and release the SIM lock
        return []
    if command.kind is not Kind.SET or len(command.args) != 2:
        raise CmeFault(50)
    length = number(command, 0, 0, 2 * 261)
    text = command.args[1].text.replace(" ", "")
    if length != len(text) or len(text) < 8:
        raise CmeFault(50)
    answer = fw.require_sim().transmit(_hex(text))
    return [f'+CSIM: {2 * len(answer)},"{answer.hex().upper()}"']


def _path(fw: Firmware, command: AtCommand, fileid: int) -> tuple[int, ...]:
    arg = command.arg(6)
    if arg is None:
        return (*DEFAULT_DF.get(fileid, (0x3F00,)), fileid) if fileid != 0x3F00 else (0x3F00,)
    raw = _hex(arg.text)
    if not raw or len(raw) % 2:
        raise CmeFault(50)
    fids = tuple(int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2))
    if fids[0] != 0x3F00:
        fids = (0x3F00, *fids)  # "select by path from MF": the MF itself is implied
    return fids if fids[-1] == fileid else (*fids, fileid)


def crsm(fw: Firmware, command: AtCommand) -> list[str]:
    """`AT+CRSM=<command>[,<fileid>[,<P1>,<P2>,<P3>[,<data>[,<pathid>]]]]`."""
    if command.kind is Kind.TEST:
        return []
    if command.kind is not Kind.SET:
        raise CmeFault(50)
    code = number(command, 0, 0, 255)
    if code not in CRSM_INS:
        raise CmeFault(50)
    p1, p2, p3 = (number(command, i, 0, 255, default=0) for i in (2, 3, 4))
    data = _hex(command.args[5].text) if command.arg(5) is not None else b""
    sim = fw.require_sim()
    if code == 242:  # STATUS of the current DF, CLA 80 (102 221 §11.1.2)
        response = sim.exchange(Apdu(0x80, 0xF2, p1, p2, le=p3 or None))
        return [_crsm_line(response)]
    fileid = number(command, 1, 0, 0xFFFF)
    selected = sim.select_raw(_path(fw, command, fileid))
    if selected.sw != 0x9000 or code == 192:
        return [_crsm_line(selected)]
    ins = CRSM_INS[code]
    if code in (214, 220):
        if not data:
            raise CmeFault(50)
        apdu = Apdu(0x00, ins, p1, p2, data)
    else:
        apdu = Apdu(0x00, ins, p1, p2, le=p3 or 256)
    return [_crsm_line(sim.exchange(apdu))]


def _crsm_line(response: Response) -> str:
    line = f"+CRSM: {response.sw1},{response.sw2}"
    if response.data:
        line += f',"{response.data.hex().upper()}"'
    return line


COMMANDS: dict[str, Handler] = {
    **PIN_COMMANDS,
    "+CIMI": cimi,
    "+CNUM": cnum,
    "+CCID": _iccid("+CCID"),
    "+ICCID": _iccid("+ICCID"),
    "+CSIM": csim,
    "+CRSM": crsm,
}
