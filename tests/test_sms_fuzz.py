"""Garbage in: every decoder fails with CodecError only, never IndexError/struct.error."""

from __future__ import annotations

from contextlib import suppress

from hypothesis import given
from hypothesis import strategies as st

from harness.errors import CodecError
from harness.sms.address import decode_address, decode_smsc
from harness.sms.pdu import SmsPdu
from harness.sms.tpdu import decode_tpdu
from harness.sms.udh import UserDataHeader
from harness.sms.vectors import PDU_VECTORS

VECTOR_BYTES = [bytes.fromhex(v.hex) for v in PDU_VECTORS]


def _decode_and_re_encode(raw: bytes, with_smsc: bool) -> None:
    try:
        pdu = SmsPdu.from_bytes(raw, with_smsc=with_smsc)
    except CodecError:
        return
    with suppress(CodecError):  # decoding is lenient, encoding strict: CodecError is fine
        pdu.to_hex()


@given(st.binary(max_size=200), st.booleans())
def test_random_bytes(raw: bytes, with_smsc: bool) -> None:
    _decode_and_re_encode(raw, with_smsc)


@given(st.sampled_from(VECTOR_BYTES), st.data())
def test_mutated_vectors(raw: bytes, data: st.DataObject) -> None:
    """Flip octets of real PDUs, so decoding gets deep before it meets the damage."""
    mutable = bytearray(raw)
    for _ in range(data.draw(st.integers(1, 4))):
        index = data.draw(st.integers(0, len(mutable) - 1))
        mutable[index] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(mutable) + 3))
    _decode_and_re_encode(bytes(mutable[:cut]) + b"\xff" * max(0, cut - len(mutable)), True)


@given(st.binary(max_size=40))
def test_field_decoders(raw: bytes) -> None:
    for decode in (decode_address, decode_smsc, decode_tpdu, UserDataHeader.decode):
        with suppress(CodecError):
            decode(raw)


@given(st.text(max_size=60))
def test_random_hex_text(text: str) -> None:
    with suppress(CodecError):
        SmsPdu.from_hex(text)
