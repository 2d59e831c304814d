"""Message memories of +CPMS: "SM" is the SIM's EF.SMS, "ME" the modem's own flash.

"SM" is read and written through APDUs on every use (READ/UPDATE RECORD of
EF.SMS, 176-byte records, TS 51.011 §10.5.3): the card stays the one copy, so
what a reader pulls off the SIM later is exactly what the modem stored.
Indices are record numbers, from 1.
"""

from __future__ import annotations

from typing import Protocol

from harness.errors import CodecError
from harness.sim.ef.sms import SMS_RECORD_LENGTH, SmsRecord, decode_sms_record, encode_sms_record
from harness.virtual.modem.replies import CmsFault
from harness.virtual.modem.sim_io import EF_SMS, SimError, SimIo

FREE_RECORD = encode_sms_record(SmsRecord(0, b""))
ME_CAPACITY = 50


class MessageStore(Protocol):
    memory: str

    def capacity(self) -> int: ...

    def used(self) -> list[tuple[int, int, bytes]]:
        """(index, EF.SMS status byte, body = SMSC field + TPDU [+ padding]) of used slots."""
        ...

    def read(self, index: int) -> tuple[int, bytes] | None:
        """(status, body), None when the slot is free; +CMS ERROR 321 when out of range."""
        ...

    def write(self, status: int, body: bytes) -> int | None:
        """Store in the first free slot; its index, or None when the memory is full."""
        ...

    def set_status(self, index: int, status: int) -> None: ...

    def delete(self, index: int) -> None: ...


class SimStore:
    """EF.SMS on the card."""

    memory = "SM"

    def __init__(self, sim: SimIo) -> None:
        self.sim = sim

    def _records(self) -> list[SmsRecord]:
        try:
            return [decode_sms_record(raw) for raw in self.sim.read_records(EF_SMS)]
        except (SimError, CodecError):
            raise CmsFault(320) from None  # memory failure

    def _select(self) -> int:
        try:
            length, count = self.sim.record_shape(EF_SMS)
        except SimError:
            raise CmsFault(320) from None
        if length != SMS_RECORD_LENGTH:
            raise CmsFault(320)
        return count

    def capacity(self) -> int:
        return self._select()

    def used(self) -> list[tuple[int, int, bytes]]:
        return [
            (number, record.status, record.body)
            for number, record in enumerate(self._records(), start=1)
            if not record.is_free
        ]

    def read(self, index: int) -> tuple[int, bytes] | None:
        count = self._select()
        if not 1 <= index <= count:
            raise CmsFault(321)
        try:
            record = decode_sms_record(self.sim.read_record(index, SMS_RECORD_LENGTH))
        except (SimError, CodecError):
            raise CmsFault(320) from None
        return None if record.is_free else (record.status, record.body)

    def _update(self, index: int, record: bytes) -> None:
        self._select()
        try:
            self.sim.update_record(index, record)
        except SimError:
            raise CmsFault(320) from None

    def write(self, status: int, body: bytes) -> int | None:
        for number, record in enumerate(self._records(), start=1):
            if record.is_free:
                self._update(number, _record(status, body))
                return number
        return None

    def set_status(self, index: int, status: int) -> None:
        stored = self.read(index)
        if stored is not None:
            self._update(index, _record(status, stored[1]))

    def delete(self, index: int) -> None:
        if not 1 <= index <= self._select():
            raise CmsFault(321)
        self._update(index, FREE_RECORD)


class MeStore:
    """The modem's own memory: kept across power cycles, lost with the process."""

    memory = "ME"

    def __init__(self, capacity: int = ME_CAPACITY) -> None:
        self._slots: list[tuple[int, bytes] | None] = [None] * capacity

    def capacity(self) -> int:
        return len(self._slots)

    def used(self) -> list[tuple[int, int, bytes]]:
        return [
            (i, slot[0], slot[1]) for i, slot in enumerate(self._slots, start=1) if slot is not None
        ]

    def read(self, index: int) -> tuple[int, bytes] | None:
        if not 1 <= index <= len(self._slots):
            raise CmsFault(321)
        return self._slots[index - 1]

    def write(self, status: int, body: bytes) -> int | None:
        for i, slot in enumerate(self._slots):
            if slot is None:
                self._slots[i] = (status, body)
                return i + 1
        return None

    def set_status(self, index: int, status: int) -> None:
        slot = self.read(index)
        if slot is not None:
            self._slots[index - 1] = (status, slot[1])

    def delete(self, index: int) -> None:
        self.read(index)
        self._slots[index - 1] = None


def _record(status: int, body: bytes) -> bytes:
    try:
        return encode_sms_record(SmsRecord(status, body))
    except CodecError:
        raise CmsFault(304) from None  # longer than a record holds
