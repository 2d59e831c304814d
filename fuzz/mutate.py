"""Byte-level mutations of seed inputs (what a flaky line or a damaged disk does)."""

from __future__ import annotations

import random

INTERESTING = (0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x0D, 0x0A, 0x22, 0x2C, 0x3A, 0x7B, 0x7D)


def mutate(rng: random.Random, seed: bytes) -> bytes:
    """`seed` with 1-4 random edits: bit flips, interesting bytes, drops, inserts,
    duplicated or cut spans; sometimes plain random bytes instead."""
    if not seed or rng.random() < 0.08:
        return rng.randbytes(rng.randrange(0, 64))
    out = bytearray(seed)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(7)
        at = rng.randrange(len(out)) if out else 0
        if kind == 0 and out:
            out[at] ^= 1 << rng.randrange(8)
        elif kind == 1 and out:
            out[at] = rng.choice(INTERESTING)
        elif kind == 2 and out:
            del out[at : at + rng.randint(1, 4)]
        elif kind == 3:
            out[at:at] = rng.randbytes(rng.randint(1, 4))
        elif kind == 4 and out:
            span = out[at : at + rng.randint(1, 16)]
            out[at:at] = span
        elif kind == 5:
            del out[at:]
        elif out:
            out[at] = (out[at] + rng.choice((-1, 1))) & 0xFF
    return bytes(out)
