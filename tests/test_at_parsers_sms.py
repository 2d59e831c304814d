"""SMS info lines and +CSIM/+CRSM with recorded answers (docs/sources.md §1.10, §3, §R)."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.at.parsers import (
    MemoryUsage,
    MessageHeader,
    MessageStatus,
    StoredIndication,
    TextStatusReport,
    parse_cds,
    parse_cdsi,
    parse_cmgl,
    parse_cmgr,
    parse_cmt,
    parse_cmti,
    parse_cpms,
    parse_cpms_test,
    parse_crsm,
    parse_csim,
)
from harness.errors import CodecError

R, U = MessageStatus.REC_READ, MessageStatus.REC_UNREAD


def test_cpms_set_read_and_nokia() -> None:
    assert parse_cpms("+CPMS: 14,50,14,50") == [MemoryUsage(None, 14, 50)] * 2  # Wavecom
    assert parse_cpms('+CPMS: "SM",1,30,"SM",1,30,"SR",0,10') == [
        MemoryUsage("SM", 1, 30),
        MemoryUsage("SM", 1, 30),
        MemoryUsage("SR", 0, 10),
    ]
    assert parse_cpms("+CPMS: ,,,,,,,,") == [MemoryUsage(None, None, None)] * 3  # Nokia
    with pytest.raises(CodecError):
        parse_cpms("+CPMS: 1,2,3")


def test_cpms_test_forms() -> None:
    mems = ("ME", "MT", "SM", "SR")
    assert (
        parse_cpms_test('+CPMS: ("ME","MT","SM","SR"),("ME","MT","SM","SR"),("ME","MT","SM","SR")')
        == [mems] * 3
    )
    assert parse_cpms_test('+CPMS: (("SM","BM","SR"),("SM"))') == [("SM", "BM", "SR"), ("SM",)]
    assert parse_cpms_test("+CPMS: (),(),()") == [(), (), ()]


def test_cmti_cdsi() -> None:
    assert parse_cmti('+CMTI: "SM",26') == StoredIndication("SM", 26)
    assert parse_cmti('+CMTI:"ME", 3') == StoredIndication("ME", 3)
    assert parse_cdsi('+CDSI: "SR",3') == StoredIndication("SR", 3)
    for line in ('+CMTI: "SM"', "+CMTI: ,1", '+CMTI: "SM",x'):
        with pytest.raises(CodecError):
            parse_cmti(line)


@pytest.mark.parametrize(
    ("line", "header"),
    [
        ("+CMGL: 0,0,,35", MessageHeader(0, U, None, 35)),
        ("+CMGL: 1,1,,161", MessageHeader(1, R, None, 161)),
        ("+CMGL: 17,3,35", MessageHeader(17, MessageStatus.STO_SENT, None, 35)),
        (
            '+CMGL: 0,"REC UNREAD","+27748577604",,"13/01/28,14:51:42+08"',
            MessageHeader(0, U, None, None, "+27748577604", "13/01/28,14:51:42+08"),
        ),
    ],
)
def test_cmgl(line: str, header: MessageHeader) -> None:
    assert parse_cmgl(line) == header


@pytest.mark.parametrize(
    ("line", "header"),
    [
        ("+CMGR: 0,,35", MessageHeader(None, U, None, 35)),
        ('+CMGR: 0,"abc123",29', MessageHeader(None, U, "abc123", 29)),
        ('+CMGR: 0,"",29', MessageHeader(None, U, None, 29)),
        ("+CMGR: 0,Test User 123,29", MessageHeader(None, U, "Test User 123", 29)),
        ("+CMGR: ,,27", MessageHeader(None, None, None, 27)),  # ZTE status report
        ("+CMGR: 1,,26", MessageHeader(None, R, None, 26)),
        (
            '+CMGR: "REC UNREAD","+8613800138000",,"13/03/08,15:02:16+08"',
            MessageHeader(None, U, None, None, "+8613800138000", "13/03/08,15:02:16+08"),
        ),
    ],
)
def test_cmgr(line: str, header: MessageHeader) -> None:
    parsed = parse_cmgr(line)
    assert parsed == header
    assert isinstance(parsed, MessageHeader) and parsed.pdu_mode is (header.length is not None)


def test_cmgr_text_status_report() -> None:
    line = '+CMGR: ,6,20,"0870000000",129,"13/04/29,19:58:00+04","13/04/29,19:59:00+04",0'
    assert parse_cmgr(line) == TextStatusReport(
        None, None, 6, 20, "0870000000", 129, "13/04/29,19:58:00+04", "13/04/29,19:59:00+04", 0
    )


def test_cmt_and_cds() -> None:
    assert parse_cmt("+CMT: ,35") == MessageHeader(None, None, None, 35)
    assert parse_cmt("+CMT: 0") == MessageHeader(None, None, None, 0)  # Android emulator
    text = parse_cmt('+CMT: "+27748577604",,"13/01/28,14:51:42+08"')
    assert (text.address, text.timestamp, text.pdu_mode) == (
        "+27748577604",
        "13/01/28,14:51:42+08",
        False,
    )
    assert parse_cds("+CDS: 25") == 25
    report = parse_cds(
        '+CDS: 6,20,"0870000000",129,"13/04/29,19:58:00+04","13/04/29,19:59:00+04",0'
    )
    assert isinstance(report, TextStatusReport) and report.reference == 20


@pytest.mark.parametrize("line", ["+CMGL: 0", "+CMGL: x,0,,35", "+CMGL: 0,9,,35", "+CMGR: 0"])
def test_sms_header_garbage(line: str) -> None:
    with pytest.raises(CodecError):
        parse_cmgl(line) if line.startswith("+CMGL") else parse_cmgr(line)


@given(st.text(max_size=50))
def test_sms_parsers_never_raise_anything_but_codec_error(text: str) -> None:
    for parse, prefix in (
        (parse_cmgl, "+CMGL: "),
        (parse_cmgr, "+CMGR: "),
        (parse_cmt, "+CMT: "),
        (parse_cds, "+CDS: "),
        (parse_cpms, "+CPMS: "),
        (parse_cpms_test, "+CPMS: "),
        (parse_csim, "+CSIM: "),
        (parse_crsm, "+CRSM: "),
    ):
        with contextlib.suppress(CodecError):
            parse(prefix + text)  # type: ignore[operator]


def test_csim() -> None:
    response = parse_csim('+CSIM: 4,"63C3"')
    assert (response.data, response.sw) == (b"", 0x63C3)
    assert parse_csim('+CSIM:8,"000063C1"').data == b"\x00\x00"
    assert parse_csim('+CSIM: 8, "0000 63C1"').sw2 == 0xC1
    for line in ('+CSIM: 6,"63C3"', '+CSIM: 2,"6"', '+CSIM: 4,"ZZZZ"', "+CSIM: 4"):
        with pytest.raises(CodecError):
            parse_csim(line)


def test_crsm() -> None:
    iccid = parse_crsm('+CRSM: 144,0,"98101430121181157002"')
    assert (iccid.sw, iccid.data.hex()) == (0x9000, "98101430121181157002")
    bare = parse_crsm("+CRSM: 144,0,0000000a2fe204000fa0aa01020000")  # Android emulator
    assert bare.data[4:6] == b"\x2f\xe2"
    assert parse_crsm("+CRSM: 148,4").sw == 0x9404
    assert parse_crsm("+CRSM: 106,130").sw == 0x6A82  # Cuttlefish: file not found
    for line in ("+CRSM: 144", "+CRSM: 300,0", '+CRSM: 144,0,"ABC"'):
        with pytest.raises(CodecError):
            parse_crsm(line)
