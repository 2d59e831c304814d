"""The virtual modem as a device: ptys, symlinks, reboot, TCP, several modems, a terminal, serve."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest
import serial
from test_virtual_modem_support import PortSilent, RawPort, modem_on_pty, new_card, unlock

from harness.sim.ef.identity import luhn_digit
from harness.virtual.modem import RegStatus, VirtualModem
from harness.virtual.modem.identity import imei_for
from harness.virtual.sim_view import SimView

REPO = Path(__file__).resolve().parents[1]


def test_reboot_drops_the_port_and_opens_a_new_pty_behind_the_link(tmp_path: Path) -> None:
    link = tmp_path / "modem0"
    card = new_card()
    with VirtualModem(card, personality="simcom") as modem:
        first = modem.start_pty(link)
        assert os.readlink(link) == first and modem.port_path == first
        port = RawPort(str(link))
        port.command("ATE0")
        unlock(port)
        assert modem.registration is RegStatus.HOME
        modem.reboot()
        second = modem.port_path
        assert second is not None and second != first
        assert os.readlink(link) == second
        with pytest.raises((EOFError, OSError)):  # silence is PortSilent, not these
            port.command("AT", timeout=0.5)  # the old port hung up
        port.close()
        again = RawPort(str(link))
        # boot URCs of a SIMCom with a locked SIM, then defaults: echo on
        assert again.read_until(b"+CPIN: SIM PIN\r\n") == b"\r\nRDY\r\n\r\n+CPIN: SIM PIN\r\n"
        assert again.command("AT") == b"AT\r\r\nOK\r\n"
        assert modem.registration is RegStatus.NOT_SEARCHING
        assert not SimView(card).read().pin1_verified
        again.close()
    assert not link.exists()  # close() removes the link it made


def test_a_silent_port_is_not_taken_for_a_hang_up() -> None:
    """RawPort's deadline must not raise what the hang-up checks accept (EOFError, OSError)."""
    master, slave = os.openpty()  # a pty nobody answers on, still open: silent, not gone
    try:
        port = RawPort(os.ttyname(slave))
        with pytest.raises(PortSilent) as silent:
            port.read_until(b"OK\r\n", timeout=0.05)
        assert not isinstance(silent.value, (EOFError, OSError))
        port.close()
    finally:
        os.close(master)
        os.close(slave)


def test_pyserial_client_and_tcp_port_share_one_modem() -> None:
    with VirtualModem(new_card(pins__pin1_enabled=False)) as modem:
        path = modem.start_pty()
        port_number = modem.start_tcp()
        with serial.Serial(path, 115200, timeout=1) as tty:
            tty.write(b"ATE0\r")
            assert tty.read_until(b"OK\r\n").endswith(b"OK\r\n")
            with socket.create_connection(("127.0.0.1", port_number), timeout=2) as sock:
                sock.sendall(b"ATE0\r")
                assert _recv_until(sock, b"OK\r\n").endswith(b"OK\r\n")
                sock.sendall(b"AT+CREG=1;+CGSN\r")
                assert _recv_until(sock, b"OK\r\n") == b"\r\n356938035643809\r\n\r\nOK\r\n"
                # URCs go to every open port
                assert modem.remove_sim() is not None
                assert _recv_until(sock, b"+CREG: 0\r\n") == b"\r\n+CREG: 0\r\n"
                assert tty.read_until(b"+CREG: 0\r\n").endswith(b"+CREG: 0\r\n")


def _recv_until(sock: socket.socket, end: bytes) -> bytes:
    data = b""
    while not data.endswith(end):
        chunk = sock.recv(4096)
        if not chunk:
            raise EOFError(data)
        data += chunk
    return data


def test_several_modems_in_one_process_are_independent() -> None:
    cards = [new_card(), new_card(pins__pin1_enabled=False)]
    modems = [VirtualModem(card, imei=imei_for(i)) for i, card in enumerate(cards)]
    try:
        ports = [RawPort(m.start_pty()) for m in modems]
        assert [p.lines("ATE0;+CGSN")[-2] for p in ports] == [imei_for(0), imei_for(1)]
        assert [p.lines("AT+CPIN?")[0] for p in ports] == ["+CPIN: SIM PIN", "+CPIN: READY"]
        assert [m.registration for m in modems] == [RegStatus.NOT_SEARCHING, RegStatus.HOME]
        for port in ports:
            port.close()
    finally:
        for modem in modems:
            modem.close()


