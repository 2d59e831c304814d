"""The scenario interfaces on a real bench: each step by its hook, else by a person.

`BenchHands` decides, step by step, who does it: the command the bench file
names for it (harness.bench.hooks), else — for `send_otp` — a sender modem,
else the bench engineer at a terminal (harness.scenarios.manual), and only
when stdin is one. `missing()` says up front which steps nobody can do, so a
run that could not finish is never started (its verdict is INCONCLUSIVE).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from harness.bench.config import DeviceConfig
from harness.bench.hooks import HookOutput, otp_from_output, run_hook
from harness.bench.scenario_config import ScenarioConfig
from harness.modem import Modem
from harness.scenarios.interfaces import SentOtp
from harness.scenarios.manual import BenchEngineer, ManualOperator, ManualOtpSource, ManualSimSlot
from harness.scenarios.otp_sender import ModemOtpSource

__all__ = ["BenchHands", "HookOperator", "HookOtpSource", "HookSimSlot"]

log = logging.getLogger(__name__)


@dataclass
class BenchHands:
    """Who does each step on this bench. `roles` maps "owner"/"thief" to their devices."""

    scenario: ScenarioConfig
    roles: Mapping[str, DeviceConfig]
    engineer: BenchEngineer | None = None  # None: nobody at a terminal
    sender: Modem | None = None  # the bank's modem, when the bench has one
    hide_env: Collection[str] = ()

    def way(self, step: str, *, has_sender: bool, interactive: bool) -> str | None:
        """How `step` gets done here ("hook `cmd`", "sender modem", "terminal"), None if not."""
        hook = self.scenario.hooks.get(step)
        if hook is not None:
            return f"hook `{' '.join(hook.argv)}`"
        if step == "send_otp" and has_sender:
            return "sender modem"
        return "terminal" if interactive else None

    def missing(self, steps: Collection[str], *, has_sender: bool, interactive: bool) -> list[str]:
        """A reason for each step in `steps` that nobody on this bench can do."""
        reasons = []
        for step in steps:
            if self.way(step, has_sender=has_sender, interactive=interactive) is not None:
                continue
            if step == "send_otp":
                reasons.append(
                    "no way to make an OTP arrive: no send_otp hook in [hooks], no sender modem "
                    "(scenario.otp_sender), and no terminal to ask a person to trigger one"
                )
            else:
                reasons.append(
                    f"no way to do step {step}: no {step} hook in [hooks] and no terminal "
                    "to ask a person (stdin is not a TTY)"
                )
        return reasons

    def hook(self, step: str, **values: str) -> HookOutput | None:
        """Run the step's hook (None when it has none: the caller asks a person instead)."""
        hook = self.scenario.hooks.get(step)
        if hook is None:
            return None
        log.info("hook %s: %s", step, " ".join(hook.argv))
        return run_hook(
            hook,
            {"msisdn": self.scenario.msisdn or "", **values},
            cwd=self.scenario.hook_dir,
            bench=self.scenario.source,
            hide_env=self.hide_env,
        )

    def person(self) -> BenchEngineer:
        if self.engineer is None:  # missing() said so before the run started
            raise AssertionError("a manual step was reached on a bench with no terminal")
        return self.engineer

    def device_values(self, role: str) -> dict[str, str]:
        device = self.roles[role]
        return {"role": role, "device": device.name, "port": device.port or ""}

    def labels(self) -> dict[str, str]:
        return {role: d.describe() for role, d in self.roles.items()}


class HookSimSlot:
    def __init__(self, hands: BenchHands) -> None:
        self._hands = hands

    def move(self, sim: str, device: str) -> None:
        if self._hands.hook("move_sim", sim=sim, **self._hands.device_values(device)) is None:
            ManualSimSlot(self._hands.person(), self._hands.labels()).move(sim, device)

    def take_out(self, sim: str) -> None:
        if self._hands.hook("take_out", sim=sim) is None:
            ManualSimSlot(self._hands.person(), self._hands.labels()).take_out(sim)


class HookOperator:
    def __init__(self, hands: BenchHands) -> None:
        self._hands = hands

    def report_lost(self, msisdn: str, *, by: str) -> None:
        if self._hands.hook("report_lost", msisdn=msisdn, by=by) is None:
            ManualOperator(self._hands.person()).report_lost(msisdn, by=by)

    def reactivate(self, msisdn: str, *, by: str) -> None:
        if self._hands.hook("reactivate", msisdn=msisdn, by=by) is None:
            ManualOperator(self._hands.person()).reactivate(msisdn, by=by)

    def swap_sim(self, msisdn: str, sim: str, *, by: str) -> None:
        if self._hands.hook("swap_sim", msisdn=msisdn, sim=sim, by=by) is None:
            ManualOperator(self._hands.person()).swap_sim(msisdn, sim, by=by)


class HookOtpSource:
    """The bank: its hook (which may print the code it sent), else the sender modem, else a
    person; without a known code, a code-shaped number from `otp_from` counts."""

    def __init__(self, hands: BenchHands) -> None:
        self._hands = hands

    @property
    def name(self) -> str:
        return self._hands.scenario.otp_from or "OTP service"

    def send_otp(self, msisdn: str, label: str) -> SentOtp:
        output = self._hands.hook("send_otp", msisdn=msisdn, label=label)
        if output is not None:
            code, sender = otp_from_output("send_otp", output.stdout)
            return SentOtp(msisdn, label, sender or self._hands.scenario.otp_from, code)
        if self._hands.sender is not None:
            return ModemOtpSource(self._hands.sender).send_otp(msisdn, label)
        return ManualOtpSource(self._hands.person(), self._hands.scenario.otp_from).send_otp(
            msisdn, label
        )
