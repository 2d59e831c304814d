"""Builds the virtual card's file tree from a profile (TS 102 221 §13, 51.011 §10, 31.102 §4).

MF
├── EF.DIR 2F00, EF.ICCID 2FE2, EF.PL 2F05, EF.ARR 2F06
├── DF.TELECOM 7F10: EF.MSISDN 6F40, EF.SMS 6F3C, EF.SMSP 6F42, EF.SMSS 6F43
├── DF.GSM 7F20: EF.IMSI 6F07, EF.AD 6FAD, EF.SST 6F38, EF.ACC 6F78, EF.SPN 6F46, EF.LOCI 6F7E
ADF.USIM (AID from EF.DIR), TS 31.102 §4.2: the files it marks mandatory - EF.IMSI,
          EF.Keys 6F08, EF.KeysPS 6F09, EF.HPPLMN 6F31, EF.UST 6F38, EF.ACC 6F78,
          EF.FPLMN 6F7B, EF.LOCI 6F7E, EF.AD 6FAD, EF.START-HFN 6F5B, EF.THRESHOLD 6F5C,
          EF.PSLOCI 6F73, EF.NETPAR 6FC4, EF.ECC 6FB7 (112, 911), EF.ARR 6F06 - with
          EF.LI 6F05 (optional in the Rel-17 text, on real cards alike) and what EF.UST
          announces: SMS (n°10: EF.SMS and EF.SMSS), SMSP (n°12), SPN (n°19), MSISDN
          (n°21); EF.SMS/SMSP/SMSS/MSISDN share
          their bodies with DF.TELECOM's, EF.ACC with DF.GSM's. Sizes, SFIs and access
          conditions are the clause's; contents are the TS 31.102 Annex E pre-personalisation
          values where it suggests one (nothing stored: no keys, not updated, no forbidden
          PLMN).
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.sim.ef.dir import AppRecord, encode_dir_record
from harness.sim.ef.identity import MsisdnRecord, encode_iccid, encode_imsi, encode_msisdn
from harness.sim.ef.location import (
    EccRecord,
    Keys,
    Loci,
    PsLoci,
    Smss,
    encode_ecc_record,
    encode_fplmn,
    encode_keys,
    encode_li,
    encode_loci,
    encode_psloci,
    encode_smss,
    encode_start,
)
from harness.sim.ef.service import AdminData, Spn, encode_ad, encode_spn, encode_sst, encode_ust
from harness.sim.ef.sms import Smsp, SmsRecord, encode_sms_record, encode_smsp
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
# 31.102 §4.2.8 UST services: 10 SMS, 12 SMSP, 19 SPN, 21 MSISDN. Each has its files
# in ADF.USIM (n°10: EF.SMS and EF.SMSS); nothing else is announced.
USIM_SERVICES = {10, 12, 19, 21}
# §4.2.6 EF.HPPLMN: search period in units of n = 6 min (TS 23.122); 10 -> one hour.
HPPLMN_PERIOD = 0x0A
START_INITIAL = 0  # §4.2.51 / Annex E: F00000 for START_CS and START_PS
EMERGENCY_CODES = ("112", "911")  # EF.ECC; 22.101 §10.1.1 has the ME know these anyway
NETPAR_LENGTH = 46  # §4.2.57: at least 46 bytes; 'FF' = no cell information stored

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
    ef_smss = _binary(0x6F43, "EF.SMSS", PIN_PIN, encode_smss(Smss()))
    for ef in (ef_msisdn, ef_sms, ef_smsp, ef_smss):
        telecom.add(ef)

    gsm = DedicatedFile(0x7F20, "DF.GSM", ALW_ADM)
    mf.add(gsm)
    ef_imsi = _binary(0x6F07, "EF.IMSI", PIN_ADM, encode_imsi(profile.imsi), sfi=0x07)
    ad = encode_ad(AdminData(ue_mode=0x00, additional=b"\x00\x00", mnc_length=profile.mnc_length))
    ef_spn = _binary(0x6F46, "EF.SPN", ALW_ADM, encode_spn(Spn(profile.spn, 0x01)))
    gsm.add(ef_imsi)
    gsm.add(_binary(0x6FAD, "EF.AD", ALW_ADM, ad))
    gsm.add(_binary(0x6F38, "EF.SST", PIN_ADM, encode_sst(GSM_SERVICES, 5)))
    ef_acc = _binary(0x6F78, "EF.ACC", PIN_ADM, _access_class(profile.imsi))
    gsm.add(ef_acc)
    gsm.add(ef_spn)
    # LOCI (24.008 §10.5.1.3): TMSI unset, LAI deleted, location update status "not updated".
    gsm.add(_binary(0x6F7E, "EF.LOCI", PIN_PIN, bytes.fromhex("FFFFFFFFFFFFFFFFFE0001")))

    usim = DedicatedFile(0x7FFF, "USIM", ALW_ADM, aid=USIM_AID)
    usim.add(_shared(ef_imsi, sfi=0x07))
    usim.add(_binary(0x6FAD, "EF.AD", ALW_ADM, ad, sfi=0x03))
    usim.add(_binary(0x6F38, "EF.UST", PIN_ADM, encode_ust(USIM_SERVICES, 3), sfi=0x04))
    usim.add(_shared(ef_spn))
    usim.add(_arr(0x6F06, sfi=0x17))
    for ef in (ef_msisdn, ef_sms, ef_smsp, ef_smss):
        usim.add(_shared(ef))
    _add_usim_mandatory(usim, ef_acc)
    return CardTree(mf, [usim])


def _add_usim_mandatory(usim: DedicatedFile, ef_acc: TransparentEf) -> None:
    """The TS 31.102 §4.2 files every USIM carries, at their pre-personalised values."""
    start = encode_start(START_INITIAL)
    for fid, name, access, data, sfi in (
        (0x6F05, "EF.LI", ALW_PIN, encode_li(["en"]), 0x02),  # §4.2.1
        (0x6F08, "EF.Keys", PIN_PIN, encode_keys(Keys()), 0x08),  # §4.2.3
        (0x6F09, "EF.KeysPS", PIN_PIN, encode_keys(Keys()), 0x09),  # §4.2.4
        (0x6F31, "EF.HPPLMN", PIN_ADM, bytes((HPPLMN_PERIOD,)), 0x12),  # §4.2.6
        (0x6F7B, "EF.FPLMN", PIN_PIN, encode_fplmn([]), 0x0D),  # §4.2.16
        (0x6F7E, "EF.LOCI", PIN_PIN, encode_loci(Loci()), 0x0B),  # §4.2.17
        (0x6F73, "EF.PSLOCI", PIN_PIN, encode_psloci(PsLoci()), 0x0C),  # §4.2.23
        (0x6F5B, "EF.START-HFN", PIN_PIN, start + start, 0x0F),  # §4.2.51
        (0x6F5C, "EF.THRESHOLD", PIN_ADM, encode_start(0xFFFFF), 0x10),  # §4.2.52
        (0x6FC4, "EF.NETPAR", PIN_PIN, b"\xff" * NETPAR_LENGTH, None),  # §4.2.57
    ):
        usim.add(_binary(fid, name, access, data, sfi=sfi))
    usim.add(_shared(ef_acc, sfi=0x06))  # §4.2.15
    ecc = [encode_ecc_record(EccRecord(code)) for code in EMERGENCY_CODES]
    usim.add(_records(0x6FB7, "EF.ECC", ALW_ADM, 4, ecc, sfi=0x01))  # §4.2.21


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
