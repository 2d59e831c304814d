"""Bounds-checked reading of a PDU, so truncation is a CodecError, never an IndexError."""

from __future__ import annotations

from harness.errors import CodecError


class OctetReader:
    """Reads a PDU front to back; every read names the field it wanted."""

    def __init__(self, data: bytes, offset: int = 0) -> None:
        self.data = data
        self.offset = offset

    @property
    def remaining(self) -> int:
        return len(self.data) - self.offset

    def u8(self, field: str) -> int:
        """One octet, e.g. TP-PID."""
        offset = self.offset
        if offset >= len(self.data):
            self.take(1, field)  # raises, naming the field
        self.offset = offset + 1
        return self.data[offset]

    def take(self, count: int, field: str) -> bytes:
        """`count` octets, or CodecError naming the field and what is missing."""
        if count > self.remaining:
            raise CodecError(
                f"PDU truncated: {field} needs {count} octet(s) at offset {self.offset}, "
                f"only {self.remaining} left"
            )
        chunk = self.data[self.offset : self.offset + count]
        self.offset += count
        return chunk

    def rest(self) -> bytes:
        """Everything not read yet (user data, possibly followed by padding)."""
        chunk = self.data[self.offset :]
        self.offset = len(self.data)
        return chunk
