"""Waiting for incoming SMS: nothing damaged handed back, nothing lost silently.

Why: a received one-time code decides a verdict, so a message reaches the
caller only when it is intact (harness.sms.integrity). A stored message that
arrived damaged on the line is read again from storage (TS 27.005 §3.4.3
+CMGR); one that stays damaged, or a routed +CMT one (not stored, so it cannot
be read again), raises `SmsIntegrityError`. A message the modem announced
while the line then dropped, or one that arrived while the modem was away
(reboot, USB re-enumeration), is looked for after the reconnection: the
announced index is read again and the storage re-listed for unread messages
(§3.4.2 +CMGL); an announced message that is gone raises `SmsLostError`.
"""

from __future__ import annotations

import logging
import time

from harness.at import Urc
from harness.at.parsers import (
    MessageHeader,
    MessageStatus,
    StoredIndication,
    parse_cds,
    parse_cdsi,
    parse_cmt,
    parse_cmti,
    parse_cpms,
)
from harness.errors import (
    CmsError,
    CodecError,
    HarnessError,
    HarnessTimeout,
    SmsIntegrityError,
    SmsLostError,
    SmsNotFoundError,
    TransportError,
)
from harness.modem.sms import (
    INCOMING_REPORT,
    INCOMING_SMS,
    LongMessage,
    SmsMessage,
    SmsOps,
    decode_message,
)
from harness.sms.concat import Incomplete, concat_key, reassemble
from harness.sms.tpdu import SmsDeliver

log = logging.getLogger(__name__)

READS = 3
"""Reads of one stored message before it is declared damaged."""
_CMS_INVALID_INDEX = 321  # TS 27.005 §3.2.5: invalid memory index (an empty slot)
_REOPEN_S = 10.0  # how long a vanished port may take to come back


