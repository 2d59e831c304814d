"""Virtual network: subscribers, registration states and every operator action (fake modems)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from test_virtual_network_support import (
    ALICE,
    BOB,
    CAROL,
    FakeModem,
    new_network,
    registered,
    sim_for,
)

from harness.at.parsers.registration import RegStatus
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.network import LineState, ManualClock, NetworkError, VirtualNetwork


# --- subscribers ---------------------------------------------------------------------
def test_provision_from_a_card_profile_finds_the_line_by_any_identity() -> None:
    profile = load_profile(DEFAULT_PROFILE)
    with VirtualNetwork(background=False) as network:
        line = network.provision(profile)
        assert (line.msisdn, line.imsi, line.iccid) == (profile.msisdn, profile.imsi, profile.iccid)
        assert line.state is LineState.ACTIVE
        assert network.subscriber(profile.msisdn) == line
        assert network.subscriber(profile.msisdn.lstrip("+")) == line  # "+" or not: same line
        assert network.subscriber_by_imsi(profile.imsi) == line
        assert network.subscriber_by_iccid(profile.iccid) == line
        assert network.subscribers() == [line]
        assert network.log.actions() == ["provision"]


def test_provisioning_refuses_duplicates_and_malformed_identities() -> None:
    network = new_network()
    alice = sim_for(1)
    with pytest.raises(NetworkError, match="already provisioned"):
        network.provision_line(ALICE, imsi="001010000000999", iccid="8988211000000000999")
    with pytest.raises(NetworkError, match="already serves line"):
        network.provision_line(CAROL, imsi=alice.imsi, iccid="8988211000000000999")
    with pytest.raises(NetworkError, match="IMSI"):
        network.provision_line(CAROL, imsi="12ab", iccid="8988211000000000999")
    with pytest.raises(NetworkError, match="no line"):
        network.subscriber(CAROL)
    assert network.subscriber_by_imsi("001019999999999") is None


# --- registration --------------------------------------------------------------------
def test_the_bound_sim_registers_home_and_an_unknown_one_is_denied() -> None:
    network = new_network()
    modem = registered(network, sim_for(1))
    assert modem.stat is RegStatus.HOME
    assert network.registration_of(sim_for(1).imsi) is RegStatus.HOME
    stranger = registered(network, sim_for(9))
    assert stranger.stat is RegStatus.DENIED
    assert network.registration_of(sim_for(9).imsi) is None  # a denied attach is not kept
    assert network.log.actions() == ["provision", "provision", "attach", "attach-denied"]
    assert "unknown subscriber" in network.events[-1].detail


def test_detach_forgets_the_attachment() -> None:
    network = new_network()
    modem = registered(network, sim_for(1))
    modem.remove()
    assert network.registration_of(sim_for(1).imsi) is None
    assert network.log.actions(ALICE)[-1] == "detach"


def test_a_pin_locked_sim_never_attaches() -> None:
    network = new_network()
    modem = registered(network, sim_for(1, pin_enabled=True))
    assert modem.stat is RegStatus.NOT_SEARCHING
    assert "attach" not in network.log.actions()
    modem.enter_pin()
    assert modem.stat is RegStatus.HOME


def test_one_modem_is_attached_under_one_imsi_only() -> None:
    network = new_network()
    modem = registered(network, sim_for(1))
    network.attach(sim_for(2).imsi, modem)  # its SIM changed without a detach
    assert network.registration_of(sim_for(1).imsi) is None
    assert network.registration_of(sim_for(2).imsi) is RegStatus.HOME


# --- operator actions -------------------------------------------------------------------
def test_report_lost_denies_the_attached_sim_and_holds_sms() -> None:
    clock = ManualClock()
    network = new_network(clock)
    phone = registered(network, sim_for(1))
    clock.advance(timedelta(minutes=1))
    line = network.report_lost(ALICE, by="owner")
    assert line.state is LineState.LOST
    assert phone.pushes == [RegStatus.DENIED]  # the modem is told: +CREG: 3
    assert network.registration_of(sim_for(1).imsi) is RegStatus.DENIED
    network.send_otp(ALICE)
    assert phone.texts == []
    assert len(network.queued(ALICE)) == 1
    event = network.events[-2]
    assert (event.actor, event.action, event.msisdn) == ("owner", "report-lost", ALICE)
    assert event.at == clock.now()
    phone.power_cycle()  # trying again does not help
    assert phone.stat is RegStatus.DENIED
    assert "line lost" in network.events[-1].detail


def test_reactivate_unbars_the_same_sim_and_delivers_what_was_held() -> None:
    network = new_network()
    phone = registered(network, sim_for(1))
    network.report_lost(ALICE)
    first, second = network.send_otp(ALICE), network.send_otp(ALICE)
    network.reactivate(ALICE, by="caller")
    assert phone.pushes == [RegStatus.DENIED, RegStatus.HOME]
    assert phone.texts == [f"Your verification code is {c}" for c in (first, second)]
    assert network.queued(ALICE) == []
    expected = ["report-lost", "otp", "otp", "reactivate", "deliver", "deliver"]
    assert network.log.actions(ALICE)[-6:] == expected
    assert [e.actor for e in network.events if e.action == "reactivate"] == ["caller"]


def test_a_modem_denied_at_attach_is_served_after_its_next_attempt() -> None:
    network = new_network()
    network.report_lost(ALICE)
    phone = registered(network, sim_for(1))
    assert phone.stat is RegStatus.DENIED
    network.send_otp(ALICE)
    network.reactivate(ALICE)
    assert phone.pushes == []  # it forgot the network, like a phone told "illegal MS"
    assert phone.texts == []
    phone.power_cycle()
    network.settle()
    assert phone.stat is RegStatus.HOME
    assert len(phone.texts) == 1


def test_suspend_and_resume() -> None:
    network = new_network()
    phone = registered(network, sim_for(2))
    assert network.suspend(BOB, by="billing").state is LineState.SUSPENDED
    assert phone.stat is RegStatus.DENIED
    network.send_otp(BOB)
    assert phone.texts == []
    assert network.resume(BOB, by="billing").state is LineState.ACTIVE
    assert phone.stat is RegStatus.HOME
    assert len(phone.texts) == 1


@pytest.mark.parametrize(
    ("setup", "action", "message"),
    [
        ([], "reactivate", "cannot reactivate line .* it is active"),
        ([], "resume", "cannot resume line .* it is active"),
        (["report_lost"], "report_lost", "cannot report lost .* it is lost"),
        (["report_lost"], "suspend", "cannot suspend .* it is lost"),
        (["report_lost"], "resume", "cannot resume .* it is lost"),
        (["suspend"], "reactivate", "cannot reactivate .* it is suspended"),
        (["suspend"], "suspend", "cannot suspend .* it is suspended"),
    ],
)
def test_impossible_transitions_are_refused(setup: list[str], action: str, message: str) -> None:
    network = new_network()
    for step in setup:
        getattr(network, step)(ALICE)
    before = network.subscriber(ALICE)
    with pytest.raises(NetworkError, match=message):
        getattr(network, action)(ALICE)
    assert network.subscriber(ALICE) == before


def test_a_suspended_line_can_be_reported_lost_and_then_only_reactivated() -> None:
    network = new_network()
    network.suspend(ALICE)
    assert network.report_lost(ALICE).state is LineState.LOST
    assert network.reactivate(ALICE).state is LineState.ACTIVE


def test_unknown_lines_are_refused_by_every_action() -> None:
    network = new_network()
    for action in ("report_lost", "reactivate", "suspend", "resume", "send_otp"):
        with pytest.raises(NetworkError, match="no line"):
            getattr(network, action)(CAROL)


def test_swap_sim_moves_the_number_to_a_new_sim_and_rejects_the_old_one() -> None:
    network = new_network()
    old_phone = registered(network, sim_for(1), "old")
    network.report_lost(ALICE, by="owner")
    network.send_otp(ALICE)
    new_sim = sim_for(11)
    line = network.swap_sim(ALICE, iccid=new_sim.iccid, imsi=new_sim.imsi, by="shop")
    assert (line.imsi, line.iccid, line.state) == (new_sim.imsi, new_sim.iccid, LineState.ACTIVE)
    assert network.subscriber_by_imsi(sim_for(1).imsi) is None
    assert network.subscriber_by_iccid(new_sim.iccid) == line
    assert old_phone.stat is RegStatus.DENIED and old_phone.texts == []
    old_phone.power_cycle()
    assert old_phone.stat is RegStatus.DENIED
    assert "swapped out" in network.events[-1].detail
    new_phone = registered(network, new_sim, "new")
    assert new_phone.stat is RegStatus.HOME
    assert len(new_phone.texts) == 1  # the held OTP goes to the new SIM
    swap = next(e for e in network.events if e.action == "swap-sim")
    assert swap.actor == "shop" and sim_for(1).iccid in swap.detail


def test_swap_sim_pushes_denied_to_the_old_sim_of_an_active_line() -> None:
    network = new_network()
    old_phone = registered(network, sim_for(1))
    network.swap_sim(ALICE, iccid=sim_for(11).iccid, imsi=sim_for(11).imsi)
    assert old_phone.pushes == [RegStatus.DENIED]
    network.send_otp(ALICE)
    assert old_phone.texts == []


def test_swap_sim_from_a_card_profile_keeps_a_suspension() -> None:
    profile = load_profile(DEFAULT_PROFILE)
    with VirtualNetwork(background=False) as network:
        network.provision_line(profile.msisdn, imsi="001010000000001", iccid="8988211000000000001")
        network.suspend(profile.msisdn)
        line = network.swap_sim(profile.msisdn, profile)
        assert (line.imsi, line.state) == (profile.imsi, LineState.SUSPENDED)


def test_swap_sim_refuses_bad_requests() -> None:
    network = new_network()
    profile = load_profile(DEFAULT_PROFILE)
    with pytest.raises(NetworkError, match="has MSISDN"):
        network.swap_sim(ALICE, profile)
    with pytest.raises(NetworkError, match="not both"):
        network.swap_sim(ALICE, profile, iccid="8988211000000000777")
    with pytest.raises(NetworkError, match="needs the new SIM"):
        network.swap_sim(ALICE, imsi="001010000000777")
    with pytest.raises(NetworkError, match="already serves line"):
        network.swap_sim(ALICE, iccid=sim_for(2).iccid, imsi=sim_for(2).imsi)
    network.swap_sim(ALICE, iccid=sim_for(11).iccid, imsi=sim_for(11).imsi)
    with pytest.raises(NetworkError, match="retired"):
        network.swap_sim(ALICE, iccid=sim_for(1).iccid, imsi=sim_for(1).imsi)
    assert network.subscriber(ALICE).imsi == sim_for(11).imsi


def test_no_coverage_means_searching_and_held_sms() -> None:
    network = new_network()
    phone = registered(network, sim_for(1))
    network.set_coverage(False)
    assert phone.stat is RegStatus.SEARCHING
    late = FakeModem(network)
    late.insert(sim_for(2))
    assert late.stat is RegStatus.SEARCHING
    network.send_otp(ALICE)
    assert phone.texts == []
    network.set_coverage(True)
    assert phone.pushes == [RegStatus.SEARCHING, RegStatus.HOME]
    assert len(phone.texts) == 1
    assert "coverage-off" in network.log.actions()
