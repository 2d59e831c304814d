"""CLA A0 commands of the virtual card (3GPP TS 51.011 §9), the GSM SIM personality.

SELECT answers 9Fxx and GET RESPONSE gives the §9.2.1 status bytes; STATUS,
READ/UPDATE BINARY and RECORD with P3 checks (67XX = the right length);
VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK CHV answer 9804/9840/9808.
"""

from __future__ import annotations

from harness.secret_ins import SECRET_INS
from harness.sim.apdu import Apdu, Response
from harness.sim.status_words import Sw
from harness.virtual.card.context import CardContext, sw
from harness.virtual.card.fileinfo import gsm_status_for
from harness.virtual.card.files import (
    BAD_OFFSET,
    CardFault,
    Cursor,
    binary_ef,
    fault,
    record_ef,
    require,
    resolve_record,
    select_fid,
)
from harness.virtual.card.pin_commands import gsm_pin_command


def handle_gsm(ctx: CardContext, apdu: Apdu) -> Response:
    """One CLA A0 command on the basic channel; CardFault becomes its GSM status word."""
    cursor = ctx.cursors[0]
    if apdu.ins != 0xC0:
        ctx.pending.pop(0, None)
    try:
        return _dispatch(ctx, apdu, cursor)
    except CardFault as exc:
        return sw(exc.gsm)


def _dispatch(ctx: CardContext, apdu: Apdu, cursor: Cursor) -> Response:
    ins = apdu.ins
    if ins == 0xA4:
        return _select(ctx, apdu, cursor)
    if ins == 0xC0:
        return _get_response(ctx, apdu)
    if ins == 0xF2:
        return _answer(gsm_status_for(cursor.df, ctx.pins), apdu)
    if ins == 0xB0:
        return _read_binary(ctx, apdu, cursor)
    if ins == 0xD6:
        return _update_binary(ctx, apdu, cursor)
    if ins == 0xB2:
        return _read_record(ctx, apdu, cursor)
    if ins == 0xDC:
        return _update_record(ctx, apdu, cursor)
    if ins in SECRET_INS:
        return gsm_pin_command(apdu, ctx.pins)
    if ins == 0x10:  # TERMINAL PROFILE
        return sw(Sw.OK)
    return sw(Sw.GSM_UNKNOWN_INS)


def _p3(apdu: Apdu) -> int:
    """P3 of a case-2 command: Le as sent (00 = 256), or 0 when absent."""
    return apdu.le or 0


def _select(ctx: CardContext, apdu: Apdu, cursor: Cursor) -> Response:
    if apdu.p1 or apdu.p2:
        return sw(Sw.GSM_INCORRECT_P1P2)
    if len(apdu.data) != 2:
        return sw(0x6702)
    target = select_fid(ctx.tree, cursor, int.from_bytes(apdu.data, "big"))
    cursor.move_to(target)
    status = gsm_status_for(target, ctx.pins)
    ctx.pending[0] = status
    return sw(0x9F00 | len(status))


def _get_response(ctx: CardContext, apdu: Apdu) -> Response:
    pending = ctx.pending.get(0, b"")
    if not pending:
        return sw(Sw.GSM_TECHNICAL_PROBLEM)
    le = _p3(apdu)
    if le > len(pending) or le == 0:
        return sw(0x6700 | len(pending))
    del ctx.pending[0]
    return sw(Sw.OK, pending[:le])


def _answer(data: bytes, apdu: Apdu) -> Response:
    le = _p3(apdu)
    if le == 0 or le > len(data):
        return sw(0x6700 | len(data))
    return sw(Sw.OK, data[:le])


def _read_binary(ctx: CardContext, apdu: Apdu, cursor: Cursor) -> Response:
    ef = binary_ef(cursor)
    require(ctx.pins, ef.access.read)
    offset, length = (apdu.p1 << 8) | apdu.p2, _p3(apdu)
    if offset >= ef.size:
        raise fault(BAD_OFFSET)
    if length == 0 or offset + length > ef.size:
        return sw(0x6700 | ((ef.size - offset) & 0xFF))
    return sw(Sw.OK, bytes(ef.body.data[offset : offset + length]))


def _update_binary(ctx: CardContext, apdu: Apdu, cursor: Cursor) -> Response:
    ef = binary_ef(cursor)
    require(ctx.pins, ef.access.update)
    offset = (apdu.p1 << 8) | apdu.p2
    if offset >= ef.size:
        raise fault(BAD_OFFSET)
    if not apdu.data or offset + len(apdu.data) > ef.size:
        return sw(0x6700 | ((ef.size - offset) & 0xFF))
    ef.body.data[offset : offset + len(apdu.data)] = apdu.data
    ctx.persist()
    return sw(Sw.OK)


def _read_record(ctx: CardContext, apdu: Apdu, cursor: Cursor) -> Response:
    ef = record_ef(cursor)
    require(ctx.pins, ef.access.read)
    if _p3(apdu) != ef.record_length:
        return sw(0x6700 | ef.record_length)
    number = resolve_record(cursor, ef, apdu.p1, apdu.p2)
    return sw(Sw.OK, bytes(ef.body.records[number - 1]))


def _update_record(ctx: CardContext, apdu: Apdu, cursor: Cursor) -> Response:
    ef = record_ef(cursor)
    require(ctx.pins, ef.access.update)
    if len(apdu.data) != ef.record_length:
        return sw(0x6700 | ef.record_length)
    number = resolve_record(cursor, ef, apdu.p1, apdu.p2)
    ef.body.records[number - 1][:] = apdu.data
    ctx.persist()
    return sw(Sw.OK)
