"""The SimCard driver, run twice: over VirtualLink and over PcscLink -> pcscd -> vpcd -> card.

Each behaviour is also checked under both card generations the virtual card
offers: UICC (CLA 00) and GSM SIM (CLA A0).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator

import pytest

from harness.errors import (
    PinBlockedError,
    PinFormatError,
    PinStateError,
    SafetyRefusal,
    StatusWordError,
    WrongPinError,
)
from harness.safety import SafetyPolicy
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.fids import CardKind
from harness.sim.link import ApduLink
from harness.sim.pin_service import PinRef
from harness.sim.virtual_link import VirtualLink
from harness.transcript import Direction
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from tests.links import open_link

PROFILE = load_profile(DEFAULT_PROFILE)
UNRESTRICTED = SafetyPolicy.unrestricted("virtual card under test")


@pytest.fixture(params=["virtual", pytest.param("pcsc", marks=pytest.mark.pcsc)])
def link(request: pytest.FixtureRequest, card: VirtualUicc) -> Iterator[ApduLink]:
    slot = request.getfixturevalue("vpcd_slot") if request.param == "pcsc" else None
    with open_link(request.param, card, slot) as opened:
        yield opened


@pytest.fixture(params=[CardKind.UICC, CardKind.GSM], ids=["uicc", "gsm"])
def kind(request: pytest.FixtureRequest) -> CardKind:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def sim(link: ApduLink, kind: CardKind) -> SimCard:
    return SimCard(link, kind=kind, safety=UNRESTRICTED)


def test_detects_a_uicc(link: ApduLink) -> None:
    assert SimCard(link).kind is CardKind.UICC


def test_reads_identity(sim: SimCard) -> None:
    assert sim.read_iccid() == PROFILE.iccid
    spn = sim.read_spn()
    assert spn.name == PROFILE.spn


def test_imsi_needs_the_pin_then_reads(sim: SimCard) -> None:
    with pytest.raises(StatusWordError) as refused:
        sim.read_imsi()
    assert refused.value.sw in (0x6982, 0x9804)
    sim.pins.verify(PinRef.PIN1, Secret(PROFILE.pin1))
    assert sim.read_imsi() == PROFILE.imsi
    msisdn = sim.read_msisdn()
    assert msisdn is not None and msisdn.number == PROFILE.msisdn


def test_initial_pin_state(sim: SimCard) -> None:
    state = sim.pins.state(PinRef.PIN1)
    assert (state.retries, state.puk_retries, state.enabled) == (3, 10, True)
    assert sim.pins.retries(PinRef.PIN2) == 3
    assert sim.pins.puk_retries(PinRef.PIN2) == 10


def test_wrong_pin_counts_down_and_right_pin_resets(sim: SimCard) -> None:
    with pytest.raises(WrongPinError) as wrong:
        sim.pins.verify(PinRef.PIN1, "0000")
    if sim.kind is CardKind.UICC:
        assert wrong.value.retries_left == 2
    assert sim.pins.retries() == 2
    assert sim.pins.retries() == 2, "reading the counter must not spend an attempt"
    sim.pins.verify(PinRef.PIN1, PROFILE.pin1)
    assert sim.pins.retries() == 3


def test_strict_gate_refuses_the_last_attempt_and_spends_nothing(
    link: ApduLink, kind: CardKind
) -> None:
    sim = SimCard(link, kind=kind)  # strict policy: the default
    for _ in range(2):
        with pytest.raises(WrongPinError):
            sim.pins.verify(PinRef.PIN1, "0000")
    with pytest.raises(SafetyRefusal) as refusal:
        sim.pins.verify(PinRef.PIN1, PROFILE.pin1)
    assert "1 attempt left" in str(refusal.value)
    assert sim.pins.retries() == 1
    with pytest.raises(SafetyRefusal):
        sim.pins.unblock(PinRef.PIN1, PROFILE.puk1, "4321")
    assert sim.pins.puk_retries() == 10


def test_three_wrong_pins_block_and_the_puk_unblocks(sim: SimCard) -> None:
    for expected_left in (2, 1, 0):
        with pytest.raises(WrongPinError):
            sim.pins.verify(PinRef.PIN1, "9999")
        assert sim.pins.retries() == expected_left
    with pytest.raises(PinBlockedError):
        sim.pins.verify(PinRef.PIN1, PROFILE.pin1)
    assert sim.pins.state().blocked
    sim.pins.unblock(PinRef.PIN1, PROFILE.puk1, "2468")
    state = sim.pins.state()
    assert (state.retries, state.puk_retries, state.enabled) == (3, 10, True)
    assert sim.read_imsi() == PROFILE.imsi, "UNBLOCK leaves the new PIN verified"
    sim.link.reset()
    with pytest.raises(WrongPinError):
        sim.pins.verify(PinRef.PIN1, PROFILE.pin1)
    sim.pins.verify(PinRef.PIN1, "2468")


def test_ten_wrong_puks_kill_the_sim_for_good(sim: SimCard) -> None:
    for _ in range(3):
        with pytest.raises(WrongPinError):
            sim.pins.verify(PinRef.PIN1, "9999")
    for expected_left in range(9, -1, -1):
        with pytest.raises(WrongPinError):
            sim.pins.unblock(PinRef.PIN1, "00000000", "1111")
        assert sim.pins.puk_retries() == expected_left
    with pytest.raises(PinBlockedError) as dead:
        sim.pins.unblock(PinRef.PIN1, PROFILE.puk1, "1111")
    assert "for good" in str(dead.value)
    sim.link.reset()
    assert sim.pins.puk_retries() == 0 and sim.pins.retries() == 0


def test_disable_and_enable_pin1(sim: SimCard) -> None:
    sim.pins.disable(PROFILE.pin1)
    assert not sim.pins.enabled()
    sim.link.reset()
    assert sim.read_imsi() == PROFILE.imsi, "a disabled PIN1 does not guard the IMSI"
    with pytest.raises(PinStateError):
        sim.pins.verify(PinRef.PIN1, PROFILE.pin1)
    with pytest.raises(PinStateError):
        sim.pins.disable(PROFILE.pin1)
    sim.pins.enable(PROFILE.pin1)
    assert sim.pins.enabled()
    sim.link.reset()
    with pytest.raises(StatusWordError):
        sim.read_imsi()


def test_change_pin(sim: SimCard) -> None:
    sim.pins.change(PinRef.PIN1, PROFILE.pin1, "86420")
    sim.link.reset()
    with pytest.raises(WrongPinError):
        sim.pins.verify(PinRef.PIN1, PROFILE.pin1)
    sim.pins.verify(PinRef.PIN1, "86420")
    assert sim.pins.retries() == 3


def test_change_with_wrong_old_pin_spends_an_attempt(sim: SimCard) -> None:
    with pytest.raises(WrongPinError):
        sim.pins.change(PinRef.PIN1, "1111", "2222")
    assert sim.pins.retries() == 2


def test_pin2_verify(sim: SimCard) -> None:
    with pytest.raises(WrongPinError):
        sim.pins.verify(PinRef.PIN2, "0000")
    assert sim.pins.retries(PinRef.PIN2) == 2
    assert sim.pins.retries(PinRef.PIN1) == 3, "PIN1 untouched by PIN2 attempts"
    sim.pins.verify(PinRef.PIN2, PROFILE.pin2)
    assert sim.pins.retries(PinRef.PIN2) == 3


def test_reset_clears_verification(sim: SimCard) -> None:
    sim.pins.verify(PinRef.PIN1, PROFILE.pin1)
    assert sim.read_imsi() == PROFILE.imsi
    sim.link.reset()
    with pytest.raises(StatusWordError):
        sim.read_imsi()


@pytest.mark.parametrize("bad", ["12", "123456789", "12a4", "", "\uff11\uff12\uff13\uff14"])
def test_malformed_pins_are_refused_before_sending(sim: SimCard, bad: str) -> None:
    sent: list[bytes] = []
    sim.link.tracer = lambda direction, raw: sent.append(raw)
    with pytest.raises(PinFormatError) as error:
        sim.pins.verify(PinRef.PIN1, bad)
    assert not sent
    if bad:
        assert bad not in str(error.value)


def test_errors_never_quote_a_pin(sim: SimCard) -> None:
    with pytest.raises(WrongPinError) as wrong:
        sim.pins.verify(PinRef.PIN1, "7351")
    text = f"{wrong.value} {wrong.value!r} {wrong.value.args!r}"
    assert "7351" not in text and "37333531" not in text and "37 33 35 31" not in text


def test_usim_application_listed(link: ApduLink) -> None:
    sim = SimCard(link)
    apps = sim.applications()
    assert [a.label for a in apps] == ["USIM"]
    info = sim.select_usim()
    assert info.is_df


def test_stored_sms_records_are_read_after_the_pin(kind: CardKind) -> None:
    from harness.sms.pdu import SmsPdu
    from harness.virtual.card.profile import profile_from_dict

    v1 = "07912143658709F1040B918100551512F20000111010214365000AE8329BFD4697D9EC37"
    raw = tomllib.loads(DEFAULT_PROFILE.read_text())
    raw["sms"] = {"records": 5, "stored": [{"status": "unread", "pdu": v1}]}
    card = VirtualUicc(profile_from_dict(raw))
    with VirtualLink(card) as own_link:
        sim = SimCard(own_link, kind=kind, safety=UNRESTRICTED)
        with pytest.raises(StatusWordError):
            sim.read_sms()
        sim.pins.verify(PinRef.PIN1, PROFILE.pin1)
        stored = sim.read_sms()
    assert [m.index for m in stored] == [1]
    assert stored[0].record.status == 0x03
    pdu = SmsPdu.from_bytes(stored[0].record.body, with_smsc=True)
    assert pdu.tpdu.user_data.text == "hellohello"  # type: ignore[union-attr]


def test_reading_a_counter_is_one_apdu_even_after_a_wrong_try() -> None:
    """The retry counter is the empty VERIFY/UNBLOCK alone (TS 102 221 §11.1.9.1.2);
    only `state()` looks further (PIN status, EF.IMSI) to tell whether it is verified."""
    sent: list[bytes] = []

    def trace(direction: Direction, raw: bytes) -> None:
        if direction is Direction.TX:
            sent.append(raw)

    card = VirtualUicc(PROFILE)
    sim = SimCard(VirtualLink(card, tracer=trace), kind=CardKind.UICC, safety=UNRESTRICTED)
    sim.pins.retries(PinRef.PIN1)  # the first use detects the card kind
    with pytest.raises(WrongPinError):
        sim.pins.verify(PinRef.PIN1, "0000")  # 63C2: spent tries, not verified
    for query in (sim.pins.retries, sim.pins.puk_retries):
        sent.clear()
        assert query(PinRef.PIN1) in (2, 10)
        assert len([raw for raw in sent if raw[1] in (0x20, 0x2C)]) == 1
        assert all(raw[1] in (0x20, 0x2C, 0xC0) for raw in sent), [r.hex() for r in sent]
    sent.clear()
    assert sim.pins.state(PinRef.PIN1).retries == 2
    assert any(raw[1] == 0xB0 for raw in sent)  # state() read EF.IMSI to tell "verified"