def test_imeis_pass_the_luhn_check() -> None:
    assert luhn_digit("35693803564380") == "9"  # the default IMEI 356938035643809
    assert imei_for(0) == "356938035643809"
    assert all(len(imei_for(i)) == 15 for i in range(5))


def _terminal(path: str) -> pexpect.spawn:
    """pyserial's miniterm on a terminal, as an engineer would open the modem."""
    child = pexpect.spawn(
        sys.executable,
        ["-m", "serial.tools.miniterm", "--eol", "CR", "--quiet", path, "115200"],
        timeout=5,
        encoding="utf-8",
    )
    for _ in range(20):  # until miniterm listens to the keyboard
        child.send("AT\r")
        if child.expect(["OK", pexpect.TIMEOUT], timeout=0.25) == 0:
            return child
    raise AssertionError(f"miniterm on {path} never answered: {child.before!r}")


def test_engineer_at_a_terminal_unlocks_the_sim_and_reads_an_sms() -> None:
    from datetime import UTC, datetime

    from harness.sms.address import Address
    from harness.sms.tpdu import SmsDeliver
    from harness.sms.userdata import UserData

    with VirtualModem(new_card(), personality="quectel") as modem:
        child = _terminal(modem.start_pty())
        try:
            child.send("AT+CPIN?\r")
            child.expect(r"\+CPIN: SIM PIN")
            child.expect("OK")
            child.send('AT+CPIN="1234"\r')
            child.expect(r"\+QIND: SMS DONE")
            sms = SmsDeliver(
                Address.parse("+15550001111"),
                datetime(2024, 1, 2, tzinfo=UTC),
                UserData("code 1234"),
            )
            assert modem.deliver_sms(sms)
            child.expect(r'\+CMTI: "SM",1')
            child.send("AT+CMGF=1;+CMGR=1\r")
            child.expect(r'\+CMGR: "REC UNREAD","\+15550001111"')
            child.expect("code 1234")
            child.expect("OK")
        finally:
            child.sendcontrol("]")
            child.expect(pexpect.EOF)


def test_serve_modems_runs_until_sigterm(tmp_path: Path) -> None:
    link = tmp_path / "vmodem"
    script = (
        "import sys; from pathlib import Path; "
        "from harness.virtual.serve import serve_modems; "
        f"sys.exit(serve_modems(2, 'telit', None, None, Path({str(link)!r}), 0, "
        "['latency_ms=1'], sys.stdout))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(5)]
        assert lines[0].startswith("modem 0 (telit): /dev/pts/") and "tcp 127.0.0.1:" in lines[0]
        assert "link " + str(tmp_path / "vmodem1") in lines[1]
        assert lines[2].startswith("API http://127.0.0.1:")
        assert lines[4].startswith("serving")
        port = RawPort(str(tmp_path / "vmodem1"))
        assert port.lines("ATE0;+CGMI")[-2:] == ["Telit", "OK"]
        port.close()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0
    assert not (tmp_path / "vmodem0").exists()


def test_bad_personality_and_fault_are_config_errors() -> None:
    from harness.errors import ConfigError
    from harness.virtual.serve import serve_modems

    with pytest.raises(ConfigError, match=r"personality 'nokia'.*quectel"):
        VirtualModem(None, personality="nokia")
    with pytest.raises(ConfigError, match="unknown fault knob"):
        serve_modems(1, "generic", None, None, None, None, ["nope=1"], sys.stdout)


def test_insert_requires_an_empty_holder_and_close_is_idempotent() -> None:
    with modem_on_pty(new_card()) as (modem, port):
        with pytest.raises(ValueError, match="already inserted"):
            modem.insert_sim(new_card())
        assert port.lines("AT") == ["OK"]
        modem.close()
        modem.close()
