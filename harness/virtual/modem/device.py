"""`VirtualModem`: a simulated cellular modem on a pseudo-terminal or a 127.0.0.1 TCP port.

The public face of the simulator. It owns the firmware, the ports and the
I/O thread; the device events a lab needs (SIM hot-plug, power cycle, USB
re-enumeration, an SMS arriving from the network) are methods here. Every
method that changes state runs on the modem's I/O thread, so the firmware
sees one caller at a time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from harness.at.parsers.registration import RegStatus
from harness.errors import ConfigError
from harness.sms.address import Address, encode_smsc
from harness.sms.pdu import SmsPdu
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver
from harness.transcript import Channel, Direction, Transcript
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem.commands.standard import STANDARD_COMMANDS
from harness.virtual.modem.faults import FaultConfig, OutputShaper
from harness.virtual.modem.firmware import Firmware
from harness.virtual.modem.network import DefaultNetwork, Network
from harness.virtual.modem.personalities import PERSONALITIES, Personality
from harness.virtual.modem.ports import Connection, IoLoop, open_listener, open_pty
from harness.virtual.modem.session import AtSession
from harness.virtual.modem.sms.ack import ACK_TIMEOUT_S

log = logging.getLogger(__name__)
T = TypeVar("T")

FALLBACK_SMSC = "+15550000000"


class VirtualModem:
    """One modem. `card` None starts it with an empty SIM holder."""

    def __init__(
        self,
        card: VirtualUicc | None,
        *,
        personality: str = "generic",
        imei: str = "356938035643809",
        faults: FaultConfig | None = None,
        network: Network | None = None,
        cnma_timeout: float = ACK_TIMEOUT_S,
        trace: Transcript | None = None,
        trace_note: str = "modem",
    ) -> None:
        """`cnma_timeout`: seconds a +CMT/+CDS routed in phase 2+ waits for +CNMA (27.005
        §3.4.4) before the modem answers the network RP-ERROR and turns routing off.
        `trace`: every port's traffic is recorded there (masked, harness.transcript), host
        bytes as TX and the firmware's as RX (before any byte-level fault shapes them),
        noted "<trace_note> <port>"."""
        if personality not in PERSONALITIES:
            raise ConfigError(
                f"unknown modem personality {personality!r}; choose one of "
                f"{', '.join(sorted(PERSONALITIES))}"
            )
        self.faults = faults or FaultConfig()
        self.imei = imei
        self._trace = trace
        self._trace_note = trace_note
        self._lock = threading.RLock()
        self._loop = IoLoop(self._lock, name=f"virtual-modem-{personality}-{imei[-4:]}")
        self._pty: Connection | None = None
        self._link: Path | None = None
        self._listener: socket.socket | None = None
        self._salt = 0
        self._closed = False
        self._personality = PERSONALITIES[personality]
        self._fw = Firmware(
            self._personality,
            commands=STANDARD_COMMANDS,
            imei=imei,
            card=card,
            network=network if network is not None else self._default_network(),
            faults=self.faults,
            owner=self,
            urc_sink=self._broadcast,
            ack_timeout=cnma_timeout,
        )
        self._loop.start()
        self._do(self._fw.radio.try_register)  # once `self` is whole: a network may call back

    # --- ports ---------------------------------------------------------------------
    def start_pty(self, link: Path | None = None) -> str:
        """Open the AT port on a new pseudo-terminal; `link` becomes a symlink to it."""

        def start() -> str:
            if self._pty is not None:
                raise RuntimeError(f"the pty is already open at {self._pty.path}")
            self._pty = self._open_pty()
            self._link = Path(link) if link is not None else None
            self._point_link()
            assert self._pty.path is not None
            return self._pty.path

        return self._loop.call(start)

    def start_tcp(self, port: int = 0) -> int:
        """Listen for AT connections on 127.0.0.1:`port` (0 picks one); the bound port."""

        def start() -> int:
            if self._listener is not None:
                raise RuntimeError("the TCP port is already open")
            listener = open_listener(port)
            self._listener = listener
            self._loop.listeners.append((listener, self._accept))
            return int(listener.getsockname()[1])

        return self._loop.call(start)

    @property
    def port_path(self) -> str | None:
        """The pty slave a host opens now (it changes on reboot); None before start_pty."""
        with self._lock:
            return self._pty.path if self._pty is not None else None

    @property
    def link(self) -> Path | None:
        return self._link

    def close(self) -> None:
        """Unplug: ports closed, the symlink removed, the subscriber detached."""
        if self._closed:
            return
        self._closed = True

        def shut() -> None:
            self._fw.radio.detach()
            self._drop_ports(reopen=False)
            if self._link is not None and self._link.is_symlink():
                with contextlib.suppress(OSError):
                    self._link.unlink()

        self._loop.call(shut)
        self._loop.stop()

    def __enter__(self) -> VirtualModem:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- device events -------------------------------------------------------------
    def insert_sim(self, card: VirtualUicc) -> None:
        self._do(lambda: self._fw.insert_sim(card))

    def remove_sim(self) -> VirtualUicc | None:
        return self._do(self._fw.remove_sim)

    def power_cycle(self) -> None:
        """Power off and on: the SIM loses its verified state, settings go back to defaults,
        registration drops and is attempted again. The port stays open."""
        self._do(self._fw.restart)

    def reboot(self) -> None:
        """Like `power_cycle`, and the port drops and comes back (USB re-enumeration):
        the old pty is closed and a new one opened, the symlink re-pointed."""

        def run() -> None:
            self._drop_ports(reopen=True)
            self._fw.restart()

        self._do(run)

    def set_registration(self, stat: RegStatus) -> None:
        """For a network: change what +CREG shows (barring, reactivation)."""
        self._do(lambda: self._fw.radio.network_update(stat))

    # --- SMS from and to the network -------------------------------------------------------
    def deliver_sms(
        self, pdu: SmsDeliver | bytes, *, smsc: str | None = None, imsi: str | None = None
    ) -> bool:
        """An SMS-DELIVER (object or TPDU bytes) arrives from the network.

        Stored and/or indicated per +CNMI; False when the modem cannot take it (not
        registered, memory full, or — given `imsi` — no longer attached under that
        IMSI): the network keeps it for later.
        """
        tpdu = pdu.encode() if isinstance(pdu, SmsDeliver) else bytes(pdu)
        deliver = SmsDeliver.decode(tpdu)  # a CodecError here is the caller's bad PDU

        def run() -> bool:
            if not self._attached_as(imsi):
                return False
            return self._fw.sms.receive(self._with_smsc(tpdu, smsc), deliver)

        return self._do(run)

    def deliver_status_report(
        self,
        report: SmsStatusReport | bytes,
        *,
        smsc: str | None = None,
        imsi: str | None = None,
    ) -> bool:
        """An SMS-STATUS-REPORT for an earlier submit; routed per +CNMI <ds>."""
        tpdu = report.encode() if isinstance(report, SmsStatusReport) else bytes(report)
        decoded = SmsStatusReport.decode(tpdu)

        def run() -> bool:
            if not self._attached_as(imsi):
                return False
            return self._fw.sms.receive_report(self._with_smsc(tpdu, smsc), decoded)

        return self._do(run)

    def _attached_as(self, imsi: str | None) -> bool:
        """Registered, and (when the network names one) under that IMSI; on the I/O thread."""
        radio = self._fw.radio
        return radio.registered and (imsi is None or radio.imsi == imsi)

    @property
    def sent_messages(self) -> list[SmsPdu]:
        """SMS-SUBMITs the modem sent (+CMGS/+CMSS), with the TP-MR it gave each."""
        with self._lock:
            return list(self._fw.sms.sent)

    @property
    def registration(self) -> RegStatus:
        with self._lock:
            return self._fw.radio.stat

    @property
    def card(self) -> VirtualUicc | None:
        with self._lock:
            return self._fw.card

    @property
    def personality(self) -> Personality:
        return self._personality

    # --- internals -----------------------------------------------------------------
    def _do(self, fn: Callable[[], T]) -> T:
        def run() -> T:
            result = fn()
            self._fw.run_deferred()
            return result

        return self._loop.call(run)

    def _with_smsc(self, tpdu: bytes, smsc: str | None) -> bytes:
        if smsc is None:
            centre = self._fw.sms.service_centre()
            smsc = centre[0] if centre is not None else FALLBACK_SMSC
        return encode_smsc(Address.parse(smsc)) + tpdu

    def _shaper(self) -> OutputShaper:
        self._salt += 1
        return OutputShaper(self.faults, self._salt)

    def _attach_session(self, connection: Connection) -> None:
        label = f"{self._trace_note} {connection.path or f'tcp#{connection.fd}'}"
        trace = self._trace
        on_input = None
        if trace is not None:

            def on_input(data: bytes) -> None:
                trace.record(Channel.AT, Direction.TX, data, label)

        connection.session = AtSession(
            self._fw,
            send=lambda data: self._send_to(connection, data),
            on_fault=self._on_fault,
            on_input=on_input,
        )
        connection.label = label
        self._loop.add(connection)

    def _send_to(self, connection: Connection, data: bytes) -> None:
        if self._trace is not None and connection.live and data:
            self._trace.record(Channel.AT, Direction.RX, data, connection.label)
        self._loop.send(connection, data)

    def _default_network(self) -> DefaultNetwork:
        """The stand-in network; the `status_report_burst` fault drops its report delay."""
        return DefaultNetwork(report_delay=0.0 if self.faults.status_report_burst else None)

    def _open_pty(self) -> Connection:
        connection = open_pty(self._shaper())
        self._attach_session(connection)
        log.info("virtual modem %s: AT port %s", self.imei, connection.path)
        return connection

    def _accept(self, client: socket.socket) -> None:
        client.setblocking(False)
        connection = Connection(client.fileno(), self._shaper(), sock=client)
        self._attach_session(connection)

    def _point_link(self) -> None:
        """Atomically (re)point the symlink at the current pty."""
        if self._link is None or self._pty is None or self._pty.path is None:
            return
        temporary = self._link.with_name(f".{self._link.name}.{os.getpid()}.tmp")
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        temporary.symlink_to(self._pty.path)
        os.replace(temporary, self._link)

    def _drop_ports(self, *, reopen: bool) -> None:
        """The USB device goes away: pty and TCP clients closed; with `reopen`, a new pty."""
        old = self._pty
        if old is not None:
            self._pty = self._open_pty() if reopen else None  # new first: a different path
            self._point_link()
            if reopen:
                self._loop.retire(old)
            else:
                self._loop.remove(old)
        for connection in list(self._loop.connections):
            if connection.is_pty:
                continue
            if reopen:
                self._loop.retire(connection)
            else:
                self._loop.remove(connection)

    def _on_fault(self, kind: str) -> None:
        log.info("virtual modem %s: fault %s mid-command", self.imei, kind)
        self._drop_ports(reopen=True)
        if kind == "reboot":
            self._fw.restart()

    def _broadcast(self, data: bytes) -> None:
        for connection in list(self._loop.connections):
            if connection.live:
                self._send_to(connection, data)
