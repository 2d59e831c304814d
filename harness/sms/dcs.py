"""TP-DCS, the data coding scheme octet (3GPP TS 23.038 §4).

The octet is kept as sent (`value`) so reserved bits survive a round trip; the
properties read it by coding group. Per 23.038 §4 any reserved coding is read
as the GSM 7-bit default alphabet, so decoding never fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum
from functools import cached_property

from harness.errors import CodecError
from harness.sms.gsm7 import is_gsm7


class Alphabet(Enum):
    """Character set of the user data; UDL counts septets only for GSM7 (23.040 §9.2.3.16)."""

    GSM7 = 0b00
    DATA_8BIT = 0b01
    UCS2 = 0b10


class MessageClass(IntEnum):
    """23.038 §4: class 0 is shown at once ("flash"), 1 ME, 2 (U)SIM, 3 TE."""

    CLASS_0 = 0
    CLASS_1 = 1
    CLASS_2 = 2
    CLASS_3 = 3


class WaitingKind(IntEnum):
    """Indication type of the message waiting groups, bits 1..0."""

    VOICEMAIL = 0
    FAX = 1
    EMAIL = 2
    OTHER = 3


@dataclass(frozen=True)
class MessageWaiting:
    """Groups 1100/1101/1110: set or clear a waiting indicator; `store` false = may discard."""

    kind: WaitingKind
    active: bool
    store: bool


@dataclass(frozen=True)
class DataCoding:
    """One TP-DCS octet. Build with `general()`, `message_waiting()` or `for_text()`."""

    value: int = 0

    def __post_init__(self) -> None:
        if not 0 <= self.value <= 0xFF:
            raise CodecError(f"TP-DCS {self.value} is outside 0..255")

    def __repr__(self) -> str:
        return f"DataCoding(0x{self.value:02X})"

    @classmethod
    def general(
        cls,
        alphabet: Alphabet = Alphabet.GSM7,
        message_class: MessageClass | None = None,
        *,
        compressed: bool = False,
        auto_delete: bool = False,
    ) -> DataCoding:
        """General data coding group 00xx (01xx when marked for automatic deletion)."""
        value = alphabet.value << 2
        if message_class is not None:
            value |= 0x10 | message_class
        if compressed:
            value |= 0x20
        if auto_delete:
            value |= 0x40
        return cls(value)

    @classmethod
    def message_waiting(
        cls, kind: WaitingKind, active: bool, *, store: bool = True, ucs2: bool = False
    ) -> DataCoding:
        """Group 1100 (discard), 1101 (store, GSM7) or 1110 (store, UCS2)."""
        if ucs2 and not store:
            raise CodecError("the discard message-waiting group (1100) has no UCS2 variant")
        group = 0xE0 if ucs2 else (0xD0 if store else 0xC0)
        return cls(group | (0x08 if active else 0) | kind)

    @classmethod
    def for_text(cls, text: str, message_class: MessageClass | None = None) -> DataCoding:
        """GSM 7-bit when every character has a code, else UCS2."""
        alphabet = Alphabet.GSM7 if is_gsm7(text) else Alphabet.UCS2
        return cls.general(alphabet, message_class)

    @property
    def group(self) -> int:
        """Coding group, bits 7..4."""
        return self.value >> 4

    @cached_property  # read on every decode; a frozen value, so computed once
    def alphabet(self) -> Alphabet:
        group = self.group
        if group <= 0x7:  # 00xx general, 01xx automatic deletion
            bits = (self.value >> 2) & 0x03
            return Alphabet.GSM7 if bits == 0b11 else Alphabet(bits)
        if group == 0xE:
            return Alphabet.UCS2
        if group == 0xF:
            return Alphabet.DATA_8BIT if self.value & 0x04 else Alphabet.GSM7
        return Alphabet.GSM7  # 1100, 1101 and reserved groups 1000..1011

    @property
    def message_class(self) -> MessageClass | None:
        group = self.group
        if group <= 0x7:
            return MessageClass(self.value & 0x03) if self.value & 0x10 else None
        if group == 0xF:
            return MessageClass(self.value & 0x03)
        return None

    @property
    def compressed(self) -> bool:
        """User data compressed per 23.042; UDL then counts octets (23.040 §9.2.3.16)."""
        return self.group <= 0x7 and bool(self.value & 0x20)

    @property
    def auto_delete(self) -> bool:
        return 0x4 <= self.group <= 0x7

    @property
    def waiting(self) -> MessageWaiting | None:
        if self.group not in (0xC, 0xD, 0xE):
            return None
        return MessageWaiting(
            kind=WaitingKind(self.value & 0x03),
            active=bool(self.value & 0x08),
            store=self.group != 0xC,
        )

    @cached_property
    def septet_coded(self) -> bool:
        """True when TP-UDL counts septets: GSM7 and not compressed."""
        return self.alphabet is Alphabet.GSM7 and not self.compressed


_BY_VALUE: dict[int, DataCoding] = {}


def data_coding(value: int) -> DataCoding:
    """The DataCoding of a TP-DCS octet, one shared (frozen) value per octet, so its
    derived properties are worked out once, not on every decoded PDU."""
    dcs = _BY_VALUE.get(value)
    if dcs is None:
        dcs = DataCoding(value)  # raises for a value outside 0..255: never cached
        _BY_VALUE[value] = dcs
    return dcs
