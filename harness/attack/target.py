"""What a PIN campaign attacks: one small `Target` protocol over a Modem or a SimCard.

A target reads counters, presents one guess, applies a reset trick, names the
card by its ICCID and says whether the device is virtual. Every guess goes
through the driver's own spending call (`Modem.unlock`/`unblock`, `SimCard.pins.
verify`/`unblock`), so the driver's safety gate reads the counter and checks
the policy the campaign chose (`use_policy`) before anything is sent; a target
never builds a PIN command itself. `virtual` comes from configuration (the
bench file), never from the driver, which cannot tell and must not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from harness.errors import (
    CmeError,
    HarnessError,
    PinBlockedError,
    PinStateError,
    SafetyRefusal,
    WrongPinError,
)
from harness.modem import Modem, SimState
from harness.safety import SafetyPolicy
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef
from harness.transcript import Direction

__all__ = [
    "AttackedSecret",
    "CardTarget",
    "Counters",
    "ModemTarget",
    "Outcome",
    "ResetTrick",
    "Target",
    "Verdict",
]

_SETTLE_S = 10.0


class AttackedSecret(Enum):
    """What the campaign guesses; each has its own counter and the PUK that backs it."""

    PIN1 = "pin1"
    PIN2 = "pin2"
    PUK = "puk"

    @property
    def label(self) -> str:
        return {"pin1": "PIN1", "pin2": "PIN2", "puk": "PUK1"}[self.value]

    @property
    def digits(self) -> int:
        return 8 if self is AttackedSecret.PUK else 4

    @property
    def is_puk(self) -> bool:
        return self is AttackedSecret.PUK

    @property
    def pin_ref(self) -> PinRef:
        return PinRef.PIN2 if self is AttackedSecret.PIN2 else PinRef.PIN1

    @property
    def counter_names(self) -> tuple[str, str]:
        """(PIN counter, PUK counter) names, as the ledger and `PinRetries` call them."""
        return ("pin2", "puk2") if self is AttackedSecret.PIN2 else ("pin1", "puk1")

    @property
    def counter_name(self) -> str:
        """The counter a guess spends."""
        return self.counter_names[1 if self.is_puk else 0]


@dataclass(frozen=True)
class Counters:
    """Tries left for the attacked PIN and its PUK (None: the device did not say)."""

    pin: int | None
    puk: int | None

    def of(self, secret: AttackedSecret) -> int | None:
        return self.puk if secret.is_puk else self.pin

    def named(self, secret: AttackedSecret) -> dict[str, int | None]:
        pin_name, puk_name = secret.counter_names
        return {pin_name: self.pin, puk_name: self.puk}


class ResetTrick(Enum):
    """What a thief tries to get the counter back: none of them may work."""

    POWER_CYCLE = "power-cycle"
    CARD_RESET = "card-reset"
    RADIO = "radio-off-on"
    REINSERT = "sim-reinsert"


class Verdict(Enum):
    CORRECT = "correct"
    WRONG = "wrong"
    BLOCKED = "blocked"  # nothing could be presented: the counter is at 0
    REFUSED = "refused"  # the safety gate said no; nothing was sent
    ERROR = "error"  # the device refused for another reason (state, format)


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    code: str  # "63C2", "9000", "CME 16", "OK", or "not sent"
    detail: str = ""  # the driver's message (never holds a secret)


class Target(Protocol):
    name: str
    virtual: bool  # from configuration: the bench file, never the driver

    def iccid(self) -> str: ...
    def counters(self, secret: AttackedSecret) -> Counters: ...
    def prepare(self, secret: AttackedSecret) -> None:
        """Bring the device to where it asks for `secret`; spends nothing."""
        ...

    def present(self, secret: AttackedSecret, guess: Secret, new_pin: Secret | None) -> Outcome: ...
    def tricks(self) -> tuple[ResetTrick, ...]: ...
    def apply(self, trick: ResetTrick) -> None: ...
    def use_policy(self, policy: SafetyPolicy) -> SafetyPolicy:
        """The campaign's safety policy, for the driver's gate to enforce; returns the
        one it replaced, which the campaign puts back when it ends."""
        ...


def classify(call: Callable[[], object], code_of: Callable[[HarnessError | None], str]) -> Outcome:
    """Run one spending call and turn its typed result into an Outcome."""
    try:
        call()
    except SafetyRefusal as exc:
        return Outcome(Verdict.REFUSED, "not sent", str(exc))
    except WrongPinError as exc:
        return Outcome(Verdict.WRONG, code_of(exc), str(exc))
    except PinBlockedError as exc:
        return Outcome(Verdict.BLOCKED, code_of(exc), str(exc))
    except PinStateError as exc:
        return Outcome(Verdict.ERROR, code_of(exc), str(exc))
    return Outcome(Verdict.CORRECT, code_of(None))


class ModemTarget:
    """PIN1 or the PUK through +CPIN (the AT path). PIN2 goes through `CardTarget` over
    the modem's +CSIM link (`modem.sim_card()`): 27.007 asks for PIN2 only mid-command."""

    def __init__(
        self,
        modem: Modem,
        *,
        virtual: bool,
        reinsert_sim: Callable[[], None] | None = None,
        name: str | None = None,
    ) -> None:
        self.modem = modem
        self.virtual = virtual
        self.name = name or modem.name
        self._reinsert = reinsert_sim

    def iccid(self) -> str:
        return self.modem.iccid()

    def use_policy(self, policy: SafetyPolicy) -> SafetyPolicy:
        previous, self.modem.safety = self.modem.safety, policy
        return previous

    def counters(self, secret: AttackedSecret) -> Counters:
        if secret is AttackedSecret.PIN2:
            raise PinStateError(f"{self.name}: PIN2 is attacked over +CSIM (CardTarget)")
        retries = self.modem.pin_retries()
        return Counters(retries.pin1, retries.puk1)

    def prepare(self, secret: AttackedSecret) -> None:
        state = self.modem.wait_sim_settled(_SETTLE_S)
        if secret.is_puk:
            if state is not SimState.SIM_PUK:
                raise PinStateError(
                    f"{self.name}: +CPIN? says {state.value}; the modem takes a PUK only once "
                    f"PIN1 is blocked (run the PIN1 campaign first)"
                )
            return
        if state is SimState.READY:
            if not self.modem.pin_lock_enabled():
                raise PinStateError(
                    f"{self.name}: the PIN1 request is disabled on this SIM: there is no PIN "
                    f"to guess, anyone can use it (that is the finding)"
                )
            state = self.modem.power_cycle()  # entered earlier: power makes it ask again
        if state is not SimState.SIM_PIN:
            raise PinStateError(f"{self.name}: +CPIN? says {state.value}, not SIM PIN")

    def present(self, secret: AttackedSecret, guess: Secret, new_pin: Secret | None) -> Outcome:
        if secret.is_puk:
            if new_pin is None:
                raise PinStateError("a PUK guess needs the new PIN it would set")
            return classify(lambda: self.modem.unblock(guess, new_pin), _cme_code)
        state = self.modem.sim_state()
        if state is not SimState.SIM_PIN:  # unlock() would send nothing and return the state
            return Outcome(Verdict.ERROR, "not sent", f"+CPIN? says {state.value}, not SIM PIN")
        return classify(lambda: self.modem.unlock(guess), _cme_code)

    def tricks(self) -> tuple[ResetTrick, ...]:
        found = (ResetTrick.POWER_CYCLE, ResetTrick.RADIO)
        return (*found, ResetTrick.REINSERT) if self._reinsert is not None else found

    def apply(self, trick: ResetTrick) -> None:
        if trick is ResetTrick.POWER_CYCLE:
            self.modem.power_cycle()
        elif trick is ResetTrick.RADIO:
            self.modem.radio(False)
            self.modem.radio(True)
        elif trick is ResetTrick.REINSERT and self._reinsert is not None:
            self._reinsert()
        else:
            raise HarnessError(f"{self.name}: reset trick {trick.value} is not available here")
        self.modem.wait_sim_settled(_SETTLE_S)


