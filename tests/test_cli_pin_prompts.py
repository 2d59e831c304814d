"""`simharness pin` on a terminal: PINs typed without echo, the new PIN twice, the ICCID
confirmation typed; nothing typed is ever shown back (pexpect drives a real pty)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pexpect
import pytest
from test_virtual_modem_support import new_card

from harness.errors import WrongPinError
from harness.safety import SafetyPolicy
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef
from harness.sim.virtual_link import VirtualLink
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem


@pytest.fixture
def served() -> Iterator[tuple[str, VirtualUicc]]:
    card = new_card(retries__pin1=1)
    with VirtualModem(card, personality="generic") as device:
        yield device.start_pty(), card


def terminal(*args: str) -> pexpect.spawn:
    return pexpect.spawn(
        sys.executable,
        ["-m", "harness.cli", "pin", *args],
        encoding="utf-8",
        timeout=30,
        cwd=str(Path(__file__).resolve().parents[1]),
    )


def opens_with(card: VirtualUicc, pin: str) -> bool:
    try:
        checker = SimCard(VirtualLink(card), safety=SafetyPolicy.unrestricted("test's own check"))
        checker.pins.verify(PinRef.PIN1, Secret(pin))
    except WrongPinError:
        return False
    return True


def test_the_new_pin_is_typed_twice_without_echo(
    served: tuple[str, VirtualUicc], tmp_path: Path
) -> None:
    port, card = served
    args = ("change", "--port", port, "--allow-last-attempt", "--state-dir", str(tmp_path))
    child = terminal(*args)
    child.expect("Type the last four digits of this card's ICCID")
    child.sendline("0018")  # ICCID digits are not secret: typed with echo
    child.expect("PIN1: ")
    child.sendline("1234")
    child.expect("new PIN1: ")
    child.sendline("7391")
    child.expect("new PIN1 again: ")
    child.sendline("7392")
    child.expect(pexpect.EOF)
    child.close()
    shown = child.before or ""
    assert child.exitstatus == 2 and "the two entries differ; nothing was sent" in shown
    assert "1234" not in shown and "7391" not in shown and "7392" not in shown
    # the current PIN was not presented: the entries were checked first
    assert opens_with(card, "1234")


def test_a_wrong_iccid_confirmation_sends_nothing(served: tuple[str, VirtualUicc]) -> None:
    port, card = served
    child = terminal("unlock", "--port", port, "--allow-last-attempt")
    child.expect("Type the last four digits")
    child.sendline("9999")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3 and "does not match" in (child.before or "")
    assert "9999" not in (child.before or "").replace("9999\r\n", "", 1)  # only its echo
    assert opens_with(card, "1234")  # the last try is still there
