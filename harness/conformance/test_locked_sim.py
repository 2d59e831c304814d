"""A PIN-locked SIM keeps its subscriber's services shut (TS 27.007 §8.3: while +CPIN? asks
for SIM PIN the MT refuses all but a few commands; TS 51.010-1 §33.8: the lock must not
prevent emergency calls; TS 22.101).

Each check reads what the device shows through the Modem driver: +CPIN?,
+CREG?/+CEREG?, +CPMS/+CMGL on "SM" and "ME", and SMS indications.
"""

from __future__ import annotations

import pytest

from harness.conformance.preconditions import ask_for_pin, make_ready, own_number
from harness.errors import HarnessError
from harness.modem import Modem, SimState
from harness.scenarios.evidence import read_registration, read_storage
from harness.scenarios.interfaces import codes_in
from harness.secrets import Secret

_DELIVERY_S = 60.0  # an upper bound for a real network
_EARLIER_CODE = "482193"


def _delete_from_me(modem: Modem, pin: Secret) -> None:
    """Leave no test message behind in ME storage (the guard re-locks the SIM after)."""
    try:
        make_ready(modem, pin)
        modem.set_sms_storage("ME")
        for message in modem.list_sms():
            if message.index is not None and _EARLIER_CODE in message.text:
                modem.delete_sms(message.index)
    except HarnessError:
        pass
    finally:
        modem.try_command('AT+CPMS="SM","SM","SM"')


@pytest.mark.conformance("LOCK-001", "TS 27.007 §8.3 (+CPIN), §7.2 (+CREG)")
def test_locked_sim_asks_for_pin_and_is_not_registered(modem: Modem, device_pin: Secret) -> None:
    """A PIN-locked SIM: +CPIN: SIM PIN, and the modem is not registered (no IMSI read)."""
    ask_for_pin(modem, device_pin)
    assert modem.sim_state() is SimState.SIM_PIN
    reading = read_registration(modem)
    assert not reading.registered, f"registered with a PIN-locked SIM: {reading.summary()}"


@pytest.mark.conformance("LOCK-002", "TS 27.007 §8.3; TS 27.005 §3.2.2, §3.4.2 (SIM storage)")
def test_locked_sim_storage_unreadable(modem: Modem, device_pin: Secret) -> None:
    """A PIN-locked SIM: the SMS stored on the SIM ("SM") cannot be listed."""
    ask_for_pin(modem, device_pin)
    storage = read_storage(modem, "SM")
    assert not storage.readable, f"SIM storage readable while locked: {storage.summary()}"


@pytest.mark.sms
@pytest.mark.conformance("LOCK-003", "TS 27.007 §8.3; TS 27.005 §3.2.2, §3.4.2 (ME storage)")
def test_locked_sim_leaves_no_message_in_me_storage(
    modem: Modem, device_pin: Secret, live_line: None
) -> None:
    """A PIN-locked SIM: a code received into the phone's own storage ("ME") while the SIM
    was open is not readable once the SIM is locked again."""
    make_ready(modem, device_pin)
    number = own_number(modem)
    modem.wait_for_registration(_DELIVERY_S)
    modem.set_sms_storage("ME", "ME", "ME")
    try:
        modem.enable_sms_indications()
        modem.send_sms(number, f"LOCK-003 earlier code {_EARLIER_CODE}")
        assert _EARLIER_CODE in modem.wait_for_message(_DELIVERY_S).text
        primed = read_storage(modem, "ME")
        assert any(_EARLIER_CODE in m.text for m in primed.messages), primed.summary()
    finally:
        modem.set_sms_storage("SM", "SM", "SM")
    ask_for_pin(modem, device_pin)
    try:
        storage = read_storage(modem, "ME")
    finally:
        _delete_from_me(modem, device_pin)
    with_codes = [m.where for m in storage.messages if codes_in(m.text)]
    assert not with_codes, (
        f"code-bearing messages readable in ME storage while the SIM is locked: "
        f"{', '.join(with_codes)} ({storage.summary()})"
    )


@pytest.mark.emergency_call
@pytest.mark.conformance("LOCK-004", "TS 51.010-1 §33.8; TS 22.101; TS 27.007 §8.3 (D112;)")
def test_locked_sim_still_allows_emergency_call(modem: Modem, device_pin: Secret) -> None:
    """A PIN-locked SIM does not prevent an emergency call: ATD112; is accepted."""
    ask_for_pin(modem, device_pin)
    try:
        modem.command("ATD112;", timeout=30.0)
    finally:
        modem.try_command("ATH")
    assert modem.sim_state() is SimState.SIM_PIN
