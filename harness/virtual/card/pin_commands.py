"""VERIFY, CHANGE, DISABLE, ENABLE and UNBLOCK for both personalities.

One parser of the command, one call into `PinBank`, then the status word of the
personality: TS 102 221 §11.1.9-11.1.13 (CLA 00) or TS 51.011 §9.2.9-9.2.13 (CLA A0),
with the SW choices of docs/sources.md §4.4/4.5 where the specs leave room.
"""

from __future__ import annotations

from harness.secret_ins import CHANGE_PIN, DISABLE_PIN, ENABLE_PIN, UNBLOCK_PIN, VERIFY_PIN
from harness.sim.apdu import Apdu, Response
from harness.sim.key_refs import (
    GSM_CHV1,
    GSM_CHV2,
    GSM_UNBLOCK_CHV1,
    GSM_UNBLOCK_CHV2,
    UICC_ADM1,
    UICC_PIN1,
    UICC_PIN2,
    is_local,
)
from harness.sim.status_words import Sw
from harness.virtual.card.context import sw
from harness.virtual.card.pins import Outcome, PinBank, PinResult, SecretId

# TS 102 221 Table 9.3: key references. Supported: PIN1 (01), PIN2 (81), ADM1 (0A).
_UICC_REFS = {UICC_PIN1: SecretId.PIN1, UICC_PIN2: SecretId.PIN2, UICC_ADM1: SecretId.ADM1}
_UICC_KNOWN_REFS = (
    set(range(0x01, 0x09))
    | set(range(0x0A, 0x0F))
    | {0x11}
    | set(range(0x81, 0x89))
    | set(range(0x8A, 0x8F))
)
# 51.011 §9.2.9ff: CHV1 = 01, CHV2 = 02; UNBLOCK CHV uses 00 for CHV1 and 02 for CHV2.
_GSM_REFS = {GSM_CHV1: SecretId.PIN1, GSM_CHV2: SecretId.PIN2}
_GSM_UNBLOCK_REFS = {GSM_UNBLOCK_CHV1: SecretId.PIN1, GSM_UNBLOCK_CHV2: SecretId.PIN2}

_EXPECTED_LENGTH = {VERIFY_PIN: 8, DISABLE_PIN: 8, ENABLE_PIN: 8, CHANGE_PIN: 16, UNBLOCK_PIN: 16}


def uicc_pin_command(apdu: Apdu, pins: PinBank, *, in_application: bool) -> Response:
    """`in_application`: the channel's current DF is in an ADF, where local PINs live."""
    if apdu.p1 != 0x00:
        return sw(Sw.WRONG_P1P2)
    secret = _UICC_REFS.get(apdu.p2)
    if secret is None:
        known = apdu.p2 in _UICC_KNOWN_REFS
        return sw(Sw.REFERENCE_NOT_FOUND if known else Sw.WRONG_P1P2)
    if is_local(apdu.p2) and not in_application:
        # P2 b8=1: a specific (local) PIN of the current application (TS 102 221
        # §9.5.1, Table 9.3); outside an ADF there is no such reference.
        return sw(Sw.REFERENCE_NOT_FOUND)
    data = apdu.data
    if not data and apdu.ins in (VERIFY_PIN, UNBLOCK_PIN):
        # Empty data: the retry counter, nothing spent (102 221 §11.1.9.1.2, §11.1.13.1.2).
        if apdu.ins == UNBLOCK_PIN and secret is SecretId.ADM1:
            return sw(Sw.REFERENCE_NOT_FOUND)
        result = pins.query(secret) if apdu.ins == VERIFY_PIN else pins.query_unblock(secret)
        return _uicc_sw(result)
    if len(data) != _EXPECTED_LENGTH[apdu.ins]:
        return sw(Sw.WRONG_LENGTH)
    if secret is SecretId.ADM1 and apdu.ins != VERIFY_PIN:
        return sw(
            Sw.REFERENCE_NOT_FOUND if apdu.ins == UNBLOCK_PIN else Sw.CONDITIONS_NOT_SATISFIED
        )
    return _uicc_sw(_run(apdu.ins, secret, data, pins))


def gsm_pin_command(apdu: Apdu, pins: PinBank) -> Response:
    if apdu.p1 != 0x00:
        return sw(Sw.GSM_INCORRECT_P1P2)
    refs = _GSM_UNBLOCK_REFS if apdu.ins == UNBLOCK_PIN else _GSM_REFS
    secret = refs.get(apdu.p2)
    if secret is None:
        return sw(Sw.GSM_INCORRECT_P1P2)
    expected = _EXPECTED_LENGTH[apdu.ins]
    if len(apdu.data) != expected:
        # 51.011 §9.4.5: 67XX, XX = the expected length.
        return sw(0x6700 | expected)
    return _gsm_sw(_run(apdu.ins, secret, apdu.data, pins))


def _run(ins: int, secret: SecretId, data: bytes, pins: PinBank) -> PinResult:
    if ins == VERIFY_PIN:
        return pins.verify(secret, data)
    if ins == CHANGE_PIN:
        return pins.change(secret, data[:8], data[8:])
    if ins in (DISABLE_PIN, ENABLE_PIN):
        return pins.set_enabled(secret, data, enable=ins == ENABLE_PIN)
    return pins.unblock(secret, data[:8], data[8:])


def _uicc_sw(result: PinResult) -> Response:
    outcome = result.outcome
    if outcome in (Outcome.OK, Outcome.VERIFIED_ALREADY):
        return sw(Sw.OK)
    if outcome in (Outcome.WRONG, Outcome.QUERY):
        return sw(0x63C0 | (result.retries or 0))
    return sw(
        {
            Outcome.BLOCKED: Sw.AUTH_METHOD_BLOCKED,
            # VERIFY/CHANGE of a disabled PIN: 6984, as real cards answer (docs/sources.md §4.4).
            Outcome.DISABLED: Sw.REFERENCED_DATA_INVALIDATED,
            # DISABLE when disabled / ENABLE when enabled; PIN2 cannot be disabled.
            Outcome.CONTRADICTION: Sw.CONDITIONS_NOT_SATISFIED,
            Outcome.NOT_ALLOWED: Sw.CONDITIONS_NOT_SATISFIED,
            # A new PIN that is not 4-8 digits padded with FF (102 221 §9.5.1).
            Outcome.BAD_FORMAT: Sw.INCORRECT_DATA,
        }[outcome]
    )


def _gsm_sw(result: PinResult) -> Response:
    outcome = result.outcome
    if outcome in (Outcome.OK, Outcome.VERIFIED_ALREADY):
        return sw(Sw.OK)
    if outcome is Outcome.WRONG:
        # 51.011 §9.4.5: 9804 while attempts are left, 9840 once the counter reaches 0.
        return sw(Sw.GSM_CHV_BLOCKED if result.retries == 0 else Sw.GSM_ACCESS_NOT_FULFILLED)
    if outcome is Outcome.BLOCKED:
        return sw(Sw.GSM_CHV_BLOCKED)
    if outcome is Outcome.BAD_FORMAT:
        # 51.011 has no code for a malformed new CHV; ISO/IEC 7816-4 "incorrect data" (choice).
        return sw(Sw.INCORRECT_DATA)
    return sw(Sw.GSM_CHV_CONTRADICTION)
