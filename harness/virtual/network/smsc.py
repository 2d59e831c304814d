"""The SMSC's store-and-forward memory: one FIFO queue per line, outcomes kept for evidence.

Messages wait here until the line's SIM is registered (23.040 §3.2.5: the SC
retries when the MS becomes reachable), leave it once a modem takes them, or
expire when their validity period ends (TP-VP of the SMS-SUBMIT, 23.040
§9.2.3.12, else the SC's default). An expired message that asked for a status
report produces one with TP-ST 0x46 "validity period expired" (§9.2.3.15).
This module holds data only; `VirtualNetwork` decides when to deliver, under
its lock.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from harness.sms.address import Address
from harness.sms.status_report import SmsStatusReport
from harness.sms.tpdu import SmsDeliver
from harness.sms.validity import AbsoluteValidity, EnhancedValidity, RelativeValidity, Validity

__all__ = [
    "ST_DELIVERED",
    "ST_EXPIRED",
    "Delivery",
    "Expiry",
    "ExternalMessage",
    "MessageState",
    "Smsc",
    "StoredMessage",
]

ST_DELIVERED = 0x00  # short message received by the SME
ST_EXPIRED = 0x46  # permanent error: validity period expired

Payload = SmsDeliver | SmsStatusReport


class MessageState(Enum):
    QUEUED = "queued"
    DELIVERED = "delivered"
    EXPIRED = "expired"


@dataclass(frozen=True)
class StoredMessage:
    """A message the SC holds for one line. `report_to` is the line owed a status report."""

    id: int
    msisdn: str  # destination line, as provisioned
    tpdu: Payload
    received: datetime
    expires: datetime
    report_to: str | None = None
    message_reference: int = 0
    recipient: Address | None = None  # TP-DA as submitted: the TP-RA of the report
    hold_until: float = 0.0  # time.monotonic() before which the SC does not send it

    @property
    def is_report(self) -> bool:
        return isinstance(self.tpdu, SmsStatusReport)


@dataclass(frozen=True)
class Delivery:
    """A modem took `message` while this SIM (IMSI, ICCID) was bound to the line."""

    message: StoredMessage
    imsi: str
    iccid: str
    at: datetime


@dataclass(frozen=True)
class Expiry:
    message: StoredMessage
    at: datetime


@dataclass(frozen=True)
class ExternalMessage:
    """A mobile-originated SMS to a number outside this network: recorded as sent."""

    sender: str
    destination: str
    text: str
    message_reference: int
    at: datetime


class Smsc:
    """Queues keyed by MSISDN key; every message ever stored keeps a state."""

    def __init__(self, default_validity: timedelta) -> None:
        self.default_validity = default_validity
        self._queues: dict[str, deque[StoredMessage]] = {}
        self._messages: dict[int, StoredMessage] = {}
        self._states: dict[int, MessageState] = {}
        self.deliveries: list[Delivery] = []
        self.expiries: list[Expiry] = []
        self.external: list[ExternalMessage] = []
        self._next_id = 1

    # --- storing -------------------------------------------------------------------
    def expiry(self, validity: Validity | None, received: datetime) -> datetime:
        """When a message submitted with `validity` at `received` stops being delivered."""
        if isinstance(validity, RelativeValidity):
            return received + validity.duration
        if isinstance(validity, AbsoluteValidity):
            return validity.expires
        if isinstance(validity, EnhancedValidity) and validity.duration is not None:
            return received + validity.duration
        return received + self.default_validity

    def store(
        self,
        key: str,
        msisdn: str,
        tpdu: Payload,
        *,
        received: datetime,
        expires: datetime | None = None,
        report_to: str | None = None,
        message_reference: int = 0,
        recipient: Address | None = None,
        hold_until: float = 0.0,
    ) -> StoredMessage:
        message = StoredMessage(
            id=self._next_id,
            msisdn=msisdn,
            tpdu=tpdu,
            received=received,
            expires=expires if expires is not None else received + self.default_validity,
            report_to=report_to,
            message_reference=message_reference,
            recipient=recipient,
            hold_until=hold_until,
        )
        self._next_id += 1
        self._queues.setdefault(key, deque()).append(message)
        self._messages[message.id] = message
        self._states[message.id] = MessageState.QUEUED
        return message

    # --- reading -------------------------------------------------------------------
    def queued(self, key: str) -> list[StoredMessage]:
        return list(self._queues.get(key, ()))

    def head(self, key: str) -> StoredMessage | None:
        queue = self._queues.get(key)
        return queue[0] if queue else None

    def keys_with_mail(self) -> list[str]:
        return [key for key, queue in self._queues.items() if queue]

    def all_messages(self) -> list[tuple[StoredMessage, MessageState]]:
        return [(m, self._states[i]) for i, m in self._messages.items()]

    def state(self, message_id: int) -> MessageState:
        return self._states[message_id]

    def message(self, message_id: int) -> StoredMessage:
        return self._messages[message_id]

    # --- outcomes ------------------------------------------------------------------
    def delivered(
        self, key: str, message: StoredMessage, imsi: str, iccid: str, at: datetime
    ) -> Delivery:
        """`message`, the head of its queue, was taken by a modem: it leaves for good."""
        queue = self._queues[key]
        if not queue or queue[0] is not message:
            raise RuntimeError(f"message {message.id} is not at the head of queue {key}")
        queue.popleft()
        delivery = Delivery(message, imsi, iccid, at)
        self._states[message.id] = MessageState.DELIVERED
        self.deliveries.append(delivery)
        return delivery

    def expire(
        self, key: str, now: datetime, *, keep: StoredMessage | None = None
    ) -> list[StoredMessage]:
        """Drop the messages of `key` whose validity ended; `keep` (one in flight) stays."""
        queue = self._queues.get(key)
        if not queue:
            return []
        gone = [m for m in queue if now >= m.expires and m is not keep]
        if gone:
            ids = {m.id for m in gone}
            self._queues[key] = deque(m for m in queue if m.id not in ids)
            for message in gone:
                self._states[message.id] = MessageState.EXPIRED
                self.expiries.append(Expiry(message, now))
        return gone

    @staticmethod
    def status_report(message: StoredMessage, status: int, at: datetime) -> SmsStatusReport | None:
        """The report owed to the originator of `message`, or None when none was asked for."""
        if message.report_to is None or message.recipient is None:
            return None
        return SmsStatusReport(
            message_reference=message.message_reference,
            recipient=message.recipient,
            timestamp=message.received,
            discharge_time=at,
            status=status,
        )
