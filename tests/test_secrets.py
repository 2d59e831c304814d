"""Masking rules, the Secret wrapper and where secrets come from."""

from __future__ import annotations

import copy
import getpass
import io
import pickle
import sys
from pathlib import Path

import pytest

from harness.errors import ConfigError
from harness.secrets import (
    AtStreamMasker,
    Secret,
    mask_apdu,
    mask_at_command,
    mask_text,
    read_secret,
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('AT+CPIN="1234"\r', 'AT+CPIN="****"\r'),
        ("at+cpin=12345678\r\n", 'at+cpin="****"\r\n'),
        ('AT+CPIN = "1234"', 'AT+CPIN = "****"'),
        ('AT+CPIN="12345678","0000"', 'AT+CPIN="****","****"'),
        ('AT+CMEE=1;+CPIN="1234";+CPIN?', 'AT+CMEE=1;+CPIN="****";+CPIN?'),
        ('AT+CLCK="SC",1,"1234"', 'AT+CLCK="SC",1,"****"'),
        ('AT+CLCK="FD",0,"4321",7', 'AT+CLCK="FD",0,"****",7'),
        ('at+clck = "sc" , 1 , 1234', 'at+clck = "sc" , 1 , "****"'),
        ('AT+CPWD="SC","1234","4321"', 'AT+CPWD="SC","****","****"'),
        ('AT^CPIN="1234"', 'AT^CPIN="****"'),
        ('AT+CPIN2="5678"', 'AT+CPIN2="****"'),
        ("AT#PCT=1234", 'AT#PCT="****"'),
        ('AT+CPUC="EUR","0.10","5678"', 'AT+CPUC="EUR","0.10","****"'),
        (
            'AT+CSIM=26,"00200001083132333435FFFFFF"',
            'AT+CSIM=26,"0020000108****************"',
        ),
        (
            'at+csim=26,"a02800010831323334ffffffff"',
            'at+csim=26,"a028000108****************"',
        ),
        ('AT+CGLA=1,26,"01260001083132333435FFFFFF"', 'AT+CGLA=1,26,"0126000108' + "*" * 16 + '"'),
        ('AT+CPIN="12', 'AT+CPIN="****"'),  # unterminated quote runs to the line end
        ('AT%CPIN="1234"', 'AT%CPIN="****"'),
        ('AT$QCPIN="1234"', 'AT$QCPIN="****"'),
        ('AT*EPIN=1,"1234"', 'AT*EPIN="****","****"'),
        ("ATD**04*1234*2468*2468#;", 'ATD**04*"****"#;'),  # TS 22.030 §6.6.2
        ('AT+CUSD=1,"**052*12345678*2468*2468#",15', 'AT+CUSD=1,"**052*"****"#",15'),
        ("ATD**05*12345678*2468", 'ATD**05*"****"'),  # no '#' yet: to the line end
        ('AT+CUSD=1,"**04*1234";+CSQ', 'AT+CUSD=1,"**04*"****"";+CSQ'),  # stops at a quote
        ("ATD**03*330*1111*2222*2222#", 'ATD**03*"****"#'),  # barring password, §6.5.4
        ("ATD*33*1111#;", 'ATD*33*"****"#;'),  # barring with its password, Annex B
        ("ATD#351*1111#;", 'ATD#351*"****"#;'),
    ],
)
def test_mask_text_hides_secret_fields_and_keeps_the_rest(line: str, expected: str) -> None:
    assert mask_text(line) == expected
    assert mask_at_command(line.encode()) == expected.encode()
    assert mask_text(expected) == expected  # idempotent


