"""The stolen phones of the attack demo: a virtual modem around a fresh virtual card.

Built here, on the bench side, so that `harness.attack.demo` only ever sees a
`ModemTarget` through the Modem driver, as it would on a real bench.
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from harness.attack.target import ModemTarget
from harness.modem import Modem
from harness.virtual.bench import numbered_profile
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import VirtualModem

__all__ = ["stolen_phone"]


@contextmanager
def stolen_phone(index: int, pin: str, *, virtual: bool) -> Iterator[ModemTarget]:
    """A Quectel-like virtual modem holding fresh virtual card `index` (its own ICCID), PIN1
    `pin`; the target is marked `virtual` or REAL as the caller says."""
    profile = numbered_profile(load_profile(DEFAULT_PROFILE), index)
    card = VirtualUicc(dataclasses.replace(profile, pin1=pin))
    with (
        tempfile.TemporaryDirectory(prefix="simharness-attack-") as workdir,
        VirtualModem(card, personality="quectel") as device,
    ):
        port = Path(workdir) / "modem"
        device.start_pty(port)

        def reinsert() -> None:
            device.remove_sim()
            device.insert_sim(card)

        with Modem(str(port), default_timeout=3.0) as modem:
            name = f"stolen phone {index + 1} (a virtual modem and SIM)"
            yield ModemTarget(modem, virtual=virtual, reinsert_sim=reinsert, name=name)
