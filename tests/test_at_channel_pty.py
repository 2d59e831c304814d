"""AtChannel over a real pseudo-terminal, with a responder thread on the master side."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from test_at_support import (
    OK,
    PtyModem,
    PySerialNoFilenoStream,
    PySerialStream,
    Responder,
    SelectableTransport,
)

from harness.at import AtChannel
from harness.errors import CmeError, DeviceGoneError
from harness.transport import SerialTransport

SUBMIT = "0001000B917228001011F100000CC8329BFD065DDF72363904"


@pytest.fixture
def pty_modem() -> Iterator[PtyModem]:
    modem = PtyModem(
        Responder(
            {
                "AT": OK,
                "AT+CSQ": b"\r\n+CSQ: 18,99\r\n\r\nOK\r\n",
                "AT+CPIN?": b"\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n",
                "AT+CIMI": b"\r\n+CME ERROR: 11\r\n",
                "AT+CMGS=24": b"\r\n> ",
            },
            echo=True,
        )
    )
    yield modem
    modem.close()


@pytest.mark.parametrize("stream_type", [PySerialStream, PySerialNoFilenoStream])
def test_commands_urcs_and_pdu_over_a_pty(
    pty_modem: PtyModem, stream_type: type[PySerialStream]
) -> None:
    with AtChannel(stream_type(pty_modem.path), name=pty_modem.path) as at:
        assert at.command("AT+CSQ").lines == ["+CSQ: 18,99"]
        assert at.command("AT+CPIN?").lines == ["+CPIN: SIM PIN"]
        with pytest.raises(CmeError) as error:
            at.command("AT+CIMI")
        assert error.value.code == 11 and pty_modem.path in str(error.value)
        pty_modem.inject(b'\r\n+CMTI: "SM",2\r\n')
        assert at.wait_for("+CMTI:", timeout=2.0).line == '+CMTI: "SM",2'
        assert at.command("AT+CMGS=24", pdu=SUBMIT).lines == ["+CMGS: 7"]
        assert pty_modem.responder.pdus == [SUBMIT]


TRANSPORTS = [SerialTransport, SelectableTransport]


@pytest.mark.parametrize("transport_type", TRANSPORTS)
def test_serial_transport_over_a_pty_and_a_prompt_close(
    pty_modem: PtyModem, transport_type: type[SerialTransport]
) -> None:
    transport = transport_type(pty_modem.path)
    transport.open()
    with AtChannel(transport, name=pty_modem.path) as at:
        assert at.command("AT").final == "OK"
        started = time.monotonic()
        at.close()
        assert time.monotonic() - started < 0.5


@pytest.mark.parametrize("transport_type", TRANSPORTS)
def test_device_gone_when_the_pty_master_closes(transport_type: type[SerialTransport]) -> None:
    modem = PtyModem(Responder({"AT": OK}))
    transport = transport_type(modem.path)
    transport.open()
    with AtChannel(transport, name=modem.path) as at:
        assert at.command("AT").final == "OK"
        modem.close()
        with pytest.raises(DeviceGoneError):
            at.command("AT", timeout=2.0)
