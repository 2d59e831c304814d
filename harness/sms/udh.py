"""User data header: UDHL + information elements (23.040 §9.2.3.24).

Elements are kept raw and in order, so unknown IEs survive a round trip; typed
views (`Concatenation`, `PortAddressing`) are built from and into them.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.errors import CodecError

IEI_CONCAT_8BIT = 0x00
IEI_PORTS_8BIT = 0x04
IEI_PORTS_16BIT = 0x05
IEI_CONCAT_16BIT = 0x08


@dataclass(frozen=True)
class InformationElement:
    """One IE: identifier and data (at most 255 octets)."""

    iei: int
    data: bytes

    def __post_init__(self) -> None:
        if not 0 <= self.iei <= 0xFF:
            raise CodecError(f"IEI {self.iei} is outside 0..255")
        if len(self.data) > 0xFF:
            raise CodecError(f"IE {self.iei:02X} data is {len(self.data)} octets, max 255")

    def encode(self) -> bytes:
        return bytes((self.iei, len(self.data))) + self.data


@dataclass(frozen=True)
class Concatenation:
    """Concatenated SM IE (§9.2.3.24.1 8-bit ref, §9.2.3.24.8 16-bit ref); sequence is 1-based."""

    reference: int
    total: int
    sequence: int
    wide: bool = False

    def __post_init__(self) -> None:
        limit = 0xFFFF if self.wide else 0xFF
        if not 0 <= self.reference <= limit:
            raise CodecError(f"concatenation reference {self.reference} is outside 0..{limit}")
        if not 1 <= self.sequence <= self.total <= 0xFF:
            raise CodecError(
                f"concatenation part {self.sequence} of {self.total} is invalid "
                "(need 1 <= sequence <= total <= 255)"
            )

    def to_element(self) -> InformationElement:
        if self.wide:
            data = self.reference.to_bytes(2, "big") + bytes((self.total, self.sequence))
            return InformationElement(IEI_CONCAT_16BIT, data)
        data = bytes((self.reference, self.total, self.sequence))
        return InformationElement(IEI_CONCAT_8BIT, data)

    @classmethod
    def from_element(cls, element: InformationElement) -> Concatenation | None:
        """The typed view, or None when the IE is malformed.

        §9.2.3.24.1: a receiver ignores the whole IE when the sequence number is
        0 or greater than the total, so such an IE is not an error here.
        """
        data = element.data
        if element.iei == IEI_CONCAT_8BIT and len(data) == 3:
            reference, wide = data[0], False
        elif element.iei == IEI_CONCAT_16BIT and len(data) == 4:
            reference, wide = int.from_bytes(data[:2], "big"), True
        else:
            return None
        total, sequence = data[-2], data[-1]
        if not 1 <= sequence <= total:
            return None
        return cls(reference, total, sequence, wide)


@dataclass(frozen=True)
class PortAddressing:
    """Application port addressing (§9.2.3.24.3 8-bit, §9.2.3.24.4 16-bit)."""

    destination: int
    source: int
    wide: bool = True

    def __post_init__(self) -> None:
        limit = 0xFFFF if self.wide else 0xFF
        if not (0 <= self.destination <= limit and 0 <= self.source <= limit):
            raise CodecError(
                f"ports {self.destination}/{self.source} are outside 0..{limit} "
                f"({'16' if self.wide else '8'}-bit addressing)"
            )

    def to_element(self) -> InformationElement:
        if self.wide:
            data = self.destination.to_bytes(2, "big") + self.source.to_bytes(2, "big")
            return InformationElement(IEI_PORTS_16BIT, data)
        return InformationElement(IEI_PORTS_8BIT, bytes((self.destination, self.source)))

    @classmethod
    def from_element(cls, element: InformationElement) -> PortAddressing | None:
        data = element.data
        if element.iei == IEI_PORTS_8BIT and len(data) == 2:
            return cls(data[0], data[1], wide=False)
        if element.iei == IEI_PORTS_16BIT and len(data) == 4:
            return cls(int.from_bytes(data[:2], "big"), int.from_bytes(data[2:], "big"))
        return None


@dataclass(frozen=True)
class UserDataHeader:
    """The IEs of a UDH, in order; `encode()` prefixes the UDHL octet."""

    elements: tuple[InformationElement, ...] = ()

    @classmethod
    def build(
        cls,
        concatenation: Concatenation | None = None,
        ports: PortAddressing | None = None,
        extra: tuple[InformationElement, ...] = (),
    ) -> UserDataHeader:
        elements = [view.to_element() for view in (concatenation, ports) if view is not None]
        return cls((*elements, *extra))

    @property
    def concatenation(self) -> Concatenation | None:
        """The first well-formed concatenation IE, if any."""
        for element in self.elements:
            view = Concatenation.from_element(element)
            if view is not None:
                return view
        return None

    @property
    def ports(self) -> PortAddressing | None:
        for element in self.elements:
            view = PortAddressing.from_element(element)
            if view is not None:
                return view
        return None

    def encode(self) -> bytes:
        body = b"".join(element.encode() for element in self.elements)
        if len(body) > 0xFF:
            raise CodecError(f"user data header is {len(body)} octets, UDHL allows 255")
        return bytes((len(body),)) + body

    @property
    def length(self) -> int:
        """Octets including the UDHL octet."""
        return 1 + sum(2 + len(element.data) for element in self.elements)

    @classmethod
    def decode(cls, data: bytes) -> UserDataHeader:
        """Decode from the UDHL octet; `data` may run on into the message text."""
        if not data:
            raise CodecError("user data header missing: TP-UDHI is set but the user data is empty")
        udhl = data[0]
        body = data[1 : 1 + udhl]
        if len(body) < udhl:
            raise CodecError(
                f"user data header declares {udhl} octets (UDHL), only {len(body)} present"
            )
        elements: list[InformationElement] = []
        index = 0
        while index < udhl:
            if index + 2 > udhl:
                raise CodecError(f"user data header: IE at octet {index + 1} has no length octet")
            iei, length = body[index], body[index + 1]
            value = body[index + 2 : index + 2 + length]
            if len(value) < length:
                raise CodecError(
                    f"user data header: IE {iei:02X} declares {length} octets, "
                    f"only {len(value)} left within UDHL {udhl}"
                )
            elements.append(InformationElement(iei, value))
            index += 2 + length
        return cls(tuple(elements))
