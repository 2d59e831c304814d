"""Test vectors that every SIM file codec carries beside its definitions.

Each codec module defines `VECTORS: list[CodecVector]`; `all_vectors()`
collects them so that one test (tests/test_codec_vectors.py) round-trips every
codec both ways. Adding a codec module means adding its name to
`ALL_CODEC_MODULES` and nothing else.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ALL_CODEC_MODULES: tuple[str, ...] = (
    "harness.sim.bcd",
    "harness.sim.tlv",
    "harness.sim.fcp",
    "harness.sim.gsm_response",
    "harness.sim.ef.identity",
    "harness.sim.ef.service",
    "harness.sim.ef.location",
    "harness.sim.gsmtap",
    "harness.sim.ef.sms",
    "harness.sim.ef.dir",
)


@dataclass(frozen=True)
class CodecVector:
    """One known pair: `decode(encoded) == decoded` and `encode(decoded) == encoded`."""

    name: str
    encoded: bytes
    decoded: object
    encode: Callable[[Any], bytes]
    decode: Callable[[bytes], Any]


def all_vectors() -> list[CodecVector]:
    """Every vector of every module in `ALL_CODEC_MODULES`, in module order."""
    vectors: list[CodecVector] = []
    for module_name in ALL_CODEC_MODULES:
        module = importlib.import_module(module_name)
        found = getattr(module, "VECTORS", None)
        if not isinstance(found, list) or not all(isinstance(v, CodecVector) for v in found):
            raise TypeError(f"{module_name}.VECTORS must be a list of CodecVector")
        vectors.extend(found)
    return vectors