def _cme_code(exc: HarnessError | None) -> str:
    """The +CME code behind a typed error (the driver raises it `from None`, which keeps
    the CmeError as __context__), or OK."""
    if exc is None:
        return "OK"
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, CmeError):
            return f"CME {seen.code}" if seen.code is not None else "CME"
        seen = seen.__context__
    return type(exc).__name__


class CardTarget:
    """PIN1, PIN2 or the PUK by APDU (VERIFY / UNBLOCK PIN) over any ApduLink:
    PC/SC, in process, or a modem's +CSIM. Card reset is the link's; other tricks
    come from the bench (`extra`: a hand, a simulator, the modem around the card)."""

    def __init__(
        self,
        card: SimCard,
        *,
        virtual: bool,
        extra: Mapping[ResetTrick, Callable[[], None]] | None = None,
        name: str | None = None,
    ) -> None:
        self.card = card
        self.virtual = virtual
        self.name = name or card.link.name
        self._extra = dict(extra or {})
        self._last_sw = ""
        self._outer = card.link.tracer
        card.link.tracer = self._trace  # chained: the transcript still sees every byte

    def _trace(self, direction: Direction, raw: bytes) -> None:
        if self._outer is not None:
            self._outer(direction, raw)
        if direction is Direction.RX and len(raw) >= 2:
            self._last_sw = raw[-2:].hex().upper()

    def close(self) -> None:
        """Give the link its own tracer back."""
        self.card.link.tracer = self._outer

    def iccid(self) -> str:
        return self.card.read_iccid()

    def use_policy(self, policy: SafetyPolicy) -> SafetyPolicy:
        previous, self.card.pins.safety = self.card.pins.safety, policy
        return previous

    def counters(self, secret: AttackedSecret) -> Counters:
        ref = secret.pin_ref
        return Counters(self.card.pins.retries(ref), self.card.pins.puk_retries(ref))

    def prepare(self, secret: AttackedSecret) -> None:
        """A card takes VERIFY and UNBLOCK in any state: nothing to do."""

    def present(self, secret: AttackedSecret, guess: Secret, new_pin: Secret | None) -> Outcome:
        pins, ref = self.card.pins, secret.pin_ref
        if secret.is_puk:
            if new_pin is None:
                raise PinStateError("a PUK guess needs the new PIN it would set")

            def call() -> None:
                pins.unblock(ref, guess, new_pin)
        else:

            def call() -> None:
                pins.verify(ref, guess)

        self._last_sw = ""
        return classify(call, lambda exc: self._last_sw or "not sent")

    def tricks(self) -> tuple[ResetTrick, ...]:
        return tuple(t for t in ResetTrick if t is ResetTrick.CARD_RESET or t in self._extra)

    def apply(self, trick: ResetTrick) -> None:
        action = self._extra.get(trick)
        if action is not None:
            action()
        elif trick is ResetTrick.CARD_RESET:
            self.card.link.reset()
        else:
            raise HarnessError(f"{self.name}: reset trick {trick.value} is not available here")
