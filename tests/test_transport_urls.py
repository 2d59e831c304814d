"""URL ports end to end: rfc2217:// against a real RFC 2217 server (pyserial's PortManager,
what ser2net and labgrid export) and socket://, through the driver, the PIN utility,
the script runner and the CLI."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_virtual_modem_support import new_card

from harness.cli import main
from harness.errors import TransportError
from harness.modem import Modem, SimState
from harness.secrets import Secret
from harness.transport import SerialTransport
from harness.virtual.modem import VirtualModem
from tests.rfc2217_bridge import Rfc2217Bridge

SCRIPTS = Path(__file__).resolve().parents[1] / "at_scripts"


@pytest.fixture
def tcp_modem() -> Iterator[str]:
    with VirtualModem(new_card(), personality="quectel") as device:
        yield f"socket://127.0.0.1:{device.start_tcp()}"


@pytest.fixture
def rfc2217_url(tcp_modem: str) -> Iterator[str]:
    with Rfc2217Bridge(int(tcp_modem.rsplit(":", 1)[1])) as bridge:
        yield f"rfc2217://127.0.0.1:{bridge.port}"


def test_the_driver_over_rfc2217_reads_unlocks_and_writes(rfc2217_url: str) -> None:
    with Modem(rfc2217_url) as modem:
        assert modem.profile.name == "quectel"
        assert modem.sim_state() is SimState.SIM_PIN
        assert modem.pin_retries().pin1 == 3
        assert modem.unlock(Secret("1234")) is SimState.READY


def test_cli_over_rfc2217_and_socket(
    rfc2217_url: str, tcp_modem: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["modem", "info", "--port", rfc2217_url]) == 0
    assert "SIM PIN" in capsys.readouterr().out
    assert main(["pin", "status", "--port", tcp_modem, "--json"]) == 0
    assert '"pin1": 3' in capsys.readouterr().out
    assert main(["script", "run", str(SCRIPTS / "retries_quectel.at"), "--port", rfc2217_url]) == 0
    assert "PIN1 3, PUK1 10" in capsys.readouterr().out
    transcript = tmp_path / "info.txt"
    assert main(["modem", "info", "--port", tcp_modem, "--transcript", str(transcript)]) == 0
    assert "+QPINC" in transcript.read_text()


def test_a_server_that_is_not_rfc2217_is_a_typed_error() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    try:
        url = f"rfc2217://127.0.0.1:{listener.getsockname()[1]}?timeout=0.5"  # negotiation wait
        with pytest.raises(TransportError, match="cannot open rfc2217://"):
            SerialTransport(url).open()
    finally:
        listener.close()
