"""SMS PDU codec (3GPP TS 23.040 / TS 23.038), shared by the modem driver and the simulators.

One module per layer: `gsm7` (alphabet, septet packing), `address` (TP and SMSC
addresses), `timestamps`, `validity`, `dcs`, `udh`, `userdata`, `tpdu`
(SMS-DELIVER/SUBMIT), `status_report`, `pdu` (AT PDU mode: SMSC field + TPDU as
hex) and `concat` (long messages); `vectors` holds known PDUs for tests.
Every decoder raises `harness.errors.CodecError` for bytes it cannot read.
"""
