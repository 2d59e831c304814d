"""The card's EEPROM: a JSON state file that survives process restarts and kills.

What persists (counters, enabled flag, PIN values, file contents) is checked through
APDUs on a *new* VirtualUicc built on the same file. Tearing is tested for real: a
child process hammering wrong VERIFYs is SIGKILLed at random moments.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import harness.virtual.card.uicc as uicc_module
from harness.errors import ConfigError
from harness.virtual.card.layout import USIM_AID
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc

PROFILE = load_profile(DEFAULT_PROFILE)


def field(digits: str) -> bytes:
    return digits.encode("ascii").ljust(8, b"\xff")


PIN1, PIN2, PUK1 = field(PROFILE.pin1), field(PROFILE.pin2), field(PROFILE.puk1)
NEW_PIN = field("86420")
WRONG = b"\xff" * 8


def tx(card: VirtualUicc, apdu: bytes | str) -> tuple[bytes, int]:
    raw = bytes.fromhex(apdu) if isinstance(apdu, str) else apdu
    reply = card.transmit(raw)
    return reply[:-2], int.from_bytes(reply[-2:], "big")


def sw_of(card: VirtualUicc, apdu: bytes | str) -> int:
    return tx(card, apdu)[1]


def pin_cmd(ins: int, p2: int, data: bytes = b"") -> bytes:
    return bytes((0x00, ins, 0x00, p2)) + (bytes((len(data),)) + data if data else b"")


def open_card(state: Path) -> VirtualUicc:
    card = VirtualUicc.from_files(DEFAULT_PROFILE, state)
    card.power_on()
    return card


def sms_record_1(card: VirtualUicc) -> tuple[bytes, int]:
    tx(card, bytes((0, 0xA4, 0x04, 0x0C, len(USIM_AID))) + USIM_AID)
    tx(card, "00A4000C026F3C")
    return tx(card, "00B20104B0")


def test_first_use_writes_the_profile_state(state_file: Path) -> None:
    assert not state_file.exists()
    open_card(state_file)
    state = json.loads(state_file.read_text())
    assert state["version"] == 1
    assert state["secrets"]["pin1"]["retries"] == 3
    assert state["secrets"]["puk1"]["retries"] == 10
    assert state["secrets"]["pin1"]["enabled"] is True
    assert [p.name for p in state_file.parent.iterdir()] == [state_file.name]  # no temp files


def test_counters_survive_a_new_card(state_file: Path) -> None:
    card = open_card(state_file)
    assert sw_of(card, pin_cmd(0x20, 0x01, WRONG)) == 0x63C2
    assert sw_of(card, "00A4040C07A0000000871002") == 0x9000  # PIN2 lives in the USIM
    assert sw_of(card, pin_cmd(0x20, 0x81, WRONG)) == 0x63C2
    assert sw_of(card, pin_cmd(0x20, 0x81, WRONG)) == 0x63C1
    assert sw_of(card, pin_cmd(0x2C, 0x81, WRONG + NEW_PIN)) == 0x63C9
    assert sw_of(card, pin_cmd(0x20, 0x0A, WRONG)) == 0x63C9
    again = open_card(state_file)
    assert sw_of(again, pin_cmd(0x20, 0x01)) == 0x63C2
    assert sw_of(again, "00A4040C07A0000000871002") == 0x9000
    assert sw_of(again, pin_cmd(0x20, 0x81)) == 0x63C1
    assert sw_of(again, pin_cmd(0x2C, 0x81)) == 0x63C9
    assert sw_of(again, pin_cmd(0x2C, 0x01)) == 0x63CA
    assert sw_of(again, pin_cmd(0x20, 0x0A)) == 0x63C9


def test_blocked_and_dead_states_survive(state_file: Path) -> None:
    card = open_card(state_file)
    for _ in range(3):
        tx(card, pin_cmd(0x20, 0x01, WRONG))
    for _ in range(10):
        tx(card, pin_cmd(0x2C, 0x01, WRONG + NEW_PIN))
    again = open_card(state_file)
    assert sw_of(again, pin_cmd(0x20, 0x01, PIN1)) == 0x6983
    assert sw_of(again, pin_cmd(0x2C, 0x01, PUK1 + NEW_PIN)) == 0x6983
    assert sw_of(again, bytes.fromhex("A02C000010") + PUK1 + NEW_PIN) == 0x9840


def test_enabled_flag_and_pin_value_survive(state_file: Path) -> None:
    card = open_card(state_file)
    assert sw_of(card, pin_cmd(0x24, 0x01, PIN1 + NEW_PIN)) == 0x9000
    assert sw_of(card, pin_cmd(0x26, 0x01, NEW_PIN)) == 0x9000
    again = open_card(state_file)
    assert sw_of(again, pin_cmd(0x20, 0x01, NEW_PIN)) == 0x6984  # still disabled
    assert sms_record_1(again)[1] == 0x9000  # readable without a PIN
    assert sw_of(again, pin_cmd(0x28, 0x01, PIN1)) == 0x63C2  # the old value is gone
    assert sw_of(again, pin_cmd(0x28, 0x01, NEW_PIN)) == 0x9000
    third = open_card(state_file)
    assert sw_of(third, pin_cmd(0x20, 0x01)) == 0x63C3
    assert sms_record_1(third) == (b"", 0x6982)


def test_verified_state_is_not_persisted(state_file: Path) -> None:
    card = open_card(state_file)
    assert sw_of(card, pin_cmd(0x20, 0x01, PIN1)) == 0x9000
    assert sms_record_1(card)[1] == 0x9000
    again = open_card(state_file)
    assert sms_record_1(again) == (b"", 0x6982)


def test_file_contents_survive(state_file: Path) -> None:
    card = open_card(state_file)
    assert sw_of(card, pin_cmd(0x20, 0x01, PIN1)) == 0x9000
    assert sw_of(card, pin_cmd(0x20, 0x0A, PROFILE.adm1)) == 0x9000
    row = b"\x03" + bytes(range(175))
    sms_record_1(card)
    assert sw_of(card, b"\x00\xdc\x01\x04\xb0" + row) == 0x9000
    new_imsi = bytes.fromhex("080910100000000091")
    tx(card, "00A4000C026F07")
    assert sw_of(card, b"\x00\xd6\x00\x00\x09" + new_imsi) == 0x9000
    again = open_card(state_file)
    assert sw_of(again, pin_cmd(0x20, 0x01, PIN1)) == 0x9000
    assert sms_record_1(again) == (row, 0x9000)
    # EF.SMS and EF.IMSI are linked: DF.TELECOM and DF.GSM see the same bodies.
    tx(again, "00A4080C047F106F3C")
    assert tx(again, "00B20104B0") == (row, 0x9000)
    tx(again, "00A4080C047F206F07")
    assert tx(again, "00B0000009") == (new_imsi, 0x9000)


def test_a_torn_comparison_never_gives_an_attempt_back(
    state_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Power lost after the decrement is written, before the match restores it."""
    open_card(state_file)
    real_write = uicc_module.write_atomically  # type: ignore[attr-defined]
    writes: list[dict[str, Any]] = []

    def dying_write(path: Path, state: dict[str, Any]) -> None:
        writes.append(state)
        if len(writes) == 2:
            raise OSError("power lost")
        real_write(path, state)

    monkeypatch.setattr(uicc_module, "write_atomically", dying_write)
    card = open_card(state_file)
    assert sw_of(card, pin_cmd(0x20, 0x01, PIN1)) == 0x6F00  # the card did not finish
    assert writes[0]["secrets"]["pin1"]["retries"] == 2  # decrement written first
    monkeypatch.setattr(uicc_module, "write_atomically", real_write)
    assert sw_of(open_card(state_file), pin_cmd(0x20, 0x01)) == 0x63C2


