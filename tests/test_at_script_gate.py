"""The script gate maps each secret-bearing line to exactly one counter, or refuses it."""

from __future__ import annotations

from typing import Any, cast

import pytest

from harness.at_script.gate import _spends, presents_secret
from harness.errors import SafetyRefusal
from harness.modem import Modem, SimState
from harness.safety import Spend


class _StateOnly:
    """All `_spends` may ask a modem: its SIM state (for +CPIN=)."""

    def __init__(self, state: SimState) -> None:
        self.state = state

    def sim_state(self) -> SimState:
        return self.state


def spends(command: str, state: SimState = SimState.SIM_PIN) -> tuple[Spend, str, str]:
    return _spends(cast(Modem, cast(Any, _StateOnly(state))), command)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ('AT+CPIN="1234"', (Spend.PIN, "pin1", "PIN1")),
        ('AT+CLCK="SC",1,"1234"', (Spend.PIN, "pin1", "PIN1")),
        ('AT+CPWD="P2","1234","4321"', (Spend.PIN, "pin2", "PIN2")),
        ('AT+CLCK="FD",1,"1234"', (Spend.PIN, "pin2", "PIN2")),
        ('AT+CSIM=26,"0020000108313233344FFFFFFFF"', (Spend.PIN, "pin1", "PIN1")),
        ('AT+CSIM=26,"8020008108313233344FFFFFFFF"', (Spend.PIN, "pin2", "PIN2")),
        ('AT+CSIM=42,"002C000110313233343536373831323334FFFFFFFF"', (Spend.PUK, "puk1", "PUK1")),
    ],
)
def test_a_known_form_spends_its_own_counter(command: str, expected: tuple[str, ...]) -> None:
    assert spends(command) == expected


def test_cpin_in_the_puk_state_spends_a_puk_try() -> None:
    assert spends('AT+CPIN="12345678","1234"', SimState.SIM_PUK) == (Spend.PUK, "puk1", "PUK1")


@pytest.mark.parametrize(
    "command",
    [
        'AT+CGLA=1,26,"002C0001103132333435363738"',  # UNBLOCK on a logical channel
        "ATD**05*12345678*1234*1234#",  # MMI: unblock PIN1 with the PUK
        'AT+CUSD=1,"**04*1234*4321*4321#"',  # MMI: change PIN1 over USSD
        'AT+CPIN2="1234"',
        'AT^CPIN="1234"',
        'AT+CSIM=26,"0020000A08313233343536373"',  # VERIFY ADM1
        'AT+CPIN="1234";+CPIN="1234"',  # two presentations, one check: refused
        'AT+CLCK="AO",1,"1234"',  # a facility the gate does not read a counter for
    ],
)
def test_a_form_the_gate_cannot_map_is_refused_before_sending(command: str) -> None:
    with pytest.raises(SafetyRefusal, match="nothing sent") as refused:
        spends(command)
    assert "1234" not in str(refused.value)


def test_lines_masking_may_miss_still_go_to_the_gate() -> None:
    assert presents_secret("ATD**05*12345678*1234*1234#")
    assert presents_secret('AT+CGLA=1,26,"002C0001"')
    assert not presents_secret("AT+CPIN?")
    assert not presents_secret('AT+CSIM=14,"00A4000402 3F00"')
