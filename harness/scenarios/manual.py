"""Manual implementations of the scenario interfaces, for a real bench without robots.

Each step prints an instruction for the bench engineer and waits for Enter.
That needs a person at a terminal: without a TTY on the input, the step
refuses with `UnattendedStepError` (a ConfigError) before anything happens,
so a CI run fails fast with a reason instead of hanging on a prompt.
"""

from __future__ import annotations

import sys
from typing import TextIO

from harness.errors import ConfigError
from harness.scenarios.interfaces import SentOtp

__all__ = [
    "BenchEngineer",
    "ManualOperator",
    "ManualOtpSource",
    "ManualSimSlot",
    "UnattendedStepError",
]


class UnattendedStepError(ConfigError):
    """A manual step was asked for with nobody at a terminal to do it."""


class BenchEngineer:
    """Asks a person to do something and waits for Enter; refuses without a TTY."""

    def __init__(self, *, stdin: TextIO | None = None, out: TextIO | None = None) -> None:
        self._stdin = stdin if stdin is not None else sys.stdin
        self._out = out if out is not None else sys.stderr
        self.require_tty("set up a manual bench")

    def require_tty(self, what: str) -> None:
        if not self._stdin.isatty():
            raise UnattendedStepError(
                f"manual step ({what}) cannot run unattended: stdin is not a terminal, so no "
                "bench engineer can confirm it. Run from a terminal, or use the virtual bench "
                "(--bench virtual) in CI."
            )

    def ask(self, instruction: str) -> None:
        self.require_tty(instruction)
        print(f"\n[bench engineer] {instruction}", file=self._out)
        print("Press Enter when done (Ctrl-C to abort) ... ", end="", file=self._out, flush=True)
        if not self._stdin.readline():
            raise UnattendedStepError(f"manual step ({instruction}): input closed before Enter")


class ManualSimSlot:
    """SIM moves done by hand; `devices` maps device names to what is written on them."""

    def __init__(self, engineer: BenchEngineer, devices: dict[str, str] | None = None) -> None:
        self._engineer = engineer
        self._devices = devices or {}

    def _label(self, device: str) -> str:
        label = self._devices.get(device)
        return f"device '{device}' ({label})" if label else f"device '{device}'"

    def move(self, sim: str, device: str) -> None:
        self._engineer.ask(
            f"Take SIM '{sim}' out of the device that holds it and insert it into "
            f"{self._label(device)}. Leave the device powered."
        )

    def take_out(self, sim: str) -> None:
        self._engineer.ask(f"Take SIM '{sim}' out of the device that holds it; keep it at hand.")


class ManualOperator:
    """Operator actions done by the engineer on the operator's portal or hotline."""

    def __init__(self, engineer: BenchEngineer) -> None:
        self._engineer = engineer

    def report_lost(self, msisdn: str, *, by: str) -> None:
        self._engineer.ask(
            f"Report line {msisdn} as lost (as the {by}) on the operator's test portal or hotline."
        )

    def reactivate(self, msisdn: str, *, by: str) -> None:
        self._engineer.ask(
            f"Ask the operator to reactivate line {msisdn} on its OLD SIM (as the {by}); "
            "do not order a new SIM."
        )

    def swap_sim(self, msisdn: str, sim: str, *, by: str) -> None:
        self._engineer.ask(
            f"Have the operator move line {msisdn} onto the new SIM '{sim}' (as the {by}); "
            "read the ICCID printed on that SIM to them."
        )


class ManualOtpSource:
    """A code triggered by hand on a real service: the harness cannot know its value, so a
    code-shaped number in an SMS from `sender` counts as the OTP."""

    def __init__(self, engineer: BenchEngineer, sender: str | None = None) -> None:
        self._engineer = engineer
        self._sender = sender

    @property
    def name(self) -> str:
        return self._sender or "OTP service"

    def send_otp(self, msisdn: str, label: str) -> SentOtp:
        self._engineer.ask(
            f"Trigger one SMS one-time code ({label}) to {msisdn} from the test service "
            f"({self.name}), e.g. by starting a login with that number."
        )
        return SentOtp(msisdn, label, self._sender)
