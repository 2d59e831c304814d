"""A PIN-locked SIM keeps its subscriber's services shut (TS 27.007 §8.3: while +CPIN? asks
for SIM PIN the MT refuses all but a few commands; TS 51.010-1 §33.8: the lock must not
prevent emergency calls; TS 22.101).

Each check reads what the device shows through the Modem driver: +CPIN?,
+CREG?/+CEREG?, +CPMS/+CMGL on "SM" and "ME", and SMS indications.
"""

from __future__ import annotations

import pytest

from harness.conformance.preconditions import ask_for_pin
from harness.modem import Modem, SimState
from harness.scenarios.evidence import read_registration, read_storage
from harness.scenarios.interfaces import codes_in
from harness.secrets import Secret


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


@pytest.mark.conformance("LOCK-003", "TS 27.007 §8.3; TS 27.005 §3.2.2, §3.4.2 (ME storage)")
def test_locked_sim_leaves_no_message_in_me_storage(modem: Modem, device_pin: Secret) -> None:
    """A PIN-locked SIM: no earlier code is readable in the phone's own storage ("ME")."""
    ask_for_pin(modem, device_pin)
    storage = read_storage(modem, "ME")
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
