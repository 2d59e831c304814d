"""The interface between a virtual modem and a virtual network, in both directions.

`Network` is what a modem needs of the network it registers with; `Terminal` is
what a network needs of a modem it serves. Both sides import this leaf module
and never each other, so `harness.virtual.modem` and `harness.virtual.network`
stay independent (any network can serve any modem).
"""

from __future__ import annotations

from typing import Protocol

from harness.at.parsers.registration import RegStatus
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver

__all__ = ["Network", "RegStatus", "Terminal"]


class Terminal(Protocol):
    """What the network needs of a modem it serves; `VirtualModem` has all three."""

    def deliver_sms(self, pdu: SmsDeliver, *, imsi: str | None = None) -> bool: ...

    def deliver_status_report(
        self, report: SmsStatusReport, *, imsi: str | None = None
    ) -> bool: ...

    def set_registration(self, stat: RegStatus) -> None: ...


class Network(Protocol):
    """What a modem needs of its network. `attach` answers the +CREG <stat> to show.

    A network may also offer `submit(imsi, pdu, modem)` for mobile-originated SMS
    and `operator_name` for +COPS; both are optional (see `DefaultNetwork`).
    """

    def attach(self, imsi: str, modem: Terminal) -> RegStatus: ...

    def detach(self, imsi: str) -> None: ...
