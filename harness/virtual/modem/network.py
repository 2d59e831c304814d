"""The network a virtual modem registers with: an accept-all default.

The protocols between a modem and a network live in harness.virtual.air_interface.

The modem asks the network to attach a subscriber only after it has read the
IMSI from its SIM with real APDUs; a SIM that stays PIN-locked never gets that
far, so it is never registered and never receives an SMS (DESIGN.md). The full
network simulator (operator state, SMSC, barring) implements the same protocol.
"""

from __future__ import annotations

from datetime import UTC, datetime

from harness.sms.pdu import SmsPdu
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsSubmit
from harness.virtual.air_interface import Network, RegStatus, Terminal

__all__ = ["DefaultNetwork", "Network", "RegStatus", "Terminal"]


class DefaultNetwork:
    """Accepts every IMSI (registered, home) and acknowledges every SMS it is sent."""

    operator_name = "Harness Test"
    plmn = "00101"  # MCC 001 / MNC 01: the ITU test network

    def __init__(self) -> None:
        self.attached: dict[str, Terminal] = {}

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
        modem.deliver_status_report(
            SmsStatusReport(
                message_reference=tpdu.message_reference,
                recipient=tpdu.destination,
                timestamp=now,
                discharge_time=now,
                status=0x00,  # 23.040 §9.2.3.15: short message received by the SME
            )
        )
