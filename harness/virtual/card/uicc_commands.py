"""CLA 00/80 commands of the virtual card (ETSI TS 102 221 §10-11), under T=0 rules.

SELECT (FID, path, AID, parent), STATUS, READ/UPDATE BINARY and RECORD (with SFI),
GET RESPONSE, MANAGE CHANNEL, TERMINAL PROFILE and the PIN commands.
"""

from __future__ import annotations

from harness.secret_ins import SECRET_INS
from harness.sim.apdu import Apdu, Response
from harness.sim.status_words import Sw
from harness.sim.tlv import encode_tlv
from harness.virtual.card.context import MAX_CHANNELS, CardContext, deliver_t0, sw
from harness.virtual.card.fileinfo import fcp_for
from harness.virtual.card.files import (
    BAD_OFFSET,
    CardFault,
    Cursor,
    binary_ef,
    current_application,
    fault,
    record_ef,
    require,
    resolve_record,
    select_aid,
    select_fid,
    select_path,
)
from harness.virtual.card.fs import DedicatedFile, Node
from harness.virtual.card.pin_commands import uicc_pin_command


def handle_uicc(ctx: CardContext, apdu: Apdu) -> Response:
    """One CLA 00-03/80-83 command; CardFault becomes its UICC status word."""
    if apdu.cla & 0x40:
        return sw(Sw.CHANNEL_NOT_SUPPORTED)  # channels 4-19 (CLA 4x-7x) are not offered
    channel = apdu.cla & 0x03
    proprietary = bool(apdu.cla & 0x80)
    cursor = ctx.cursors.get(channel)
    if cursor is None:
        return sw(Sw.CHANNEL_NOT_SUPPORTED)
    if apdu.ins != 0xC0:
        ctx.pending.pop(channel, None)
    try:
        if proprietary:
            return _proprietary(ctx, apdu, channel, cursor)
        return _interindustry(ctx, apdu, channel, cursor)
    except CardFault as exc:
        return sw(exc.uicc)


def _interindustry(ctx: CardContext, apdu: Apdu, channel: int, cursor: Cursor) -> Response:
    ins = apdu.ins
    if ins == 0xA4:
        return _select(ctx, apdu, channel, cursor)
    if ins == 0xC0:
        return _get_response(ctx, apdu, channel)
    if ins == 0xB0:
        return _read_binary(ctx, apdu, cursor)
    if ins == 0xD6:
        return _update_binary(ctx, apdu, cursor)
    if ins == 0xB2:
        return _read_record(ctx, apdu, cursor)
    if ins == 0xDC:
        return _update_record(ctx, apdu, cursor)
    if ins in SECRET_INS:
        in_app = current_application(ctx.tree, cursor.df) is not None
        return uicc_pin_command(apdu, ctx.pins, in_application=in_app)
    if ins == 0x70:
        return _manage_channel(ctx, apdu, channel)
    if ins == 0xF2:
        return sw(Sw.CLA_NOT_SUPPORTED)  # STATUS is CLA 80 (102 221 §10.1.2)
    return sw(Sw.INS_NOT_SUPPORTED)


def _proprietary(ctx: CardContext, apdu: Apdu, channel: int, cursor: Cursor) -> Response:
    if apdu.ins == 0xF2:
        return _status(ctx, apdu, channel, cursor)
    if apdu.ins == 0x10:  # TERMINAL PROFILE: accepted, no toolkit offered
        return sw(Sw.OK)
    if apdu.ins in (0xA4, 0xB0, 0xB2, 0xD6, 0xDC, 0xC0, 0x70, *SECRET_INS):
        return sw(Sw.CLA_NOT_SUPPORTED)
    return sw(Sw.INS_NOT_SUPPORTED)


