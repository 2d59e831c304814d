"""+CPIN, +CLCK, +CPINR and every vendor's retry counters (docs/sources.md §1.2-1.4, §2.1)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.at.parsers import (
    CpinCode,
    PinRetries,
    parse_clck,
    parse_cpin,
    parse_cpinr,
    parse_pin_retries,
    retries_from_spic,
    retries_from_status_word,
)
from harness.at.parsers.pin import LockStatus
from harness.errors import CodecError


@pytest.mark.parametrize(
    ("line", "state"),
    [
        ("+CPIN: READY", CpinCode.READY),
        ("+CPIN:READY", CpinCode.READY),
        ('+CPIN: "SIM PIN"', CpinCode.SIM_PIN),
        ("+CPIN: SIM PIN2", CpinCode.SIM_PIN2),
        ("+CPIN: SIM PUK2", CpinCode.SIM_PUK2),
        ("+CPIN: SIM PUK", CpinCode.SIM_PUK),
        ("+CPIN: PH-SIM PIN", CpinCode.PH_SIM_PIN),
        ("+CPIN: PH-NETSUB PUK", CpinCode.PH_NETSUB_PUK),
        ("+CPIN: NOT READY", CpinCode.NOT_READY),
        ("+CPIN: NOT INSERTED", CpinCode.NOT_INSERTED),
        ("+CPIN: ABSENT", CpinCode.ABSENT),
        ('+CPIN: "SIM PIN', CpinCode.SIM_PIN),  # Motorola EZX: a leading quote only
        ("+CPIN: ready", CpinCode.READY),
    ],
)
def test_cpin(line: str, state: CpinCode) -> None:
    assert parse_cpin(line) is state


@pytest.mark.parametrize("line", ["+CPIN: ", "+CPIN: BANANA", "+CSQ: 1,2", "garbage"])
def test_cpin_garbage(line: str) -> None:
    with pytest.raises(CodecError) as error:
        parse_cpin(line)
    assert repr(line) in str(error.value) or line.strip() in str(error.value)


def test_clck() -> None:
    assert parse_clck("+CLCK: 1") == LockStatus(True)
    assert parse_clck("+CLCK: 0") == LockStatus(False)
    assert parse_clck("+CLCK: 1,7") == LockStatus(True, 7)
    with pytest.raises(CodecError):
        parse_clck("+CLCK: 2")


def test_cpinr_lines() -> None:
    entry = parse_cpinr("+CPINR: SIM PIN,3,3")
    assert (entry.code, entry.retries, entry.default_retries) == (CpinCode.SIM_PIN, 3, 3)
    assert parse_cpinr("+CPINR: SIM PIN,3").default_retries is None
    assert parse_cpinr('+CPINR: "SIM PUK2",10,10').code is CpinCode.SIM_PUK2
    with pytest.raises(CodecError):
        parse_cpinr("+CPINR: SIM PIN")


# (answer lines, expected) from docs/sources.md §2.1 and the sources it cites.
VENDOR_VECTORS: list[tuple[list[str], PinRetries]] = [
    (  # 27.007 +CPINR (Sequans Monarch log), +CPINRE ignored
        [
            "+CPINR: SIM PIN,3,3",
            "+CPINR: SIM PUK,10,10",
            "+CPINR: SIM PIN2,3,3",
            "+CPINR: SIM PUK2,10,10",
            "+CPINRE: PH-NET PIN,3,3",
        ],
        PinRetries(3, 10, 3, 10),
    ),
    (['+QPINC: "SC",3,10', '+QPINC: "P2",2,9'], PinRetries(3, 10, 2, 9)),  # Quectel
    (["+SPIC: 3,10,0,10"], PinRetries(3, 10, 0, 10)),  # SIMCom
    (["+SPIC: 3,10,0,10,"], PinRetries(3, 10, 0, 10)),  # trailing comma
    (["^CPIN: READY,,10,3,10,3"], PinRetries(3, 10, 3, 10)),  # Huawei
    (["^CPIN: SIM PIN,3,10,3,10,3"], PinRetries(3, 10, 3, 10)),
    (["^CPIN: SIM PIN,3,10,3,255,255"], PinRetries(3, 10, None, None)),  # >10 is no counter
    (["+CPINC: 2,3,10,10"], PinRetries(2, 10, 3, 10)),  # Sierra: pin1,pin2,puk1,puk2
    (["+UPINCNT: 3,3,10,10"], PinRetries(3, 10, 3, 10)),  # u-blox: pin,pin2,puk,puk2
    (["+UPINCNT: 1,2,9,8"], PinRetries(1, 9, 2, 8)),
    (["+TPIN: 2,10,3,10"], PinRetries(2, 10, 3, 10)),  # Motorola G24
    (["+ZPINPUK: 3,10"], PinRetries(3, 10)),  # ZTE
    (["+XPINCNT: 3,2,10,9"], PinRetries(3, 10, 2, 9)),  # IFX: pin,pin2,puk,puk2
    (["*EPIN: 3, 10, 2, 9"], PinRetries(3, 10, 2, 9)),  # Ericsson MBM
    (["%PINNUM: 3,10,2,9"], PinRetries(3, 10, 2, 9)),  # Icera
    (["_OERCN: 3,10"], PinRetries(3, 10)),  # Option HSO
    (["+PNNM: 2,10"], PinRetries(2, 10)),  # Alcatel
    (["+EPINC: 3, 2, 10, 9"], PinRetries(3, 10, 2, 9)),  # MediaTek: pin1,pin2,puk1,puk2
    (["%CPININFO: 3,10,2,9"], PinRetries(3, 10, 2, 9)),  # Altair
    (["PIN1=3; PUK1=10; PIN2=3; PUK2=10"], PinRetries(3, 10, 3, 10)),  # Longcheer
    (["$NWPINR: PIN1, 3", "$NWPINR: PIN2, 2"], PinRetries(pin1=3, pin2=2)),  # Novatel LTE
]


@pytest.mark.parametrize(("lines", "expected"), VENDOR_VECTORS)
def test_vendor_retry_answers(lines: list[str], expected: PinRetries) -> None:
    assert parse_pin_retries(lines) == expected


def test_telit_pct_needs_the_pending_code() -> None:
    assert parse_pin_retries(["#PCT: 2"], pending=CpinCode.SIM_PIN) == PinRetries(pin1=2)
    assert parse_pin_retries(["#PCT: 7"], pending=CpinCode.SIM_PUK) == PinRetries(puk1=7)
    assert parse_pin_retries(["#PCT: 3"], pending=CpinCode.READY) == PinRetries()


def test_cinterion_one_counter_per_query() -> None:
    retries = retries_from_spic(pin1="^SPIC: 3", puk1="^SPIC: 10", pin2="^SPIC: 2")
    assert retries == PinRetries(3, 10, 2, None)
    with pytest.raises(CodecError):
        parse_pin_retries(["^SPIC: 3"])


def test_merged_fills_unknowns() -> None:
    assert PinRetries(pin1=1).merged(PinRetries(2, 10, 3, 9)) == PinRetries(1, 10, 3, 9)


@pytest.mark.parametrize(
    ("sw1", "sw2", "left"),
    [(0x63, 0xC3, 3), (0x63, 0xC0, 0), (0x63, 0xCA, 10), (0x69, 0x83, 0), (0x90, 0x00, None)],
)
def test_retries_from_status_word(sw1: int, sw2: int, left: int | None) -> None:
    assert retries_from_status_word(sw1, sw2) == left


@pytest.mark.parametrize(
    "lines",
    [[], ["+SPIC: 3,10"], ["+SPIC: a,b,c,d"], ["^CPIN: READY,,10"], ["PIN9=1"], ["OK"]],
)
def test_retry_garbage(lines: list[str]) -> None:
    with pytest.raises(CodecError):
        parse_pin_retries(lines)


@given(st.text(max_size=40))
def test_retry_parser_never_raises_anything_but_codec_error(text: str) -> None:
    for prefix in ("+SPIC: ", "^CPIN: ", "+QPINC: ", "+CPINR: ", "#PCT: ", "$NWPINR: ", ""):
        with contextlib.suppress(CodecError):
            parse_pin_retries([prefix + text], pending=CpinCode.SIM_PIN)
