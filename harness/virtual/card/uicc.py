"""The virtual UICC: one card, two personalities (CLA 00 TS 102 221, CLA A0 TS 51.011).

It is the single source of truth for PIN state. Readers (the vpcd bridge) and
modems (the virtual modem) talk to it only through `transmit(bytes) -> bytes`
and the power functions, exactly as they would to a real card.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from harness.errors import CodecError
from harness.sim.apdu import Apdu, Response
from harness.sim.key_refs import pin_block
from harness.sim.status_words import Sw
from harness.virtual.card.context import CardContext
from harness.virtual.card.gsm_commands import handle_gsm
from harness.virtual.card.layout import build_tree
from harness.virtual.card.pins import PinBank, SecretId, SecretRecord
from harness.virtual.card.profile import DEFAULT_PROFILE, CardProfile, load_profile
from harness.virtual.card.state import load_state, restore, snapshot, write_atomically
from harness.virtual.card.uicc_commands import handle_uicc

log = logging.getLogger(__name__)

# Project-specific ATR (ISO/IEC 7816-3 §8.2): TS=3B direct convention; T0=0A: no
# interface bytes (so T=0 only, and no TCK), 10 historical bytes; the historical
# bytes start with a category byte outside 00/10/80-8F, i.e. proprietary
# (7816-4 §8.1.1), here ASCII "SIMHARNESS". Offering T=0 only keeps pcscd from
# negotiating T=1 (PCSC.md gotcha 2).
ATR = bytes.fromhex("3B0A") + b"SIMHARNESS"


class VirtualUicc:
    """A SIM card in memory, optionally backed by a JSON state file (its EEPROM)."""

    def __init__(self, profile: CardProfile, *, state_path: Path | None = None) -> None:
        self.profile = profile
        self.state_path = state_path
        self._lock = threading.RLock()
        self._powered = False
        tree = build_tree(profile)
        for app in tree.applications:
            app.parent = tree.mf  # navigation: an ADF's parent is the MF
        secrets = _secrets_from(profile)
        self._ctx = CardContext(
            tree=tree,
            pins=PinBank(
                secrets,
                self._persist,
                drop_on_wrong_change=profile.change_wrong_pin_drops_verification,
            ),
            persist=self._persist,
        )
        if state_path is not None:
            saved = load_state(state_path)
            if saved is not None:
                restore(saved, secrets, self._roots(), source=str(state_path))
            else:
                self._persist()
        self._ctx.reset_volatile()

    @classmethod
    def from_files(
        cls, profile: Path | str | None = None, state: Path | str | None = None
    ) -> VirtualUicc:
        return cls(
            load_profile(profile or DEFAULT_PROFILE),
            state_path=Path(state) if state is not None else None,
        )

    @property
    def atr(self) -> bytes:
        return ATR

    @property
    def powered(self) -> bool:
        return self._powered

    def power_on(self) -> bytes:
        """Cold reset: volatile state cleared, ATR returned."""
        with self._lock:
            self._ctx.reset_volatile()
            self._powered = True
            return ATR

    def power_off(self) -> None:
        with self._lock:
            self._ctx.reset_volatile()
            self._powered = False

    def reset(self) -> bytes:
        """Warm reset: the same volatile clean-up as a power cycle."""
        return self.power_on()

    def transmit(self, raw: bytes) -> bytes:
        """Process one C-APDU and return the R-APDU. Never raises."""
        with self._lock:
            if not self._powered:
                self._ctx.reset_volatile()
                self._powered = True  # a reader that forgot to power on: answer anyway
            try:
                apdu = Apdu.from_bytes(raw)
            except CodecError:
                return Response.of_sw(Sw.WRONG_LENGTH).to_bytes()
            try:
                return self._dispatch(apdu).to_bytes()
            except Exception:  # the card never raises out of its APDU handler
                log.exception("virtual card failed on %s", apdu.describe())
                return Response.of_sw(Sw.TECHNICAL_PROBLEM).to_bytes()

    def _dispatch(self, apdu: Apdu) -> Response:
        cla = apdu.cla
        if cla == 0xA0:
            return handle_gsm(self._ctx, apdu)
        if cla & 0xBC == 0x00 or cla & 0xFC == 0x80 or cla & 0xC0 == 0x40:
            return handle_uicc(self._ctx, apdu)
        return Response.of_sw(Sw.CLA_NOT_SUPPORTED)

    def _roots(self) -> list:  # type: ignore[type-arg]
        return [self._ctx.tree.mf, *self._ctx.tree.applications]

    def _persist(self) -> None:
        if self.state_path is None:
            return
        write_atomically(self.state_path, snapshot(self._ctx.pins.records, self._roots()))


def _secrets_from(profile: CardProfile) -> dict[SecretId, SecretRecord]:
    values = {
        SecretId.PIN1: pin_block(profile.pin1),
        SecretId.PIN2: pin_block(profile.pin2),
        SecretId.PUK1: pin_block(profile.puk1),
        SecretId.PUK2: pin_block(profile.puk2),
        SecretId.ADM1: profile.adm1,
    }
    records = {}
    for sid, value in values.items():
        maximum = profile.max_retries[sid.value]
        records[sid] = SecretRecord(
            value=value,
            retries=profile.retries.get(sid.value, maximum),
            max_retries=maximum,
            enabled=profile.pin1_enabled if sid is SecretId.PIN1 else True,
        )
    return records
