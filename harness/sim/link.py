"""`ApduLink`: how a driver reaches a card, whatever carries the bytes.

Implementations: `PcscLink` (pyscard over pcscd), `VirtualLink` (in process),
and later a modem's AT+CSIM. The T=0 procedure bytes are handled once, here:
61xx -> GET RESPONSE, 9Fxx (GSM) -> GET RESPONSE, 6Cxx -> resend with Le=xx.
Every exchange is offered to a tracer (a transcript), which masks secrets.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from harness.errors import SafetyRefusal, TransportError
from harness.secret_ins import SECRET_INS
from harness.sim.apdu import Apdu, Response
from harness.sim.t0 import follow_procedure_bytes
from harness.transcript import ApduTrace, Direction

ApduTracer = ApduTrace
"""What a link calls for each exchange: ``tracer(Direction.TX, raw)`` (see harness.transcript)."""


def spends_attempt(raw: bytes) -> bool:
    """A VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK that carries a value (not a counter query).

    Whatever the CLA byte: the logical-channel and secure-messaging bits (TS 102 221
    §10.1.1) and proprietary classes (0x80..., ISO 7816-4 §5.4.1) still reach a PIN
    command on some card, so the gate never trusts the class to tell it apart.
    """
    return len(raw) > 5 and raw[1] in SECRET_INS


class ApduLink(ABC):
    """A channel to one card. Subclasses provide `_exchange(raw) -> raw`."""

    name: str = "card"

    def __init__(self, tracer: ApduTracer | None = None) -> None:
        self.tracer = tracer

    @property
    @abstractmethod
    def atr(self) -> bytes:
        """The card's answer to reset."""

    @abstractmethod
    def _exchange(self, raw: bytes) -> bytes:
        """Send one C-APDU and return the raw R-APDU (data + SW1 SW2)."""

    @abstractmethod
    def reset(self) -> bytes:
        """Reset the card (volatile state lost: PIN verification, selections); returns ATR."""

    def cold_reset(self) -> bytes:
        """Take the card's power away and back (what pulling it out of a phone does);
        returns the ATR. Links that cannot cut power fall back to a warm `reset()`."""
        return self.reset()

    @abstractmethod
    def close(self) -> None:
        """Release the card; safe to call twice."""

    def __enter__(self) -> ApduLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transmit_raw(self, raw: bytes, *, gate_checked: bool = False) -> Response:
        """One exchange, traced, with no T=0 handling (same PIN rule as `transmit`)."""
        if spends_attempt(raw) and not gate_checked:
            raise SafetyRefusal(
                f"{self.name}: {raw[:4].hex(' ').upper()} would spend a PIN/PUK attempt "
                f"without the counter check; use SimCard.pins, which reads the counter first"
            )
        if self.tracer is not None:
            self.tracer(Direction.TX, raw)
        answer = self._exchange(raw)
        if self.tracer is not None:
            self.tracer(Direction.RX, answer)
        if len(answer) < 2:
            header = raw[:4].hex(" ").upper() or "empty APDU"
            raise TransportError(
                f"{self.name}: truncated response of {len(answer)} bytes to {header}; "
                f"the reader or card may be failing, re-seat the card and retry"
            )
        return Response.from_bytes(answer)

    def transmit(self, apdu: Apdu, *, gate_checked: bool = False) -> Response:
        """Send `apdu`, following T=0 procedure bytes; returns the final response.

        A VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK carrying a value spends an attempt: only
        a caller that has passed the safety gate (harness.safety, as `SimCard.pins`
        does) may send one, and says so with `gate_checked=True`.
        """
        first = self.transmit_raw(apdu.to_bytes(), gate_checked=gate_checked)
        return follow_procedure_bytes(
            apdu, first, lambda raw: self.transmit_raw(raw, gate_checked=gate_checked)
        )
