"""An SMS in flight when the modem drops off the bus is found after the reconnection
(the announced index read again, the storage re-listed), or reported lost: never lost
silently (issue 14). The "reported lost" side is the replay
fixtures/transcripts/generic/wait_for_sms_announced_then_gone.txt."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from test_virtual_modem_support import new_card

from harness.errors import SmsLostError
from harness.modem import Modem
from harness.modem.replay import ReplayScript, ReplayStream
from harness.sms.address import Address
from harness.sms.tpdu import SmsDeliver
from harness.sms.userdata import UserData
from harness.sms.vectors import PDU_VECTORS
from harness.virtual.modem import FaultConfig, VirtualModem

CMGR_COMMAND = 8  # ATE0 CMEE CGMI CGMM CMGF CNMI, then CPMS="SM" and the AT+CMGR it announces


def sms(text: str) -> SmsDeliver:
    return SmsDeliver(
        Address.parse("+15550001111"), datetime(2024, 1, 2, tzinfo=UTC), UserData(text)
    )


@contextmanager
def linked(tmp_path: Path, faults: FaultConfig) -> Iterator[tuple[VirtualModem, Modem]]:
    card = new_card(pins__pin1_enabled=False)
    with VirtualModem(card, faults=faults) as device:
        link = tmp_path / "modem"
        device.start_pty(link)
        with Modem(str(link), default_timeout=1.0) as modem:
            modem.enable_sms_indications()
            yield device, modem


@pytest.mark.parametrize("knob", ["disconnect_on_command", "reboot_on_command"])
@pytest.mark.parametrize("command", [CMGR_COMMAND - 1, CMGR_COMMAND])
def test_a_read_cut_by_the_port_dropping_is_read_again_after_it_comes_back(
    tmp_path: Path, knob: str, command: int
) -> None:
    with linked(tmp_path, FaultConfig(**{knob: command})) as (device, modem):  # type: ignore[arg-type]
        assert device.deliver_sms(sms("code 481516"))
        message = modem.wait_for_sms(8.0)
        assert message.intact and message.text == "code 481516"


@pytest.mark.parametrize("knob", ["disconnect_on_command", "reboot_on_command"])
def test_after_a_reconnection_no_message_comes_back_twice(tmp_path: Path, knob: str) -> None:
    """Found by the soak: the announced index and the re-listing both held the first
    message; the stale copy came back after its slot was deleted and refilled, and
    deleting it by that index deleted the next message."""
    faults = FaultConfig(**{knob: CMGR_COMMAND - 1})  # type: ignore[arg-type]
    with linked(tmp_path, faults) as (device, modem):
        assert device.deliver_sms(sms("first 1111"))
        first = modem.wait_for_sms(8.0)
        assert first.text == "first 1111" and first.index is not None
        modem.delete_sms(first.index)
        assert device.deliver_sms(sms("second 2222"))  # into the freed slot
        second = modem.wait_for_sms(8.0)
        assert second.text == "second 2222"


def test_a_message_that_arrives_while_the_modem_is_away_is_found_by_re_listing(
    tmp_path: Path,
) -> None:
    with linked(tmp_path, FaultConfig()) as (device, modem):
        device.reboot()  # the port drops; the driver is not reading
        device.deliver_sms(sms("code 2342"))  # stored while nobody listens (no +CMTI read)
        message = modem.wait_for_sms(8.0)
        assert message.intact and message.text == "code 2342"


V3 = next(v.hex for v in PDU_VECTORS if v.name.startswith("V3"))
GONE_THEN_NEW = """
-> ATE0
<- OK
-> AT+CMEE=1
<- OK
-> AT+CMGF=0
<- OK
-> AT+CNMI=2,1,0,0,0
<- OK
<- +CMTI: "SM",3
-> AT+CPMS="SM"
<- +CPMS: 1,50,1,50,1,50
<- OK
-> AT+CMGR=3
<- OK
-> AT+CMGR=3
<- OK
-> AT+CMGR=3
<- OK
<- +CMTI: "SM",4
-> AT+CMGR=4
<- +CMGR: 0,,62
<- {v3}
<- OK
"""


def test_a_message_reported_lost_is_settled_and_the_next_one_still_comes() -> None:
    stream = ReplayStream(ReplayScript.parse(GONE_THEN_NEW.format(v3=V3)))
    with Modem(stream, vendor="generic", default_timeout=2.0) as modem:
        with pytest.raises(SmsLostError, match="#3 is gone"):
            modem.wait_for_sms(2.0)
        message = modem.wait_for_sms(2.0)  # not the lost one again, forever
        assert message.index == 4 and message.text.startswith("It is easy")
    assert not stream.mismatches and stream.finished