# --- real kills ------------------------------------------------------------------------------

# The child slows its own writes down (sleeps inside fsync and before the rename) so
# that most random kill moments land inside write_atomically.
_HAMMER = r"""
import os, random, sys, time
_fsync, _replace = os.fsync, os.replace
def slow_fsync(fd):
    time.sleep(random.uniform(0, 0.002))
    _fsync(fd)
def slow_replace(src, dst):
    time.sleep(random.uniform(0, 0.002))
    _replace(src, dst)
os.fsync, os.replace = slow_fsync, slow_replace
from harness.virtual.card.uicc import VirtualUicc
card = VirtualUicc.from_files(sys.argv[1], sys.argv[2])
print("ready", flush=True)
while True:
    reply = card.transmit(bytes.fromhex("0020000108FFFFFFFFFFFFFFFF"))
    print(reply.hex().upper(), flush=True)
    if reply[-1] == 0xC0:  # blocked: nothing left to write
        time.sleep(60)
"""


def saved_pin1(state: Path) -> int:
    data = json.loads(state.read_text())
    return int(data["secrets"]["pin1"]["retries"])


def test_sigkill_during_writes_never_resets_a_counter(tmp_path: Path) -> None:
    profile = tmp_path / "fifteen.toml"
    profile.write_text(
        DEFAULT_PROFILE.read_text(encoding="utf-8").replace("# max_pin1 = 3", "max_pin1 = 15"),
        encoding="utf-8",
    )
    state = tmp_path / "state" / "card.json"
    state.parent.mkdir()
    VirtualUicc.from_files(profile, state)
    observed = [saved_pin1(state)]
    assert observed == [15]
    rnd = random.Random()
    kills = torn = 0
    deadline = time.monotonic() + 20
    while observed[-1] > 0 and kills < 10 and time.monotonic() < deadline:
        child = subprocess.Popen(
            [sys.executable, "-c", _HAMMER, str(profile), str(state)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"
        time.sleep(rnd.uniform(0.0, 0.012))
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        kills += 1
        answers = child.stdout.read().decode().split()
        child.stdout.close()
        for answer in answers:
            assert answer.startswith("63C"), answer
            observed.append(int(answer[3], 16))
        leftovers = [p for p in state.parent.iterdir() if p != state]
        torn += bool(leftovers)
        for leftover in leftovers:
            leftover.unlink()
        on_disk = saved_pin1(state)  # always loads: old or new, never half a file
        # Never above what was seen; either the last answer, or the attempt being written.
        assert on_disk <= min(observed)
        assert on_disk in (observed[-1], observed[-1] - 1), (on_disk, observed)
        observed.append(on_disk)
        card = VirtualUicc.from_files(profile, state)
        assert card.transmit(bytes.fromhex("0020000100")) == bytes((0x63, 0xC0 | on_disk))
    assert kills >= 3
    assert torn >= 1, "no kill landed inside a write; the test proved nothing"


# --- damaged state ---------------------------------------------------------------------------


def test_invalid_json_names_the_file(state_file: Path) -> None:
    state_file.write_text('{"version": 1, "secrets": {', encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid JSON") as info:
        open_card(state_file)
    assert str(state_file) in str(info.value)


def test_binary_garbage_names_the_file(state_file: Path) -> None:
    state_file.write_bytes(b"\xff\xfe\x00\x9c torn")
    with pytest.raises(ConfigError, match="not UTF-8") as info:
        open_card(state_file)
    assert str(state_file) in str(info.value)


def test_not_an_object(state_file: Path) -> None:
    state_file.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        open_card(state_file)
    assert str(state_file) in str(info.value)


def _damaged(state: dict[str, Any], how: str) -> None:
    secrets, files = state["secrets"], state["files"]
    if how == "version":
        state["version"] = 2
    elif how == "no-secrets":
        del state["secrets"]
    elif how == "secrets-list":
        state["secrets"] = []
    elif how == "missing-secret":
        del secrets["puk1"]
    elif how == "no-secret-at-all":
        state["secrets"] = {}
    elif how == "unknown-secret":
        secrets["pin9"] = secrets["pin1"]
    elif how == "negative-counter":
        secrets["pin1"]["retries"] = -1
    elif how == "counter-above-max":
        secrets["puk1"]["retries"] = 11
    elif how == "huge-max":
        secrets["pin1"]["max_retries"] = 99
    elif how == "counter-text":
        secrets["pin1"]["retries"] = "3"
    elif how == "counter-bool":
        secrets["pin1"]["retries"] = True
    elif how == "enabled-text":
        secrets["pin1"]["enabled"] = "false"
    elif how == "value-hex":
        secrets["pin1"]["value"] = "zz"
    elif how == "value-short":
        secrets["pin1"]["value"] = "31323334"
    elif how == "no-files":
        del state["files"]
    elif how == "file-short":
        files["3F00/7F20/6F07"] = "0809"
    elif how == "file-hex":
        files["3F00/2FE2"] = "not hex at all"
    elif how == "records-missing":
        files["3F00/7F10/6F3C"] = files["3F00/7F10/6F3C"][:3]
    elif how == "record-short":
        files["3F00/7F10/6F3C"][0] = "00"
    else:
        raise AssertionError(how)


DAMAGE = [
    "version",
    "no-secrets",
    "secrets-list",
    "missing-secret",
    "no-secret-at-all",
    "unknown-secret",
    "negative-counter",
    "counter-above-max",
    "huge-max",
    "counter-text",
    "counter-bool",
    "enabled-text",
    "value-hex",
    "value-short",
    "no-files",
    "file-short",
    "file-hex",
    "records-missing",
    "record-short",
]


@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_state_is_a_config_error(state_file: Path, how: str) -> None:
    open_card(state_file)
    state = json.loads(state_file.read_text())
    assert "3F00/7F10/6F3C" in state["files"] and "3F00/7F20/6F07" in state["files"]
    _damaged(state, how)
    state_file.write_text(json.dumps(state), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        open_card(state_file)
    message = str(info.value)
    assert str(state_file) in message
    assert PIN1.hex() not in message.lower() and PROFILE.pin1 not in message


def test_a_state_from_another_run_loads_with_its_values(state_file: Path) -> None:
    open_card(state_file)
    state = json.loads(state_file.read_text())
    state["secrets"]["pin1"]["retries"] = 1
    state["secrets"]["pin1"]["enabled"] = False
    state_file.write_text(json.dumps(state), encoding="utf-8")
    card = open_card(state_file)
    assert sw_of(card, pin_cmd(0x20, 0x01)) == 0x63C1
    assert sw_of(card, pin_cmd(0x20, 0x01, PIN1)) == 0x6984
