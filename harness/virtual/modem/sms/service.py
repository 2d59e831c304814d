"""The modem's SMS service: routing what arrives per +CNMI, sending what +CMGS submits.

Arrivals (27.005 §3.4.1): mt=1 stores in the preferred memory (<mem3>) and
says `+CMTI: "<mem>",<index>`; mt=2 routes the message straight to the host as
`+CMT: ,<length>` + PDU (a class 2 message is still stored); mt=3 routes class
3 only; mt=0 stores silently. Status reports per <ds>: 1 `+CDS`, 2 stored and
`+CDSI`. While <mode> is 0 the indications wait in a buffer (flushed when a
later +CNMI sets mode 1-3 with bfr=0). Nothing arrives unless the modem is
registered: the network holds the message (`receive` returns False).

With +CSMS=1 (phase 2+, 27.005 §3.2.1) a routed +CMT/+CDS waits for the TE's
+CNMA (§3.4.4); `AckWindow` keeps that rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Protocol

from harness.errors import CodecError
from harness.sms.address import Address
from harness.sms.dcs import DataCoding, MessageClass
from harness.sms.gsm7 import is_gsm7
from harness.sms.pdu import SmsPdu
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver, SmsSubmit, Tpdu, decode_tpdu
from harness.sms.userdata import UserData
from harness.sms.validity import RelativeValidity
from harness.virtual.air_interface import Network, Terminal
from harness.virtual.modem.radio import Radio
from harness.virtual.modem.replies import CmsFault, PendingPrompt
from harness.virtual.modem.settings import Settings
from harness.virtual.modem.sim_io import SimError, SimIo
from harness.virtual.modem.sim_state import SimState
from harness.virtual.modem.sms.ack import ACK_TIMEOUT_S, AckWindow, Routed
from harness.virtual.modem.sms.format import (
    STAT_TO_STATUS,
    pdu_lines,
    split_body,
    status_report_fields,
    text_header,
    user_text,
)
from harness.virtual.modem.sms.store import MessageStore, MeStore, SimStore


class SmsHost(Protocol):
    """What the SMS service needs of the firmware that owns it (`Firmware` is one)."""

    network: Network
    owner: Terminal
    radio: Radio
    settings: Settings

    def defer(self, action: Callable[[], None]) -> None: ...
    def require_sim(self) -> SimIo: ...
    def sim_state(self) -> SimState: ...
    def urc(self, *lines: str) -> None: ...


MEMORIES = ("SM", "ME")


class SmsService:
    def __init__(self, firmware: SmsHost, ack_timeout: float = ACK_TIMEOUT_S) -> None:
        self.fw = firmware
        self.me = MeStore()
        self.sent: list[SmsPdu] = []
        self.next_reference = 0
        self._held: list[str] = []  # indications buffered while +CNMI <mode> is 0
        self.ack = AckWindow(self, ack_timeout)

    def reset_volatile(self) -> None:
        self._held.clear()
        self.ack.clear()

    # --- phase 2+ acknowledgement (the AckWindow's host) ---------------------------------
    def _route(self, text: str, body: bytes, *, is_report: bool) -> None:
        """A +CMT/+CDS: acknowledged by the ME itself (+CSMS=0) or awaiting +CNMA."""
        if self.fw.settings.csms == 1:
            self.ack.route(Routed(text, body, is_report))
        else:
            self.indicate(text)

    def store_unacknowledged(self, routed: Routed, *, announce: bool) -> None:
        """After an RP-ERROR: a DELIVER kept in <mem3> (see the `ack` module); a report dropped."""
        if routed.is_report:
            return
        memory = self.fw.settings.cpms[2]
        index = self._store_arrival(memory, routed.body)
        if announce and index is not None:
            self.indicate(f'+CMTI: "{memory}",{index}')

    def routing_off(self) -> None:
        """27.005 §3.4.4: no acknowledgement in time -> <mt> and <ds> of +CNMI set to 0."""
        mode, _, bm, _, bfr = self.fw.settings.cnmi
        self.fw.settings.cnmi = (mode, 0, bm, 0, bfr)

    # --- memories ------------------------------------------------------------------
    def store(self, memory: str) -> MessageStore:
        memory = memory.upper()
        if memory == "ME":
            return self.me
        if memory == "SM":
            state = self.fw.sim_state()
            if state is not SimState.READY:
                raise CmsFault(state.cms)
            return SimStore(self.fw.require_sim())
        raise CmsFault(302)

    def service_centre(self) -> tuple[str, int] | None:
        """+CSCA from EF.SMSP record 1: (number, type of address), None when unset."""
        try:
            smsp = self.fw.require_sim().smsp()
        except (SimError, CodecError):
            return None
        if smsp.sc_address is None:
            return None
        return smsp.sc_address, smsp.sc_address_toa or 145

    # --- indications -----------------------------------------------------------------
    def indicate(self, text: str) -> None:
        if self.fw.settings.cnmi[0] == 0:
            self._held.append(text)
        else:
            self.fw.urc(text)

    def cnmi_changed(self) -> None:
        mode, _, _, _, bfr = self.fw.settings.cnmi
        if mode == 0:
            return
        held, self._held = self._held, []
        if bfr == 0:
            for text in held:
                self.fw.urc(text)

    # --- arrivals ----------------------------------------------------------------------
    def receive(self, body: bytes, deliver: SmsDeliver) -> bool:
        """An SMS-DELIVER from the network (`body` = SMSC field + TPDU)."""
        if not self.fw.radio.registered:
            return False
        self.ack.check()
        _, mt, _, _, _ = self.fw.settings.cnmi
        klass = deliver.dcs.message_class
        direct = (mt == 2 and klass is not MessageClass.CLASS_2) or (
            mt == 3 and klass is MessageClass.CLASS_3
        )
        if direct:
            self._route(self._routed("+CMT: ", body, deliver), body, is_report=False)
            return True
        memory = "SM" if klass is MessageClass.CLASS_2 else self.fw.settings.cpms[2]
        index = self._store_arrival(memory, body)
        if index is None:
            return False
        if mt != 0:
            self.indicate(f'+CMTI: "{memory}",{index}')
        return True

    def receive_report(self, body: bytes, report: SmsStatusReport) -> bool:
        if not self.fw.radio.registered:
            return False
        self.ack.check()
        ds = self.fw.settings.cnmi[3]
        if ds == 1:
            if self.fw.settings.cmgf == 1:
                text = "+CDS: " + status_report_fields(report)
            else:
                header, pdu = pdu_lines("+CDS: ", body)
                text = f"{header}\r\n{pdu}"
            self._route(text, body, is_report=True)
        elif ds == 2:
            memory = self.fw.settings.cpms[2]
            index = self._store_arrival(memory, body)
            if index is None:
                return False
            self.indicate(f'+CDSI: "{memory}",{index}')
        return True

    def _store_arrival(self, memory: str, body: bytes) -> int | None:
        try:
            return self.store(memory).write(STAT_TO_STATUS[0], body)
        except (CmsFault, SimError):
            return None

    def _routed(self, prefix: str, body: bytes, tpdu: Tpdu) -> str:
        if self.fw.settings.cmgf == 1 and isinstance(tpdu, SmsDeliver):
            return text_header(prefix, None, tpdu) + "\r\n" + user_text(tpdu, self.fw.settings.cscs)
        header, pdu = pdu_lines(prefix + ",", body)
        return f"{header}\r\n{pdu}"

    # --- sending -------------------------------------------------------------------------
    def complete_prompt(self, prompt: PendingPrompt, text: str) -> list[str]:
        """What +CMGS/+CMGW do once the text after `> ` arrives."""
        if self.fw.settings.cmgf == 1:
            pdu = self._text_submit(prompt, text)
        else:
            pdu = self._pdu_submit(prompt, text)
        if prompt.command == "+CMGW":
            status = STAT_TO_STATUS[prompt.status if prompt.status is not None else 2]
            index = self.store(self.fw.settings.cpms[1]).write(status, pdu.to_bytes())
            if index is None:
                raise CmsFault(322)  # memory full
            return [f"+CMGW: {index}"]
        return [f"+CMGS: {self.send(pdu)}"]

    def _pdu_submit(self, prompt: PendingPrompt, text: str) -> SmsPdu:
        try:
            pdu = SmsPdu.from_hex("".join(text.split()), tpdu_length=prompt.length)
        except CodecError:
            raise CmsFault(304) from None  # invalid PDU mode parameter
        if prompt.command == "+CMGS" and not isinstance(pdu.tpdu, SmsSubmit):
            raise CmsFault(304)
        return pdu

    def _text_submit(self, prompt: PendingPrompt, text: str) -> SmsPdu:
        first, vp, pid, dcs_value = self.fw.settings.csmp
        try:
            destination = Address.parse(prompt.address or "")
            dcs = DataCoding(dcs_value)
            if dcs.septet_coded and not is_gsm7(text):
                dcs = DataCoding.for_text(text)
            submit = SmsSubmit(
                destination=destination,
                user_data=UserData(text=text),
                dcs=dcs,
                pid=pid,
                validity=RelativeValidity(vp) if (first >> 3) & 0x03 == 0b10 else None,
                status_report_request=bool(first & 0x20),
            )
            submit.encode()
        except CodecError:
            raise CmsFault(305) from None  # invalid text mode parameter
        return SmsPdu(submit)

    def send(self, pdu: SmsPdu) -> int:
        """Hand an SMS-SUBMIT to the network; the TP-MR the modem gave it."""
        if not isinstance(pdu.tpdu, SmsSubmit):
            raise CmsFault(304)
        if not self.fw.radio.registered:
            raise CmsFault(331)  # no network service
        smsc = pdu.smsc
        if smsc is None:
            centre = self.service_centre()
            if centre is None:
                raise CmsFault(330)  # SMSC address unknown
            smsc = Address.parse(centre[0])
        reference = self.next_reference
        self.next_reference = (reference + 1) % 256
        sent = SmsPdu(dataclasses.replace(pdu.tpdu, message_reference=reference), smsc)
        self.sent.append(sent)
        submit = getattr(self.fw.network, "submit", None)
        imsi = self.fw.radio.imsi
        if callable(submit) and imsi is not None:
            self.fw.defer(lambda: submit(imsi, sent, self.fw.owner))
        return reference

    def decode_stored(self, body: bytes) -> Tpdu:
        return decode_tpdu(split_body(body)[1])
