"""Codecs of elementary files, with their test vectors beside them: identity (EF.ICCID,
EF.IMSI, EF.MSISDN), service (EF.SST/UST, EF.SPN, EF.AD), sms (EF.SMS, EF.SMSP), location
(EF.LOCI, EF.PSLOCI, EF.FPLMN, ...), dir (EF.DIR application templates). TS 31.102 /
TS 51.011 / TS 102 221; shared by the driver and the virtual card.
"""
