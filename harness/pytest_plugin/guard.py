"""Leave a device as it was found: PIN lock state restored, no retry counter lower.

Before a test the counters (PIN1, PUK1, PIN2, PUK2) and the PIN1 lock are
read — reads that spend nothing (TS 27.007 §8.3 +CPINR and vendor forms;
TS 102 221 §11.1.9 VERIFY without data) — and a modem's +CPIN? state. After
it, a PIN1 lock the test switched is switched back and a PIN1 counter it
lowered is reset by one correct verification, both only when the bench knows
the PIN (`pin_env`, or the virtual bench's profile) and through the driver's
safety gate; a SIM found waiting for its PIN is made to wait again (power
cycle), one found unlocked is unlocked again. If a
counter still ends lower, the test errors and says which one; a PUK counter
can never be restored, so a test that lowered one always errors.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from harness.at.parsers import PinRetries
from harness.bench.devices import OpenedDevice
from harness.errors import HarnessError
from harness.modem import Modem, SimState
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef

__all__ = ["PinSnapshot", "PinStateChanged", "restore_and_check", "snapshot"]


class PinStateChanged(HarnessError):
    """A test left a SIM with fewer PIN/PUK attempts (or another PIN lock) than it found."""


@dataclass(frozen=True)
class PinSnapshot:
    counters: PinRetries
    lock_enabled: bool | None  # None: not readable (no SIM, SIM not ready)
    sim_state: SimState | None = None  # modems: +CPIN? (27.007 §8.3)


def snapshot(opened: OpenedDevice) -> PinSnapshot:
    if opened.modem is not None:
        modem = opened.modem
        return PinSnapshot(modem.pin_retries(), _modem_lock(modem), modem.sim_state())
    assert opened.card is not None
    return PinSnapshot(_card_counters(opened.card), _card_lock(opened.card))


def restore_and_check(opened: OpenedDevice, before: PinSnapshot, pin: Secret | None) -> None:
    """Put the PIN state back where possible; `PinStateChanged` if a counter ends lower."""
    after = snapshot(opened)
    if pin is not None:
        _restore(opened, before, after, pin)
        after = snapshot(opened)
    elif opened.modem is not None:
        with contextlib.suppress(HarnessError):  # the counters, checked below, matter more
            _restore_pin_pending(opened.modem, before.sim_state, None)
    lowered = [
        f"{name.upper()} {was} -> {now}"
        for name in ("pin1", "puk1", "pin2", "puk2")
        if (was := getattr(before.counters, name)) is not None
        and (now := getattr(after.counters, name)) is not None
        and now < was
    ]
    problems = []
    if lowered:
        problems.append(f"retry counters ended lower than they started ({', '.join(lowered)})")
    if None not in (before.lock_enabled, after.lock_enabled) and (
        before.lock_enabled != after.lock_enabled
    ):
        state = "on" if before.lock_enabled else "off"
        problems.append(f"the PIN1 lock was {state} before the test and is not now")
    if problems:
        hint = (
            "give the device's PIN (pin_env in the bench file) so the fixture can restore it"
            if pin is None
            else "the fixture could not restore it"
        )
        raise PinStateChanged(
            f"{opened.name}: the test left the SIM changed: {'; '.join(problems)}; {hint}, "
            "or restore the SIM by hand before the next run"
        )


def _restore(opened: OpenedDevice, before: PinSnapshot, after: PinSnapshot, pin: Secret) -> None:
    try:
        if opened.modem is not None:
            _restore_modem(opened.modem, before, after, pin)
        elif opened.card is not None:
            _restore_card(opened.card, before, after, pin)
    except HarnessError:
        return  # the check that follows says what is left


def _restore_modem(modem: Modem, before: PinSnapshot, after: PinSnapshot, pin: Secret) -> None:
    lowered = _lowered(before.counters.pin1, after.counters.pin1)
    if lowered and modem.sim_state() is SimState.SIM_PIN:
        modem.unlock(pin)  # a correct PIN resets the counter
        lowered = False
    lock = _modem_lock(modem)
    if before.lock_enabled is not None and lock is not None:
        if lock != before.lock_enabled:
            modem.set_pin_lock(before.lock_enabled, pin)
        elif lowered and lock:
            modem.set_pin_lock(True, pin)  # re-enabling verifies the PIN: counter reset
    _restore_pin_pending(modem, before.sim_state, pin)


def _restore_pin_pending(modem: Modem, before: SimState | None, pin: Secret | None) -> None:
    """A SIM found waiting for its PIN is left waiting (a power cycle asks again); one
    found unlocked is unlocked again when the PIN is known."""
    now = modem.sim_state()
    if before is SimState.SIM_PIN and now.ready:
        modem.power_cycle()
    elif before is not None and before.ready and now is SimState.SIM_PIN and pin is not None:
        modem.unlock(pin)


def _restore_card(card: SimCard, before: PinSnapshot, after: PinSnapshot, pin: Secret) -> None:
    lock = _card_lock(card)
    if before.lock_enabled is not None and lock is not None and lock != before.lock_enabled:
        if before.lock_enabled:
            card.pins.enable(pin)
        else:
            card.pins.disable(pin)
        lock = before.lock_enabled
    if _lowered(before.counters.pin1, after.counters.pin1) and lock:
        card.pins.verify(PinRef.PIN1, pin)


def _lowered(was: int | None, now: int | None) -> bool:
    return was is not None and now is not None and now < was


def _modem_lock(modem: Modem) -> bool | None:
    try:
        return modem.pin_lock_enabled()
    except HarnessError:
        return None


def _card_counters(card: SimCard) -> PinRetries:
    def read(fn: object) -> int | None:
        try:
            return fn()  # type: ignore[operator, no-any-return]
        except HarnessError:
            return None

    return PinRetries(
        pin1=read(lambda: card.pins.retries(PinRef.PIN1)),
        puk1=read(lambda: card.pins.puk_retries(PinRef.PIN1)),
        pin2=read(lambda: card.pins.retries(PinRef.PIN2)),
        puk2=read(lambda: card.pins.puk_retries(PinRef.PIN2)),
    )


def _card_lock(card: SimCard) -> bool | None:
    try:
        return card.pins.enabled(PinRef.PIN1)
    except HarnessError:
        return None
