"""File identifiers and the card generation, shared by the SIM driver modules.

FIDs: TS 102 221 §13 (MF level), TS 51.011 §10.7 (DF.GSM, DF.TELECOM), TS 31.102 §4.2 (USIM).
"""

from __future__ import annotations

from enum import Enum

MF = 0x3F00
DF_TELECOM = 0x7F10
DF_GSM = 0x7F20
EF_DIR = 0x2F00
EF_ICCID = 0x2FE2
EF_IMSI = 0x6F07
EF_MSISDN = 0x6F40
EF_SPN = 0x6F46
EF_SMS = 0x6F3C
EF_SMSP = 0x6F42
USIM_AID_PREFIX = bytes.fromhex("A0000000871002")  # RID A000000087 + PIX 1002 (TS 101 220)


class CardKind(Enum):
    UICC = "UICC (TS 102 221)"
    GSM = "GSM SIM (TS 51.011)"
