"""The APDU instructions whose command data is a secret: one list for every layer.

A base module that imports nothing, so the secret masking (harness.secrets),
the APDU codec (harness.sim.apdu), the links' safety gate (harness.sim.link)
and the simulators all name the same set.

ETSI TS 102 221 §10.1.2 (and ISO/IEC 7816-4): VERIFY PIN 20, CHANGE PIN 24,
DISABLE PIN 26, ENABLE PIN 28, UNBLOCK PIN 2C; their data field holds a PIN,
a PUK or an ADM key. TS 51.011 §9.2 uses the same codes under CLA A0 (VERIFY
CHV, CHANGE CHV, DISABLE CHV, ENABLE CHV, UNBLOCK CHV).
"""

from __future__ import annotations

__all__ = ["CHANGE_PIN", "DISABLE_PIN", "ENABLE_PIN", "SECRET_INS", "UNBLOCK_PIN", "VERIFY_PIN"]

VERIFY_PIN = 0x20
CHANGE_PIN = 0x24
DISABLE_PIN = 0x26
ENABLE_PIN = 0x28
UNBLOCK_PIN = 0x2C

SECRET_INS: frozenset[int] = frozenset(
    {VERIFY_PIN, CHANGE_PIN, DISABLE_PIN, ENABLE_PIN, UNBLOCK_PIN}
)
