"""The virtual card on the real PC/SC stack: pcscd + vpcd, pcsc-tools, and the CLI.

Uses vpcd slot 1 (reader "Virtual PCD 00 01"); slot 0 belongs to the session fixture.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import DeviceGoneError, PortBusyError, TransportError, WrongPinError
from harness.safety import SafetyPolicy
from harness.sim.card import SimCard
from harness.sim.pcsc_link import PcscLink, list_readers, wait_for_card
from harness.sim.pin_service import PinRef
from harness.virtual.card.uicc import ATR, VirtualUicc
from harness.virtual.pcscd import PrivatePcscd
from harness.virtual.vpcd import VpcdBridge, reader_name

pytestmark = pytest.mark.pcsc
SLOT = 1
READER = reader_name(SLOT)


class ServedCard:
    """`simharness card serve --slot 1` running inside the private pcscd's network."""

    def __init__(self, pcscd: PrivatePcscd, *extra: str) -> None:
        argv = [sys.executable, "-m", "harness.cli", "card", "serve", "--slot", str(SLOT), *extra]
        self.proc = subprocess.Popen(
            pcscd.netns_command(argv),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            stdin=subprocess.DEVNULL,
        )
        self._pending = b""  # read from the descriptor, not yet returned as a line
        try:
            self.lines = [self._line(), self._line()]
        except BaseException:
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise

    def _line(self, timeout: float = 10.0) -> str:
        """One line of output, or fail after `timeout` (a silent child must not hang).

        Read from the descriptor: a buffered readline() may swallow the next line too,
        and select() would then wait for output that has already arrived.
        """
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._pending:
            ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                raise AssertionError(f"card serve printed nothing within {timeout} s")
            chunk = os.read(fd, 4096)
            if not chunk:
                raise AssertionError(f"card serve exited: {self._pending.decode()!r}")
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line.decode().strip()

    def stop(self) -> str:
        self.proc.terminate()
        out, _ = self.proc.communicate(timeout=10)  # reads the descriptor too
        return self._pending.decode() + out


@pytest.fixture
def served(pcscd: PrivatePcscd) -> Iterator[ServedCard]:
    card = ServedCard(pcscd)
    try:
        wait_for_card(READER, present=True, timeout=10)
        yield card
    finally:
        if card.proc.poll() is None:
            card.stop()
        wait_for_card(READER, present=False, timeout=10)


def test_card_serve_prints_the_reader_and_inserts_the_card(served: ServedCard) -> None:
    assert f"reader '{READER}'" in served.lines[0]
    assert "card inserted" in served.lines[1]
    assert READER in list_readers()


def test_pcsc_scan_sees_the_card_and_its_atr(pcscd: PrivatePcscd, served: ServedCard) -> None:
    result = subprocess.run(
        ["pcsc_scan", "-n", "-t", "1"],
        env=pcscd.client_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    block = result.stdout.split(f"Reader {SLOT}: {READER}")[1]
    assert "Card inserted" in block.split("Reader")[0]
    assert ATR.hex(" ").upper() in block


def test_scriptor_runs_an_apdu_script(
    pcscd: PrivatePcscd, served: ServedCard, tmp_path: Path
) -> None:
    script = tmp_path / "pin.script"
    script.write_text(
        "reset\n"
        "00 A4 00 04 02 3F 00\n"  # SELECT MF, FCP under T=0: 61xx
        "00 20 00 01\n"  # empty VERIFY: 63C3, nothing spent
        "00 20 00 01 08 30 30 30 30 FF FF FF FF\n"  # wrong PIN: 63C2
        "00 20 00 01\n"  # 63C2
        "00 A4 04 04 10 A0 00 00 05 59 10 10 FF FF FF FF 89 00 00 01 00\n"  # ISD-R: 6A82
        "00 B0 00 00 0A\n"  # no EF selected: 6986
    )
    result = subprocess.run(
        ["scriptor", "-r", READER, str(script)],
        env=pcscd.client_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    answers = re.findall(r"^< ([0-9A-F ]+?)\s*(?::|$)", result.stdout, re.MULTILINE)
    status_words = [a.split()[-2] + a.split()[-1] for a in answers]
    assert status_words == ["6125", "63C3", "63C2", "63C2", "6A82", "6986"]


def test_card_serve_state_file_keeps_the_counter_across_runs(
    pcscd: PrivatePcscd, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    for expected_before in (3, 2):
        served = ServedCard(pcscd, "--state", str(state))
        try:
            wait_for_card(READER, present=True, timeout=10)
            with PcscLink(READER) as link:
                sim = SimCard(link)
                assert sim.pins.retries() == expected_before
                with pytest.raises(WrongPinError):
                    sim.pins.verify(PinRef.PIN1, "0000")
        finally:
            assert "card removed" in served.stop()
            wait_for_card(READER, present=False, timeout=10)


def test_card_removed_mid_session_is_a_typed_error(pcscd: PrivatePcscd) -> None:
    bridge = VpcdBridge(VirtualUicc.from_files(), slot=SLOT, netns=pcscd.netns)
    bridge.start()
    try:
        wait_for_card(READER, present=True, timeout=10)
        with PcscLink(READER) as link:
            sim = SimCard(link, safety=SafetyPolicy.strict())
            assert sim.pins.retries() == 3
            bridge.stop()
            with pytest.raises((DeviceGoneError, TransportError)) as gone:
                for _ in range(50):  # pcscd notices within its polling period
                    sim.pins.retries()
            assert READER in str(gone.value)
    finally:
        bridge.stop()
        wait_for_card(READER, present=False, timeout=10)


def test_second_exclusive_opener_is_refused(pcscd: PrivatePcscd, served: ServedCard) -> None:
    with PcscLink(READER):
        with pytest.raises(PortBusyError) as busy:
            PcscLink(READER, connect_timeout=0.5)
        assert "in use by another program" in str(busy.value)


def test_reader_selection_by_index_regex_and_unknown_name(
    pcscd: PrivatePcscd, served: ServedCard
) -> None:
    with PcscLink(re.compile(r"PCD 00 01$")) as link:
        assert link.name == READER
    with PcscLink(SLOT) as link:
        assert link.name == READER
    with pytest.raises(TransportError) as unknown:
        PcscLink("No Such Reader")
    assert READER in str(unknown.value)
    with pytest.raises(TransportError):
        PcscLink(re.compile("Virtual PCD"))  # matches both readers: ambiguous
