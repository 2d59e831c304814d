"""The state the virtual network's parts share under one lock, and the delivery engine.

`NetworkCore` holds the lines, the modems attached under each IMSI, the SMSC
queues, coverage and the event log. Delivery (`flush`) hands the head of a
line's queue to the modem attached with the SIM bound to that line, one
message at a time and one flusher per line; the lock is released while the
modem is called (its I/O thread may be calling us back), and an operator
action waits (`wait_quiet`) for a delivery in flight on the line to finish
before it changes that line. So a message reaches only a SIM bound to its
line when the modem takes it, and at most once.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

from harness.at.parsers.registration import RegStatus
from harness.sms.address import Address
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver, SmsSubmit
from harness.virtual.air_interface import Terminal
from harness.virtual.network.clock import Clock
from harness.virtual.network.events import EventLog, NetworkEvent
from harness.virtual.network.smsc import (
    ST_DELIVERED,
    ST_EXPIRED,
    ExternalMessage,
    Smsc,
    StoredMessage,
)
from harness.virtual.network.subscribers import LineState, Subscriber, SubscriberRegistry

__all__ = ["Attachment", "NetworkCore", "Terminal"]

log = logging.getLogger(__name__)


@dataclass
class Attachment:
    """A modem attached under an IMSI, and the <stat> the network last told it."""

    modem: Terminal
    imsi: str
    status: RegStatus


Push = tuple[Terminal, RegStatus]


class NetworkCore:
    def __init__(self, clock: Clock, smsc: Smsc) -> None:
        self.clock = clock
        self.log = EventLog()
        self.lock = threading.Lock()
        self.quiet = threading.Condition(self.lock)  # a line's delivery finished
        self.lines = SubscriberRegistry()
        self.smsc = smsc
        self.attached: dict[str, Attachment] = {}
        self.coverage = True
        self.busy: dict[str, bool] = {}  # lines being delivered -> "look again" flag

    # --- registration (lock held) ------------------------------------------------------
    def event(
        self,
        actor: str,
        action: str,
        msisdn: str | None = None,
        detail: str = "",
        *,
        at: datetime | None = None,
        bound_iccid: str | None = None,
    ) -> None:
        when = at if at is not None else self.clock.now()
        self.log.add(NetworkEvent(when, actor, action, msisdn, detail, bound_iccid))

    def status_for(self, imsi: str) -> RegStatus:
        """The <stat> the network gives a SIM now."""
        line = self.lines.by_imsi(imsi)
        if line is None or line.state is not LineState.ACTIVE:
            return RegStatus.DENIED
        return RegStatus.HOME if self.coverage else RegStatus.SEARCHING

    def why(self, imsi: str) -> tuple[str | None, str]:
        """(line, detail) for an event about an IMSI the network does not serve as asked."""
        line = self.lines.by_imsi(imsi)
        if line is not None:
            reason = "no coverage" if not self.coverage else f"line {line.state.value}"
            return line.msisdn, f"IMSI {imsi}: {reason}"
        old = self.lines.retired_from(imsi)
        if old is not None:
            return old.msisdn, f"IMSI {imsi}: SIM swapped out of the line"
        return None, f"IMSI {imsi}: unknown subscriber"

    def reconcile(self) -> list[Push]:
        """Bring every attachment's <stat> in line with the state; the pushes that needs."""
        pushes: list[Push] = []
        for attachment in self.attached.values():
            status = self.status_for(attachment.imsi)
            if status != attachment.status:
                attachment.status = status
                pushes.append((attachment.modem, status))
        return pushes

    def wait_quiet(self, key: str) -> None:
        """Let a delivery in flight on the line finish (releases the lock meanwhile)."""
        while key in self.busy:
            self.quiet.wait()

    def route_submit(self, sender: Subscriber, tpdu: SmsSubmit) -> str:
        """(Lock held) queue or record an MO message; the line that now has mail."""
        now = self.clock.now()
        target = None
        if not tpdu.destination.is_alphanumeric and any(
            c.isdigit() for c in tpdu.destination.value
        ):
            target = self.lines.find(tpdu.destination.value)
        if target is None:
            sent = ExternalMessage(
                sender.msisdn, str(tpdu.destination), tpdu.text, tpdu.message_reference, now
            )
            self.smsc.external.append(sent)
            self.event("network", "submit-external", sender.msisdn, f"to {tpdu.destination}")
            if tpdu.status_report_request:  # the other network acknowledged it at once
                report = SmsStatusReport(
                    tpdu.message_reference, tpdu.destination, now, now, ST_DELIVERED
                )
                self.smsc.store(sender.key, sender.msisdn, report, received=now)
            return sender.key
        deliver = SmsDeliver(
            originator=Address.parse(sender.msisdn),
            timestamp=now,
            user_data=tpdu.user_data,
            dcs=tpdu.dcs,
            pid=tpdu.pid,
            status_report_indication=tpdu.status_report_request,
            reply_path=tpdu.reply_path,
        )
        message = self.smsc.store(
            target.key,
            target.msisdn,
            deliver,
            received=now,
            expires=self.smsc.expiry(tpdu.validity, now),
            report_to=sender.key if tpdu.status_report_request else None,
            message_reference=tpdu.message_reference,
            recipient=tpdu.destination,
        )
        self.event("network", "submit", sender.msisdn, f"message {message.id} to {target.msisdn}")
        return target.key

    # --- calling modems (lock NOT held) --------------------------------------------------
    @staticmethod
    def push(pushes: list[Push]) -> None:
        """Tell attached modems their new <stat>: +CREG/+CEREG URCs per their <n>."""
        for modem, status in pushes:
            try:
                modem.set_registration(status)
            except Exception:
                log.exception("virtual network: could not tell a modem it is %s", status.name)

    def flush(self, key: str) -> None:
        """Deliver a line's queue, then the lines its deliveries owe status reports."""
        todo = [key]
        while todo:
            for more in self._flush_line(todo.pop(0)):
                if more not in todo:
                    todo.append(more)

    def _flush_line(self, key: str) -> list[str]:
        """One flusher per line: a second caller only asks the running one to look again."""
        wake: list[str] = []
        with self.lock:
            if key in self.busy:
                self.busy[key] = True
                return wake
            self.busy[key] = False
        try:
            while True:
                with self.lock:
                    self.busy[key] = False
                    self.expire(key, self.clock.now(), wake)
                    step = self._next_step(key)
                    if step is None:
                        return wake
                message, attachment, line = step
                accepted = self._hand_over(attachment, message)
                with self.lock:
                    if accepted:
                        self._delivered(key, message, attachment, line, wake)
                    elif not self.busy[key]:
                        return wake  # refused: it stays queued until the next attach
        finally:
            with self.lock:
                del self.busy[key]
                self.quiet.notify_all()

    @staticmethod
    def _hand_over(attachment: Attachment, message: StoredMessage) -> bool:
        """The modem takes it only if it is still attached under that IMSI when the
        delivery runs on its thread: a SIM swapped in meanwhile never gets it."""
        modem, imsi = attachment.modem, attachment.imsi
        try:
            if isinstance(message.tpdu, SmsStatusReport):
                return modem.deliver_status_report(message.tpdu, imsi=imsi)
            return modem.deliver_sms(message.tpdu, imsi=imsi)
        except Exception:  # whatever broke, the message stays queued
            log.exception("virtual network: a modem failed to take message %d", message.id)
            return False

    # --- delivery bookkeeping (lock held) ------------------------------------------------
    def _next_step(self, key: str) -> tuple[StoredMessage, Attachment, Subscriber] | None:
        message = self.smsc.head(key)
        line = self.lines.find(key) if message is not None else None
        if message is None or line is None or line.state is not LineState.ACTIVE:
            return None
        attachment = self.attached.get(line.imsi)
        if attachment is None or not attachment.status.registered:
            return None
        return message, attachment, line

    def _delivered(
        self,
        key: str,
        message: StoredMessage,
        attachment: Attachment,
        line: Subscriber,
        wake: list[str],
    ) -> None:
        now = self.clock.now()
        self.smsc.delivered(key, message, line.imsi, line.iccid, now)
        kind = "status report" if message.is_report else "SMS"
        self.event("smsc", "deliver", line.msisdn, f"{kind} {message.id} to SIM {line.iccid}")
        if self.attached.get(line.imsi) is not attachment:
            # The modem detached and attached again while the message was on its way: it
            # took it, so it is delivered; the modem cannot yet check the IMSI itself.
            self.event("smsc", "deliver-during-reattach", line.msisdn, f"message {message.id}")
        self._owe_report(message, ST_DELIVERED, now, wake)

    def expire(
        self, key: str, now: datetime, wake: list[str], *, keep: StoredMessage | None = None
    ) -> list[StoredMessage]:
        """Drop the line's messages past their validity; reports owed go onto `wake` lines."""
        gone = self.smsc.expire(key, now, keep=keep)
        for message in gone:
            self.event("smsc", "expire", message.msisdn, f"message {message.id}")
            self._owe_report(message, ST_EXPIRED, now, wake)
        return gone

    def _owe_report(
        self, message: StoredMessage, status: int, at: datetime, wake: list[str]
    ) -> None:
        """Queue the SMS-STATUS-REPORT the originator asked for (TP-SRR) on its line."""
        report = Smsc.status_report(message, status, at)
        if report is None or message.report_to is None:
            return
        origin = self.lines.find(message.report_to)
        if origin is None:
            return
        self.smsc.store(origin.key, origin.msisdn, report, received=at)
        wake.append(origin.key)
