"""Every SIM file codec round-trips every vector it carries (harness.sim.codec_vectors)."""

from __future__ import annotations

import importlib

import pytest

from harness.sim.codec_vectors import ALL_CODEC_MODULES, CodecVector, all_vectors

VECTORS = all_vectors()


@pytest.mark.parametrize("vector", VECTORS, ids=[v.name for v in VECTORS])
def test_decode_gives_the_known_value(vector: CodecVector) -> None:
    assert vector.decode(vector.encoded) == vector.decoded


@pytest.mark.parametrize("vector", VECTORS, ids=[v.name for v in VECTORS])
def test_encode_gives_the_known_bytes(vector: CodecVector) -> None:
    assert vector.encode(vector.decoded).hex().upper() == vector.encoded.hex().upper()


@pytest.mark.parametrize("module_name", ALL_CODEC_MODULES)
def test_every_codec_module_carries_vectors(module_name: str) -> None:
    vectors = importlib.import_module(module_name).VECTORS
    assert vectors, f"{module_name} has no VECTORS"
    assert all(v in VECTORS for v in vectors)


def test_vector_names_are_unique() -> None:
    names = [v.name for v in VECTORS]
    assert len(names) == len(set(names))
