"""`PinTool` over both paths: a SIM behind an APDU link and a modem (every personality).

Verdicts come from the driver calls the tool makes and from a second, independent
view of the same card (SimCard over a VirtualLink), never from simulator internals.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_virtual_modem_support import new_card

from harness.attack.ledger import AttemptLedger
from harness.errors import ConfigError, PinStateError, SafetyRefusal, WrongPinError
from harness.modem import Modem
from harness.pin_setup.device import CardPins, ModemPins, PinDevice
from harness.pin_setup.report import WeakPinRefusal
from harness.pin_setup.tool import PinOptions, PinTool
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef
from harness.sim.virtual_link import VirtualLink
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import PERSONALITIES, VirtualModem

ICCID = "8988211000000000018"
PIN, NEW, PUK = "1234", "7391", "12345678"


class Given:
    """Secrets as a script would give them (variables or files)."""

    def __init__(self, pin: str = PIN, new: str = NEW, puk: str = PUK) -> None:
        self._pin, self._new, self._puk = pin, new, puk
        self.asked: list[str] = []

    def current_pin(self) -> Secret:
        self.asked.append("pin")
        return Secret(self._pin)

    def new_pin(self) -> Secret:
        self.asked.append("new")
        return Secret(self._new)

    def puk(self) -> Secret:
        self.asked.append("puk")
        return Secret(self._puk)


def independent_view(card: VirtualUicc) -> SimCard:
    """The same card as a second reader would see it (fresh link: nothing verified)."""
    return SimCard(VirtualLink(card))


@contextmanager
def on_card(card: VirtualUicc) -> Iterator[PinDevice]:
    with VirtualLink(card) as link:
        yield CardPins(SimCard(link), name="card")


@contextmanager
def on_modem(card: VirtualUicc, personality: str = "generic") -> Iterator[PinDevice]:
    with (
        VirtualModem(card, personality=personality) as device,
        Modem(device.start_pty()) as modem,
    ):
        yield ModemPins(modem, name=f"modem ({personality})")


def test_setup_on_a_card_with_the_lock_off_enables_changes_and_proves(tmp_path: Path) -> None:
    card = new_card(pins__pin1_enabled=False)
    given = Given()
    with on_card(card) as device:
        report = PinTool(device, PinOptions(state_dir=tmp_path)).setup(given)
    assert report.ok, report.render()
    assert [text for text, _ in report.checks] == [
        "after the power cycle the SIM asks for its PIN",
        "the new PIN opens it",
        "PIN1 counter full (3 tries) after it",
    ]
    assert "PIN1 lock enabled" in report.steps and "PIN1 changed to the new PIN" in report.steps
    view = independent_view(card)
    assert view.pins.state(PinRef.PIN1).enabled
    view.pins.verify(PinRef.PIN1, Secret(NEW))  # the new PIN opens the card for anyone
    assert view.pins.retries(PinRef.PIN1) == 3
    with pytest.raises(WrongPinError):
        independent_view(card).pins.verify(PinRef.PIN1, Secret(PIN))  # the old one does not


@pytest.mark.parametrize("personality", sorted(PERSONALITIES))
def test_setup_through_every_personality_is_proven_after_its_reset(
    personality: str, tmp_path: Path
) -> None:
    card = new_card()
    with on_modem(card, personality) as device:
        report = PinTool(device, PinOptions(state_dir=tmp_path)).setup(Given())
        assert report.ok, report.render()
        assert report.after is not None and report.after.sim_state == "READY"
        assert report.after.pin1_enabled is True and report.after.iccid == ICCID
    view = independent_view(card)
    view.pins.verify(PinRef.PIN1, Secret(NEW))


def test_a_weak_new_pin_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    card = new_card()
    with on_card(card) as device:
        with pytest.raises(WeakPinRefusal) as refused:
            PinTool(device, PinOptions(state_dir=tmp_path)).setup(Given(new="2580"))
        assert "2580" not in str(refused.value)
        assert device.status().pin1 == 3
    independent_view(card).pins.verify(PinRef.PIN1, Secret(PIN))  # the PIN is unchanged


def test_allow_weak_accepts_it_and_says_so(tmp_path: Path) -> None:
    card = new_card()
    with on_card(card) as device:
        report = PinTool(device, PinOptions(allow_weak=True, state_dir=tmp_path)).change(
            Given(new="1111")
        )
    assert "PIN1 changed" in report.steps
    independent_view(card).pins.verify(PinRef.PIN1, Secret("1111"))


def test_enable_with_a_weak_pin_warns_without_refusing(tmp_path: Path) -> None:
    card = new_card(pins__pin1_enabled=False)
    with on_card(card) as device:
        report = PinTool(device, PinOptions(state_dir=tmp_path)).set_lock(True, Given())
    assert report.weak is not None and report.weak.weak
    assert "the PIN now in use is WEAK" in report.render()
    assert independent_view(card).pins.state(PinRef.PIN1).enabled


def test_the_last_attempt_is_refused_without_the_flag(tmp_path: Path) -> None:
    card = new_card(retries__pin1=1)
    with on_card(card) as device, pytest.raises(SafetyRefusal, match="1 attempt left"):
        PinTool(device, PinOptions(state_dir=tmp_path)).unlock(Given())
    assert independent_view(card).pins.retries(PinRef.PIN1) == 1


def test_the_flag_on_a_real_card_needs_the_iccid_confirmed(tmp_path: Path) -> None:
    card = new_card(retries__pin1=1)
    flag = PinOptions(allow_last_attempt=True, state_dir=tmp_path)
    with on_card(card) as device:
        with pytest.raises(ConfigError, match="--confirm-iccid"):
            PinTool(device, flag).unlock(Given())
        wrong = PinOptions(allow_last_attempt=True, confirm_iccid="9999", state_dir=tmp_path)
        with pytest.raises(SafetyRefusal, match="does not match") as refused:
            PinTool(device, wrong).unlock(Given())
        assert "9999" not in str(refused.value)
        assert independent_view(card).pins.retries(PinRef.PIN1) == 1  # nothing spent
        right = PinOptions(allow_last_attempt=True, confirm_iccid="0018", state_dir=tmp_path)
        report = PinTool(device, right).unlock(Given())
    assert report.confirmation is not None and "--confirm-iccid" in report.confirmation
    assert report.after is not None and report.after.pin1 == 3
    with AttemptLedger.open(tmp_path, ICCID) as ledger:
        kinds = [e["kind"] for e in ledger.events]
        attempts = ledger.attempts
    assert kinds == ["confirmation"]
    assert [(a["verdict"], a["before"], a["after"], a["guess"]) for a in attempts] == [
        ("correct", 1, 3, "****")
    ]


def test_a_prompted_confirmation_is_asked_once_and_never_echoed(tmp_path: Path) -> None:
    card = new_card(retries__pin1=1)
    prompts: list[str] = []

    def ask(prompt: str) -> str:
        prompts.append(prompt)
        return "000000018\n"

    options = PinOptions(allow_last_attempt=True, ask=ask, state_dir=tmp_path)
    with on_card(card) as device:
        PinTool(device, options).unlock(Given())
    assert len(prompts) == 1 and "last four digits" in prompts[0] and "0018" not in prompts[0]


def test_unblock_needs_the_puk_flag_and_a_blocked_pin(tmp_path: Path) -> None:
    ok = PinOptions(allow_puk_attempt=True, confirm_iccid="0018", state_dir=tmp_path)
    with on_card(new_card()) as device, pytest.raises(PinStateError, match="not blocked"):
        PinTool(device, ok).unblock(Given())
    card = new_card(retries__pin1=0)
    with on_card(card) as device:
        with pytest.raises(SafetyRefusal, match="--allow-puk-attempt"):
            PinTool(device, PinOptions(state_dir=tmp_path)).unblock(Given())
        report = PinTool(device, ok).unblock(Given())
    assert report.after is not None and report.after.pin1 == 3 and report.after.puk1 == 10
    independent_view(card).pins.verify(PinRef.PIN1, Secret(NEW))


def test_a_virtual_card_needs_no_confirmation_and_writes_no_ledger(tmp_path: Path) -> None:
    card = new_card(retries__pin1=1)
    options = PinOptions(allow_last_attempt=True, virtual=True, state_dir=tmp_path)
    with on_card(card) as device:
        report = PinTool(device, options).unlock(Given())
    assert report.confirmation is None and not list(tmp_path.iterdir())


def test_status_as_json_holds_every_counter() -> None:
    with on_modem(new_card(retries__pin1=2), "quectel") as device:
        report = PinTool(device, PinOptions()).status()
    data = json.loads(report.to_json())
    after = data["after"]
    assert (after["iccid"], after["sim_state"], after["pin1_enabled"]) == (ICCID, "SIM PIN", True)
    assert (after["pin1"], after["puk1"], after["pin2"], after["puk2"]) == (2, 10, 3, 10)
    assert data["next"] == ["only 2 PIN1 tries left: the next correct PIN resets the counter"]


def test_a_pin_taken_from_the_msisdn_is_refused_once_the_sim_opens(tmp_path: Path) -> None:
    """EF.MSISDN (+15555550118) is readable only after PIN1: judged again after unlocking."""
    card = new_card()
    with on_card(card) as device:
        with pytest.raises(WeakPinRefusal, match="MSISDN"):
            PinTool(device, PinOptions(state_dir=tmp_path)).setup(Given(new="5550118"))
        assert device.status().pin1 == 3  # the current PIN was right; nothing else sent
    independent_view(card).pins.verify(PinRef.PIN1, Secret(PIN))
