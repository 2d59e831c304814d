"""How modem firmware sees its SIM: PIN state learnt through APDUs only.

The virtual modem keeps no PIN state of its own (DESIGN.md): to answer
+CPIN?, +CPINR or a vendor retry command it asks the card, exactly as real
firmware does — the PS_DO in the MF's FCP for "PIN1 enabled" (TS 102 221
§9.5.2), empty VERIFY/UNBLOCK for the counters (§11.1.9.1.2, §11.1.13.1.2)
and the answer to that VERIFY for "already verified". A card verified after a
wrong CHANGE PIN answers the counter (63CX) rather than 9000, so for an enabled
PIN1 with attempts left the view also tries READ BINARY of EF.IMSI (access
condition PIN1, TS 31.102 §4.2.2): readable means verified, as firmware that
has just read the IMSI knows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from harness.secret_ins import UNBLOCK_PIN, VERIFY_PIN
from harness.sim.apdu import Apdu, Response
from harness.sim.card_protocol import CardLike  # not virtual_link: that loads the driver
from harness.sim.fcp import decode_fcp
from harness.sim.fids import EF_IMSI, USIM_AID_PREFIX
from harness.sim.key_refs import UICC_PIN1, UICC_PIN2
from harness.sim.status_words import retries_from_63cx
from harness.sim.t0 import exchange_with


class CpinCode(Enum):
    """+CPIN? answers (TS 27.007 §8.3) that a SIM's own state can produce."""

    READY = "READY"
    SIM_PIN = "SIM PIN"
    SIM_PUK = "SIM PUK"
    SIM_FAILURE = "SIM FAILURE"  # PUK exhausted: no +CPIN code; modems answer CME 13


@dataclass(frozen=True)
class SimPinView:
    pin1_enabled: bool
    pin1_verified: bool
    pin1: int
    puk1: int
    pin2: int
    puk2: int

    @property
    def cpin(self) -> CpinCode:
        if not self.pin1_enabled or self.pin1_verified:
            return CpinCode.READY
        if self.pin1 > 0:
            return CpinCode.SIM_PIN
        if self.puk1 > 0:
            return CpinCode.SIM_PUK
        return CpinCode.SIM_FAILURE


class SimView:
    """Reads a card's PIN state the way a modem does, with APDUs that spend nothing."""

    def __init__(self, card: CardLike) -> None:
        self.card = card

    def _send(self, apdu: Apdu) -> Response:
        return exchange_with(self.card.transmit, apdu)

    def _counter(self, ins: int, key_ref: int) -> tuple[int, bool]:
        response = self._send(Apdu(0x00, ins, 0x00, key_ref))
        left = retries_from_63cx(response.sw1, response.sw2)
        if left is not None:
            return left, False
        if response.sw == 0x9000:
            return 3, True  # verified: counter back at its initial value
        return 0, False  # 6983 (blocked) or anything unexpected: nothing usable

    def _imsi_readable(self) -> bool:
        """READ BINARY of EF.IMSI succeeds only with PIN1 satisfied (6982 otherwise)."""
        if self._send(Apdu(0x00, 0xA4, 0x04, 0x0C, USIM_AID_PREFIX)).sw != 0x9000:
            return False
        if self._send(Apdu(0x00, 0xA4, 0x00, 0x0C, EF_IMSI.to_bytes(2, "big"))).sw != 0x9000:
            return False
        return self._send(Apdu(0x00, 0xB0, 0x00, 0x00, le=1)).sw == 0x9000

    def read(self) -> SimPinView:
        fcp = self._send(Apdu(0x00, 0xA4, 0x00, 0x04, bytes.fromhex("3F00")))
        enabled = {s.key_ref: s.enabled for s in decode_fcp(fcp.data).pin_statuses}
        pin1_enabled = enabled.get(0x01, True)
        pin1, verified = self._counter(VERIFY_PIN, UICC_PIN1)
        if pin1_enabled and not verified and pin1 > 0:
            verified = self._imsi_readable()
        puk1, _ = self._counter(UNBLOCK_PIN, UICC_PIN1)
        # PIN2 is local to the USIM application: address it from inside the ADF.
        self._send(Apdu(0x00, 0xA4, 0x04, 0x0C, USIM_AID_PREFIX))
        pin2, _ = self._counter(VERIFY_PIN, UICC_PIN2)
        puk2, _ = self._counter(UNBLOCK_PIN, UICC_PIN2)
        return SimPinView(
            pin1_enabled=pin1_enabled,
            pin1_verified=verified,
            pin1=pin1,
            puk1=puk1,
            pin2=pin2,
            puk2=puk2,
        )
