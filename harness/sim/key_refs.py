"""PIN key references and the PIN block, written once for the driver and the virtual card.

UICC (TS 102 221 Table 9.3): P2 of VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK; b8=1 marks
a specific (local) PIN of the current application. GSM SIM (TS 51.011 §9.2.9ff):
CHV numbers, and UNBLOCK CHV's own P2 coding.
"""

from __future__ import annotations

UICC_PIN1 = 0x01  # PIN Appl 1 (global)
UICC_PIN2 = 0x81  # second PIN of Appl 1 (local to the ADF)
UICC_ADM1 = 0x0A  # ADM1

GSM_CHV1 = 0x01
GSM_CHV2 = 0x02
GSM_UNBLOCK_CHV1 = 0x00  # 51.011 §9.2.13: UNBLOCK CHV1 uses P2 = 00
GSM_UNBLOCK_CHV2 = 0x02


PIN_BLOCK_LENGTH = 8


def pin_block(digits: str) -> bytes:
    """'1234' -> 31 32 33 34 FF FF FF FF: ASCII digits padded with FF to 8 bytes (TS 102 221
    §9.5.1, TS 51.011 §9.3). The caller has checked the digits; they are never quoted."""
    return digits.encode("ascii").ljust(PIN_BLOCK_LENGTH, b"\xff")


def is_local(key_ref: int) -> bool:
    """A specific PIN of an application (P2 b8 = 1), addressed from inside its ADF."""
    return bool(key_ref & 0x80)
