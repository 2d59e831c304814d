"""The network a virtual modem registers with: an accept-all default.

The protocols between a modem and a network live in harness.virtual.air_interface.

The modem asks the network to attach a subscriber only after it has read the
IMSI from its SIM with real APDUs; a SIM that stays PIN-locked never gets that
far, so it is never registered and never receives an SMS (DESIGN.md). The full
network simulator (operator state, SMSC, barring) implements the same protocol.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from harness.sms.pdu import SmsPdu
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsSubmit
from harness.virtual.air_interface import Network, RegStatus, Terminal

__all__ = ["REPORT_DELAY_S", "DefaultNetwork", "Network", "RegStatus", "Terminal"]

log = logging.getLogger(__name__)
REPORT_DELAY_S = 0.1  # a real SC's report comes a while after the submit (23.040 §3.2.9)


class DefaultNetwork:
    """Accepts every IMSI (registered, home) and acknowledges every SMS it is sent.

    The status report follows `report_delay` seconds after the submit, on a timer
    thread, as a real SC's does; 0 (the `status_report_burst` fault) sends it inside
    the submit, so the +CDS/+CDSI lands in the same breath as the +CMGS.
    """

    operator_name = "Harness Test"
    plmn = "00101"  # MCC 001 / MNC 01: the ITU test network

    def __init__(self, report_delay: float | None = None) -> None:
        self.attached: dict[str, Terminal] = {}
        self.report_delay = REPORT_DELAY_S if report_delay is None else report_delay

    def attach(self, imsi: str, modem: Terminal) -> RegStatus:
        self.attached[imsi] = modem
        return RegStatus.HOME

    def detach(self, imsi: str) -> None:
        self.attached.pop(imsi, None)

    def submit(self, imsi: str, pdu: SmsPdu, modem: Terminal) -> None:
        """An SMS-SUBMIT left the modem: when it asked for one, send a 'delivered' report."""
        tpdu = pdu.tpdu
        if not isinstance(tpdu, SmsSubmit) or not tpdu.status_report_request:
            return
        now = datetime.now(UTC).replace(microsecond=0)
        report = SmsStatusReport(
            message_reference=tpdu.message_reference,
            recipient=tpdu.destination,
            timestamp=now,
            discharge_time=now,
            status=0x00,  # 23.040 §9.2.3.15: short message received by the SME
        )
        if not self.report_delay:
            modem.deliver_status_report(report)
            return
        timer = threading.Timer(self.report_delay, _send_report, (modem, report))
        timer.daemon = True
        timer.start()


def _send_report(modem: Terminal, report: SmsStatusReport) -> None:
    try:
        modem.deliver_status_report(report)
    except Exception:  # the modem was unplugged meanwhile: the report has nowhere to go
        log.debug("default network: status report not delivered", exc_info=True)