@pytest.mark.parametrize(
    "line",
    [
        "AT+CPIN?",
        "AT+CPIN=?",
        'AT+CLCK="SC",2',
        'AT+CSIM=10,"0020000100"',  # retry-counter query: no data
        'AT+CSIM=14,"00A40004023F00"',  # SELECT: not a secret instruction
        "AT+CRSM=176,28589,0,0,4",
        'AT+CPINR="SIM*"',
        "AT*EPIN?",
        "ATD*#06#",
        'AT+CUSD=1,"*100#",15',
        "ATD**0412345;",  # a number, not the **04* procedure
        "ATD*#33#;",  # barring interrogation: no password
        "ATD*3312345;",
        "ATD**21*5551234#;",  # call forwarding: a number, no secret
        "+CPIN: SIM PIN\r\n",
        '+CSIM: 4,"63C3"',
        "ATE0;+CMEE=1;+CMGF=0",
    ],
)
def test_mask_text_leaves_non_secret_commands_alone(line: str) -> None:
    assert mask_text(line) == line


def test_mask_at_command_keeps_non_ascii_bytes() -> None:
    line = b'\xffAT+CPIN="1234"\x1a'
    assert mask_at_command(line) == b'\xffAT+CPIN="****"\x1a'


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("00200001083132333435FFFFFF", "0020000108" + "2A" * 8),
        ("A02C000010" + "31" * 8 + "32" * 8, "A02C000010" + "2A" * 16),
        ("80240081" + "10" + "33" * 16 + "00", "8024008110" + "2A" * 16 + "00"),  # Le kept
        ("002000010300", "00200001" + "03" + "2A"),  # Lc longer than the data: mask it all
        ("0020000100", "0020000100"),  # retry query
        ("00A40004023F00", "00A40004023F00"),  # SELECT
        ("0020000100000431323334", "00200001000004" + "2A" * 4),  # extended Lc
    ],
)
def test_mask_apdu(raw: str, expected: str) -> None:
    assert mask_apdu(bytes.fromhex(raw)).hex().upper() == expected


def test_stream_masker_hides_a_secret_split_across_chunks() -> None:
    masker = AtStreamMasker()
    chunks = [b"AT+CP", b'IN="12', b"34", b'"\r\r\nOK\r\n', b'AT+CLCK="SC",1,5', b"678\r"]
    out = b"".join(masker.feed(chunk) for chunk in chunks)
    assert out == b'AT+CPIN="****"\r\r\nOK\r\nAT+CLCK="SC",1,"****"\r'


def test_secret_never_prints() -> None:
    secret = Secret("1234")
    assert secret.reveal() == "1234"
    for text in (repr(secret), str(secret), f"{secret}", f"{secret:>10}"):
        assert text.strip() == "****"
    assert "1234" not in repr([secret, {"pin": secret}])
    assert copy.deepcopy(secret) is secret
    with pytest.raises(TypeError):
        pickle.dumps(secret)
    with pytest.raises(TypeError):
        Secret(1234)  # type: ignore[arg-type]


def test_read_secret_prefers_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIM_PIN", " 1234 \n")
    assert read_secret("PIN1", env="SIM_PIN", file="/nonexistent").reveal() == "1234"


def test_read_secret_from_first_line_of_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SIM_PIN", raising=False)
    path = tmp_path / "pin"
    path.write_text("  5678  \nignored\n")
    path.chmod(0o600)
    assert read_secret("PIN1", env="SIM_PIN", file=str(path)).reveal() == "5678"


def test_read_secret_missing_file_names_it(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-pin")
    with pytest.raises(ConfigError, match="no-such-pin"):
        read_secret("PIN1", file=missing)


def test_read_secret_without_tty_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SIM_PUK", raising=False)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a TTY

    def no_prompt(prompt: str = "") -> str:
        raise AssertionError("must not prompt without a TTY")

    monkeypatch.setattr(getpass, "getpass", no_prompt)
    with pytest.raises(ConfigError, match="SIM_PUK") as info:
        read_secret("PUK1", env="SIM_PUK", prompt="PUK: ")
    assert "command line" in str(info.value)


def test_read_secret_prompts_on_a_tty(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("SIM_PIN", raising=False)
    monkeypatch.setattr(sys, "stdin", Tty())
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "2468")
    secret = read_secret("PIN1", env="SIM_PIN", prompt="PIN: ")
    assert secret.reveal() == "2468"