def _select(ctx: CardContext, apdu: Apdu, channel: int, cursor: Cursor) -> Response:
    # P2: 04 return FCP, 0C no data (102 221 Table 11.2). 00 (ISO "return FCI") is
    # answered like 04, as common UICCs do, so ISO tools work too.
    # b2-b1 (occurrence) only mean something for selection by DF name (102 221 Table 11.2);
    # rejecting them there too made the "no next application" 6A82 below unreachable.
    if apdu.p2 & 0xF0 or (apdu.p2 & 0x03 and apdu.p1 != 0x04):
        return sw(Sw.WRONG_P1P2_6A86)
    target: Node
    if apdu.p1 == 0x00:
        if len(apdu.data) != 2:
            return sw(Sw.WRONG_LENGTH) if apdu.data else _select_mf(ctx, cursor)
        target = select_fid(ctx.tree, cursor, int.from_bytes(apdu.data, "big"))
    elif apdu.p1 == 0x01:
        # Child DF by FID (TS 102 221 Table 11.1): only a DF directly under the current one.
        if len(apdu.data) != 2:
            return sw(Sw.WRONG_LENGTH)
        child = cursor.df.children.get(int.from_bytes(apdu.data, "big"))
        if not isinstance(child, DedicatedFile):
            raise fault((Sw.FILE_NOT_FOUND, Sw.GSM_FILE_NOT_FOUND))
        target = child
    elif apdu.p1 == 0x03:
        parent = cursor.df.parent
        if parent is None:
            raise fault((Sw.FILE_NOT_FOUND, Sw.GSM_FILE_NOT_FOUND))
        target = parent
    elif apdu.p1 == 0x04:
        if apdu.p2 & 0x02:  # next (10) / previous (11) occurrence: one app, none other
            raise fault((Sw.FILE_NOT_FOUND, Sw.GSM_FILE_NOT_FOUND))
        target = select_aid(ctx.tree, apdu.data)
    elif apdu.p1 == 0x08:
        target = select_path(ctx.tree, ctx.tree.mf, apdu.data)
    elif apdu.p1 == 0x09:
        target = select_path(ctx.tree, cursor.df, apdu.data)
    else:
        return sw(Sw.WRONG_P1P2_6A86)
    if apdu.p2 & 0x0C == 0x0C:
        cursor.move_to(target)
        return sw(Sw.OK)
    fcp = fcp_for(target, ctx.tree, ctx.pins)
    if apdu.le is not None and apdu.le > len(fcp):
        # 6Cxx rejects the command and asks for it again with Le=xx (ISO/IEC 7816-3
        # §10.3.4): select nothing, or a relative resend (parent, path from the current
        # DF) would start from the wrong DF.
        return sw(0x6C00 | (len(fcp) & 0xFF))
    cursor.move_to(target)
    return deliver_t0(ctx, channel, fcp, apdu.le)


def _select_mf(ctx: CardContext, cursor: Cursor) -> Response:
    """SELECT with P1=00 and no data selects the MF (ISO/IEC 7816-4 §11.2.2)."""
    cursor.move_to(ctx.tree.mf)
    return sw(Sw.OK)


def _status(ctx: CardContext, apdu: Apdu, channel: int, cursor: Cursor) -> Response:
    if apdu.p1 not in (0x00, 0x01, 0x02):
        return sw(Sw.WRONG_P1P2_6A86)
    df: DedicatedFile = cursor.df
    if apdu.p2 == 0x00:
        data = fcp_for(df, ctx.tree, ctx.pins)
    elif apdu.p2 == 0x01:
        data = encode_tlv(0x84, df.aid) if df.aid is not None else b""
    elif apdu.p2 == 0x0C:
        return sw(Sw.OK)
    else:
        return sw(Sw.WRONG_P1P2_6A86)
    return deliver_t0(ctx, channel, data, apdu.le)


def _get_response(ctx: CardContext, apdu: Apdu, channel: int) -> Response:
    pending = ctx.pending.get(channel, b"")
    if not pending:
        return sw(Sw.CONDITIONS_NOT_SATISFIED)  # nothing to get (PCSC.md: never 61xx again)
    if apdu.p1 or apdu.p2:
        return sw(Sw.WRONG_P1P2)
    if apdu.le is None:
        return sw(Sw.WRONG_LENGTH)
    if apdu.le > len(pending):
        # 6Cxx asks the terminal to resend GET RESPONSE with Le=xx (ISO/IEC 7816-3
        # §10.3.4, TS 102 221 §7.3.1.1.4): the data must still be there for it.
        return sw(0x6C00 | (len(pending) & 0xFF))
    del ctx.pending[channel]
    return deliver_t0(ctx, channel, pending, apdu.le)


def _sfi_from_p1(p1: int) -> int | None:
    return p1 & 0x1F if p1 & 0x80 else None


