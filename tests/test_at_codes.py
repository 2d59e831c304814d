"""+CME/+CMS tables, verbose-text normalisation, final-code parsing, command metadata."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.at.codes import (
    CME_TEXTS,
    CMS_TEXTS,
    decode_cme,
    decode_cms,
    normalise_error_text,
)
from harness.at.commands import Form, default_timeout, inferred_prefixes, parse_command
from harness.at.response import FinalKind, parse_final, raise_for_final
from harness.errors import AtCommandError, CmeError, CmsError


@pytest.mark.parametrize(
    ("payload", "code", "text"),
    [
        (" 11", 11, "SIM PIN required"),
        ("SIM PIN required", 11, "SIM PIN required"),
        ("(U)SIM PIN required", 11, "SIM PIN required"),
        ("USIM PUK required", 12, "SIM PUK required"),
        ("incorrect password", 16, "incorrect password"),
        ("Incorrect Password", 16, "incorrect password"),
        ('"SIM busy"', 14, "SIM busy"),
        ("operation not allowed", 3, "operation not allowed"),
        ("Phone adapter link reserved", 2, "phone-adaptor link reserved"),
        ("515", 515, CME_TEXTS[515]),
        ("777", 777, "unlisted CME error 777"),
        ("BAD PIN", None, "BAD PIN"),
    ],
)
def test_decode_cme(payload: str, code: int | None, text: str) -> None:
    decoded = decode_cme(payload)
    assert (decoded.code, decoded.text) == (code, text)


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("330", 330),
        ("(U)SIM PIN required", 311),
        ("SMS service of ME reserved", 301),
        ("invalid PDU mode parameter", 304),
        ("Invalid PDU parameter", 304),
        ("unknown error", 500),
        ("invalid memory index", 321),
    ],
)
def test_decode_cms(payload: str, code: int) -> None:
    assert decode_cms(payload).code == code


def test_cms_network_causes_are_named() -> None:
    assert "24.011" in decode_cms("38").text


@given(st.sampled_from(sorted(CME_TEXTS)))
def test_every_cme_text_maps_back_to_its_number(code: int) -> None:
    assert decode_cme(CME_TEXTS[code]).code == code
    assert decode_cme(CME_TEXTS[code].upper()).code == code


@given(st.sampled_from(sorted(CMS_TEXTS)))
def test_every_cms_text_maps_back_to_its_number(code: int) -> None:
    assert decode_cms(CMS_TEXTS[code]).code == code


@given(st.text(max_size=60))
def test_normalisation_is_lowercase_alnum(text: str) -> None:
    key = normalise_error_text(text)
    assert all(ch in "abcdefghijklmnopqrstuvwxyz0123456789" for ch in key)


@pytest.mark.parametrize(
    ("line", "kind", "code"),
    [
        ("OK", FinalKind.OK, None),
        ("ERROR", FinalKind.ERROR, None),
        ("+CME ERROR: 10", FinalKind.CME_ERROR, 10),
        ("+CME ERROR:10", FinalKind.CME_ERROR, 10),
        ("+CMS ERROR: (U)SIM PIN required", FinalKind.CMS_ERROR, 311),
        ("NO CARRIER", FinalKind.NO_CARRIER, None),
        ("BUSY", FinalKind.BUSY, None),
        ("NO ANSWER", FinalKind.NO_ANSWER, None),
        ("NO DIALTONE", FinalKind.NO_DIALTONE, None),
        ("COMMAND NOT SUPPORT", FinalKind.COMMAND_NOT_SUPPORT, None),
        ("TOO MANY PARAMETERS", FinalKind.TOO_MANY_PARAMETERS, None),
    ],
)
def test_parse_final(line: str, kind: FinalKind, code: int | None) -> None:
    final = parse_final(line)
    assert final is not None and final.kind is kind
    assert (final.error.code if final.error else None) == code


@pytest.mark.parametrize("line", ["+CMEE: 1", "OKAY", "+CPIN: READY", "", "RING", "CONNECT"])
def test_not_final(line: str) -> None:
    assert parse_final(line) is None


def test_raise_for_final() -> None:
    raise_for_final(parse_final("OK"), "AT")  # type: ignore[arg-type]
    with pytest.raises(CmeError):
        raise_for_final(parse_final("+CME ERROR: 3"), "AT")  # type: ignore[arg-type]
    with pytest.raises(CmsError):
        raise_for_final(parse_final("+CMS ERROR: 500"), "AT")  # type: ignore[arg-type]
    with pytest.raises(AtCommandError):
        raise_for_final(parse_final("NO CARRIER"), "ATD1;")  # type: ignore[arg-type]


def test_parse_command_forms() -> None:
    assert [(p.name, p.form) for p in parse_command("AT+CEREG?;+C5GREG?")] == [
        ("+CEREG", Form.READ),
        ("+C5GREG", Form.READ),
    ]
    assert parse_command("at+cops=?")[0].form is Form.TEST
    assert parse_command('AT+CUSD=1,"*101#;",15')[0].form is Form.SET
    assert parse_command("ATI")[0].name == "I"


@pytest.mark.parametrize(
    ("cmd", "prefixes"),
    [
        ("AT+CSQ", ("+CSQ:",)),
        ("AT+CPIN?", ("+CPIN:",)),
        ('AT+CPIN="1234"', ()),
        ("AT+CREG?", ("+CREG:",)),
        ("AT+CREG=2", ()),
        ("AT+CMGL=4", ("+CMGL:",)),
        ("AT^CPIN?", ("^CPIN:",)),
        ("AT#PCT", ("#PCT:",)),
        ("ATI", ()),
        ("AT+CEREG?;+C5GREG?", ("+CEREG:", "+C5GREG:")),
    ],
)
def test_inferred_prefixes(cmd: str, prefixes: tuple[str, ...]) -> None:
    assert inferred_prefixes(cmd) == prefixes


@pytest.mark.parametrize(
    ("cmd", "seconds"),
    [
        ('AT+CPIN="1234"', 15.0),
        ('AT+CLCK="SC",1,"1234"', 15.0),
        ('AT+CPWD="SC","1234","4321"', 15.0),
        ("AT+COPS=?", 180.0),
        ("AT+COPS?", 5.0),
        ("AT+CMGS=24", 60.0),
        ("AT+CSQ", 5.0),
        ("AT+CSQ;+COPS=?", 180.0),
    ],
)
def test_default_timeouts(cmd: str, seconds: float) -> None:
    assert default_timeout(cmd, 5.0) == seconds
