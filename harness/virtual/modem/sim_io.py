"""The modem firmware's side of the SIM interface: T=0 exchanges, file access, PIN commands.

Everything the modem knows about its SIM it learns here, with the APDUs real
firmware sends (TS 102 221, CLA 00): SELECT by FID from the MF then GET
RESPONSE for the FCP, READ/UPDATE BINARY and RECORD, VERIFY/CHANGE/DISABLE/
ENABLE/UNBLOCK PIN. There is no cache and no PIN state here: the card decides.
"""

from __future__ import annotations

from collections.abc import Sequence

from harness.sim.apdu import Apdu, Response
from harness.sim.card_protocol import CardLike  # not virtual_link: that loads the driver
from harness.sim.ef.identity import MsisdnRecord, decode_iccid, decode_imsi, decode_msisdn
from harness.sim.ef.sms import Smsp, decode_smsp, encode_smsp
from harness.sim.fcp import Fcp, decode_fcp
from harness.sim.fids import USIM_AID_PREFIX
from harness.sim.key_refs import UICC_PIN1, is_local
from harness.sim.t0 import exchange_with
from harness.virtual.sim_view import SimPinView, SimView

EF_ICCID = (0x3F00, 0x2FE2)
EF_IMSI = (0x3F00, 0x7F20, 0x6F07)
EF_MSISDN = (0x3F00, 0x7F10, 0x6F40)
EF_SMS = (0x3F00, 0x7F10, 0x6F3C)
EF_SMSP = (0x3F00, 0x7F10, 0x6F42)

# Where the modem looks for an EF named only by its FID (+CRSM without <pathid>).
DEFAULT_DF = {
    0x2FE2: (0x3F00,),
    0x2F00: (0x3F00,),
    0x2F05: (0x3F00,),
    0x2F06: (0x3F00,),
    0x6F3A: (0x3F00, 0x7F10),
    0x6F3B: (0x3F00, 0x7F10),
    0x6F3C: (0x3F00, 0x7F10),
    0x6F40: (0x3F00, 0x7F10),
    0x6F42: (0x3F00, 0x7F10),
    0x6F43: (0x3F00, 0x7F10),
    0x6F07: (0x3F00, 0x7F20),
    0x6FAD: (0x3F00, 0x7F20),
    0x6F38: (0x3F00, 0x7F20),
    0x6F46: (0x3F00, 0x7F20),
    0x6F78: (0x3F00, 0x7F20),
    0x6F7E: (0x3F00, 0x7F20),
    0x7F10: (0x3F00,),
    0x7F20: (0x3F00,),
    0x3F00: (),
}


class SimError(Exception):
    """The card answered a status word that ends the operation."""

    def __init__(self, sw: int, what: str) -> None:
        super().__init__(f"{what}: SW {sw:04X}")
        self.sw = sw


class SimIo:
    """APDU-level access to one card, as the modem's SIM driver performs it."""

    def __init__(self, card: CardLike) -> None:
        self.card = card

    # --- transport ---------------------------------------------------------------
    def transmit(self, raw: bytes) -> bytes:
        """Byte-for-byte passthrough (+CSIM): no T=0 help, exactly what the card said."""
        return self.card.transmit(raw)

    def exchange(self, apdu: Apdu) -> Response:
        """One command with the T=0 procedure handled: 6Cxx resends, 61xx fetches."""
        return exchange_with(self.card.transmit, apdu)

    # --- files -----------------------------------------------------------------
    def select(self, path: Sequence[int]) -> Fcp:
        """Select each FID from the MF; the last one with its FCP (P2=04)."""
        if not path:
            raise SimError(0x6A82, "SELECT of an empty path")
        for index, fid in enumerate(path):
            last = index == len(path) - 1
            apdu = Apdu(0x00, 0xA4, 0x00, 0x04 if last else 0x0C, fid.to_bytes(2, "big"))
            response = self.exchange(apdu)
            if response.sw != 0x9000:
                raise SimError(response.sw, f"SELECT {fid:04X}")
        return decode_fcp(response.data)

    def select_raw(self, path: Sequence[int]) -> Response:
        """Like `select` but the last answer is returned whatever its SW (+CRSM)."""
        response = Response(0x6A, 0x82)
        for index, fid in enumerate(path):
            last = index == len(path) - 1
            response = self.exchange(
                Apdu(0x00, 0xA4, 0x00, 0x04 if last else 0x0C, fid.to_bytes(2, "big"))
            )
            if response.sw != 0x9000:
                return response
        return response

    def read_binary(self, path: Sequence[int]) -> bytes:
        fcp = self.select(path)
        size = fcp.size or 0
        data = b""
        while len(data) < size:
            chunk = min(256, size - len(data))
            offset = len(data)
            response = self.exchange(Apdu(0x00, 0xB0, offset >> 8, offset & 0xFF, le=chunk))
            if response.sw != 0x9000:
                raise SimError(response.sw, "READ BINARY")
            data += response.data
        return data

    def record_shape(self, path: Sequence[int]) -> tuple[int, int]:
        """(record length, record count) of a linear EF, from its FCP."""
        fcp = self.select(path)
        return fcp.record_length or 0, fcp.record_count or 0

    def read_record(self, number: int, length: int) -> bytes:
        """READ RECORD (absolute) of the EF selected last."""
        response = self.exchange(Apdu(0x00, 0xB2, number, 0x04, le=length))
        if response.sw != 0x9000:
            raise SimError(response.sw, f"READ RECORD {number}")
        return response.data

    def update_record(self, number: int, data: bytes) -> None:
        """UPDATE RECORD (absolute) of the EF selected last."""
        response = self.exchange(Apdu(0x00, 0xDC, number, 0x04, data))
        if response.sw != 0x9000:
            raise SimError(response.sw, f"UPDATE RECORD {number}")

    def read_records(self, path: Sequence[int]) -> list[bytes]:
        length, count = self.record_shape(path)
        return [self.read_record(n, length) for n in range(1, count + 1)]

    # --- identities --------------------------------------------------------------
    def iccid(self) -> str:
        return decode_iccid(self.read_binary(EF_ICCID))

    def imsi(self) -> str:
        return decode_imsi(self.read_binary(EF_IMSI))

    def msisdns(self) -> list[MsisdnRecord]:
        return [r for r in map(decode_msisdn, self.read_records(EF_MSISDN)) if r is not None]

    def smsp(self) -> Smsp:
        length, _ = self.record_shape(EF_SMSP)
        return decode_smsp(self.read_record(1, length))

    def write_smsp(self, smsp: Smsp) -> None:
        length, _ = self.record_shape(EF_SMSP)
        self.update_record(1, encode_smsp(smsp, length))

    # --- PIN ---------------------------------------------------------------------
    def pin_view(self) -> SimPinView:
        return SimView(self.card).read()

    def pin_command(self, ins: int, key_ref: int, data: bytes) -> int:
        """VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK; returns the status word (the caller maps it).

        A local PIN (P2 b8 = 1, e.g. PIN2 = 81) belongs to an application (TS 102 221
        §9.5.1), so the USIM is selected first; PIN1 (01) is global.
        """
        if is_local(key_ref):
            self.exchange(Apdu(0x00, 0xA4, 0x04, 0x0C, USIM_AID_PREFIX))
        return self.exchange(Apdu(0x00, ins, 0x00, key_ref, data)).sw

    def pin1_enabled(self) -> bool:
        """PS_DO of the MF's PIN status template (TS 102 221 §9.5.2)."""
        statuses = {s.key_ref: s.enabled for s in self.select((0x3F00,)).pin_statuses}
        return statuses.get(UICC_PIN1, True)
