"""A served modem's identity: IMEIs with a valid Luhn check digit (3GPP TS 23.003 §6.2)."""

from __future__ import annotations

__all__ = ["IMEI_BASE", "imei_for", "luhn_digit"]

IMEI_BASE = 35693803564380  # 14 digits (TAC + serial); the 15th is the Luhn check digit


def luhn_digit(body: str) -> str:
    """The check digit that makes `body` + digit pass the Luhn test (IMEI, 3GPP TS 23.003)."""
    total = 0
    for index, char in enumerate(reversed(body)):
        value = int(char) * (2 if index % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def imei_for(index: int) -> str:
    body = str(IMEI_BASE + index)
    return body + luhn_digit(body)
