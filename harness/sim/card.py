"""`SimCard`: the driver for any SIM/UICC behind an `ApduLink`.

It detects the card's generation (UICC, CLA 00, TS 102 221; or GSM SIM, CLA A0,
TS 51.011), selects files by FID, path or AID, reads transparent and record EFs,
decodes the identity files, and offers the PIN service (`card.pins`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from harness.errors import CodecError, StatusWordError
from harness.safety import SafetyPolicy
from harness.sim.apdu import Apdu, Response
from harness.sim.ef.dir import AppRecord, decode_dir_record
from harness.sim.ef.identity import MsisdnRecord, decode_iccid, decode_imsi, decode_msisdn
from harness.sim.ef.service import Spn, decode_spn
from harness.sim.ef.sms import SmsRecord, decode_sms_record
from harness.sim.fcp import FileKind, decode_fcp
from harness.sim.fids import (
    DF_GSM,
    DF_TELECOM,
    EF_DIR,
    EF_ICCID,
    EF_IMSI,
    EF_MSISDN,
    EF_SMS,
    EF_SPN,
    MF,
    USIM_AID_PREFIX,
    CardKind,
)
from harness.sim.gsm_response import GsmStructure, decode_gsm_ef_status
from harness.sim.link import ApduLink
from harness.sim.pin_service import PinService
from harness.sim.status_words import describe, is_success


@dataclass(frozen=True)
class FileInfo:
    """What SELECT told about a file, whichever generation answered."""

    fid: int | None
    is_df: bool
    structure: str  # "df", "transparent", "linear", "cyclic", "ber-tlv" (TS 102 221 §11.1.1.4.3)
    size: int | None = None
    record_length: int | None = None
    record_count: int | None = None
    raw: bytes = b""


@dataclass(frozen=True)
class StoredMessage:
    index: int  # 1-based record number, as +CMGR counts on "SM"
    record: SmsRecord


class SimCard:
    """A SIM card driver; `kind` is detected on first use unless given."""

    def __init__(
        self, link: ApduLink, *, kind: CardKind | None = None, safety: SafetyPolicy | None = None
    ) -> None:
        self.link = link
        self._kind = kind
        self._usim_aid: bytes | None = None
        self.pins = PinService(self, safety or SafetyPolicy.strict())

    # --- generation ---------------------------------------------------------
    @property
    def kind(self) -> CardKind:
        if self._kind is None:
            self._kind = self._detect()
        return self._kind

    @property
    def cla(self) -> int:
        return 0xA0 if self.kind is CardKind.GSM else 0x00

    def _detect(self) -> CardKind:
        """SELECT MF under CLA 00 (pySim's probe); a card that refuses it is a GSM SIM."""
        response = self.link.transmit(Apdu(0x00, 0xA4, 0x00, 0x04, bytes.fromhex("3F00")))
        if response.sw == 0x9000:
            return CardKind.UICC
        response = self.link.transmit(Apdu(0xA0, 0xA4, 0x00, 0x00, bytes.fromhex("3F00")))
        if response.sw == 0x9000:
            return CardKind.GSM
        raise StatusWordError(
            response.sw1,
            response.sw2,
            describe(response.sw1, response.sw2),
            "SELECT MF (card detection)",
        )

    # --- exchanges ------------------------------------------------------------
    def send(self, apdu: Apdu, name: str, accept: Sequence[int] | None = None) -> Response:
        """Transmit and raise `StatusWordError` unless the SW is in `accept`
        (default: normal processing, 9000/91xx/92xx)."""
        response = self.link.transmit(apdu)
        ok = is_success(response.sw1, response.sw2) if accept is None else response.sw in accept
        if not ok:
            gsm = apdu.cla == 0xA0
            raise StatusWordError(
                response.sw1, response.sw2, describe(response.sw1, response.sw2, gsm=gsm), name
            )
        return response

    # --- selection ----------------------------------------------------------
    def select(self, target: int | Sequence[int] | bytes) -> FileInfo:
        """Select by FID (int), by path from the MF (a sequence of FIDs), or by AID (bytes)."""
        if isinstance(target, bytes):
            return self._select_aid(target)
        path = [target] if isinstance(target, int) else list(target)
        if self.kind is CardKind.GSM:
            info = None
            for fid in path:
                info = self._select_gsm(fid)
            if info is None:
                raise ValueError("empty path")
            return info
        if len(path) == 1:
            data = path[0].to_bytes(2, "big")
            response = self.send(Apdu(0x00, 0xA4, 0x00, 0x04, data), f"SELECT {path[0]:04X}")
        else:
            steps = [fid for fid in path if fid != MF] if path[0] == MF else path
            body = b"".join(fid.to_bytes(2, "big") for fid in steps)
            p1 = 0x08 if path[0] == MF else 0x09
            name = "SELECT " + "/".join(f"{fid:04X}" for fid in path)
            response = self.send(Apdu(0x00, 0xA4, p1, 0x04, body), name)
        return _info_from_fcp(response.data)

    def _select_gsm(self, fid: int) -> FileInfo:
        response = self.send(
            Apdu(0xA0, 0xA4, 0x00, 0x00, fid.to_bytes(2, "big")), f"SELECT {fid:04X}"
        )
        return _info_from_gsm(response.data)

    def _select_aid(self, aid: bytes) -> FileInfo:
        response = self.send(Apdu(0x00, 0xA4, 0x04, 0x04, aid), f"SELECT AID {aid.hex().upper()}")
        return _info_from_fcp(response.data)

    def applications(self) -> list[AppRecord]:
        """Applications listed in EF.DIR (UICC only)."""
        info = self.select([MF, EF_DIR])
        apps = []
        for number in range(1, (info.record_count or 0) + 1):
            record = self.read_record(number, info.record_length)
            app = decode_dir_record(record)
            if app is not None:
                apps.append(app)
        return apps

    def select_usim(self) -> FileInfo:
        if self._usim_aid is None:
            usim = [a for a in self.applications() if a.aid.startswith(USIM_AID_PREFIX)]
            if not usim:
                raise StatusWordError(0x6A, 0x82, "no USIM application in EF.DIR", "SELECT USIM")
            self._usim_aid = usim[0].aid
        return self._select_aid(self._usim_aid)

    # --- reading and writing ------------------------------------------------
    def read_binary(self, length: int, offset: int = 0) -> bytes:
        out = bytearray()
        while len(out) < length:
            chunk = min(length - len(out), 256)
            at = offset + len(out)
            apdu = Apdu(self.cla, 0xB0, at >> 8, at & 0xFF, le=chunk)
            out += self.send(apdu, "READ BINARY").data
        return bytes(out)

    def update_binary(self, data: bytes, offset: int = 0) -> None:
        for start in range(0, len(data), 255):
            at = offset + start
            chunk = data[start : start + 255]
            self.send(Apdu(self.cla, 0xD6, at >> 8, at & 0xFF, chunk), "UPDATE BINARY")

    def read_record(self, number: int, length: int | None) -> bytes:
        apdu = Apdu(self.cla, 0xB2, number, 0x04, le=length or 256)
        return self.send(apdu, f"READ RECORD {number}").data

    def update_record(self, number: int, data: bytes) -> None:
        self.send(Apdu(self.cla, 0xDC, number, 0x04, data), f"UPDATE RECORD {number}")

    def read_file(self, path: Sequence[int]) -> bytes:
        info = self.select(path)
        return self.read_binary(info.size or 0)

    def read_records(self, path: Sequence[int]) -> list[bytes]:
        info = self.select(path)
        return [
            self.read_record(n, info.record_length) for n in range(1, (info.record_count or 0) + 1)
        ]

    # --- identity -----------------------------------------------------------
    def read_iccid(self) -> str:
        return decode_iccid(self.read_file([MF, EF_ICCID]))

    def read_imsi(self) -> str:
        return decode_imsi(self._read_app_file(EF_IMSI, DF_GSM))

    def read_spn(self) -> Spn:
        return decode_spn(self._read_app_file(EF_SPN, DF_GSM))

    def read_msisdn(self) -> MsisdnRecord | None:
        records = self._read_app_records(EF_MSISDN)
        return decode_msisdn(records[0]) if records else None

    def read_sms(self) -> list[StoredMessage]:
        """Every occupied EF.SMS record, with its 1-based index."""
        out = []
        for number, raw in enumerate(self._read_app_records(EF_SMS), start=1):
            try:
                record = decode_sms_record(raw)
            except CodecError:
                continue
            if record.status & 0x01:
                out.append(StoredMessage(number, record))
        return out

    def _read_app_file(self, fid: int, gsm_df: int) -> bytes:
        if self.kind is CardKind.UICC:
            self.select_usim()
            info = self.select(fid)
            return self.read_binary(info.size or 0)
        return self.read_file([MF, gsm_df, fid])

    def _read_app_records(self, fid: int) -> list[bytes]:
        if self.kind is CardKind.UICC:
            self.select_usim()
            info = self.select(fid)
            return [
                self.read_record(n, info.record_length)
                for n in range(1, (info.record_count or 0) + 1)
            ]
        return self.read_records([MF, DF_TELECOM, fid])


def _info_from_fcp(raw: bytes) -> FileInfo:
    if not raw:
        return FileInfo(fid=None, is_df=False, structure="unknown")
    fcp = decode_fcp(raw)
    structure = {
        FileKind.DF: "df",
        FileKind.TRANSPARENT: "transparent",
        FileKind.LINEAR_FIXED: "linear",
        FileKind.CYCLIC: "cyclic",
        FileKind.BER_TLV: "ber-tlv",
    }[fcp.kind]
    return FileInfo(
        fid=fcp.fid,
        is_df=fcp.kind is FileKind.DF,
        structure=structure,
        size=fcp.size,
        record_length=fcp.record_length,
        record_count=fcp.record_count,
        raw=raw,
    )


def _info_from_gsm(raw: bytes) -> FileInfo:
    if len(raw) >= 7 and raw[6] in (0x01, 0x02):
        return FileInfo(fid=int.from_bytes(raw[4:6], "big"), is_df=True, structure="df", raw=raw)
    status = decode_gsm_ef_status(raw)
    structure = {
        GsmStructure.TRANSPARENT: "transparent",
        GsmStructure.LINEAR_FIXED: "linear",
        GsmStructure.CYCLIC: "cyclic",
    }[status.structure]
    count = (status.size // status.record_length) if status.record_length else None
    return FileInfo(
        fid=status.fid,
        is_df=False,
        structure=structure,
        size=status.size,
        record_length=status.record_length,
        record_count=count,
        raw=raw,
    )
