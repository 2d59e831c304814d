"""Property: what a modem would report (+CPIN, counters) always agrees with the APDU view.

Random sequences of PIN operations and power cycles run against one virtual card.
After every step three views must agree:
- the modem firmware's view (`SimView`, UICC APDUs: FCP PS_DO, empty VERIFY/UNBLOCK);
- the SimCard driver's view over CLA A0 (GSM DF status bytes, a different code path);
- a reference model of TS 102 221 §11.1.9-13 kept by the test.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from harness.errors import HarnessError
from harness.safety import SafetyPolicy
from harness.sim.card import SimCard
from harness.sim.fids import CardKind
from harness.sim.pin_service import PinRef
from harness.sim.virtual_link import VirtualLink
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.sim_view import CpinCode, SimView

PROFILE = load_profile(DEFAULT_PROFILE)


@dataclass
class Model:
    pin: str = PROFILE.pin1
    retries: int = 3
    puk: int = 10
    enabled: bool = PROFILE.pin1_enabled
    verified: bool = False

    def check(self, value: str, *, keeps_verification: bool = False) -> bool:
        """Decrement-then-compare, as the card does; True when the value matched.
        `keeps_verification`: a wrong old PIN in CHANGE (TS 102 221 §11.1.10)."""
        self.retries -= 1
        if value == self.pin:
            self.retries, self.verified = 3, True
            return True
        self.verified = self.verified and keeps_verification and self.retries > 0
        return False

    @property
    def cpin(self) -> CpinCode:
        if not self.enabled or self.verified:
            return CpinCode.READY
        if self.retries:
            return CpinCode.SIM_PIN
        return CpinCode.SIM_PUK if self.puk else CpinCode.SIM_FAILURE


pins = st.sampled_from([PROFILE.pin1, "0000", "4321", "97531"])
puks = st.sampled_from([PROFILE.puk1, "00000000"])


class PinViews(RuleBasedStateMachine):
    @initialize()
    def insert(self) -> None:
        self.card = VirtualUicc(PROFILE)
        self.link = VirtualLink(self.card)
        policy = SafetyPolicy.unrestricted("virtual card in a property test")
        self.gsm = SimCard(self.link, kind=CardKind.GSM, safety=policy)
        self.uicc = SimCard(self.link, kind=CardKind.UICC, safety=policy)
        self.model = Model()

    def _sim(self, use_gsm: bool) -> SimCard:
        return self.gsm if use_gsm else self.uicc

    @rule(value=pins, use_gsm=st.booleans())
    def verify(self, value: str, use_gsm: bool) -> None:
        m = self.model
        allowed = m.retries > 0 and m.enabled
        with contextlib.suppress(HarnessError):
            self._sim(use_gsm).pins.verify(PinRef.PIN1, value)
        if allowed:
            m.check(value)

    @rule(old=pins, new=st.sampled_from(["1234", "5555", "86420"]), use_gsm=st.booleans())
    def change(self, old: str, new: str, use_gsm: bool) -> None:
        m = self.model
        allowed = m.retries > 0 and m.enabled
        with contextlib.suppress(HarnessError):
            self._sim(use_gsm).pins.change(PinRef.PIN1, old, new)
        if allowed and m.check(old, keeps_verification=True):
            m.pin = new

    @rule(value=pins, enable=st.booleans(), use_gsm=st.booleans())
    def set_enabled(self, value: str, enable: bool, use_gsm: bool) -> None:
        m = self.model
        allowed = m.retries > 0 and m.enabled != enable
        sim = self._sim(use_gsm)
        with contextlib.suppress(HarnessError):
            (sim.pins.enable if enable else sim.pins.disable)(value)
        if allowed and m.check(value):
            m.enabled = enable

    @rule(puk=puks, new=st.sampled_from(["2468", "13579"]), use_gsm=st.booleans())
    def unblock(self, puk: str, new: str, use_gsm: bool) -> None:
        m = self.model
        allowed = m.puk > 0
        with contextlib.suppress(HarnessError):
            self._sim(use_gsm).pins.unblock(PinRef.PIN1, puk, new)
        if not allowed:
            return
        m.puk -= 1
        if puk == PROFILE.puk1:
            m.puk, m.retries, m.pin, m.enabled, m.verified = 10, 3, new, True, True

    @rule()
    def power_cycle(self) -> None:
        self.link.reset()
        self.model.verified = False

    @invariant()
    def views_agree(self) -> None:
        if not hasattr(self, "model"):
            return
        modem = SimView(self.card).read()
        driver = self.gsm.pins.state(PinRef.PIN1)
        m = self.model
        assert (modem.pin1, modem.puk1, modem.pin1_enabled) == (m.retries, m.puk, m.enabled)
        assert (driver.retries, driver.puk_retries, driver.enabled) == (
            m.retries,
            m.puk,
            m.enabled,
        )
        assert modem.cpin is m.cpin
        if m.puk == 0 and m.retries == 0:  # a blocked PUK alone leaves the PIN usable
            assert modem.cpin in (CpinCode.SIM_FAILURE, CpinCode.READY)


PinViews.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestPinViews = PinViews.TestCase
