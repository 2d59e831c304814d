"""`simharness modem serve --count 2`: two served modems on one virtual network.

A third-party-style client (pyserial and hand-written AT, not the harness
driver) sends an SMS from one served modem to the other's number: it arrives
as +CMTI there, and the sender's status report (TS 23.040 §9.2.3.15, TP-ST 0
"received by the SME") comes only once the message was delivered — not while
the recipient's SIM still waits for its PIN. An SMS to the modem's own number
comes back to it. The bench's HTTP API, printed at start-up, delivers too.
"""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import serial

PIN = "1234"  # the default virtual SIM's PIN1 (harness/data/sims/default.toml)
NUMBERS = ("+15555550118", "+15555550119")  # SIM 0 and SIM 1 of `--count 2`
URC = re.compile(rb"\r\n\+(?:CMTI|CDSI): [^\r]*\r\n")
FINAL = re.compile(rb"\r\n(OK|ERROR|\+CMS ERROR: [^\r\n]*|\+CME ERROR: [^\r\n]*)\r\n|\r\n> ")


class AtClient:
    """What any terminal program does: write a line, read until a final result code."""

    def __init__(self, port: str) -> None:
        self.serial = serial.Serial(port, 115200, timeout=0.05)
        self.buffer = b""

    def until(self, pattern: re.Pattern[bytes], timeout: float = 3.0) -> bytes:
        deadline = time.monotonic() + timeout
        while (match := pattern.search(self.buffer)) is None:
            if time.monotonic() > deadline:
                raise AssertionError(f"no {pattern.pattern!r} in {timeout} s: {self.buffer!r}")
            self.buffer += self.serial.read(4096)
        out, self.buffer = self.buffer[: match.end()], self.buffer[match.end() :]
        return out

    def at(self, line: str, timeout: float = 3.0) -> str:
        """The answer up to its final result code; SMS URCs met on the way stay buffered."""
        self.serial.write(line.encode() + b"\r")
        answer = self.until(FINAL, timeout)
        urcs = b"".join(URC.findall(answer))
        self.buffer = urcs + self.buffer
        return URC.sub(b"", answer).decode("latin-1")

    def quiet_for(self, seconds: float) -> bytes:
        """Everything that arrives within `seconds` (to prove that nothing did)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.buffer += self.serial.read(4096)
        return self.buffer

    def close(self) -> None:
        self.serial.close()


@pytest.fixture
def served_pair(tmp_path: Path) -> Iterator[tuple[AtClient, AtClient, str]]:
    link = tmp_path / "modem"
    argv = [sys.executable, "-m", "harness.cli", "modem", "serve", "--count", "2"]
    proc = subprocess.Popen(
        [*argv, "--link", str(link)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    clients: list[AtClient] = []
    try:
        lines = _startup_lines(proc)
        assert NUMBERS[0] in lines[0] and NUMBERS[1] in lines[1]
        url = re.search(r"http://127\.0\.0\.1:\d+", "".join(lines))
        assert url is not None, lines
        clients = [AtClient(str(tmp_path / f"modem{i}")) for i in (0, 1)]
        for client in clients:
            assert client.at("ATE0;+CMEE=1").endswith("OK\r\n")
        yield clients[0], clients[1], url.group(0)
    finally:
        for client in clients:
            client.close()
        proc.terminate()
        proc.wait(timeout=10)


def _startup_lines(proc: subprocess.Popen[str]) -> list[str]:
    """Its output up to "serving" (read on a thread: a buffered pipe defeats select)."""
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout
    threading.Thread(target=lambda: [lines.put(x) for x in stdout], daemon=True).start()
    seen: list[str] = []
    while not seen or not seen[-1].startswith("serving"):
        try:
            seen.append(lines.get(timeout=15))
        except queue.Empty:
            raise AssertionError(f"modem serve stalled after {seen}") from None
    return seen


def _ready_for_sms(client: AtClient) -> None:
    """Unlock, text mode, +CMTI for SMS and +CDSI for status reports (27.005 §3.4.1),
    TP-SRR set in the first octet (49 = SMS-SUBMIT, relative VP, status report requested)."""
    assert client.at(f'AT+CPIN="{PIN}"').endswith("OK\r\n")
    for _ in range(50):  # registration follows the IMSI read
        if "+CREG: 0,1" in client.at("AT+CREG?"):
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the modem did not register")
    assert client.at("AT+CMGF=1;+CNMI=2,1,0,2,0;+CSMP=49,167,0,0").endswith("OK\r\n")


def _send(client: AtClient, to: str, text: str) -> int:
    assert client.at(f'AT+CMGS="{to}"').endswith("> ")
    client.serial.write(text.encode() + b"\x1a")
    answer = client.until(FINAL, 10).decode()
    found = re.search(r"\+CMGS: (\d+)", answer)
    assert found is not None and answer.endswith("OK\r\n"), answer
    return int(found.group(1))


def _status_report(client: AtClient, reference: int) -> str:
    """Wait for +CDSI, read the report: its TP-ST in text mode (27.005 §3.4.3 +CMGR)."""
    index = re.search(rb'\+CDSI: "\w+",(\d+)', client.until(re.compile(rb"\+CDSI: [^\r]+\r\n"), 5))
    assert index is not None
    report = client.at(f"AT+CMGR={int(index.group(1))}")
    fields = re.search(r'\+CMGR: "[^"]+",6,(\d+),"([^"]*)",\d+,"[^"]+","[^"]+",(\d+)', report)
    assert fields is not None, report
    assert int(fields.group(1)) == reference
    return fields.group(3)


def test_sms_between_two_served_modems_with_cmti_and_truthful_status_reports(
    served_pair: tuple[AtClient, AtClient, str],
) -> None:
    sender, recipient, url = served_pair
    _ready_for_sms(sender)
    # The recipient's SIM still waits for its PIN: not registered, so nothing is delivered.
    reference = _send(sender, NUMBERS[1], "Meet at the lab")
    assert b"+CDSI" not in sender.quiet_for(0.5), "a report before any delivery"

    _ready_for_sms(recipient)  # registers: the network delivers the held message now
    listing = ""
    for _ in range(40):
        listing = recipient.at('AT+CMGL="ALL"')
        if "Meet at the lab" in listing:
            break
        time.sleep(0.05)
    assert f'"{NUMBERS[0]}"' in listing and "Meet at the lab" in listing
    assert _status_report(sender, reference) == "0"  # received by the SME

    # Now both are registered; the operator holds the recipient's line (via the API).
    held = httpx.post(f"{url}/operator/suspend", json={"phoneNumber": NUMBERS[1]}, timeout=5)
    assert held.json()["state"] == "suspended"
    reference = _send(sender, NUMBERS[1], "after the hold")
    assert b"+CDSI" not in sender.quiet_for(0.5), "a report for a message still held"
    recipient.quiet_for(0.1)  # the +CREG: 3 of the suspension
    recipient.buffer = b""
    resumed = httpx.post(f"{url}/operator/resume", json={"phoneNumber": NUMBERS[1]}, timeout=5)
    assert resumed.json()["state"] == "active"
    cmti = recipient.until(re.compile(rb'\+CMTI: "\w+",(\d+)\r\n'), 5)
    index = int(re.search(rb",(\d+)", cmti).group(1))  # type: ignore[union-attr]
    assert "after the hold" in recipient.at(f"AT+CMGR={index}")
    assert _status_report(sender, reference) == "0"

    # An SMS to the sender's own number comes back to it, reported delivered.
    reference = _send(sender, NUMBERS[0], "note to self")
    cmti = sender.until(re.compile(rb'\+CMTI: "\w+",(\d+)\r\n'), 5)
    index = int(re.search(rb",(\d+)", cmti).group(1))  # type: ignore[union-attr]
    assert "note to self" in sender.at(f"AT+CMGR={index}")
    assert _status_report(sender, reference) == "0"

    # The bench's API lists the modems and makes an SMS from outside the network arrive.
    modems = httpx.get(f"{url}/modems", timeout=5).json()
    assert [m["sim"] for m in modems] == ["sim0", "sim1"]
    sent = httpx.post(
        f"{url}/sms", json={"to": NUMBERS[1], "text": "from the API", "sender": "Lab"}, timeout=5
    )
    assert sent.status_code == 201
    cmti = recipient.until(re.compile(rb'\+CMTI: "\w+",(\d+)\r\n'), 5)
    index = int(re.search(rb",(\d+)", cmti).group(1))  # type: ignore[union-attr]
    read = recipient.at(f"AT+CMGR={index}")
    assert '"Lab"' in read and "from the API" in read
