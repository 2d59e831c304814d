"""Reading PIN1/PUK1/PIN2/PUK2 counters through a modem, spending nothing.

Three ways, tried in the order the vendor profile gives (docs/sources.md §2.1, §2.2):
+CPINR (27.007 §8.65), the vendor's own command (+QPINC?, +SPIC, ^CPIN?,
+CPINC?, +UPINCNT, #PCT ...), and an empty VERIFY / UNBLOCK tunnelled by
+CSIM, which every UICC answers with 63CX (TS 102 221 §11.1.9.1.2). A way
that is refused, unreadable or silent on some counter hands over to the next;
what each way did learn is kept (ZTE-style answers give PIN1/PUK1 only).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from harness.at.parsers import (
    CpinCode,
    PinRetries,
    parse_csim,
    parse_pin_retries,
    retries_from_status_word,
)
from harness.errors import HarnessError
from harness.modem.session import ModemSession, is_refusal
from harness.modem.vendors import RetryMethod
from harness.sim.fids import USIM_AID_PREFIX

log = logging.getLogger(__name__)

# Empty VERIFY / UNBLOCK per counter (ModemManager's generic loader, docs/sources.md §2.2).
CSIM_QUERIES: dict[str, str] = {
    "pin1": "0020000100",
    "puk1": "002C000100",
    "pin2": "0020008100",
    "puk2": "002C008100",
}
_PIN_STATE_VALUES = frozenset(state.value for state in CpinCode)
_REFERENCE_NOT_FOUND = b"\x6a\x88"
_SELECT_USIM = "00A4040C" + f"{len(USIM_AID_PREFIX):02X}" + USIM_AID_PREFIX.hex().upper()


def csim_exchange(session: ModemSession, apdu_hex: str, *, gate_checked: bool = False) -> bytes:
    """One APDU through AT+CSIM; returns response data + SW1 SW2. An APDU that presents
    a PIN/PUK needs `gate_checked` and is never re-sent on a busy answer."""
    response = session.command(
        f'AT+CSIM={len(apdu_hex)},"{apdu_hex}"', prefixes=("+CSIM:",), gate_checked=gate_checked
    )
    lines = response.with_prefix("+CSIM:")
    if not lines:
        raise HarnessError(f"{session.name}: AT+CSIM answered OK without a +CSIM line")
    answer = parse_csim(lines[0])
    return answer.data + bytes((answer.sw1, answer.sw2))


@contextmanager
def csim_session(session: ModemSession) -> Iterator[None]:
    """Hold the +CSIM lock (Telit) for the duration; nested holders share it."""
    session.csim_acquire()
    try:
        yield
    finally:
        session.csim_release()


def by_csim(session: ModemSession) -> PinRetries:
    found: dict[str, int] = {}
    with csim_session(session):
        for field, apdu in CSIM_QUERIES.items():
            raw = csim_exchange(session, apdu)
            if raw[-2:] == _REFERENCE_NOT_FOUND and field.endswith("2"):
                # PIN2 is local to the USIM (key reference 81, TS 102 221 §9.5.1): ask
                # again from inside the ADF, selected by its AID prefix without an FCP.
                csim_exchange(session, _SELECT_USIM)
                raw = csim_exchange(session, apdu)
            sw1, sw2 = raw[-2], raw[-1]
            # 9000 (no count) is left unknown: a card may answer it for a verified PIN
            # (counter back at its maximum) but also, some say, for a disabled one at any
            # count; the next method, or the gate's "unknown means refuse", decides.
            left = retries_from_status_word(sw1, sw2)
            if left is not None:
                found[field] = left
    return PinRetries(**found)


def by_cpinr(session: ModemSession) -> PinRetries:
    response = session.command("AT+CPINR", prefixes=("+CPINR:", "+CPINRE:"))
    return parse_pin_retries(response.with_prefix("+CPINR:"))


def by_vendor(session: ModemSession) -> PinRetries:
    profile = session.profile
    if profile.retry_command is None:
        return PinRetries()
    pending: CpinCode | None = None
    if profile.retry_needs_pending:  # Telit #PCT counts the password currently required
        value = session.sim_state().value
        pending = CpinCode(value) if value in _PIN_STATE_VALUES else None
    response = session.command(profile.retry_command, prefixes=profile.retry_prefixes)
    return profile.retry_parser(response.lines, pending)


_READERS: dict[RetryMethod, Callable[[ModemSession], PinRetries]] = {
    RetryMethod.CPINR: by_cpinr,
    RetryMethod.VENDOR: by_vendor,
    RetryMethod.CSIM: by_csim,
}


def complete(retries: PinRetries) -> bool:
    return None not in (retries.pin1, retries.puk1, retries.pin2, retries.puk2)


def read_pin_retries(session: ModemSession) -> PinRetries:
    """All four counters the profile's ways can tell; None where none could.

    A refusal (ERROR, +CME, COMMAND NOT SUPPORT, an unreadable line) moves on to the
    next way; transport errors and timeouts are raised, since the next way would
    meet the same dead line.
    """
    result = PinRetries()
    for method in session.profile.retry_order:
        try:
            found = _READERS[method](session)
        except HarnessError as exc:
            if not is_refusal(exc):
                raise
            log.debug("%s: retry counters by %s failed: %s", session.name, method.value, exc)
            continue
        result = result.merged(found)
        if complete(result):
            break
    return result
