"""SIM profiles (harness/data/sims/*.toml): every bad field is a ProfileError naming the file
and the field, never quoting a secret; a good profile is what the card shows."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.errors import ProfileError
from harness.sim.ef.sms import decode_sms_record
from harness.sim.gsm_response import decode_gsm_df_status
from harness.virtual.card.layout import USIM_AID
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc

# A deliver TPDU with the SC address in front, as EF.SMS stores it (TS 31.102 §4.2.25).
STORED_PDU = "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"


def base() -> dict[str, Any]:
    return {
        "card": {
            "name": "t",
            "iccid": "8988211000000000018",
            "imsi": "001010000000018",
            "msisdn": "+15555550118",
            "spn": "Harness Mobile",
            "mnc_length": 2,
            "smsc": "+15550000000",
        },
        "pins": {
            "pin1": "1234",
            "pin2": "5678",
            "puk1": "12345678",
            "puk2": "87654321",
            "adm1": "88888888",
            "pin1_enabled": True,
        },
        "retries": {},
        "sms": {"records": 10},
    }


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # A TOML basic string is a JSON string for these values (no surrogate escapes).
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(not isinstance(v, dict) for v in value):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(value)


def to_toml(raw: dict[str, Any]) -> str:
    lines = [f"{key} = {_value(v)}" for key, v in raw.items() if not isinstance(v, dict)]
    for table, body in raw.items():
        if not isinstance(body, dict):
            continue
        lines.append(f"[{table}]")
        arrays = {
            k: v
            for k, v in body.items()
            if isinstance(v, list) and any(isinstance(i, dict) for i in v)
        }
        lines += [f"{k} = {_value(v)}" for k, v in body.items() if k not in arrays]
        for key, items in arrays.items():
            for item in items:
                lines.append(f"[[{table}.{key}]]")
                lines += [f"{k} = {_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def write(tmp_path: Path, raw: dict[str, Any], name: str = "sim.toml") -> Path:
    path = tmp_path / name
    path.write_text(to_toml(raw), encoding="utf-8")
    return path


def rejected(tmp_path: Path, raw: dict[str, Any]) -> str:
    path = write(tmp_path, raw)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    message = str(info.value)
    assert str(path) in message
    return message


def tx(card: VirtualUicc, apdu: bytes | str) -> tuple[bytes, int]:
    raw = bytes.fromhex(apdu) if isinstance(apdu, str) else apdu
    reply = card.transmit(raw)
    return reply[:-2], int.from_bytes(reply[-2:], "big")


# --- good profiles -------------------------------------------------------------------------


def test_default_profile() -> None:
    profile = load_profile(DEFAULT_PROFILE)
    assert (profile.name, profile.iccid, profile.imsi, profile.msisdn) == (
        "default",
        "8988211000000000018",
        "001010000000018",
        "+15555550118",
    )
    assert (profile.pin1, profile.puk1, profile.pin1_enabled) == ("1234", "12345678", True)
    assert profile.max_retries == {"pin1": 3, "pin2": 3, "puk1": 10, "puk2": 10, "adm1": 10}
    assert profile.retries == {} and profile.stored_sms == () and profile.sms_records == 10


def test_our_writer_round_trips_the_base(tmp_path: Path) -> None:
    profile = load_profile(write(tmp_path, base()))
    assert profile == replace(load_profile(DEFAULT_PROFILE), name="t")


def test_stored_sms_and_counters_show_on_the_card(tmp_path: Path) -> None:
    raw = base()
    raw["retries"] = {"pin1": 1, "puk1": 5, "max_pin2": 5, "pin2": 4, "adm1": 7}
    raw["sms"] = {
        "records": 3,
        "stored": [
            {"status": "unread", "pdu": STORED_PDU},
            {"status": "sent", "pdu": "00" + "0100"},
        ],
    }
    card = VirtualUicc.from_files(write(tmp_path, raw))
    assert tx(card, "0020000100") == (b"", 0x63C1)
    assert tx(card, "002C000100") == (b"", 0x63C5)
    tx(card, "00A4040C07A0000000871002")  # PIN2 is local to the USIM ADF
    assert tx(card, "0020008100") == (b"", 0x63C4)
    assert tx(card, "0020000A00") == (b"", 0x63C7)
    assert tx(card, "0020000108" + "31323334FFFFFFFF") == (b"", 0x9000)
    assert tx(card, "0020000100") == (b"", 0x9000)
    assert tx(card, "0020008108" + "35363738FFFFFFFF") == (b"", 0x9000)
    assert tx(card, "0020008100") == (b"", 0x9000)  # back to max 5, verified
    card.reset()
    assert tx(card, "0020000100") == (b"", 0x63C3)  # max_pin1 stays 3
    tx(card, "00A4040C07A0000000871002")
    assert tx(card, "0020008100") == (b"", 0x63C5)
    assert tx(card, "0020000108" + "31323334FFFFFFFF") == (b"", 0x9000)
    tx(card, bytes((0, 0xA4, 0x04, 0x0C, len(USIM_AID))) + USIM_AID)
    tx(card, "00A4000C026F3C")
    rows = []
    for number in (1, 2, 3):
        data, sw = tx(card, bytes((0x00, 0xB2, number, 0x04, 0xB0)))
        assert sw == 0x9000
        rows.append(decode_sms_record(data))
    assert rows[0].status == 0x03 and rows[0].body.startswith(bytes.fromhex(STORED_PDU))
    assert rows[0].body[len(STORED_PDU) // 2 :] == b"\xff" * (175 - len(STORED_PDU) // 2)
    assert rows[1].status == 0x05 and rows[1].body[:3] == bytes.fromhex("000100")
    assert rows[2].status == 0x00 and rows[2].is_free
    assert tx(card, "00B20404B0") == (b"", 0x6A83)  # exactly 3 records
    tx(card, "A0A40000023F00")
    status, sw = tx(card, "A0C0000016")
    assert sw == 0x9000
    gsm = decode_gsm_df_status(status)
    assert (gsm.chv1.retries, gsm.unblock_chv1.retries, gsm.chv2.retries) == (3, 5, 5)


def test_pin1_disabled_profile(tmp_path: Path) -> None:
    raw = base()
    raw["pins"]["pin1_enabled"] = False
    card = VirtualUicc.from_files(write(tmp_path, raw))
    tx(card, "A0A40000023F00")
    status, _ = tx(card, "A0C0000016")
    assert status[13] & 0x80  # byte 14 b8: CHV1 disabled
    tx(card, "A0A40000027F20")
    tx(card, "A0A40000026F07")
    assert tx(card, "A0B0000009")[1] == 0x9000


def test_adm_as_hex_key(tmp_path: Path) -> None:
    raw = base()
    raw["pins"]["adm1"] = "0123456789ABCDEF"
    card = VirtualUicc.from_files(write(tmp_path, raw))
    assert tx(card, "0020000A08" + "3838383838383838")[1] == 0x63C9
    assert tx(card, "0020000A08" + "0123456789ABCDEF")[1] == 0x9000


def test_three_digit_mnc_and_twenty_digit_iccid(tmp_path: Path) -> None:
    raw = base()
    raw["card"]["mnc_length"] = 3
    raw["card"]["iccid"] = "89882110000000000187"
    card = VirtualUicc.from_files(write(tmp_path, raw))
    tx(card, "00A4000C022FE2")
    assert tx(card, "00B000000A") == (bytes.fromhex("98881201000000001078"), 0x9000)


# --- bad profiles ----------------------------------------------------------------------------


def test_missing_file() -> None:
    with pytest.raises(ProfileError, match="does not exist") as info:
        load_profile("/nonexistent/dir/sim.toml")
    assert "/nonexistent/dir/sim.toml" in str(info.value)


def test_invalid_toml_does_not_quote_the_pin(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[pins]\npin1 = 9713x\n", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid TOML") as info:
        load_profile(path)
    assert str(path) in str(info.value) and "9713" not in str(info.value)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[card]\nspn = "\xe9"\n')
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ("card", "iccid"),
        ("card", "imsi"),
        ("card", "msisdn"),
        ("pins", "pin1"),
        ("pins", "pin2"),
        ("pins", "puk1"),
        ("pins", "puk2"),
        ("pins", "adm1"),
        ("pins", "pin1_enabled"),
    ],
)
def test_missing_field(tmp_path: Path, table: str, key: str) -> None:
    raw = base()
    del raw[table][key]
    message = rejected(tmp_path, raw)
    assert f"'{key}'" in message and "missing" in message


@pytest.mark.parametrize("table", ["card", "pins"])
def test_missing_table(tmp_path: Path, table: str) -> None:
    raw = base()
    del raw[table]
    assert f"[{table}]" in rejected(tmp_path, raw)


@pytest.mark.parametrize(
    ("table", "key", "value"),
    [
        ("card", "iccid", "898821100000000001"),  # 18 digits
        ("card", "iccid", "898821100000000001877"),  # 21
        ("card", "iccid", "8988211000000000O18"),  # letter O
        ("card", "iccid", "1234567890123456789"),  # not 89 (E.118)
        ("card", "iccid", 8988211000000000018),
        ("card", "iccid", "898821100000000001\n"),
        ("card", "imsi", "00101"),
        ("card", "imsi", "0010100000000181"),
        ("card", "imsi", "00101000000001A"),
        ("card", "imsi", "001010000000018\n"),
        ("card", "msisdn", "+1 555 555 0118"),
        ("card", "msisdn", "++15555550118"),
        ("card", "msisdn", "+123456789012345678901"),
        ("card", "msisdn", ""),
        ("card", "smsc", "SMSC"),
        ("card", "spn", "x" * 17),
        ("card", "spn", "[" * 9),  # 18 bytes in GSM 7-bit (escape + char)
        ("card", "spn", "Связь Мобайл"),  # UCS2: 25 bytes
        ("card", "spn", "\U0001f4f1"),  # outside UCS2
        ("card", "spn", 5),
        ("card", "mnc_length", 4),
        ("card", "mnc_length", "2"),
        ("card", "name", 7),
        ("pins", "pin1_enabled", "true"),
        ("pins", "pin1_enabled", 1),
    ],
)
def test_invalid_identity_field(tmp_path: Path, table: str, key: str, value: Any) -> None:
    raw = base()
    raw[table][key] = value
    assert f"'{key}'" in rejected(tmp_path, raw)


SECRETS = [
    ("pin1", "123"),
    ("pin1", "123456789"),
    ("pin1", "12a4"),
    ("pin1", "\uff11\uff12\uff13\uff14"),  # full-width digits
    ("pin1", "4321\n"),
    ("pin1", " 4321"),
    ("pin1", 4321),
    ("pin2", "56"),
    ("puk1", "1234567"),
    ("puk1", "123456789"),
    ("puk1", "1234567x"),
    ("puk2", "8765432-"),
    ("adm1", "8888888"),
    ("adm1", "0123456789ABCDEG"),
    ("adm1", 88888888),
]


@pytest.mark.parametrize(("key", "value"), SECRETS)
def test_invalid_secret_is_named_not_quoted(tmp_path: Path, key: str, value: Any) -> None:
    raw = base()
    raw["pins"][key] = value
    message = rejected(tmp_path, raw)
    assert f"'{key}'" in message
    # The file's path (pytest-NNN/...) may contain any digits: look at the rest only.
    assert str(value).strip() not in message.replace(str(tmp_path), "<tmp>")


@pytest.mark.parametrize(
    ("retries", "key"),
    [
        ({"pin1": 4}, "pin1"),
        ({"pin1": -1}, "pin1"),
        ({"puk1": 11}, "puk1"),
        ({"pin2": "3"}, "pin2"),
        ({"adm1": True}, "adm1"),
        ({"max_pin1": 0}, "max_pin1"),
        ({"max_pin1": 16}, "max_pin1"),
        ({"max_puk2": 2.5}, "max_puk2"),
        ({"max_pin1": 5, "pin1": 6}, "pin1"),
    ],
)
def test_retries_out_of_range(tmp_path: Path, retries: dict[str, Any], key: str) -> None:
    raw = base()
    raw["retries"] = retries
    assert f"'{key}'" in rejected(tmp_path, raw)


def test_retries_must_be_a_table(tmp_path: Path) -> None:
    raw = base()
    raw["retries"] = 3
    assert "[retries]" in rejected(tmp_path, raw)


@pytest.mark.parametrize(
    ("stored", "records", "needle"),
    [
        ([{"status": "unread", "pdu": "0G"}], 10, "[[sms.stored]] #1"),
        ([{"status": "unread", "pdu": "123"}], 10, "[[sms.stored]] #1"),
        ([{"status": "unread", "pdu": ""}], 10, "[[sms.stored]] #1"),
        ([{"status": "unread", "pdu": "00" * 176}], 10, "[[sms.stored]] #1"),
        ([{"status": "unread"}], 10, "[[sms.stored]] #1"),
        ([{"status": "new", "pdu": "00"}], 10, "[[sms.stored]] #1"),
        ([{"pdu": "00"}], 10, "[[sms.stored]] #1"),
        (
            [{"status": "read", "pdu": "00"}, {"status": "read", "pdu": "zz"}],
            10,
            "[[sms.stored]] #2",
        ),
        ([{"status": "read", "pdu": "00"}] * 3, 2, "[sms]"),
    ],
)
def test_bad_stored_sms(tmp_path: Path, stored: list[Any], records: int, needle: str) -> None:
    raw = base()
    raw["sms"] = {"records": records, "stored": stored}
    message = rejected(tmp_path, raw)
    assert needle in message


@pytest.mark.parametrize("records", [0, 255, -1])
def test_sms_record_count(tmp_path: Path, records: int) -> None:
    raw = base()
    raw["sms"] = {"records": records}
    assert "'records'" in rejected(tmp_path, raw)


def test_longest_stored_sms_fits(tmp_path: Path) -> None:
    raw = base()
    raw["sms"] = {"records": 1, "stored": [{"status": "read", "pdu": "00" * 175}]}
    card = VirtualUicc.from_files(write(tmp_path, raw))
    tx(card, "0020000108" + "31323334FFFFFFFF")
    tx(card, "00A4080C047F106F3C")
    assert tx(card, "00B20104B0") == (b"\x01" + bytes(175), 0x9000)
