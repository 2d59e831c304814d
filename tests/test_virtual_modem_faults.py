"""Each fault knob of the virtual modem does what it says, on a real pty."""

from __future__ import annotations

import itertools
import os
import re
import select
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_virtual_modem_support import RawPort, modem_on_pty, new_card, unlock

from harness.sms.address import Address
from harness.sms.tpdu import SmsDeliver
from harness.sms.userdata import UserData
from harness.virtual.modem import FaultConfig, RegStatus, VirtualModem
from harness.virtual.modem.faults import MERGE_WINDOW_S, OutputShaper
from harness.virtual.sim_view import SimView

SMS = SmsDeliver(Address.parse("+15550001111"), datetime(2024, 1, 2, tzinfo=UTC), UserData("x"))


def _reads(port: RawPort, until: bytes, timeout: float = 3.0) -> list[bytes]:
    """Each os.read result separately, until `until` has arrived."""
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while until not in b"".join(chunks):
        remaining = deadline - time.monotonic()
        assert remaining > 0, f"no {until!r}; got {b''.join(chunks)!r}"
        ready, _, _ = select.select([port.fd], [], [], remaining)
        if ready:
            chunks.append(os.read(port.fd, 4096))
    return chunks


def test_split_writes_arrive_one_byte_at_a_time() -> None:
    """The shaper writes byte by byte (exactly); on the pty the host then reads several
    chunks - how many depends on how fast it reads, so only "more than one" is asserted."""
    answer = b"\r\nsim-harness\r\n\r\nOK\r\n"
    shaped = OutputShaper(FaultConfig(split_writes=True, latency_ms=3)).shape(answer, 0.0)
    assert [chunk for _, chunk in shaped] == [bytes([b]) for b in answer]
    assert all(later[0] > earlier[0] for earlier, later in itertools.pairwise(shaped))
    faults = FaultConfig(split_writes=True, latency_ms=3)
    with modem_on_pty(new_card(), faults=faults) as (_, port):
        port.write(b"AT+CGMI\r")
        chunks = _reads(port, b"OK\r\n")
        assert b"".join(chunks) == answer
        assert len(chunks) > 1


def test_merge_writes_joins_what_comes_within_the_window() -> None:
    shaper = OutputShaper(FaultConfig(merge_writes=True))
    (first,) = shaper.shape(b"\r\nOK\r\n", 0.0)
    (second,) = shaper.shape(b'\r\n+CMTI: "SM",1\r\n', MERGE_WINDOW_S / 2)
    assert first[0] == second[0] == MERGE_WINDOW_S
    with modem_on_pty(
        new_card(pins__pin1_enabled=False), faults=FaultConfig(merge_writes=True)
    ) as (modem, port):
        port.write(b"AT+CSQ\r")
        assert modem.deliver_sms(SMS)
        chunks = _reads(port, b"OK\r\n")
        assert len(chunks) == 1 and b"+CMTI" in chunks[0] and b"+CSQ: 20,99" in chunks[0]


def test_latency_delays_every_write() -> None:
    with modem_on_pty(new_card(), faults=FaultConfig(latency_ms=60)) as (_, port):
        started = time.monotonic()
        assert port.lines("AT") == ["OK"]
        assert time.monotonic() - started >= 0.06


def test_dropped_bytes_leave_holes_and_all_dropped_leaves_silence() -> None:
    with modem_on_pty(new_card(), faults=FaultConfig(drop_bytes=1.0), setup=()) as (_, port):
        port.write(b"ATE0\r")
        assert port.drain(0.1) == b""
    expected = b"\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n"
    with modem_on_pty(new_card(), faults=FaultConfig(drop_bytes=0.3, seed=5), setup=()) as (
        _,
        port,
    ):
        port.write(b"ATE0\r")
        port.drain(0.1)
        port.write(b"AT+CPIN?\r")
        got = port.drain(0.1)
        assert 0 < len(got) < len(expected)
        remaining = iter(expected)  # what arrived is the answer with bytes missing
        assert all(byte in remaining for byte in got)


