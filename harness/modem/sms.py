"""SMS through the modem in PDU mode (TS 27.005 §3; docs/sources.md §3, §5).

The driver always works in PDU mode (AT+CMGF=0): a PDU means the same on
every modem, while text mode depends on +CSCS and +CSDH. Messages come back
as `SmsMessage` values decoded by harness.sms; a PDU the codec cannot read
(ZTE's status report with a wrong SMSC length, docs/sources.md §R) is kept with
its hex and the reason instead of failing a whole listing.

Incoming messages: `wait_for_sms` turns on +CNMI indications and takes
`+CMTI: "<mem>",<index>` (stored: read with +CMGR) and `+CMT: ,<len>` + PDU
(routed) from the channel's URC queue, so one that arrived before the call
is not lost.

Routing to the terminal in phase 2+ (`route_sms_to_terminal`): AT+CSMS=1 and
+CNMI <mt>=2, <ds>=1, so messages come as +CMT and status reports as +CDS and
each must be acknowledged with AT+CNMA (27.005 §3.4.4) — the driver does so as
it takes them (AT+CNMA=2, RP-ERROR, for a damaged one, so the network sends it
again). The modem waits only the network timeout (TS 24.011 TR2M, some 12-20 s)
and then turns routing off and answers the network RP-ERROR, so call
`wait_for_sms`/`wait_for_status_report` promptly in that mode.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass, field

from harness.at.parsers import (
    MemoryUsage,
    MessageHeader,
    MessageStatus,
    StoredIndication,
    parse_cmgl,
    parse_cmgr,
    parse_cpms,
)
from harness.at.parsers.fields import payload, to_int
from harness.errors import CmsError, CodecError, HarnessError, SmsNotFoundError
from harness.modem.session import ModemSession
from harness.sms.address import Address
from harness.sms.concat import submit_parts
from harness.sms.integrity import pdu_problem
from harness.sms.pdu import SmsPdu
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver, SmsSubmit, Tpdu
from harness.sms.validity import Validity

log = logging.getLogger(__name__)

INCOMING_SMS = re.compile(r"^\+CMTI?:")
"""The URCs that announce a new message: +CMTI (stored) and +CMT (routed with its PDU)."""
INCOMING_REPORT = re.compile(r"^\+CDSI?:")
"""The URCs that announce a status report: +CDSI (stored) and +CDS (routed with its PDU)."""
_CNMI = "AT+CNMI=2,1,0,0,0"  # buffer while busy; store class 0/1 and say +CMTI
_CNMI_ROUTED = "AT+CNMI=2,2,0,1,0"  # 27.005 §3.4.1: +CMT and +CDS straight to the TE


@dataclass(frozen=True)
class SmsMessage:
    """One message as the modem gave it: where it is stored (None for +CMT), its
    status, the PDU hex and the decoded PDU. `error` says what was wrong: with `pdu`
    None nothing decoded; with a `pdu`, only a tolerant decode (e.g. a <length> that
    did not match) succeeded, or the PDU decoded but failed an integrity check
    (harness.sms.integrity). Only an `intact` message may be believed."""

    index: int | None
    status: MessageStatus | None
    memory: str | None
    pdu_hex: str
    pdu: SmsPdu | None
    error: str | None = None

    @property
    def intact(self) -> bool:
        """Decoded, and every length and bit it carries agrees (nothing to doubt)."""
        return self.pdu is not None and self.error is None

    @property
    def tpdu(self) -> Tpdu | None:
        return self.pdu.tpdu if self.pdu is not None else None

    @property
    def text(self) -> str:
        """The user text of a DELIVER or SUBMIT ('' for a status report or no PDU)."""
        tpdu = self.tpdu
        return tpdu.text if isinstance(tpdu, SmsDeliver | SmsSubmit) else ""

    @property
    def sender(self) -> str | None:
        tpdu = self.tpdu
        return str(tpdu.originator) if isinstance(tpdu, SmsDeliver) else None

    @property
    def status_report(self) -> SmsStatusReport | None:
        tpdu = self.tpdu
        return tpdu if isinstance(tpdu, SmsStatusReport) else None


@dataclass(frozen=True)
class LongMessage:
    """A concatenated message put back together (or a single one)."""

    text: str
    sender: str | None
    parts: tuple[SmsMessage, ...]


def decode_message(
    header: MessageHeader, data: str | None, memory: str | None, index: int | None = None
) -> SmsMessage:
    """A PDU-mode header + data line -> SmsMessage; strict first, then tolerant."""
    hex_text = (data or "").strip()
    where = index if index is not None else header.index
    if not hex_text:
        return SmsMessage(where, header.status, memory, "", None, "no PDU line")
    # "+CMT: 0" (Android emulator) gives no real <length>: decode without the check.
    length = header.length or None
    try:
        pdu = SmsPdu.from_hex(hex_text, tpdu_length=length)
    except CodecError as exc:
        error = str(exc)
    else:
        problem = pdu_problem(hex_text, length)
        return SmsMessage(where, header.status, memory, hex_text, pdu, problem)
    for with_smsc in (True, False):  # <length> wrong, or no SMSC field at all
        try:
            pdu = SmsPdu.from_hex(hex_text, with_smsc=with_smsc)
        except CodecError:
            continue
        return SmsMessage(where, header.status, memory, hex_text, pdu, error)
    return SmsMessage(where, header.status, memory, hex_text, None, error)


@dataclass
class IncomingState:
    """What the receiving side remembers across calls (and across a reconnection).

    `unread`: announced by +CMTI but not yet handed back (a read cut short by the
    line); `recovered`: found by re-listing the storage, handed back first;
    `returned`: (memory, index) already handed back, so a late +CMTI for one of them
    is not taken for a new message; `configured_once`: a later set-up is a
    re-set-up (after a reset or a reconnection): `rescan_due` until the next wait
    re-lists the storage.
    """

    unread: list[StoredIndication] = field(default_factory=list)
    recovered: list[SmsMessage] = field(default_factory=list)
    returned: set[tuple[str | None, int]] = field(default_factory=set)
    configured_once: bool = False
    rescan_due: bool = False


class SmsOps(ModemSession):
    """Storage, listing, reading, deleting, sending and waiting for SMS."""

    _read_memory: str | None = None
    _concat_reference: int | None = None
    _acknowledge: bool = False  # phase 2+ routing: each +CMT/+CDS owes an AT+CNMA

    def set_sms_mode(self, pdu: bool = True) -> None:
        """AT+CMGF=0 (PDU) or 1 (text). The driver's own calls need PDU mode."""
        self.command(f"AT+CMGF={0 if pdu else 1}")
        self._sms_ready = pdu and self._sms_ready

    def set_sms_storage(
        self, read: str = "SM", write: str | None = None, receive: str | None = None
    ) -> list[MemoryUsage]:
        """AT+CPMS: memories for reading/deleting, writing/sending and receiving.
        Only the ones given are sent (Wavecom accepts two, docs/sources.md §R)."""
        memories = [m for m in (read, write, receive) if m is not None]
        if receive is not None and write is None:
            raise ValueError("give `write` when giving `receive` (+CPMS is positional)")
        args = ",".join(f'"{m}"' for m in memories)
        response = self.command(f"AT+CPMS={args}", prefixes=("+CPMS:",))
        self._read_memory = read
        lines = response.with_prefix("+CPMS:")
        return parse_cpms(lines[0]) if lines else []

    def list_sms(self, status: MessageStatus = MessageStatus.ALL) -> list[SmsMessage]:
        """AT+CMGL=<stat> on the read memory."""
        self._ensure_pdu_mode()
        response = self.command(f"AT+CMGL={int(status)}", prefixes=("+CMGL:",))
        out: list[SmsMessage] = []
        lines = response.lines
        position = 0
        while position < len(lines):
            line = lines[position]
            position += 1
            if not line.startswith("+CMGL:"):
                continue
            header = parse_cmgl(line)
            data = None
            if position < len(lines) and not lines[position].startswith("+CMGL:"):
                data = lines[position]
                position += 1
            if not isinstance(header, MessageHeader):
                raise CodecError(f"{self.name}: a text-mode +CMGL answer in PDU mode: {line!r}")
            out.append(decode_message(header, data, self._read_memory))
        return out

    def read_sms(self, index: int) -> SmsMessage:
        """AT+CMGR=<index>; reading an unread message marks it read (27.005 §3.4.3)."""
        self._ensure_pdu_mode()
        response = self.command(f"AT+CMGR={index}", prefixes=("+CMGR:",))
        for position, line in enumerate(response.lines):
            if line.startswith("+CMGR:"):
                header = parse_cmgr(line)
                if not isinstance(header, MessageHeader):
                    raise CodecError(f"{self.name}: a text-mode +CMGR answer in PDU mode")
                data = response.lines[position + 1] if position + 1 < len(response.lines) else None
                return decode_message(header, data, self._read_memory, index)
        raise SmsNotFoundError(f"{self.name}: AT+CMGR={index} found no message (empty slot)")

    def delete_sms(self, index: int) -> None:
        """AT+CMGD=<index>."""
        try:
            self.command(f"AT+CMGD={index}")
        finally:  # a delete cut short may still have happened: the slot may be reused
            self._forget_returned(index)

    def delete_all_sms(self) -> None:
        """AT+CMGD=1,4: every message of the read memory."""
        try:
            self.command("AT+CMGD=1,4")
        finally:
            self._forget_returned(None)

    def _forget_returned(self, index: int | None) -> None:
        """A deleted slot may be reused: a later +CMTI for it is a new message (see
        harness.modem.sms_receive)."""
        state = self._incoming
        if index is None:
            state.returned.clear()
            state.recovered.clear()
        else:
            state.returned.discard((self._read_memory, index))
            state.recovered = [m for m in state.recovered if m.index != index]

    @property
    def _incoming(self) -> IncomingState:
        state: IncomingState | None = self.__dict__.get("_incoming_state")
        if state is None:
            state = self.__dict__["_incoming_state"] = IncomingState()
        return state

    def send_sms(
        self,
        number: str,
        text: str,
        *,
        status_report: bool = False,
        validity: Validity | None = None,
    ) -> list[int]:
        """Send `text` to `number` ('+' for international), split into as many parts as it
        needs; returns the message reference (TP-MR) of each part."""
        parts = submit_parts(
            Address.parse(number),
            text,
            reference=self._next_concat_reference(),
            validity=validity,
            status_report_request=status_report,
        )
        return [self.send_pdu(part) for part in parts]

    def send_pdu(self, submit: SmsSubmit, smsc: Address | None = None) -> int:
        """AT+CMGS=<tpdu length> then the PDU; returns +CMGS <mr>."""
        self._ensure_pdu_mode()
        pdu = SmsPdu(submit, smsc)
        response = self.command(
            f"AT+CMGS={pdu.tpdu_length}", prefixes=("+CMGS:",), pdu=pdu.to_hex()
        )
        lines = response.with_prefix("+CMGS:")
        if not lines:
            raise CodecError(f"{self.name}: AT+CMGS answered OK without +CMGS: <mr>")
        return to_int(payload(lines[0], "+CMGS:").split(",")[0], lines[0], "+CMGS <mr>")

    def enable_sms_indications(self) -> None:
        """PDU mode and +CNMI=2,1: new messages are stored and announced by +CMTI."""
        self._ensure_pdu_mode()

    def route_sms_to_terminal(self, *, phase2plus: bool = True) -> None:
        """+CMT/+CDS routed to the host instead of stored (+CNMI=2,2,0,1,0).

        With `phase2plus` (AT+CSMS=1, 27.005 §3.2.1) the host acknowledges each one
        with AT+CNMA, which this driver does when it takes the message; a modem whose
        +CSMS answer shows no phase 2+ mobile-terminated support (<mt> 0) is refused
        with HarnessError rather than left silently acknowledging on its own.
        """
        self._ensure_pdu_mode()
        if phase2plus:
            response = self.command("AT+CSMS=1", prefixes=("+CSMS:",))
            lines = response.with_prefix("+CSMS:")
            fields = payload(lines[0], "+CSMS:").split(",") if lines else []
            if not fields or fields[0].strip() != "1":
                raise HarnessError(
                    f"{self.name}: AT+CSMS=1 answered {lines or 'nothing'}: no phase 2+ "
                    "support for mobile-terminated SMS; use route_sms_to_terminal("
                    "phase2plus=False) or the stored route (+CMTI)"
                )
        else:
            self.command("AT+CSMS=0")
        self.command(_CNMI_ROUTED)
        self._acknowledge = phase2plus

    # ---- internals -------------------------------------------------------------------

    def _ensure_pdu_mode(self) -> None:
        if self._sms_ready:
            return
        self._acknowledge = False  # (re)started: +CSMS is back at 0, routing at the default
        self.command("AT+CMGF=0")
        if self.try_command(_CNMI) is None:
            self.try_command("AT+CNMI=2,1")
        self._sms_ready = True
        state = self._incoming
        # A second set-up follows a reset or reconnection: an indication sent while the
        # modem was away is lost, so the next wait re-lists the storage.
        state.rescan_due = state.configured_once
        state.configured_once = True

    def _acknowledge_routed(self, *, positive: bool = True) -> None:
        """27.005 §3.4.4: in phase 2+ the TE acknowledges each routed +CMT/+CDS, RP-ACK
        (AT+CNMA) or, for a damaged one, RP-ERROR (AT+CNMA=2) so the network keeps it.
        A CMS 340 means the modem expected none (it timed out, or acknowledged itself)."""
        if not self._acknowledge:
            return
        try:
            self.command("AT+CNMA" if positive else "AT+CNMA=2")
        except CmsError as exc:
            if exc.code != 340:
                raise
            log.warning("%s: AT+CNMA: the modem expected no acknowledgement", self.name)

    def _read_indicated(self, where: StoredIndication) -> SmsMessage:
        if self._read_memory != where.memory:
            try:
                self.set_sms_storage(where.memory)
            except HarnessError as exc:
                log.warning("%s: cannot select %s (%s); reading anyway", self.name, where, exc)
        return self.read_sms(where.index)

    def _next_concat_reference(self) -> int:
        if self._concat_reference is None:
            self._concat_reference = random.randrange(256)
        self._concat_reference = (self._concat_reference + 1) % 256
        return self._concat_reference
