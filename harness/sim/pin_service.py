"""PIN service of `SimCard`: counters, enable/disable, verify, change, unblock.

Counters are read without spending an attempt: on a UICC by VERIFY/UNBLOCK with
no data (63CX, TS 102 221 §11.1.9.1.2 / §11.1.13.1.2); on a GSM SIM from the DF
status bytes after SELECT (51.011 §9.2.1: bytes 19-22). Every presentation of
a secret goes through the one safety gate (`harness.safety`) first.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from harness.errors import (
    PinBlockedError,
    PinFormatError,
    PinStateError,
    StatusWordError,
    WrongPinError,
)
from harness.safety import SafetyPolicy, Spend
from harness.secret_ins import CHANGE_PIN, DISABLE_PIN, ENABLE_PIN, UNBLOCK_PIN, VERIFY_PIN
from harness.secrets import Secret
from harness.sim.apdu import Apdu, Response
from harness.sim.fcp import decode_fcp
from harness.sim.fids import EF_IMSI, MF, CardKind
from harness.sim.gsm_response import decode_gsm_df_status
from harness.sim.key_refs import (
    GSM_CHV1,
    GSM_CHV2,
    GSM_UNBLOCK_CHV1,
    GSM_UNBLOCK_CHV2,
    UICC_ADM1,
    UICC_PIN1,
    UICC_PIN2,
    is_local,
    pin_block,
)
from harness.sim.link import ApduLink
from harness.sim.status_words import describe, is_success, retries_from_63cx


class SelectedFile(Protocol):
    """What PIN state needs of a SELECT answer: its raw FCP / GSM response."""

    @property
    def raw(self) -> bytes: ...


class PinCard(Protocol):
    """What the PIN service needs of a card driver (`SimCard` is one). A protocol, so the
    card can own its PIN service without the two modules importing each other."""

    @property
    def link(self) -> ApduLink: ...
    @property
    def kind(self) -> CardKind: ...
    @property
    def cla(self) -> int: ...
    def select(self, target: int) -> SelectedFile: ...
    def select_usim(self) -> SelectedFile: ...


# TS 102 221 §9.5.1: PIN is 4-8 digits padded with FF; PUK is 8 digits.
PIN_LENGTHS = range(4, 9)


class PinRef(Enum):
    """A secret and its key references: (UICC key reference, GSM CHV number)."""

    PIN1 = ("PIN1", UICC_PIN1, GSM_CHV1, "PUK1")
    PIN2 = ("PIN2", UICC_PIN2, GSM_CHV2, "PUK2")
    ADM1 = ("ADM1", UICC_ADM1, None, "PUK")

    def __init__(self, label: str, uicc_ref: int, gsm_chv: int | None, puk_label: str) -> None:
        self.label = label
        self.uicc_ref = uicc_ref  # TS 102 221 Table 9.3 key reference
        self.gsm_chv = gsm_chv  # 51.011 CHV number (None: no standard ADM reference)
        self.puk_label = puk_label
        # TS 102 221 §9.5.1: b8 of the key reference = a local PIN of an application.
        self.local = is_local(uicc_ref)


@dataclass(frozen=True)
class PinState:
    ref: PinRef
    retries: int
    puk_retries: int | None
    enabled: bool
    verified: bool

    @property
    def blocked(self) -> bool:
        return self.retries == 0

    @property
    def puk_blocked(self) -> bool:
        return self.puk_retries == 0


def encode_pin(value: Secret | str, what: str, lengths: range = PIN_LENGTHS) -> bytes:
    """Digits -> ASCII padded with FF to 8 bytes; never quotes the value on error."""
    text = value.reveal() if isinstance(value, Secret) else value
    if not text.isascii() or not text.isdigit() or len(text) not in lengths:
        # Neither the value nor its length is quoted: both tell a thief something.
        raise PinFormatError(f"{what} must be {lengths.start}-{lengths.stop - 1} ASCII digits")
    return pin_block(text)


def encode_adm(value: Secret | str) -> bytes:
    """ADM1: 8 digits (ASCII) or 16 hex digits (a raw 8-byte key)."""
    text = value.reveal() if isinstance(value, Secret) else value
    if len(text) == 8 and text.isdigit():
        return text.encode("ascii")
    if len(text) == 16:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    raise PinFormatError("ADM1 must be 8 digits or 16 hex digits")


class PinService:
    """Typed PIN operations over a card driver (`PinCard`); refusals are typed errors."""

    def __init__(self, card: PinCard, safety: SafetyPolicy) -> None:
        self._card = card
        self.safety = safety

    # --- reading state (free) -----------------------------------------------
    def retries(self, ref: PinRef = PinRef.PIN1) -> int:
        return self._query(ref, unblock=False, ask_verified=False)[0]

    def puk_retries(self, ref: PinRef = PinRef.PIN1) -> int:
        return self._query(ref, unblock=True, ask_verified=False)[0]

    def enabled(self, ref: PinRef = PinRef.PIN1) -> bool:
        """Whether the PIN is asked for: UICC PS_DO in the MF's (PIN1) or the USIM ADF's
        (PIN2, a local PIN) FCP; GSM DF status byte 14 b8."""
        card = self._card
        if card.kind is CardKind.GSM:
            if ref is not PinRef.PIN1:
                return True  # 51.011: only CHV1 can be disabled
            return not decode_gsm_df_status(self._gsm_mf_status()).chv1_disabled
        info = card.select_usim() if ref.local else card.select(MF)
        statuses = decode_fcp(info.raw).pin_statuses
        for status in statuses:
            if status.key_ref == ref.uicc_ref:
                return status.enabled
        return True

    def state(self, ref: PinRef = PinRef.PIN1) -> PinState:
        retries, verified = self._query(ref, unblock=False, ask_verified=True)
        puk = self.puk_retries(ref) if ref is not PinRef.ADM1 else None
        return PinState(ref, retries, puk, self.enabled(ref), verified)

    # --- spending operations (gated) ----------------------------------------
    def verify(self, ref: PinRef, pin: Secret | str) -> None:
        data = encode_adm(pin) if ref is PinRef.ADM1 else encode_pin(pin, ref.label)
        before = self._gate(ref, Spend.PIN)
        self._spend(ref, VERIFY_PIN, self._p2(ref), data, ref.label, "VERIFY", before)

    def change(self, ref: PinRef, old: Secret | str, new: Secret | str) -> None:
        data = encode_pin(old, f"old {ref.label}") + encode_pin(new, f"new {ref.label}")
        before = self._gate(ref, Spend.PIN)
        self._spend(ref, CHANGE_PIN, self._p2(ref), data, ref.label, "CHANGE PIN", before)

    def enable(self, pin: Secret | str) -> None:
        self._set_enabled(pin, enable=True)

    def disable(self, pin: Secret | str) -> None:
        self._set_enabled(pin, enable=False)

    def unblock(self, ref: PinRef, puk: Secret | str, new_pin: Secret | str) -> None:
        data = encode_pin(puk, ref.puk_label, range(8, 9)) + encode_pin(new_pin, f"new {ref.label}")
        before = self._gate(ref, Spend.PUK)
        unblock_chv = GSM_UNBLOCK_CHV1 if ref is PinRef.PIN1 else GSM_UNBLOCK_CHV2
        p2 = unblock_chv if self._gsm else ref.uicc_ref
        self._spend(ref, UNBLOCK_PIN, p2, data, ref.puk_label, "UNBLOCK PIN", before)

    # --- internals ----------------------------------------------------------
    @property
    def _gsm(self) -> bool:
        return self._card.kind is CardKind.GSM

    def _p2(self, ref: PinRef) -> int:
        if not self._gsm:
            return ref.uicc_ref
        if ref.gsm_chv is None:
            raise PinStateError(f"{ref.label} has no standard reference on a GSM SIM (51.011)")
        return ref.gsm_chv

    def _set_enabled(self, pin: Secret | str, *, enable: bool) -> None:
        data = encode_pin(pin, "PIN1")
        before = self._gate(PinRef.PIN1, Spend.PIN)
        command = "ENABLE PIN" if enable else "DISABLE PIN"
        self._spend(
            PinRef.PIN1,
            ENABLE_PIN if enable else DISABLE_PIN,
            self._p2(PinRef.PIN1),
            data,
            "PIN1",
            command,
            before,
        )

    def _gate(self, ref: PinRef, kind: Spend) -> int:
        """Read the counter (free) and ask the safety policy; returns the count read."""
        remaining = self.puk_retries(ref) if kind is Spend.PUK else self.retries(ref)
        what = ref.puk_label if kind is Spend.PUK else ref.label
        self.safety.check(kind, what, remaining, self._card.link.name)
        return remaining

    def _spend(
        self, ref: PinRef, ins: int, p2: int, data: bytes, what: str, command: str, before: int
    ) -> None:
        cla = self._card.cla
        if not self._gsm:
            self._enter_context(ref)
        response = self._card.link.transmit(Apdu(cla, ins, 0x00, p2, data), gate_checked=True)
        self._raise_for(response, what, f"{command} {what}", before)

    def _raise_for(self, response: Response, what: str, command: str, before: int) -> None:
        """Map the answer to a typed error. GSM SIMs do not say how many tries are left
        (9804) or whether the try just made blocked it (9840): the counter read just
        before by the gate tells."""
        sw = response.sw
        if is_success(response.sw1, response.sw2):  # 9000, and 91xx/92xx (docs/sources.md §1.10)
            return
        left = retries_from_63cx(response.sw1, response.sw2)
        if left is not None:
            raise WrongPinError(what, left, command)
        if sw == 0x9804:
            raise WrongPinError(what, max(before - 1, 0), command)
        if sw == 0x9840 and before > 0:
            raise WrongPinError(what, 0, command)
        if sw in (0x6983, 0x9840):
            raise PinBlockedError(what, command)
        if sw in (0x6984, 0x6985, 0x9808):
            raise PinStateError(
                f"{command}: refused ({describe(response.sw1, response.sw2, gsm=self._gsm)}); "
                f"check whether the PIN is enabled (e.g. `simharness card info`)"
            )
        raise StatusWordError(
            response.sw1, response.sw2, describe(response.sw1, response.sw2, gsm=self._gsm), command
        )

    def _query(self, ref: PinRef, *, unblock: bool, ask_verified: bool) -> tuple[int, bool]:
        """(remaining tries, verified) without spending an attempt. Only `ask_verified`
        looks further when the counter shows spent tries (the PIN status and EF.IMSI:
        four more APDUs); otherwise "verified" is False there and the query is one APDU."""
        if self._gsm:
            status = decode_gsm_df_status(self._gsm_mf_status())
            chv = {
                (PinRef.PIN1, False): status.chv1,
                (PinRef.PIN1, True): status.unblock_chv1,
                (PinRef.PIN2, False): status.chv2,
                (PinRef.PIN2, True): status.unblock_chv2,
            }.get((ref, unblock))
            if chv is None:
                raise PinStateError(f"{ref.label} counters are not readable on a GSM SIM")
            return chv.retries, False
        ins = UNBLOCK_PIN if unblock else VERIFY_PIN
        self._enter_context(ref)
        response = self._card.link.transmit(Apdu(0x00, ins, 0x00, ref.uicc_ref))
        left = retries_from_63cx(response.sw1, response.sw2)
        if left is not None:
            if ask_verified and ref is PinRef.PIN1 and not unblock and left > 0:
                return left, self.enabled(ref) and self._pin1_satisfied()
            return left, False
        if response.sw == 0x9000 and not unblock and self.enabled(ref):
            # Enabled and already verified: the counter was reset to its initial value
            # (3, TS 102 221 §11.1.9.1.1). For a disabled PIN a 9000 says nothing.
            return 3, True
        if response.sw == 0x9000:
            raise PinStateError(
                f"{ref.label}: the card answers 9000 to the counter query although the PIN "
                f"is disabled, so its counter cannot be read; nothing that could spend an "
                f"attempt will be sent"
            )
        if response.sw == 0x6983:
            return 0, False
        name = f"{'UNBLOCK' if unblock else 'VERIFY'} {ref.label} (retry query)"
        raise StatusWordError(
            response.sw1, response.sw2, describe(response.sw1, response.sw2), name
        )

    def _pin1_satisfied(self) -> bool:
        """Verified although the counter shows spent attempts (a card that keeps the
        verification after a wrong CHANGE PIN answers 63CX, TS 102 221 §11.1.9.1.2):
        EF.IMSI (access condition PIN1, TS 31.102 §4.2.2) reads only when it is."""
        try:
            self._card.select_usim()
            self._card.select(EF_IMSI)
        except StatusWordError:
            return False
        response = self._card.link.transmit(Apdu(0x00, 0xB0, 0x00, 0x00, le=1))
        return response.sw == 0x9000

    def _enter_context(self, ref: PinRef) -> None:
        """A local PIN (PIN2) is addressed from inside its application: select the USIM."""
        if ref.local:
            self._card.select_usim()

    def _gsm_mf_status(self) -> bytes:
        return self._card.select(MF).raw