def test_garbage_precedes_writes() -> None:
    with modem_on_pty(new_card(), faults=FaultConfig(garbage=1.0, seed=3), setup=()) as (_, port):
        port.write(b"ATE0\r")
        port.drain(0.1)
        port.write(b"AT+CGMM\r")
        got = port.drain(0.1)
        assert got.endswith(b"\r\nVirtual 27.007 modem\r\n\r\nOK\r\n")
        assert len(got) > len(b"\r\nVirtual 27.007 modem\r\n\r\nOK\r\n")


def test_urc_burst_and_urc_inside_a_response() -> None:
    with modem_on_pty(new_card(), faults=FaultConfig(urc_burst=3)) as (_, port):
        assert port.lines("AT+CGMI") == ["sim-harness", "OK"]
        assert port.drain(0.05).count(b"+CIEV: 2,") == 3
    with modem_on_pty(new_card(), faults=FaultConfig(urc_in_response=True)) as (_, port):
        lines = port.lines("AT+CGMI")
        assert lines[0] == "sim-harness" and lines[1].startswith("+CIEV: 2,") and lines[2] == "OK"


def test_urc_right_after_the_prompt() -> None:
    faults = FaultConfig(urc_after_prompt=True)
    with modem_on_pty(new_card(pins__pin1_enabled=False), faults=faults) as (_, port):
        port.write(b"AT+CMGS=24\r")
        assert port.read_until(b"\r\n> ") == b"\r\n> "
        assert port.read_until(re.compile(rb"\+CIEV: 2,\d\r\n")) == b"\r\n+CIEV: 2,1\r\n"
        port.write(b"\x1b")
        assert port.read_until(b"OK\r\n")


def test_echo_that_ignores_ate0_and_forced_verbose_errors() -> None:
    faults = FaultConfig(echo_ignores_ate0=True, verbose_cmee=True)
    with modem_on_pty(new_card(), faults=faults, setup=()) as (_, port):
        assert port.command("ATE0") == b"ATE0\r\r\nOK\r\n"
        assert port.command("AT+CMEE=1;+CIMI") == (
            b"AT+CMEE=1;+CIMI\r\r\n+CME ERROR: SIM PIN required\r\n"
        )


def test_disconnect_mid_command_cuts_the_answer_and_keeps_the_state(tmp_path: Path) -> None:
    link = tmp_path / "modem"
    card = new_card()
    with VirtualModem(card, faults=FaultConfig(disconnect_on_command=4)) as modem:
        port = RawPort(modem.start_pty(link))
        port.lines("ATE0")
        unlock(port)  # line 2; line 3 below
        assert port.lines("AT+CGMI") == ["sim-harness", "OK"]
        port.write(b"AT+CPINR\r")  # line 4: half an answer, then the port is gone
        with pytest.raises((EOFError, OSError)):  # silence is PortSilent, not these
            port.read_until(b"OK\r\n", timeout=1.0)
        port.close()
        assert port.buffer.startswith(b"\r\n+CPINR: SIM PIN,3,3") and b"OK" not in port.buffer
        again = RawPort(str(link))
        assert again.lines("AT+CREG?")[-1] == "OK"  # same modem state: still unlocked
        assert modem.registration is RegStatus.HOME
        again.close()


def test_reboot_mid_command_resets_the_modem(tmp_path: Path) -> None:
    link = tmp_path / "modem"
    card = new_card()
    with VirtualModem(card, faults=FaultConfig(reboot_on_command=3)) as modem:
        first = modem.start_pty(link)
        port = RawPort(first)
        port.lines("ATE0")
        unlock(port)
        port.write(b"AT+CGMI\r")
        with pytest.raises((EOFError, OSError)):  # silence is PortSilent, not these
            port.read_until(b"OK\r\n", timeout=1.0)
        port.close()
        assert os.readlink(link) != first
        assert modem.registration is RegStatus.NOT_SEARCHING
        assert not SimView(card).read().pin1_verified
