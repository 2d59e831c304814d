"""`modem serve`: on the shared network a status report comes about 100 ms after the
delivery it reports; the `status_report_burst` fault sends it in the same breath."""

from __future__ import annotations

import io
import re
import threading
import time
from pathlib import Path

from harness.modem import Modem
from harness.modem.sms import INCOMING_REPORT, INCOMING_SMS
from harness.safety import SafetyPolicy
from harness.virtual.serve import serve_modems

ALLOW = SafetyPolicy.unrestricted("served virtual modems")


def report_gap(tmp_path: Path, faults: list[str]) -> float:
    """Seconds from the recipient's +CMTI to the sender's +CDSI (host clocks)."""
    stop, out = threading.Event(), io.StringIO()
    link = tmp_path / "modem"
    server = threading.Thread(
        target=serve_modems,
        args=(2, "generic", None, None, link, None, faults, out),
        kwargs={"api": False, "stop": stop},
        daemon=True,
    )
    server.start()
    try:
        deadline = time.monotonic() + 15
        while out.getvalue().count("modem ") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        numbers = re.findall(r"SIM (\+?\d+)", out.getvalue())
        assert len(numbers) == 2, out.getvalue()
        paths = [tmp_path / "modem0", tmp_path / "modem1"]
        with (
            Modem(str(paths[0]), safety=ALLOW, default_timeout=3.0) as sender,
            Modem(str(paths[1]), safety=ALLOW, default_timeout=3.0) as recipient,
        ):
            for modem in (sender, recipient):
                modem.unlock("1234")
                modem.wait_for_registration(10)
                modem.enable_sms_indications()
            sender.command("AT+CNMI=2,1,0,2,0")  # reports stored, +CDSI
            sender.send_sms(numbers[1], "ping", status_report=True)
            delivered = recipient.at.wait_for(INCOMING_SMS, 10).received_at
            reported = sender.at.wait_for(INCOMING_REPORT, 10).received_at
        return reported - delivered
    finally:
        stop.set()
        server.join(15)


def test_the_report_follows_the_delivery(tmp_path: Path) -> None:
    assert 0.08 <= report_gap(tmp_path, []) < 2.0


def test_the_burst_fault_reaches_the_shared_network(tmp_path: Path) -> None:
    assert report_gap(tmp_path, ["status_report_burst=1"]) < 0.08
