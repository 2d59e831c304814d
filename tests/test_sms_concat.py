"""Concatenated SMS: fewest-part splitting and reassembly (23.040 §9.2.3.24.1)."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from harness.errors import CodecError
from harness.sms.address import Address
from harness.sms.concat import (
    ConcatKey,
    Incomplete,
    Reassembled,
    deliver_parts,
    group_parts,
    reassemble,
    split_data,
    split_text,
    submit_parts,
)
from harness.sms.dcs import Alphabet, DataCoding
from harness.sms.gsm7 import ESC, GSM7_BASIC, GSM7_EXTENSION, is_gsm7, septet_length
from harness.sms.pdu import SmsPdu, hex_to_bytes
from harness.sms.tpdu import SmsDeliver, SmsSubmit
from harness.sms.udh import Concatenation, UserDataHeader
from harness.sms.userdata import UserData, encode_user_data

GSM7_CHARS = sorted({ch for i, ch in enumerate(GSM7_BASIC) if i != ESC} | set(GSM7_EXTENSION))
BOB = Address.parse("+4917012345")
NOON = datetime(2024, 1, 1, 12, tzinfo=UTC)


def _texts(text: str) -> list[str]:
    return [segment.user_data.text for segment in split_text(text, 9)]


def test_single_part_has_no_header() -> None:
    (segment,) = split_text("a" * 160)
    assert segment.user_data.header is None
    assert segment.dcs == DataCoding(0x00)
    (segment,) = split_text("ы" * 70)
    assert segment.dcs == DataCoding(0x08)
    assert split_text("")[0].user_data == UserData("")


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("a" * 161, [153, 8]),
        ("a" * 306, [153, 153]),
        ("a" * 307, [153, 153, 1]),
        ("a" * 152 + "€" + "b" * 10, [152, 11]),  # the ESC pair is not split
        ("€" * 80 + "a", [76, 5]),  # 152 septets + 1 free septet, then the rest
        ("ы" * 71, [67, 4]),
        ("ы" * 66 + "😀" + "x" * 5, [66, 6]),  # the surrogate pair is not split
    ],
)
def test_split_sizes(text: str, sizes: list[int]) -> None:
    parts = _texts(text)
    assert [len(part) for part in parts] == sizes
    assert "".join(parts) == text


def test_headers_number_the_parts() -> None:
    segments = split_text("a" * 400, 0xAB)
    headers = [segment.user_data.header for segment in segments]
    assert [h.concatenation if h else None for h in headers] == [
        Concatenation(0xAB, 3, 1),
        Concatenation(0xAB, 3, 2),
        Concatenation(0xAB, 3, 3),
    ]
    for segment in segments:
        assert encode_user_data(segment.dcs, segment.user_data)[0] <= 160


def test_wide_reference_parts_are_one_smaller() -> None:
    gsm = split_text("a" * 305, 0x1234, wide_reference=True)
    assert [len(s.user_data.text) for s in gsm] == [152, 152, 1]
    ucs2 = split_text("ы" * 133, 0x1234, wide_reference=True)
    assert [len(s.user_data.text) for s in ucs2] == [66, 66, 1]
    header = gsm[0].user_data.header
    assert header is not None and header.encode().hex() == "06080412340301"


def test_too_many_parts() -> None:
    with pytest.raises(CodecError, match="256 parts"):
        split_text("a" * 153 * 256)


def test_split_data() -> None:
    assert len(split_data(bytes(140))) == 1
    parts = split_data(bytes(range(141)), 5)
    assert [len(p.user_data.data) for p in parts] == [134, 7]
    assert all(p.dcs.alphabet is Alphabet.DATA_8BIT for p in parts)
    assert [len(p.user_data.data) for p in split_data(bytes(267), wide_reference=True)] == [
        133,
        133,
        1,
    ]


def test_submit_parts_message_references_wrap() -> None:
    parts = submit_parts(BOB, "a" * 200, reference=3, first_message_reference=255)
    assert [p.message_reference for p in parts] == [255, 0]
    assert all(p.destination == BOB for p in parts)


def test_deliver_parts_set_more_messages_until_the_last() -> None:
    parts = deliver_parts(BOB, "a" * 400, NOON, reference=1)
    assert [p.more_messages for p in parts] == [True, True, False]


def _minimal_parts(text: str, single: int, per_part: int, weight: dict[str, int]) -> int:
    """Independent optimum: dynamic programming over every cut position."""
    sizes = [weight.get(ch, 1) for ch in text]
    if sum(sizes) <= single:
        return 1
    best = [0] + [math.inf] * len(text)
    for end in range(1, len(text) + 1):
        used = 0
        for start in range(end - 1, -1, -1):
            used += sizes[start]
            if used > per_part:
                break
            best[end] = min(best[end], best[start] + 1)
    return int(best[-1])


texts = st.one_of(
    st.text(alphabet=st.sampled_from(GSM7_CHARS), max_size=700),
    st.text(alphabet=st.sampled_from("ab€{"), min_size=150, max_size=700),
    st.text(alphabet=st.sampled_from("aы😀"), min_size=60, max_size=300),
    st.text(max_size=300),
)


@settings(max_examples=150, deadline=None)
@given(texts, st.integers(0, 255), st.data())
def test_split_and_reassemble_round_trip(text: str, reference: int, data: st.DataObject) -> None:
    messages = submit_parts(BOB, text, reference=reference)
    if is_gsm7(text):
        expected = _minimal_parts(text, 160, 153, dict.fromkeys(GSM7_EXTENSION, 2))
        assert all(m.dcs.alphabet is Alphabet.GSM7 for m in messages)
    else:
        wide = {ch: 2 for ch in text if ord(ch) > 0xFFFF}
        expected = _minimal_parts(text, 70, 67, wide)
        assert all(m.dcs.alphabet is Alphabet.UCS2 for m in messages)
    assert len(messages) == expected
    # Through the wire format, shuffled, with duplicates.
    wire = [SmsSubmit.decode(hex_to_bytes(SmsPdu(m).to_hex())[1:]) for m in messages]
    # Duplicates only for multi-part messages: two equal stand-alone SMS are two messages.
    extra = data.draw(st.lists(st.sampled_from(wire), max_size=3 if len(wire) > 1 else 0))
    received = data.draw(st.permutations(wire + extra))
    result = reassemble(received)
    assert isinstance(result, Reassembled)
    assert result.text == text
    assert result.duplicates == len(extra)


BASIC_CHARS = [ch for ch in GSM7_CHARS if ch not in GSM7_EXTENSION]


@given(st.text(alphabet=st.sampled_from(BASIC_CHARS), min_size=161, max_size=2000))
def test_pure_gsm7_basic_part_count(text: str) -> None:
    assert septet_length(text) == len(text)
    assert len(split_text(text)) == math.ceil(len(text) / 153)


def test_missing_parts_are_a_result() -> None:
    parts = submit_parts(BOB, "a" * 500, reference=4)
    result = reassemble([parts[3], parts[0], parts[0]])
    assert result == Incomplete(
        ConcatKey(BOB, 4, 4, False), missing=(2, 3), received=(parts[0], parts[3])
    )


def test_parts_of_different_messages_are_refused() -> None:
    first = submit_parts(BOB, "a" * 200, reference=1)
    second = submit_parts(BOB, "a" * 200, reference=2)
    with pytest.raises(CodecError, match="different messages"):
        reassemble([first[0], second[1]])
    single = submit_parts(BOB, "hi")
    with pytest.raises(CodecError, match="different messages"):
        reassemble([first[0], single[0]])
    with pytest.raises(CodecError, match="stand-alone"):
        reassemble(single + single)
    with pytest.raises(CodecError, match="at least one"):
        reassemble([])


def test_single_message_and_data_reassembly() -> None:
    result = reassemble(submit_parts(BOB, "hi"))
    assert isinstance(result, Reassembled) and result.text == "hi"
    data = bytes(range(256)) * 2
    messages = [
        SmsDeliver(BOB, NOON, segment.user_data, segment.dcs) for segment in split_data(data, 77)
    ]
    joined = reassemble(reversed(messages))
    assert isinstance(joined, Reassembled) and joined.data == data


def test_surrogate_pair_split_by_a_sender_is_rejoined() -> None:
    ucs2 = DataCoding(0x08)

    def part(sequence: int, raw: bytes) -> SmsDeliver:
        header = UserDataHeader.build(Concatenation(5, 2, sequence))
        hex_pdu = SmsPdu(SmsDeliver(BOB, NOON, UserData("x", header=header), ucs2)).to_hex()
        # Replace the text "x" (0078) by raw UTF-16 halves, as some senders do.
        patched = hex_pdu[: -4 - 2 - 12] + f"{6 + len(raw):02X}" + hex_pdu[-4 - 12 : -4]
        message = SmsPdu.from_hex(patched + raw.hex().upper()).tpdu
        assert isinstance(message, SmsDeliver)
        return message

    result = reassemble([part(2, bytes.fromhex("DE000021")), part(1, bytes.fromhex("0041D83D"))])
    assert isinstance(result, Reassembled)
    assert result.text == "A😀!"


def test_group_parts() -> None:
    alice = Address.parse("+331234")
    mixed = [
        *submit_parts(BOB, "a" * 200, reference=1),
        *submit_parts(alice, "a" * 200, reference=1),
        *submit_parts(BOB, "hi"),
    ]
    groups = group_parts([mixed[2], mixed[0], mixed[3], mixed[1], mixed[4]])
    assert groups == [[mixed[2], mixed[3]], [mixed[0], mixed[1]], [mixed[4]]]
