"""A served modem's identity: IMEIs with a valid Luhn check digit (3GPP TS 23.003 §6.2)."""

from __future__ import annotations

from harness.sim.ef.identity import luhn_digit

__all__ = ["IMEI_BASE", "imei_for"]

IMEI_BASE = 35693803564380  # 14 digits (TAC + serial); the 15th is the Luhn check digit


def imei_for(index: int) -> str:
    body = str(IMEI_BASE + index)
    return body + luhn_digit(body)
