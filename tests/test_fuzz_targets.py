"""The fast slice of the fuzz run: every target (fuzz/targets.py: SimCard over a link
answering arbitrary bytes, FCP/GSM/EF decoders, AT framer and parsers, SMS PDUs, and
the ledger, card-state, profile and bench loaders fed damaged files) maps any input
to a result or a typed error. `make fuzz` runs the same targets a million times."""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzz.mutate import mutate
from fuzz.targets import TARGETS, Target
from harness.errors import HarnessError

SEEDS = {target.name: target.seeds() or [b""] for target in TARGETS}


@pytest.fixture(autouse=True)
def quiet() -> Iterator[None]:
    logging.disable(logging.CRITICAL)
    yield
    logging.disable(logging.NOTSET)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    choice=st.integers(min_value=0),
    salt=st.integers(min_value=0, max_value=2**32),
    raw=st.binary(max_size=120),
    use_raw=st.booleans(),
)
def test_any_input_gives_a_result_or_a_typed_error(
    target: Target, choice: int, salt: int, raw: bytes, use_raw: bool
) -> None:
    seeds = SEEDS[target.name]
    data = raw if use_raw else mutate(random.Random(salt), seeds[choice % len(seeds)])
    with contextlib.suppress(HarnessError):  # a typed error is a fine answer; others fail
        target.run(data)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.name)
def test_every_seed_is_accepted_as_it_is(target: Target) -> None:
    """The seeds are good inputs: the mutations start from something that works."""
    accepted = 0
    for seed in SEEDS[target.name]:
        try:
            target.run(seed)
            accepted += 1
        except HarnessError:
            pass
    assert accepted > 0, f"no seed of {target.name} decodes: the fuzzing starts from garbage"


def test_a_ber_tlv_file_selects_as_one() -> None:
    """Issue 14: FDB 0x39 (a legal BER-TLV EF) raised KeyError in SimCard."""
    from fuzz.card import ScriptedLink
    from harness.sim.card import SimCard
    from harness.sim.fids import CardKind

    card = SimCard(ScriptedLink([bytes.fromhex("620482023921") + b"\x90\x00"]), kind=CardKind.UICC)
    info = card.select(0x6F07)
    assert info.structure == "ber-tlv" and not info.is_df
