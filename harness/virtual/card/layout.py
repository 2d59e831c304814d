"""Builds the virtual card's file tree from a profile (TS 102 221 §13, 51.011 §10, 31.102 §4).

MF
├── EF.DIR 2F00, EF.ICCID 2FE2, EF.PL 2F05, EF.ARR 2F06
├── DF.TELECOM 7F10: EF.MSISDN 6F40, EF.SMS 6F3C, EF.SMSP 6F42
├── DF.GSM 7F20: EF.IMSI 6F07, EF.AD 6FAD, EF.SST 6F38, EF.ACC 6F78, EF.SPN 6F46, EF.LOCI 6F7E
ADF.USIM (AID from EF.DIR): EF.IMSI, EF.AD, EF.UST 6F38, EF.SPN, EF.ARR 6F06, and
          EF.SMS/EF.MSISDN/EF.SMSP sharing their bodies with DF.TELECOM's.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.sim.ef_dir import AppRecord, encode_dir_record
from harness.sim.ef_identity import MsisdnRecord, encode_iccid, encode_imsi, encode_msisdn
from harness.sim.ef_service import AdminData, Spn, encode_ad, encode_spn, encode_sst, encode_ust
from harness.sim.ef_sms import Smsp, SmsRecord, encode_sms_record, encode_smsp
from harness.virtual.card.access import ARR_RECORDS
from harness.virtual.card.fs import (
    Access,
    DedicatedFile,
    Level,
    LinearEf,
    RecordBody,
    TransparentBody,
    TransparentEf,
)
from harness.virtual.card.profile import CardProfile

# USIM application: RID A000000087, PIX 1002 (3GPP USIM, TS 101 220 Annex E),
# then a project-specific application provider code.
USIM_AID = bytes.fromhex("A0000000871002FF49FF0589")
SMS_RECORD_LENGTH = 176
MSISDN_ALPHA_LENGTH = 12
SMSP_ALPHA_LENGTH = 12
# 51.011 §10.3.7 SST services: 1 CHV1 disable, 4 SMS, 9 MSISDN, 12 SMSP, 17 SPN.
GSM_SERVICES = {1, 4, 9, 12, 17}
# 31.102 §4.2.8 UST services: 10 SMS, 12 SMSP, 19 SPN, 21 MSISDN.
USIM_SERVICES = {10, 12, 19, 21}

ALW_ADM = Access(Level.ALW, Level.ADM1)
PIN_ADM = Access(Level.PIN1, Level.ADM1)
PIN_PIN = Access(Level.PIN1, Level.PIN1)
ALW_PIN = Access(Level.ALW, Level.PIN1)


@dataclass
class CardTree:
    """The MF and the applications (ADFs are reached by AID, not from the MF by FID)."""

    mf: DedicatedFile
    applications: list[DedicatedFile]


def build_tree(profile: CardProfile) -> CardTree:
    mf = DedicatedFile(0x3F00, "MF", ALW_ADM)
    app = AppRecord(aid=USIM_AID, label="USIM")
    mf.add(_records(0x2F00, "EF.DIR", ALW_ADM, 38, [encode_dir_record(app, 38)], sfi=0x1E))
    mf.add(_binary(0x2FE2, "EF.ICCID", ALW_ADM, encode_iccid(profile.iccid), sfi=0x02))
    mf.add(_binary(0x2F05, "EF.PL", ALW_PIN, b"en\xff\xff", sfi=0x05))
    mf.add(_arr(0x2F06, sfi=0x06))

    telecom = DedicatedFile(0x7F10, "DF.TELECOM", ALW_ADM)
    mf.add(telecom)
    msisdn = MsisdnRecord(alpha_id="", number=profile.msisdn)
    msisdn_len = MSISDN_ALPHA_LENGTH + 14
    ef_msisdn = _records(
        0x6F40, "EF.MSISDN", PIN_PIN, msisdn_len, [encode_msisdn(msisdn, msisdn_len)]
    )
    sms_rows = [encode_sms_record(SmsRecord(s.status, s.pdu)) for s in profile.stored_sms]
    sms_rows += [encode_sms_record(SmsRecord(0x00, b""))] * (profile.sms_records - len(sms_rows))
    ef_sms = _records(0x6F3C, "EF.SMS", PIN_PIN, SMS_RECORD_LENGTH, sms_rows)
    smsp_len = SMSP_ALPHA_LENGTH + 28
    smsp = Smsp(sc_address=profile.smsc, pid=0x00, dcs=0x00, validity=0xA7)
    ef_smsp = _records(0x6F42, "EF.SMSP", PIN_PIN, smsp_len, [encode_smsp(smsp, smsp_len)])
    for ef in (ef_msisdn, ef_sms, ef_smsp):
        telecom.add(ef)

    gsm = DedicatedFile(0x7F20, "DF.GSM", ALW_ADM)
    mf.add(gsm)
    ef_imsi = _binary(0x6F07, "EF.IMSI", PIN_ADM, encode_imsi(profile.imsi), sfi=0x07)
    ad = encode_ad(AdminData(ue_mode=0x00, additional=b"\x00\x00", mnc_length=profile.mnc_length))
    ef_spn = _binary(0x6F46, "EF.SPN", ALW_ADM, encode_spn(Spn(profile.spn, 0x01)))
    gsm.add(ef_imsi)
    gsm.add(_binary(0x6FAD, "EF.AD", ALW_ADM, ad))
    gsm.add(_binary(0x6F38, "EF.SST", PIN_ADM, encode_sst(GSM_SERVICES, 5)))
    gsm.add(_binary(0x6F78, "EF.ACC", PIN_ADM, _access_class(profile.imsi)))
    gsm.add(ef_spn)
    # LOCI (24.008 §10.5.1.3): TMSI unset, LAI deleted, location update status "not updated".
    gsm.add(_binary(0x6F7E, "EF.LOCI", PIN_PIN, bytes.fromhex("FFFFFFFFFFFFFFFFFE0001")))

    usim = DedicatedFile(0x7FFF, "USIM", ALW_ADM, aid=USIM_AID)
    usim.add(_shared(ef_imsi, sfi=0x07))
    usim.add(_binary(0x6FAD, "EF.AD", ALW_ADM, ad, sfi=0x03))
    usim.add(_binary(0x6F38, "EF.UST", PIN_ADM, encode_ust(USIM_SERVICES, 3), sfi=0x04))
    usim.add(_shared(ef_spn))
    usim.add(_arr(0x6F06, sfi=0x17))
    for ef in (ef_msisdn, ef_sms, ef_smsp):
        usim.add(_shared(ef))
    return CardTree(mf, [usim])


def _binary(
    fid: int, name: str, access: Access, data: bytes, sfi: int | None = None
) -> TransparentEf:
    return TransparentEf(fid, name, access, sfi=sfi, body=TransparentBody(bytearray(data)))


def _records(
    fid: int, name: str, access: Access, length: int, rows: list[bytes], sfi: int | None = None
) -> LinearEf:
    body = RecordBody(length, [bytearray(r) for r in rows])
    return LinearEf(fid, name, access, sfi=sfi, body=body)


def _arr(fid: int, sfi: int) -> LinearEf:
    length = max(len(r) for r in ARR_RECORDS.values())
    rows = [ARR_RECORDS[i].ljust(length, b"\xff") for i in sorted(ARR_RECORDS)]
    return _records(fid, "EF.ARR", ALW_ADM, length, rows, sfi=sfi)


def _shared(ef: TransparentEf | LinearEf, sfi: int | None = None) -> TransparentEf | LinearEf:
    """A second directory entry for the same body (a linked file)."""
    if isinstance(ef, TransparentEf):
        return TransparentEf(ef.fid, ef.name, ef.access, sfi=sfi, body=ef.body)
    return LinearEf(ef.fid, ef.name, ef.access, sfi=sfi, body=ef.body)


def _access_class(imsi: str) -> bytes:
    """EF.ACC (51.011 §10.3.15): one of classes 0-9, conventionally the IMSI's last digit."""
    return (1 << int(imsi[-1])).to_bytes(2, "big")
