"""SimCard through a modem's AT+CSIM, and the safety gate, over a bare-bones AT front of a
virtual card (a scripted responder: +CSIM, +CPIN?, +CPINR, +CPIN=; nothing else)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from harness.errors import PinBlockedError, SafetyRefusal, WrongPinError
from harness.modem import Modem, SimState
from harness.safety import SafetyPolicy
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.fids import CardKind
from harness.sim.pin_service import PinRef
from harness.transcript import Transcript
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.sim_view import SimView
from tests.test_at_support import ERROR, OK, Answer, FakeStream, Responder

_CSIM = re.compile(r'^AT\+CSIM=(\d+),"([0-9A-Fa-f]*)"$')
_CPIN = re.compile(r'^AT\+CPIN="(\d+)"$')


class CardFront(Responder):
    """Just enough firmware for these tests: every answer comes from the card."""

    def __init__(self, card: VirtualUicc, *, lock: bool = False) -> None:
        super().__init__()
        self.card = card
        self.lock = lock
        self.locked = False
        self.answers = _Dynamic(self)


class _Dynamic(dict[str, Answer]):
    def __init__(self, front: CardFront) -> None:
        super().__init__()
        self.front = front

    def get(self, line: str, default: object = None) -> Answer:
        front = self.front
        if line in ("ATE0", "AT+CMEE=1"):
            return OK
        if line == "AT+CGMI":
            return b"\r\nTest front\r\n\r\nOK\r\n"
        if line == "AT+CGMM":
            return b"\r\nCSIM-only\r\n\r\nOK\r\n" if not front.lock else b"\r\nLE910\r\n\r\nOK\r\n"
        if line in ("AT+CSIM=1", "AT+CSIM=0"):
            front.locked = line.endswith("1")
            return OK
        if line == "AT+CPINR":
            return ERROR
        if line == "AT+CPIN?":
            code = SimView(front.card).read().cpin.value
            return (
                b"\r\n+CME ERROR: 13\r\n"
                if code == "SIM FAILURE"
                else (f"\r\n+CPIN: {code}\r\n\r\nOK\r\n".encode())
            )
        match = _CSIM.match(line)
        if match:
            if front.lock and not front.locked:
                return b"\r\n+CME ERROR: 3\r\n"
            answer = front.card.transmit(bytes.fromhex(match.group(2))).hex().upper()
            return f'\r\n+CSIM: {len(answer)},"{answer}"\r\n\r\nOK\r\n'.encode()
        match = _CPIN.match(line)
        if match:
            pin = match.group(1).encode().ljust(8, b"\xff")
            sw = front.card.transmit(bytes.fromhex("0020000108") + pin)[-2:]
            return OK if sw == b"\x90\x00" else b"\r\n+CME ERROR: 16\r\n"
        return ERROR


def _card(**retries: int) -> VirtualUicc:
    profile = load_profile(DEFAULT_PROFILE)
    return VirtualUicc(replace(profile, retries=retries) if retries else profile)


def _modem(card: VirtualUicc, policy: SafetyPolicy | None = None, *, lock: bool = False) -> Modem:
    vendor = "telit" if lock else "generic"
    stream = FakeStream(CardFront(card, lock=lock))
    return Modem(stream, vendor=vendor, safety=policy, default_timeout=2.0)


@pytest.mark.parametrize("lock", [False, True], ids=["generic", "telit-lock"])
def test_simcard_over_csim_reads_the_card(lock: bool) -> None:
    card = _card()
    with _modem(card, lock=lock) as modem, modem.sim_link() as link:
        sim = SimCard(link)
        assert sim.kind is CardKind.UICC
        assert sim.read_iccid() == "8988211000000000018"
        state = sim.pins.state(PinRef.PIN1)
        assert (state.retries, state.puk_retries, state.enabled) == (3, 10, True)
        assert link.atr == b""


def test_retries_by_csim_agree_with_the_card() -> None:
    card = _card(pin1=2, puk1=7)
    with _modem(card) as modem:
        retries = modem.pin_retries()
    view = SimView(card).read()
    assert (retries.pin1, retries.puk1, retries.pin2, retries.puk2) == (
        view.pin1,
        view.puk1,
        view.pin2,
        view.puk2,
    )
    assert (retries.pin1, retries.puk1) == (2, 7)


def test_gate_refuses_last_pin_attempt_and_spends_nothing() -> None:
    card = _card(pin1=1)
    with _modem(card) as modem, pytest.raises(SafetyRefusal, match="1 attempt left"):
        modem.unlock("0000")
    assert SimView(card).read().pin1 == 1


def test_gate_allows_when_told_and_counts_down() -> None:
    card = _card(pin1=1)
    policy = SafetyPolicy.unrestricted("virtual card in a unit test")
    with _modem(card, policy) as modem:
        with pytest.raises(WrongPinError) as caught:
            modem.unlock("0000")
        assert caught.value.retries_left == 0
        assert "0000" not in str(caught.value)
        assert modem.sim_state() is SimState.SIM_PUK
        with pytest.raises(PinBlockedError):
            modem.unlock("1234")


def test_pin_through_the_modem_then_simcard_sees_it_verified() -> None:
    card = _card()
    with _modem(card) as modem:
        assert modem.unlock("1234") is SimState.READY
        with modem.sim_link() as link:
            assert SimCard(link).pins.state(PinRef.PIN1).verified


def test_secret_pin_never_reaches_the_transcript() -> None:
    card = _card()
    transcript = Transcript()
    stream = FakeStream(CardFront(card))
    with Modem(stream, vendor="generic", transcript=transcript) as modem:
        assert modem.unlock(Secret("1234")) is SimState.READY
        sim = modem.sim_card()
        try:
            assert sim.pins.state(PinRef.PIN1).verified
        finally:
            sim.link.close()
    text = transcript.render_text()
    assert "1234" not in text and "31323334" not in text
    assert 'AT+CPIN="****"' in text
