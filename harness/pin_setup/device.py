"""One small PIN-device interface over a modem (AT) or a SIM in a reader (APDU).

`harness.pin_setup.tool` is written once against `PinDevice`; the two adapters only
translate: `ModemPins` to +CPIN/+CLCK/+CPWD (TS 27.007 §8.3, §7.4, §7.5) through
`Modem`, `CardPins` to VERIFY/ENABLE/DISABLE/CHANGE/UNBLOCK PIN (TS 102 221
§11.1.9-11.1.13, TS 51.011 §9.2.9-9.2.13) through `SimCard.pins`. Every spending
call goes through the driver's one safety gate; an adapter never builds a PIN
command itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Protocol, TypeVar

from harness.errors import HarnessError
from harness.modem import Modem, SimState
from harness.safety import SafetyPolicy
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef, PinState

__all__ = ["PIN_TRIES_FULL", "CardPins", "ModemPins", "PinDevice", "PinStatus"]

T = TypeVar("T")
PIN_TRIES_FULL = 3  # initial PIN counter, TS 102 221 §11.1.9.1.1 (reset by a correct PIN)


@dataclass(frozen=True)
class PinStatus:
    """What the SIM says about its PIN1/PUK1/PIN2/PUK2; None where it did not say."""

    device: str
    kind: str  # "modem" or "reader"
    iccid: str | None
    sim_state: str  # "READY", "SIM PIN", "SIM PUK", ... (the +CPIN? vocabulary)
    pin1_enabled: bool | None
    pin1: int | None
    puk1: int | None
    pin2: int | None
    puk2: int | None

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class PinDevice(Protocol):
    name: str
    kind: str

    def status(self) -> PinStatus: ...
    def iccid(self) -> str | None: ...
    def msisdn(self) -> str | None: ...
    def asks_for_pin(self) -> bool:
        """PIN1 must be entered before the SIM can be used (+CPIN: SIM PIN)."""
        ...

    def unlock(self, pin: Secret) -> None: ...
    def set_lock(self, enabled: bool, pin: Secret) -> None: ...
    def change(self, old: Secret, new: Secret) -> None: ...
    def unblock(self, puk: Secret, new: Secret) -> None: ...
    def power_cycle(self) -> str:
        """Power the SIM down and up; returns how, in words."""
        ...

    def use_policy(self, policy: SafetyPolicy) -> SafetyPolicy:
        """Hand the driver's gate this policy; returns the one it replaced."""
        ...


class ModemPins:
    """PIN1 through the modem's AT commands."""

    kind = "modem"

    def __init__(self, modem: Modem, name: str | None = None) -> None:
        self.modem = modem
        self.name = name or modem.name

    def status(self) -> PinStatus:
        state = self.modem.sim_state()
        retries = self.modem.pin_retries()
        return PinStatus(
            device=self.name,
            kind=self.kind,
            iccid=self.iccid(),
            sim_state=state.value,
            pin1_enabled=self._lock_state(state),
            pin1=retries.pin1,
            puk1=retries.puk1,
            pin2=retries.pin2,
            puk2=retries.puk2,
        )

    def iccid(self) -> str | None:
        return _maybe(self.modem.iccid)

    def _lock_state(self, state: SimState) -> bool | None:
        """+CLCK "SC",2; a SIM that asks for PIN1 or PUK1 has the lock on whatever
        the modem answers to +CLCK meanwhile (many refuse it with CME 11)."""
        enabled = _maybe(self.modem.pin_lock_enabled)
        if enabled is None and state in (SimState.SIM_PIN, SimState.SIM_PUK):
            return True
        return enabled

    def msisdn(self) -> str | None:
        """AT+CNUM (TS 27.007 §7.1): the first number the SIM stores, if any."""
        response = self.modem.try_command("AT+CNUM", prefixes=("+CNUM:",))
        for line in response.with_prefix("+CNUM:") if response is not None else []:
            fields = [f.strip().strip('"') for f in line[6:].split(",")]
            if len(fields) >= 2 and any(c.isdigit() for c in fields[1]):
                return fields[1]
        return None

    def asks_for_pin(self) -> bool:
        return self.modem.wait_sim_settled(10.0) is SimState.SIM_PIN

    def unlock(self, pin: Secret) -> None:
        self.modem.unlock(pin)

    def set_lock(self, enabled: bool, pin: Secret) -> None:
        self.modem.set_pin_lock(enabled, pin)

    def change(self, old: Secret, new: Secret) -> None:
        self.modem.change_pin(old, new)

    def unblock(self, puk: Secret, new: Secret) -> None:
        self.modem.unblock(puk, new)

    def power_cycle(self) -> str:
        self.modem.power_cycle()
        profile = self.modem.profile
        return f"modem reset ({profile.reset_command}, the {profile.name} profile's)"

    def use_policy(self, policy: SafetyPolicy) -> SafetyPolicy:
        previous, self.modem.safety = self.modem.safety, policy
        return previous


class CardPins:
    """PIN1 of a SIM behind any APDU link (a PC/SC reader, or in process)."""

    kind = "reader"

    def __init__(self, card: SimCard, name: str | None = None) -> None:
        self.card = card
        self.name = name or card.link.name

    def _pin1(self) -> PinState:
        return self.card.pins.state(PinRef.PIN1)

    def status(self) -> PinStatus:
        pin1 = self._pin1()
        pin2 = _maybe(lambda: self.card.pins.state(PinRef.PIN2))
        return PinStatus(
            device=self.name,
            kind=self.kind,
            iccid=self.iccid(),
            sim_state=_card_state(pin1),
            pin1_enabled=pin1.enabled,
            pin1=pin1.retries,
            puk1=pin1.puk_retries,
            pin2=pin2.retries if pin2 is not None else None,
            puk2=pin2.puk_retries if pin2 is not None else None,
        )

    def iccid(self) -> str | None:
        return _maybe(self.card.read_iccid)

    def msisdn(self) -> str | None:
        record = _maybe(self.card.read_msisdn)  # needs PIN1 on most cards: None then
        return record.number if record is not None else None

    def asks_for_pin(self) -> bool:
        pin1 = self._pin1()
        return pin1.enabled and not pin1.verified and pin1.retries > 0

    def unlock(self, pin: Secret) -> None:
        self.card.pins.verify(PinRef.PIN1, pin)

    def set_lock(self, enabled: bool, pin: Secret) -> None:
        if self.card.pins.enabled(PinRef.PIN1) == enabled:
            return  # already so: nothing sent, nothing spent
        if enabled:
            self.card.pins.enable(pin)
        else:
            self.card.pins.disable(pin)

    def change(self, old: Secret, new: Secret) -> None:
        self.card.pins.change(PinRef.PIN1, old, new)

    def unblock(self, puk: Secret, new: Secret) -> None:
        self.card.pins.unblock(PinRef.PIN1, puk, new)

    def power_cycle(self) -> str:
        self.card.link.cold_reset()
        return "cold reset of the card (power off and on)"

    def use_policy(self, policy: SafetyPolicy) -> SafetyPolicy:
        previous, self.card.pins.safety = self.card.pins.safety, policy
        return previous


def _card_state(pin1: PinState) -> str:
    """The card's PIN1 state in the words +CPIN? uses, so both paths read alike."""
    if pin1.puk_blocked:
        return "SIM BLOCKED (PUK exhausted)"
    if pin1.blocked:
        return SimState.SIM_PUK.value
    if pin1.enabled and not pin1.verified:
        return SimState.SIM_PIN.value
    return SimState.READY.value


def _maybe(read: Callable[[], T]) -> T | None:
    try:
        return read()
    except HarnessError:
        return None