def _read_binary(ctx: CardContext, apdu: Apdu, cursor: Cursor) -> Response:
    sfi, offset = _binary_address(apdu)
    ef = binary_ef(cursor, sfi)
    require(ctx.pins, ef.access.read)
    if apdu.le is None:
        return sw(Sw.WRONG_LENGTH)
    if offset >= ef.size:
        raise fault(BAD_OFFSET)
    data = bytes(ef.body.data[offset : offset + apdu.le])
    if len(data) < apdu.le:
        return sw(0x6C00 | (len(data) & 0xFF))
    return sw(Sw.OK, data)


def _update_binary(ctx: CardContext, apdu: Apdu, cursor: Cursor) -> Response:
    sfi, offset = _binary_address(apdu)
    ef = binary_ef(cursor, sfi)
    require(ctx.pins, ef.access.update)
    if not apdu.data:
        return sw(Sw.WRONG_LENGTH)
    if offset + len(apdu.data) > ef.size:
        raise fault(BAD_OFFSET)
    ef.body.data[offset : offset + len(apdu.data)] = apdu.data
    ctx.persist()
    return sw(Sw.OK)


def _binary_address(apdu: Apdu) -> tuple[int | None, int]:
    sfi = _sfi_from_p1(apdu.p1)
    if sfi is not None:
        if apdu.p1 & 0x60:
            raise fault(BAD_OFFSET)
        return sfi, apdu.p2
    return None, (apdu.p1 << 8) | apdu.p2


def _read_record(ctx: CardContext, apdu: Apdu, cursor: Cursor) -> Response:
    ef = record_ef(cursor, _record_sfi(apdu.p2))
    require(ctx.pins, ef.access.read)
    if apdu.le is None:
        return sw(Sw.WRONG_LENGTH)
    previous = cursor.record
    number = resolve_record(cursor, ef, apdu.p1, apdu.p2 & 0x07)
    record = bytes(ef.body.records[number - 1])
    if apdu.le > len(record):
        # 6Cxx asks for the same command again with Le=xx (ISO/IEC 7816-3 §10.3.4): the
        # record pointer must not move, or a "next" resend would skip a record.
        cursor.record = previous
        return sw(0x6C00 | len(record))
    return sw(Sw.OK, record[: apdu.le])


def _update_record(ctx: CardContext, apdu: Apdu, cursor: Cursor) -> Response:
    ef = record_ef(cursor, _record_sfi(apdu.p2))
    require(ctx.pins, ef.access.update)
    if len(apdu.data) != ef.record_length:
        return sw(Sw.WRONG_LENGTH)
    if apdu.p2 & 0x07 not in (0x02, 0x03, 0x04):
        raise fault(BAD_OFFSET)
    number = resolve_record(cursor, ef, apdu.p1, apdu.p2 & 0x07)
    ef.body.records[number - 1][:] = apdu.data
    ctx.persist()
    return sw(Sw.OK)


def _record_sfi(p2: int) -> int | None:
    sfi = p2 >> 3
    return sfi or None


def _manage_channel(ctx: CardContext, apdu: Apdu, channel: int) -> Response:
    """MANAGE CHANNEL (102 221 §11.1.17): open (P1=00) or close (P1=80) channels 1-3."""
    if apdu.p1 == 0x00:
        if apdu.p2 == 0x00:
            free = [n for n in range(1, MAX_CHANNELS) if n not in ctx.cursors]
            if not free:
                return sw(Sw.CHANNEL_NOT_SUPPORTED)
            opened = free[0]
        elif 1 <= apdu.p2 < MAX_CHANNELS and apdu.p2 not in ctx.cursors:
            opened = apdu.p2
        else:
            return sw(Sw.WRONG_P1P2_6A86)
        if apdu.p2 == 0x00 and apdu.le not in (None, 1):
            # 6C01 rejects the command (ISO/IEC 7816-3 §10.3.4): open nothing, or the
            # resend with Le=01 would open a second channel and leak this one.
            return sw(0x6C01)
        ctx.cursors[opened] = Cursor(ctx.tree.mf)
        if apdu.p2 == 0x00:
            return deliver_t0(ctx, channel, bytes((opened,)), apdu.le)
        return sw(Sw.OK)
    if apdu.p1 == 0x80:
        if 1 <= apdu.p2 < MAX_CHANNELS and apdu.p2 in ctx.cursors:
            del ctx.cursors[apdu.p2]
            ctx.pending.pop(apdu.p2, None)
            return sw(Sw.OK)
        return sw(Sw.WRONG_P1P2_6A86)
    return sw(Sw.WRONG_P1P2_6A86)
