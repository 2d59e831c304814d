"""The network's record of SIM changes (what CAMARA SIM Swap answers from), SMS from outside
the network, and OTP texts from a template."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from harness.errors import CodecError
from harness.virtual.network import ManualClock, NetworkError, VirtualNetwork

START = datetime.fromisoformat("2026-05-01T08:00:00+00:00")
NUMBER = "+15555550118"


def network() -> VirtualNetwork:
    return VirtualNetwork(clock=ManualClock(START), background=False)


def test_activation_and_swaps_are_sim_changes_read_from_the_event_log() -> None:
    with network() as net:
        activated = START - timedelta(days=30)
        net.provision_line(
            NUMBER, imsi="001010000000018", iccid="8988211000000000018", activated=activated
        )
        assert net.latest_sim_change(NUMBER) == activated  # a new subscription counts
        net.report_lost(NUMBER)
        net.reactivate(NUMBER)  # same SIM: not a change
        assert net.latest_sim_change(NUMBER) == activated
        assert isinstance(net.clock, ManualClock)
        net.clock.advance(timedelta(hours=5))
        net.swap_sim(NUMBER, iccid="8988211000000000026", imsi="001010000000026")
        assert net.latest_sim_change(NUMBER) == START + timedelta(hours=5)
        changes = [e for e in net.events if e.sim_change]
        assert [e.action for e in changes] == ["provision", "swap-sim"]
        assert changes[-1].bound_iccid == "8988211000000000026"
        with pytest.raises(NetworkError, match="no line"):
            net.latest_sim_change("+4930123456")
        with pytest.raises(NetworkError, match="future"):
            net.provision_line(
                "+15555550119",
                imsi="001010000000019",
                iccid="8988211000000000034",
                activated=START + timedelta(days=1),
            )


def test_an_sms_from_outside_is_queued_for_the_line_from_its_sender() -> None:
    with network() as net:
        net.provision_line(NUMBER, imsi="001010000000018", iccid="8988211000000000018")
        message = net.send_sms(NUMBER, "hello", sender="+15550001111")
        named = net.send_sms(NUMBER, "promo", sender="Lab")
        queued = net.queued(NUMBER)
        assert [m.id for m in queued] == [message.id, named.id]
        assert str(queued[0].tpdu.originator) == "+15550001111"  # type: ignore[union-attr]
        assert queued[1].tpdu.text == "promo"  # type: ignore[union-attr]
        assert net.log.actions(NUMBER)[-2:] == ["sms-in", "sms-in"]
        with pytest.raises(CodecError, match="at most 11"):
            net.send_sms(NUMBER, "x", sender="A name far too long for SMS")


def test_an_otp_template_gets_the_code_in_place_of_its_label() -> None:
    with network() as net:
        net.provision_line(NUMBER, imsi="001010000000018", iccid="8988211000000000018")
        code = net.send_otp(NUMBER, template="{{code}} is your code")
        (queued,) = net.queued(NUMBER)
        assert queued.tpdu.text == f"{code} is your code"  # type: ignore[union-attr]
        assert net.check_otp(code, NUMBER) is not None
        assert code not in " ".join(str(e) for e in net.events)  # never in the log
