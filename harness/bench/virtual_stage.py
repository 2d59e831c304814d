"""The scenario interfaces on the virtual bench, and a `Stage` built from one.

The simulators do what a hand, an operator and a bank would do; the scenario
still reads every result through Modem drivers on the bench's ptys.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from harness.bench.operator_apis import operator_apis
from harness.modem import Modem
from harness.safety import SafetyPolicy
from harness.scenarios.interfaces import SentOtp
from harness.scenarios.stage import OWNER, THIEF, Stage
from harness.secrets import Secret
from harness.transcript import Transcript
from harness.virtual.bench import (
    NO_PIN_PROFILE,
    REPLACEMENT_PROFILE,
    ModemSpec,
    SimSpec,
    VirtualBench,
)
from harness.virtual.network import VirtualNetwork
from harness.virtual.network.otp import DEFAULT_SENDER

__all__ = [
    "VIRTUAL_WINDOW_S",
    "VirtualOperator",
    "VirtualOtpSource",
    "VirtualSimSlot",
    "virtual_stage",
]

VIRTUAL_WINDOW_S = 0.5
"""A thief's window on the virtual bench: deliveries there take milliseconds."""


class VirtualSimSlot:
    def __init__(self, bench: VirtualBench) -> None:
        self._bench = bench

    def move(self, sim: str, device: str) -> None:
        self._bench.insert(sim, device)

    def take_out(self, sim: str) -> None:
        self._bench.take_out(sim)


class VirtualOperator:
    """Customer service on the virtual network; a swap reads the new SIM's identity off the
    bench's card profile (the ICCID printed on the card)."""

    def __init__(self, bench: VirtualBench) -> None:
        self._bench = bench

    def report_lost(self, msisdn: str, *, by: str) -> None:
        self._bench.network.report_lost(msisdn, by=by)

    def reactivate(self, msisdn: str, *, by: str) -> None:
        self._bench.network.reactivate(msisdn, by=by)

    def swap_sim(self, msisdn: str, sim: str, *, by: str) -> None:
        self._bench.network.swap_sim(msisdn, self._bench.profile(sim), by=by)


class VirtualOtpSource:
    """The network's OTP service: the code it returns is the one the bank sent."""

    def __init__(self, network: VirtualNetwork) -> None:
        self._network = network

    @property
    def name(self) -> str:
        return DEFAULT_SENDER

    def send_otp(self, msisdn: str, label: str) -> SentOtp:
        code = self._network.send_otp(msisdn)
        return SentOtp(msisdn, label, DEFAULT_SENDER, code)


@contextmanager
def virtual_stage(
    *,
    sim_profile: Path = NO_PIN_PROFILE,
    replacement_profile: Path = REPLACEMENT_PROFILE,
    personalities: Sequence[str] = ("generic", "generic"),
    window_s: float = VIRTUAL_WINDOW_S,
    operator_api: str = "virtual",
    transcript: Transcript | None = None,
) -> Iterator[Stage]:
    """A fresh virtual bench (owner's and thief's modems, the victim's SIM in the owner's,
    a spare replacement SIM) with Modem drivers open on both ports. operator_api: how the
    bank reaches the operator's CAMARA APIs, "virtual" (in process) or "http" (served).
    With `transcript`, both modems record into it (each line noted with its modem's name)."""
    sims = [
        SimSpec.load("victim", sim_profile),
        SimSpec.load("replacement", replacement_profile, provisioned=False),
    ]
    owner_kind, thief_kind = personalities
    modems = [ModemSpec(OWNER, owner_kind), ModemSpec(THIEF, thief_kind)]
    with VirtualBench(modems, sims, placement={"victim": OWNER}) as bench, ExitStack() as stack:
        apis = stack.enter_context(operator_apis(bench, operator_api))
        transcripts = {
            OWNER: transcript or Transcript(),
            THIEF: transcript or Transcript(),
        }
        opened = {
            name: stack.enter_context(
                Modem(
                    bench.ports[name],
                    transcript=transcripts[name],
                    safety=SafetyPolicy.strict(),
                    name=name,
                )
            )
            for name in (OWNER, THIEF)
        }
        yield Stage(
            owner=opened[OWNER],
            thief=opened[THIEF],
            slot=VirtualSimSlot(bench),
            operator=VirtualOperator(bench),
            otp=VirtualOtpSource(bench.network),
            msisdn=bench.profile("victim").msisdn,
            pins={name: Secret(bench.profile(name).pin1) for name in ("victim", "replacement")},
            window_s=window_s,
            bench="virtual",
            transcripts=transcripts,
            sim_swap=apis.sim_swap,
            otp_sms=apis.otp_sms,
            operator_api=apis.where,
        )
