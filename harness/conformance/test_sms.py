"""SMS once the SIM is READY (TS 27.005 §3.4.1 +CNMI, §3.5.1 +CMGS in PDU mode; TS 23.040
§9.2.3.24.1 concatenation; TS 23.038 §4 UCS2).

The modem sends to its own SIM's number (AT+CNUM, from EF MSISDN), so one
modem with a live line proves both directions. The network needs
seconds on a real bench: each wait ends as soon as the message is complete.
"""

from __future__ import annotations

import pytest

from harness.conformance.preconditions import make_ready, own_number
from harness.modem import Modem
from harness.secrets import Secret

DELIVERY_TIMEOUT_S = 60.0  # an upper bound for a real network; the virtual one takes ms


def _round_trip(modem: Modem, number: str, text: str) -> str:
    modem.wait_for_registration(DELIVERY_TIMEOUT_S)
    modem.enable_sms_indications()
    refs = modem.send_sms(number, text)
    assert refs, "the modem returned no message reference (+CMGS)"
    return modem.wait_for_message(DELIVERY_TIMEOUT_S).text


@pytest.mark.sms
@pytest.mark.conformance("SMS-001", "TS 27.005 §3.5.1 (+CMGS), §3.4.1 (+CNMI)")
def test_sms_send_and_receive(modem: Modem, device_pin: Secret, live_line: None) -> None:
    """Once READY, a GSM 7-bit SMS sent to the SIM's own number comes back intact."""
    make_ready(modem, device_pin)
    text = "sim-harness conformance SMS-001 @ GSM 7-bit"
    assert _round_trip(modem, own_number(modem), text) == text


@pytest.mark.sms
@pytest.mark.conformance("SMS-002", "TS 23.040 §9.2.3.24.1 (concatenated SMS); TS 27.005 §3.5.1")
def test_concatenated_sms(modem: Modem, device_pin: Secret, live_line: None) -> None:
    """A text longer than one SMS goes out in parts and comes back joined, in order."""
    make_ready(modem, device_pin)
    text = " ".join(f"part-{n:03d}" for n in range(40))  # 359 characters: three parts
    assert _round_trip(modem, own_number(modem), text) == text


@pytest.mark.sms
@pytest.mark.conformance("SMS-003", "TS 23.038 §4 (UCS2); TS 27.005 §3.5.1")
def test_ucs2_sms(modem: Modem, device_pin: Secret, live_line: None) -> None:
    """A text outside the GSM alphabet (UCS2, also concatenated) comes back intact."""
    make_ready(modem, device_pin)
    text = "Код подтверждения: 4821 — не сообщайте его никому. 验证码 ✓ " * 2  # noqa: RUF001
    assert _round_trip(modem, own_number(modem), text) == text
