"""The network a virtual modem registers with: a small protocol and an accept-all default.

The modem asks the network to attach a subscriber only after it has read the
IMSI from its SIM with real APDUs; a SIM that stays PIN-locked never gets that
far, so it is never registered and never receives an SMS (DESIGN.md). The full
network simulator (operator state, SMSC, barring) implements the same protocol.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from harness.at.parsers.registration import RegStatus
from harness.sms.pdu import SmsPdu
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsSubmit

if TYPE_CHECKING:
    from harness.virtual.modem.device import VirtualModem

__all__ = ["DefaultNetwork", "Network", "RegStatus"]


class Network(Protocol):
    """What a modem needs of its network. `attach` answers the +CREG <stat> to show.

    A network may also offer `submit(imsi, pdu, modem)` for mobile-originated SMS
    and `operator_name` for +COPS; both are optional (see `DefaultNetwork`).
    """

    def attach(self, imsi: str, modem: VirtualModem) -> RegStatus: ...

    def detach(self, imsi: str) -> None: ...


class DefaultNetwork:
    """Accepts every IMSI (registered, home) and acknowledges every SMS it is sent."""

    operator_name = "Harness Test"
    plmn = "00101"  # MCC 001 / MNC 01: the ITU test network

    def __init__(self) -> None:
        self.attached: dict[str, VirtualModem] = {}

    def attach(self, imsi: str, modem: VirtualModem) -> RegStatus:
        self.attached[imsi] = modem
        return RegStatus.HOME

    def detach(self, imsi: str) -> None:
        self.attached.pop(imsi, None)

    def submit(self, imsi: str, pdu: SmsPdu, modem: VirtualModem) -> None:
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
