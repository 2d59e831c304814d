"""+CGATT (27.007 §10.1.9) and +COPS <format> (§7.3), which tools such as gammu use."""

from __future__ import annotations

from test_virtual_modem_support import modem_on_pty, new_card, unlock


def test_cgatt_follows_registration_and_can_detach() -> None:
    with modem_on_pty(new_card()) as (_modem, port):
        assert port.lines("AT+CGATT?")[0] == "+CME ERROR: 11"  # SIM PIN pending
        unlock(port)
        assert port.lines("AT+CGATT=?")[0] == "+CGATT: (0,1)"
        assert port.lines("AT+CGATT?")[0] == "+CGATT: 1"
        assert port.lines("AT+CGATT=0")[-1] == "OK"
        assert port.lines("AT+CGATT?")[0] == "+CGATT: 0"
        assert port.lines("AT+CGATT=2")[-1] == "+CME ERROR: 50"


def test_cops_format_three_sets_only_the_format() -> None:
    with modem_on_pty(new_card()) as (_modem, port):
        unlock(port)
        assert port.lines("AT+COPS=3,2")[-1] == "OK"
        assert port.lines("AT+COPS?")[0] == '+COPS: 0,2,"00101",7'
        assert port.lines("AT+COPS=3,0")[-1] == "OK"
        assert port.lines("AT+COPS?")[0].startswith('+COPS: 0,0,"')
