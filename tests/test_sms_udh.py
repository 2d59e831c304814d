"""User data header and its IEs (23.040 §9.2.3.24; docs/sources.md §5.7)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.errors import CodecError
from harness.sms.udh import (
    Concatenation,
    InformationElement,
    PortAddressing,
    UserDataHeader,
)


@pytest.mark.parametrize(
    ("hex_udh", "concat", "ports"),
    [
        ("050003170301", Concatenation(23, 3, 1), None),
        ("0500034C0201", Concatenation(0x4C, 2, 1), None),
        ("06080401800402", Concatenation(384, 4, 2, wide=True), None),
        ("0404026432", None, PortAddressing(100, 50, wide=False)),
        ("06050404D21466", None, PortAddressing(1234, 5222)),
        ("0B05040B8423F00003A50201", Concatenation(0xA5, 2, 1), PortAddressing(2948, 9200)),
    ],
)
def test_facts_elements(
    hex_udh: str, concat: Concatenation | None, ports: PortAddressing | None
) -> None:
    raw = bytes.fromhex(hex_udh)
    header = UserDataHeader.decode(raw + b"text follows")
    assert header.concatenation == concat
    assert header.ports == ports
    assert header.encode() == raw
    assert header.length == len(raw)


def test_build_orders_concatenation_then_ports() -> None:
    header = UserDataHeader.build(Concatenation(1, 2, 2), PortAddressing(16, 32, wide=False))
    assert header.encode() == bytes.fromhex("09000301020204021020")


def test_unknown_and_malformed_elements_are_kept() -> None:
    raw = bytes.fromhex("0C 240101 0003170300 00020102")
    header = UserDataHeader.decode(raw)
    assert header.elements[0] == InformationElement(0x24, b"\x01")
    # 23.040 §9.2.3.24.1: sequence 0 -> ignore the IE; wrong length -> not a concat IE
    assert header.concatenation is None
    assert header.encode() == raw


@pytest.mark.parametrize(
    ("hex_udh", "message"),
    [
        ("", "missing"),
        ("05000317", "declares 5 octets"),
        ("0300051703", "declares 5 octets, only 1 left"),
        ("0100", "has no length octet"),
        ("0300020100", "declares 2 octets, only 1 left"),
    ],
)
def test_bad_headers(hex_udh: str, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        UserDataHeader.decode(bytes.fromhex(hex_udh))


def test_views_validate() -> None:
    with pytest.raises(CodecError, match="part 3 of 2"):
        Concatenation(1, 2, 3)
    with pytest.raises(CodecError, match="reference 256"):
        Concatenation(256, 2, 1)
    assert Concatenation(65535, 2, 1, wide=True).to_element().data == bytes.fromhex("FFFF0201")
    with pytest.raises(CodecError, match="8-bit"):
        PortAddressing(300, 1, wide=False)
    with pytest.raises(CodecError, match="255"):
        InformationElement(0x70, bytes(256))
    with pytest.raises(CodecError, match="UDHL allows 255"):
        big = (InformationElement(0x70, bytes(200)), InformationElement(0x71, bytes(60)))
        UserDataHeader(big).encode()


elements = st.builds(InformationElement, st.integers(0, 255), st.binary(max_size=8))


@given(st.lists(elements, max_size=6))
def test_round_trip(items: list[InformationElement]) -> None:
    header = UserDataHeader(tuple(items))
    raw = header.encode()
    assert len(raw) == header.length
    assert UserDataHeader.decode(raw) == header
