"""Network registration: read the IMSI through the SIM, ask the network, report +CREG.

Registration needs +CFUN=1 and a READY SIM, and the IMSI is read with real
APDUs (SELECT 3F00/7F20/6F07, READ BINARY): a PIN-locked card answers 6982,
so a locked SIM is never attached and never reachable for SMS — by
construction, not by a flag (DESIGN.md). +CREG, +CGREG and +CEREG show the
same <stat> (one virtual LTE cell carries both domains).
"""

from __future__ import annotations

from typing import Protocol

from harness.at.parsers.registration import RegStatus
from harness.errors import CodecError
from harness.virtual.air_interface import Network, Terminal
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem.registration import PREFIXES, urc_line
from harness.virtual.modem.settings import Settings
from harness.virtual.modem.sim_io import SimError, SimIo
from harness.virtual.modem.sim_state import SimState


class RadioHost(Protocol):
    """What registration needs of the firmware that owns it (`Firmware` is one)."""

    card: VirtualUicc | None
    cfun: int
    network: Network
    owner: Terminal
    settings: Settings

    def require_sim(self) -> SimIo: ...
    def sim_state(self) -> SimState: ...
    def urc(self, *lines: str) -> None: ...


class Radio:
    """Registration state of one modem; `stat` is what +CREG? shows."""

    def __init__(self, firmware: RadioHost) -> None:
        self.fw = firmware
        self.stat = RegStatus.NOT_SEARCHING
        self.imsi: str | None = None  # attached under this IMSI

    @property
    def registered(self) -> bool:
        return self.stat.registered

    def try_register(self) -> None:
        """Attach when everything allows it; otherwise stay as is (no IMSI, no network)."""
        fw = self.fw
        if self.registered or fw.cfun != 1 or fw.card is None:
            return
        if fw.sim_state() is not SimState.READY:
            return
        try:
            imsi = fw.require_sim().imsi()
        except (SimError, CodecError):
            return  # the card refused the IMSI: nothing to register with
        self._set(RegStatus.SEARCHING)
        stat = fw.network.attach(imsi, fw.owner)
        self.imsi = imsi if stat.registered else None
        self._set(stat)

    def detach(self) -> None:
        """Leave the network (SIM removed, +CFUN=0/4, power cycle, +COPS=2)."""
        if self.imsi is not None:
            self.fw.network.detach(self.imsi)
            self.imsi = None
        self._set(RegStatus.NOT_SEARCHING)

    def network_update(self, stat: RegStatus) -> None:
        """The network changed our state (barring, reactivation); the attachment stays."""
        self._set(stat)

    def _set(self, stat: RegStatus) -> None:
        if stat == self.stat:
            return
        self.stat = stat
        settings = self.fw.settings
        for prefix, n in zip(
            PREFIXES, (settings.creg_n, settings.cgreg_n, settings.cereg_n), strict=True
        ):
            line = urc_line(prefix, n, stat)
            if line is not None:
                self.fw.urc(line)
