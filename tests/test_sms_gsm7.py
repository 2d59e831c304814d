"""GSM 7-bit alphabet and septet packing (23.038 §6.1.2, §6.2.1; docs/sources.md §5.6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.errors import CodecError
from harness.sms.gsm7 import (
    ESC,
    GSM7_BASIC,
    GSM7_EXTENSION,
    is_gsm7,
    pack_septets,
    packed_length,
    septet_length,
    septets_to_text,
    text_to_septets,
    unpack_septets,
)

GSM7_CHARS = sorted({ch for i, ch in enumerate(GSM7_BASIC) if i != ESC} | set(GSM7_EXTENSION))
gsm7_text = st.text(alphabet=st.sampled_from(GSM7_CHARS))


@pytest.mark.parametrize(
    ("index", "char"),
    [(0x00, "@"), (0x01, "£"), (0x0A, "\n"), (0x0D, "\r"), (0x10, "Δ"), (0x24, "¤"),
     (0x40, "¡"), (0x5F, "§"), (0x60, "¿"), (0x7F, "à"), (0x09, "Ç"), (0x1F, "É")],
)  # fmt: skip
def test_basic_table_positions(index: int, char: str) -> None:
    assert len(GSM7_BASIC) == 128
    assert GSM7_BASIC[index] == char


def test_extension_table_matches_facts() -> None:
    assert GSM7_EXTENSION == {
        "\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F,
        "[": 0x3C, "~": 0x3D, "]": 0x3E, "|": 0x40, "€": 0x65,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("text", "packed"),
    [("hello", "E8329BFD06"), ("hellohello", "E8329BFD4697D9EC37"), ("", "")],
)
def test_pack_known_vectors(text: str, packed: str) -> None:
    assert pack_septets(text_to_septets(text)).hex().upper() == packed
    assert septets_to_text(unpack_septets(bytes.fromhex(packed), len(text))) == text


def test_25_septets_take_22_octets_last_septet_alone() -> None:
    septets = list(range(0x41, 0x41 + 25))
    packed = pack_septets(septets)
    assert len(packed) == 22 == packed_length(25)
    assert packed[-1] == septets[-1]  # bits 168..174: the 25th septet fills octet 22 alone
    assert unpack_septets(packed, 25) == septets


def test_fill_bits_shift_the_stream() -> None:
    assert pack_septets([0x7F], 1) == bytes([0xFE])
    assert pack_septets([0x7F], 6) == bytes([0xC0, 0x1F])
    assert unpack_septets(bytes([0xC0, 0x1F]), 1, 6) == [0x7F]


def test_extension_characters_take_two_septets() -> None:
    assert text_to_septets("€[") == [0x1B, 0x65, 0x1B, 0x3C]
    assert septet_length("a€") == 3
    assert septets_to_text([0x1B, 0x65, 0x1B, 0x3C]) == "€["


def test_unencodable_character_is_named_with_position() -> None:
    with pytest.raises(CodecError, match=r"'✓' \(U\+2713\) at position 2"):
        text_to_septets("ab✓")
    with pytest.raises(CodecError, match="position 1"):
        septet_length("a✓")
    assert not is_gsm7("ab✓")
    assert is_gsm7("Hello {world} €5")
    assert not is_gsm7("\x1b")  # ESC is a code, not a character


def test_unknown_escape_shows_basic_character() -> None:
    # 23.038 §6.2.1.1: ESC + code without extension character -> basic table character.
    assert septets_to_text([0x1B, 0x41]) == "A"
    assert septets_to_text([0x1B, 0x1B, 0x41]) == " A"  # ESC ESC: reserved, shown as space
    assert septets_to_text([0x41, 0x1B]) == "A "  # trailing lone ESC


@pytest.mark.parametrize("bad", [[128], [0x41, -1], [0x1B, 200]])
def test_septet_out_of_range_is_codec_error(bad: list[int]) -> None:
    with pytest.raises(CodecError, match=r"outside 0\.\.127"):
        septets_to_text(bad)
    with pytest.raises(CodecError):
        pack_septets(bad)


@pytest.mark.parametrize("fill", [-1, 7])
def test_bad_fill_bits(fill: int) -> None:
    with pytest.raises(CodecError, match="fill_bits"):
        pack_septets([1], fill)
    with pytest.raises(CodecError, match="fill_bits"):
        unpack_septets(b"\x00\x00", 1, fill)


def test_unpack_short_data_is_codec_error() -> None:
    with pytest.raises(CodecError, match="need 3 octets"):
        unpack_septets(b"\x00\x00", 3)
    with pytest.raises(CodecError, match="negative"):
        unpack_septets(b"", -1)


@given(st.lists(st.integers(0, 127), max_size=200), st.integers(0, 6))
def test_pack_unpack_round_trip(septets: list[int], fill: int) -> None:
    packed = pack_septets(septets, fill)
    assert len(packed) == packed_length(len(septets), fill)
    assert packed[0:1] == b"" or packed[0] & ((1 << fill) - 1) == 0
    assert unpack_septets(packed + b"\xff", len(septets), fill) == septets


@given(gsm7_text)
def test_text_round_trip(text: str) -> None:
    septets = text_to_septets(text)
    assert len(septets) == septet_length(text)
    assert septets_to_text(septets) == text


@given(st.lists(st.integers(0, 127), max_size=60))
def test_any_septets_decode(septets: list[int]) -> None:
    text = septets_to_text(septets)
    assert is_gsm7(text)