class SmsReceiveOps(SmsOps):
    """`wait_for_sms`, `read_announced`, `wait_for_status_report` and `wait_for_message`
    with the guarantees above."""

    def wait_for_sms(self, timeout: float = 60.0) -> SmsMessage:
        """The next incoming message, intact (+CMTI then +CMGR, or +CMT with its PDU).

        Raises `HarnessTimeout` when none came, `SmsIntegrityError` when one came
        damaged and could not be read intact, `SmsLostError` when an announced one is
        gone. A port that vanishes meanwhile is reopened (when opened by path) and the
        storage re-listed, so a message that arrived meanwhile is still found.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                message = self._next_incoming(deadline, timeout)
            except TransportError as exc:
                if time.monotonic() >= deadline:
                    raise
                self._reconnect(exc, deadline)
                continue
            if message is not None:
                return message

    def read_announced(self, urc: Urc) -> SmsMessage:
        """The message an INCOMING_SMS URC announced, intact: read from storage (+CMTI,
        read again while damaged), or decoded from the PDU that came with it (+CMT)."""
        if urc.line.startswith("+CMTI:"):
            where = parse_cmti(urc.line)
            self._incoming.unread.append(where)
            return self._read_owed(where, fresh=True)
        try:
            header = parse_cmt(urc.line)
        except CodecError:
            self._acknowledge_routed(positive=False)  # RP-ERROR: the network sends it again
            raise
        message = decode_message(header, urc.data, None)
        self._acknowledge_routed(positive=message.intact)  # phase 2+ only (harness.modem.sms)
        if not message.intact:
            raise SmsIntegrityError(
                f"{self.name}: a routed message (+CMT) arrived damaged ({message.error}); it "
                f"was not stored, so it cannot be read again. Check the line (cable, baud "
                f"rate) and have it sent again; +CNMI=2,1 stores messages so they can be re-read"
            )
        return message

    def wait_for_status_report(self, timeout: float = 60.0) -> SmsMessage:
        """The next status report, intact: +CDSI then +CMGR (read again while damaged),
        or a routed +CDS with its PDU, acknowledged (TS 27.005 §3.4.4). In phase 2+ a
        damaged +CDS (header or PDU) is answered RP-ERROR (AT+CNMA=2), so the network
        sends it again, and the wait goes on; `SmsIntegrityError` when the deadline
        passes after one came damaged, or at once in phase 1 (the modem acknowledged
        it itself: no copy follows). A delivery verdict is never built on a damaged
        report. A vanished port raises TransportError: a reconnection sets the modem
        up again without routing, so call route_sms_to_terminal again."""
        self._ensure_pdu_mode()
        deadline = time.monotonic() + timeout
        damaged: str | None = None
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                urc = self.at.wait_for(INCOMING_REPORT, remaining)
            except HarnessTimeout:
                break
            if urc.line.startswith("+CDSI:"):
                return self._read_stored_report(parse_cdsi(urc.line))
            message, damaged = self._take_routed_report(urc)
            if message is not None:
                return message
            log.warning("%s: a routed status report came damaged (%s)", self.name, damaged)
            if not self._acknowledge:
                break
        if damaged is not None:
            raise SmsIntegrityError(
                f"{self.name}: a routed status report (+CDS) came damaged ({damaged}) and no "
                f"intact copy followed within {timeout:g} s. Check the line (cable, baud rate)"
            )
        raise HarnessTimeout(f"{self.name}: no status report within {timeout:g} s")

    def _read_stored_report(self, where: StoredIndication) -> SmsMessage:
        message = self._read_intact(where, fresh=False)
        if message.status_report is None:
            raise SmsIntegrityError(
                f"{self.name}: +CDSI named {where.memory} #{where.index}, which holds no "
                f"status report: the indication was damaged on the line"
            )
        return message

    def _take_routed_report(self, urc: Urc) -> tuple[SmsMessage | None, str]:
        """(the intact report, "") or (None, what was damaged); acknowledged either way."""
        try:
            message = decode_message(_report_header(self.name, urc.line), urc.data, None)
        except CodecError as exc:  # the +CDS header itself
            self._acknowledge_routed(positive=False)
            return None, str(exc)
        intact = message.intact and message.status_report is not None
        self._acknowledge_routed(positive=intact)
        return (message, "") if intact else (None, message.error or "not a status report")

    def wait_for_message(self, timeout: float = 60.0) -> LongMessage:
        """The next complete message: concatenated parts are collected and joined.
        Two copies of one part that differ mean one is damaged: `SmsIntegrityError`."""
        deadline = time.monotonic() + timeout
        pending: dict[object, list[SmsMessage]] = {}
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HarnessTimeout(
                    f"{self.name}: no complete message within {timeout:g} s "
                    f"({sum(len(p) for p in pending.values())} parts of unfinished ones)"
                )
            message = self.wait_for_sms(remaining)
            tpdu = message.tpdu
            if not isinstance(tpdu, SmsDeliver):
                continue
            key = concat_key(tpdu)
            if key is None:
                return LongMessage(tpdu.text, message.sender, (message,))
            parts = pending.setdefault(key, [])
            parts.append(message)
            _check_duplicates(self.name, parts)
            joined = reassemble([p.tpdu for p in parts if isinstance(p.tpdu, SmsDeliver)])
            if not isinstance(joined, Incomplete):
                del pending[key]
                return LongMessage(joined.text, message.sender, tuple(parts))

    # ---- internals -------------------------------------------------------------------

    def _next_incoming(self, deadline: float, timeout: float) -> SmsMessage | None:
        """One step of the wait: what is owed first, then the next URC (None: skip it)."""
        self._ensure_pdu_mode()
        state = self._incoming
        if state.rescan_due:
            self._rescan()
        if state.unread:
            return self._hand_back(self._read_owed(state.unread[0], fresh=False))
        if state.recovered:
            return self._hand_back(state.recovered.pop(0))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise HarnessTimeout(f"{self.name}: no SMS within {timeout:g} s")
        urc = self.at.wait_for(INCOMING_SMS, remaining)
        if urc.line.startswith("+CMTI:"):
            try:
                where = parse_cmti(urc.line)
            except CodecError as exc:  # the indication itself was damaged: look in storage
                log.warning("%s: damaged +CMTI (%s); re-listing the storage", self.name, exc)
                state.rescan_due = True
                return None
            if (where.memory, where.index) in state.returned:
                return None  # already handed back after a re-listing
        return self._hand_back(self.read_announced(urc))

    def _read_owed(self, where: StoredIndication, *, fresh: bool) -> SmsMessage:
        """Read an announced message; it stays owed only when the line failed (to be
        read after the reconnection): a verdict on it (intact, damaged, gone) settles it."""
        try:
            message = self._read_intact(where, fresh=fresh)
        except TransportError:
            raise
        except HarnessError:
            self._incoming.unread.remove(where)
            raise
        self._incoming.unread.remove(where)
        return message

    def _hand_back(self, message: SmsMessage) -> SmsMessage:
        """Record what is handed back; a re-listed copy of the same slot is dropped, so
        it is not handed back twice (and its index not used after a delete refilled it)."""
        if message.index is not None:
            state = self._incoming
            key = (message.memory, message.index)
            state.returned.add(key)
            state.recovered = [m for m in state.recovered if (m.memory, m.index) != key]
        return message

    def _read_intact(self, where: StoredIndication, *, fresh: bool) -> SmsMessage:
        """Read a stored message until it comes intact; `fresh`: just announced, so its
        first read must find it unread (else the index itself may be damaged)."""
        problems: list[str] = []
        empty = 0
        for attempt in range(READS):
            try:
                message = self._read_indicated(where)
            except SmsNotFoundError as exc:
                empty += 1
                problems.append(str(exc))
                continue
            except CmsError as exc:
                empty += exc.code == _CMS_INVALID_INDEX
                problems.append(str(exc))
                continue
            except (CodecError, HarnessTimeout) as exc:  # a damaged or cut answer
                problems.append(str(exc))
                continue
            except TransportError:
                raise  # the indication stays owed: read again after the reconnection
            except HarnessError as exc:
                problems.append(str(exc))
                continue
            if not message.intact:
                problems.append(message.error or "no PDU")
                continue
            if fresh and attempt == 0 and message.status is MessageStatus.REC_READ:
                return self._unread_instead(where)
            return message
        if empty == READS:
            raise SmsLostError(
                f"{self.name}: the message announced at {where.memory} #{where.index} is gone "
                f"from storage (deleted, or lost when the modem restarted); ask for it again"
            )
        raise SmsIntegrityError(
            f"{self.name}: the message at {where.memory} #{where.index} came damaged "
            f"{READS} times ({problems[-1]}); it is still stored there. Check the line "
            f"(cable, baud rate, USB hub) and read it again (AT+CMGR={where.index})"
        )

    def _unread_instead(self, where: StoredIndication) -> SmsMessage:
        """An announced index that holds a message already read: the +CMTI was damaged
        (a digit lost) or another client read it. The unread ones in storage tell."""
        self._rescan()
        state = self._incoming
        if state.recovered:
            return state.recovered.pop(0)
        raise SmsIntegrityError(
            f"{self.name}: +CMTI named {where.memory} #{where.index}, which holds a message "
            f"already read, and no unread message is stored: the indication was damaged on "
            f"the line or another client read the message. List the storage (AT+CMGL=4)"
        )

    def _rescan(self) -> None:
        """Unread messages in storage, intact ones queued to hand back (damaged ones are
        read again one by one)."""
        state = self._incoming
        if self._read_memory is None:  # after a restart: where the modem stores arrivals
            self.set_sms_storage(self._receive_memory())
        listed = self.list_sms(MessageStatus.REC_UNREAD)  # fails: still due next time
        state.rescan_due = False
        for message in listed:
            key = (message.memory, message.index)
            if message.index is None or key in state.returned:
                continue
            if any(m.index == message.index for m in state.recovered):
                continue
            if message.intact:
                state.recovered.append(message)
            elif message.memory is not None:
                state.unread.append(StoredIndication(message.memory, message.index))

    def _receive_memory(self) -> str:
        """<mem3> of AT+CPMS? (TS 27.005 §3.2.2), where received messages are stored;
        "SM" when the modem does not say."""
        response = self.command("AT+CPMS?", prefixes=("+CPMS:",))
        lines = response.with_prefix("+CPMS:")
        usage = parse_cpms(lines[0]) if lines else []
        if len(usage) >= 3 and usage[2].memory:
            return usage[2].memory
        return "SM"

    def _reconnect(self, cause: TransportError, deadline: float) -> None:
        """The port vanished while waiting: reopen it and set the modem up again."""
        owed = ", ".join(f"{w.memory} #{w.index}" for w in self._incoming.unread)
        try:
            self.reattach(max(min(deadline - time.monotonic(), _REOPEN_S), 0.0))
            self.initialise()
        except HarnessError as exc:
            lost = f"; announced but not read: {owed}" if owed else ""
            raise SmsLostError(
                f"{self.name}: the port vanished while waiting for SMS ({cause}) and did not "
                f"come back ({exc}){lost}. Messages stay in the modem's storage: reconnect "
                f"and list them (Modem.list_sms, AT+CMGL=4)"
            ) from None
        log.info("%s: reconnected while waiting for SMS; re-listing the storage", self.name)


def _report_header(name: str, line: str) -> MessageHeader:
    """The header of a PDU-mode +CDS: <length> (TS 27.005 §3.4.1)."""
    length = parse_cds(line)
    if not isinstance(length, int):
        raise CodecError(f"{name}: a text-mode +CDS in PDU mode: {line!r}")
    return MessageHeader(index=None, status=None, alpha=None, length=length)


def _check_duplicates(name: str, parts: list[SmsMessage]) -> None:
    seen: dict[int, str] = {}
    for part in parts:
        tpdu = part.tpdu
        header = tpdu.user_data.header if isinstance(tpdu, SmsDeliver) else None
        concat = header.concatenation if header is not None else None
        if concat is None or not isinstance(tpdu, SmsDeliver):
            continue
        if seen.setdefault(concat.sequence, tpdu.text) != tpdu.text:
            raise SmsIntegrityError(
                f"{name}: two copies of part {concat.sequence} of {concat.total} differ: one "
                f"was damaged on the line. Have the message sent again"
            )
