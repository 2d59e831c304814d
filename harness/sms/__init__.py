"""SMS PDU codec (3GPP TS 23.040 / TS 23.038), shared by the modem driver and the simulators.

One module per layer of the PDU: `gsm7` (alphabet and septet packing), `address`,
`timestamps`, `dcs`, `udh`, `userdata`, `tpdu` (SMS-DELIVER/SUBMIT/STATUS-REPORT),
`pdu` (AT PDU mode: SMSC field + TPDU as hex) and `concat` (long messages).
Every decoder raises `harness.errors.CodecError` for bytes it cannot read.
"""
