"""A network delivery names the IMSI it chose: a modem no longer attached under it refuses."""

from __future__ import annotations

from datetime import UTC, datetime

from test_virtual_modem_support import modem_on_pty, new_card, unlock

from harness.sms.address import Address
from harness.sms.tpdu import SmsDeliver
from harness.sms.userdata import UserData

IMSI = "001010000000018"  # harness/data/sims/default.toml


def otp() -> SmsDeliver:
    return SmsDeliver(
        originator=Address.alphanumeric("HarnessBank"),
        timestamp=datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
        user_data=UserData(text="Your verification code is 123456"),
    )


def test_delivery_for_another_imsi_is_refused_and_for_its_own_taken() -> None:
    with modem_on_pty(new_card()) as (modem, port):
        unlock(port)
        assert modem.registration.registered
        assert modem.deliver_sms(otp(), imsi="001019999999999") is False
        assert port.lines("AT+CMGL=4")[-1] == "OK" and len(port.lines("AT+CMGL=4")) == 1
        assert modem.deliver_sms(otp(), imsi=IMSI) is True
        assert any(line.startswith("+CMGL:") for line in port.lines("AT+CMGL=4"))
