"""+CREG family (read vs URC), +COPS, +CSQ, +CFUN, recorded answers (docs/sources.md §1.6-8)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.at.parsers import (
    CurrentOperator,
    NetworkEntry,
    RegStatus,
    parse_cfun,
    parse_cops,
    parse_cops_scan,
    parse_csq,
    parse_registration,
)
from harness.errors import CodecError

# line -> (n, stat, lac, ci, act), shape inferred
REGISTRATION_VECTORS = [
    ("+CREG: 0,2", (0, 2, None, None, None)),  # docs/sources.md §R: searching
    ("+CREG: 0,5", (0, 5, None, None, None)),
    ("+CREG: 1", (None, 1, None, None, None)),  # n=1 URC
    ('+CREG: 2,1,"CE00","01CEAD8F"', (2, 1, "CE00", "01CEAD8F", None)),
    ("+CREG: 1,84CD,00D30173", (None, 1, "84CD", "00D30173", None)),  # unquoted URC
    ('+CREG: 2,6,"8B37","0A265185",7', (2, 6, "8B37", "0A265185", 7)),
    ("+CEREG: 2,1, 1F00, 79D903 ,7", (2, 1, "1F00", "79D903", 7)),
    ('+CGREG: 5,"ce00","01cead8f",2', (None, 5, "CE00", "01CEAD8F", 2)),  # n=2 URC w/ AcT
    ('+CEREG: 1,"0001","01A2D001",7,,,"00000101","00100011"', (None, 1, "0001", "01A2D001", 7)),
    ('+CEREG: 4,1,"0001","01A2D001",7,,,"11100000","11100000"', (4, 1, "0001", "01A2D001", 7)),
    ("+C5GREG: 0,1", (0, 1, None, None, None)),
]


@pytest.mark.parametrize(("line", "expected"), REGISTRATION_VECTORS)
def test_registration_shapes(line: str, expected: tuple[object, ...]) -> None:
    reg = parse_registration(line)
    assert (reg.n, int(reg.stat), reg.lac, reg.ci, reg.act) == expected
    assert reg.solicited is (expected[0] is not None)


def test_samsung_odd_trailing_fields() -> None:
    reg = parse_registration("+CREG: 2,1,000B,2816, B, C2816")
    assert (reg.n, reg.stat, reg.lac, reg.ci, reg.act) == (2, RegStatus.HOME, "000B", "2816", None)
    assert reg.extra == ("B", "C2816")


def test_read_vs_urc_ambiguity_resolved_by_context() -> None:
    # "+CREG: 1,3": read (n=1, stat=3 denied) when it answers AT+CREG?
    assert parse_registration("+CREG: 1,3", solicited=True).stat is RegStatus.DENIED
    assert parse_registration("+CREG: 1,3").n == 1
    # as a URC it would be stat 1 with a location but no cell id: not a valid URC
    with pytest.raises(CodecError):
        parse_registration("+CREG: 1,3", solicited=False)
    # a 4-field line read as a URC when the context says unsolicited
    urc = parse_registration('+CREG: 2,1,"CE00","01CEAD8F"', solicited=False)
    assert (urc.n, urc.stat, urc.lac, urc.ci, urc.act) == (
        None,
        RegStatus.SEARCHING,
        "1",
        "CE00",
        None,
    )


def test_registered_property() -> None:
    assert RegStatus.ROAMING.registered and not RegStatus.DENIED.registered


@pytest.mark.parametrize(
    "line", ["+CREG: 12", "+CREG: x", "+CREG:", "+CSQ: 1,1", "+CREG: 0,1,x", '+CREG: 1,"1G"']
)
def test_registration_garbage(line: str) -> None:
    with pytest.raises(CodecError):
        parse_registration(line)


@given(st.text(max_size=30))
def test_registration_never_raises_anything_but_codec_error(text: str) -> None:
    for solicited in (None, True, False):
        with contextlib.suppress(CodecError):
            parse_registration("+CEREG: " + text, solicited=solicited)


def test_cops() -> None:
    assert parse_cops('+COPS: 0,0,"MTN",2') == CurrentOperator(0, 0, "MTN", 2)
    assert parse_cops('+COPS: 0,0,"I OMNITEL"') == CurrentOperator(0, 0, "I OMNITEL", None)
    assert parse_cops('+COPS:0,2,"00101",13') == CurrentOperator(0, 2, "00101", 13)
    assert parse_cops("+COPS: 0") == CurrentOperator(0)
    with pytest.raises(CodecError):
        parse_cops("+COPS: auto")


def test_cops_scan() -> None:
    line = (
        '+COPS: (2,"Vodafone.de","voda DE","26202",7),(3,"Telekom.de","TDG","26201",2),'
        '(1,"O2 - de","O2 - de","26203"),,(0,1,2,3,4),(0,1,2)'
    )
    assert parse_cops_scan(line) == [
        NetworkEntry(2, "Vodafone.de", "voda DE", "26202", 7),
        NetworkEntry(3, "Telekom.de", "TDG", "26201", 2),
        NetworkEntry(1, "O2 - de", "O2 - de", "26203", None),
    ]
    assert parse_cops_scan("+COPS: ,,(0-4),(0-2)") == []
    with pytest.raises(CodecError):
        parse_cops_scan("+COPS: 2,Vodafone")


@pytest.mark.parametrize(
    ("line", "rssi", "dbm", "ber"),
    [
        ("+CSQ: 18,99", 18, -77, None),
        ("+CSQ:4,0", 4, -105, 0),
        ("+CSQ: 99,99", 99, None, None),
        ("+CSQ: 0,7", 0, -113, 7),
        ("+CSQ: 31,3", 31, -51, 3),
        ("+CSQ: 7,99", 7, -99, None),  # Android emulator default
    ],
)
def test_csq(line: str, rssi: int, dbm: int | None, ber: int | None) -> None:
    quality = parse_csq(line)
    assert (quality.rssi, quality.dbm, quality.ber) == (rssi, dbm, ber)


@pytest.mark.parametrize("line", ["+CSQ: 18", "+CSQ: ,", "+CSQ: -1,0", "+CSQ: 1,2,3"])
def test_csq_garbage(line: str) -> None:
    with pytest.raises(CodecError):
        parse_csq(line)


def test_cfun() -> None:
    assert parse_cfun("+CFUN: 1") == 1
    assert parse_cfun("+CFUN: 4") == 4
    with pytest.raises(CodecError, match="test form"):
        parse_cfun("+CFUN: (0-1,4-7),(0-1)")  # ZTE K3565-Z fixture
    with pytest.raises(CodecError):
        parse_cfun("+CFUN: on")
