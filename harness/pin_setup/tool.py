"""The PIN utility: status, guided setup, unlock, enable, disable, change, unblock.

Written once over `PinDevice`, so a modem and a SIM in a reader take the same
steps. Rules it keeps:
- every presentation goes through the driver's one safety gate (DESIGN.md
  "Safety"); `--allow-last-attempt` / `--allow-puk-attempt` lift it for this one
  command only, and on a card that is not virtual only after the person named the
  card by its ICCID (harness.pin_setup.confirm); the confirmation and each
  presentation under it go to the attempt ledger (harness.attack.ledger);
- a new PIN is judged by the weak-PIN rules (harness.pin_setup.weak) before
  anything is sent;
- setup ends with proof from the device itself: after a power cycle the SIM asks
  for its PIN, and the new PIN opens it with the counter full (TS 31.121 §6.1 /
  TS 51.010-1 §27.14: entry of PIN at power-on).
Secrets come from a `SecretSource`; none is ever printed or put in an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TextIO

from harness.attack.ledger import AttemptLedger, default_state_dir
from harness.errors import (
    HarnessError,
    PinBlockedError,
    PinStateError,
    SafetyRefusal,
    WrongPinError,
)
from harness.pin_setup.confirm import confirm_card
from harness.pin_setup.device import PIN_TRIES_FULL, PinDevice, PinStatus
from harness.pin_setup.report import PinReport, WeakPinRefusal, render_status
from harness.pin_setup.weak import PinJudgement, judge_pin
from harness.safety import SafetyPolicy
from harness.secrets import Secret

__all__ = ["PinOptions", "PinTool", "SecretSource"]


class SecretSource(Protocol):
    """Where the command gets its secrets (prompt, environment variable, file)."""

    def current_pin(self) -> Secret: ...
    def new_pin(self) -> Secret:
        """The new PIN; a prompt asks twice and refuses two different entries."""
        ...

    def puk(self) -> Secret: ...


@dataclass(frozen=True)
class PinOptions:
    allow_last_attempt: bool = False
    allow_puk_attempt: bool = False
    allow_weak: bool = False
    confirm_iccid: str | None = None
    ask: Callable[[str], str] | None = None  # a terminal prompt for the confirmation
    virtual: bool = False  # from configuration, never from the driver
    state_dir: Path | None = None


class PinTool:
    """One command on one device; `out` gets progress lines (None: quiet, e.g. --json)."""

    def __init__(self, device: PinDevice, options: PinOptions, out: TextIO | None = None) -> None:
        self.device = device
        self.options = options
        self._out = out
        self._lifted = options.allow_last_attempt or options.allow_puk_attempt
        self._confirmed: str | None = None

    # --- commands ------------------------------------------------------------------
    def status(self) -> PinReport:
        report = PinReport("status", self.device.name)
        report.after = self.device.status()
        report.next_steps = _next_for(report.after)
        return report

    def unlock(self, secrets: SecretSource) -> PinReport:
        report = self._start("unlock")
        if not self.device.asks_for_pin():
            report.steps.append("the SIM does not ask for PIN1: nothing sent")
        else:
            pin = secrets.current_pin()
            self._spend(report, "unlock", "pin1", lambda: self.device.unlock(pin))
            report.steps.append("PIN1 entered")
        return self._finish(report)

    def set_lock(self, enabled: bool, secrets: SecretSource) -> PinReport:
        report = self._start("enable" if enabled else "disable")
        before = report.before
        if before is not None and before.pin1_enabled is enabled:
            report.steps.append(f"PIN1 lock already {'enabled' if enabled else 'disabled'}")
            return self._finish(report)
        pin = secrets.current_pin()
        if enabled:
            report.weak = self._judge(pin)
        self._unlock_first(report, pin)
        self._spend(report, report.command, "pin1", lambda: self.device.set_lock(enabled, pin))
        report.steps.append(f"PIN1 lock {'enabled' if enabled else 'disabled'}")
        if not enabled:
            report.next_steps.append(
                "the SIM now works for anyone who holds it (a stolen phone reads its SMS "
                "codes); `simharness pin setup` switches the lock back on"
            )
        return self._finish(report)

    def change(self, secrets: SecretSource) -> PinReport:
        report = self._start("change")
        old = secrets.current_pin()
        new = self._new_pin(secrets)
        if self._unlock_first(report, old):
            self._new_pin_again(new)
        self._spend(report, "change", "pin1", lambda: self.device.change(old, new))
        report.steps.append("PIN1 changed")
        return self._finish(report)

    def unblock(self, secrets: SecretSource) -> PinReport:
        report = self._start("unblock")
        before = report.before
        if before is not None and not _blocked(before):
            raise PinStateError(
                f"{self.device.name}: PIN1 is not blocked ({before.sim_state}, {before.pin1} "
                f"tries left); a PUK is entered only once the PIN is blocked. Nothing was sent."
            )
        puk = secrets.puk()
        new = self._new_pin(secrets, puk=puk)
        self._spend(report, "unblock", "puk1", lambda: self.device.unblock(puk, new))
        report.steps.append("PIN1 unblocked with the PUK and set to the new PIN")
        return self._finish(report)

    def setup(self, secrets: SecretSource) -> PinReport:
        """Guided: enable the lock with a good PIN and prove it after a power cycle."""
        report = self._start("setup")
        before = report.before
        if before is not None and _blocked(before):
            raise PinBlockedError("PIN1", f"{self.device.name}: setup")
        current = secrets.current_pin()
        new = self._new_pin(secrets)
        if self._unlock_first(report, current):
            self._new_pin_again(new)
        if before is None or before.pin1_enabled is not True:
            self._spend(report, "setup", "pin1", lambda: self.device.set_lock(True, current))
            report.steps.append("PIN1 lock enabled")
        else:
            report.steps.append("PIN1 lock already enabled")
        if new.reveal() != current.reveal():
            self._spend(report, "setup", "pin1", lambda: self.device.change(current, new))
            report.steps.append("PIN1 changed to the new PIN")
        else:
            report.steps.append("the new PIN is the current one: not changed")
        self._prove(report, new)
        report.next_steps = [
            "keep the PUK (on the card carrier) apart from the phone: it is the only way back "
            "after three wrong PINs",
            "check any time with `simharness pin status`",
        ]
        return report

    # --- steps -----------------------------------------------------------------------
    def _start(self, command: str) -> PinReport:
        report = PinReport(command, self.device.name)
        report.before = self.device.status()
        if command == "setup":  # guided: the person sees where the SIM stands first
            self._say(render_status(report.before))
        else:
            before = report.before
            self._say(f"{self.device.name}: {before.sim_state}, PIN1 {before.pin1} tries left")
        if self._lifted and not self.options.virtual:
            risk = _risk(self.options)
            self._confirmed = confirm_card(
                report.before.iccid, self.options.confirm_iccid, self.options.ask, risk
            )
            report.confirmation = f"ICCID confirmed ({self._confirmed}) for {risk}"
            self._ledger_note(report.before.iccid, report.confirmation)
        self.device.use_policy(
            SafetyPolicy(
                allow_last_pin_attempt=self.options.allow_last_attempt,
                allow_puk_attempts=self.options.allow_puk_attempt,
                reason=report.confirmation or ("virtual card" if self._lifted else ""),
            )
        )
        return report

    def _finish(self, report: PinReport) -> PinReport:
        report.after = self.device.status()
        report.next_steps += _next_for(report.after)
        return report

    def _unlock_first(self, report: PinReport, pin: Secret) -> bool:
        """+CLCK/+CPWD need an unlocked SIM: enter the PIN if the SIM asks for it."""
        if not self.device.asks_for_pin():
            return False
        self._spend(report, report.command, "pin1", lambda: self.device.unlock(pin))
        report.steps.append("PIN1 entered (the SIM asked for it)")
        return True

    def _new_pin(self, secrets: SecretSource, puk: Secret | None = None) -> Secret:
        new = secrets.new_pin()
        judgement = self._judge(new, puk=puk)
        if judgement.weak and not self.options.allow_weak:
            raise WeakPinRefusal(judgement)
        return new

    def _new_pin_again(self, new: Secret) -> None:
        """Judged again once the SIM is open: its MSISDN may be readable only now
        (EF.MSISDN is PIN-protected on most cards). Only the current PIN was spent."""
        judgement = self._judge(new)
        if judgement.weak and not self.options.allow_weak:
            raise WeakPinRefusal(judgement)

    def _judge(self, pin: Secret, puk: Secret | None = None) -> PinJudgement:
        return judge_pin(pin, iccid=self.device.iccid(), msisdn=self.device.msisdn(), puk=puk)

    def _prove(self, report: PinReport, new: Secret) -> None:
        how = self.device.power_cycle()
        report.steps.append(f"power cycle: {how}")
        asks = self.device.asks_for_pin()
        report.checks.append(("after the power cycle the SIM asks for its PIN", asks))
        if not asks:
            report.after = self.device.status()
            return
        self._spend(report, "setup", "pin1", lambda: self.device.unlock(new))
        report.after = self.device.status()
        opened = report.after.sim_state == "READY"
        report.checks.append(("the new PIN opens it", opened))
        full = report.after.pin1 == PIN_TRIES_FULL
        report.checks.append((f"PIN1 counter full ({PIN_TRIES_FULL} tries) after it", full))

    def _spend(
        self, report: PinReport, action: str, counter: str, call: Callable[[], None]
    ) -> None:
        """One presentation; under a lifted gate on a real card, recorded in the ledger."""
        iccid = report.before.iccid if report.before else None
        if not self._lifted or self.options.virtual or iccid is None:
            call()
            return
        before = self.device.status()
        with AttemptLedger.open(self._state_dir, iccid) as ledger:
            ledger.begin_run(
                tool="simharness pin",
                action=action,
                device=self.device.name,
                virtual=False,
                confirmation=self._confirmed,
                policy=_risk(self.options),
            )
            index = ledger.begin_attempt(1, counter, getattr(before, counter))
            verdict = "error"
            try:
                call()
                verdict = "correct"
            except WrongPinError:
                verdict = "wrong"
                raise
            except PinBlockedError:
                verdict = "blocked"
                raise
            except SafetyRefusal:
                verdict = "refused"
                raise
            finally:
                after = _counters(self.device)
                ledger.finish_attempt(index, verdict=verdict, code="", counters=after)
                ledger.end_run(verdict)

    @property
    def _state_dir(self) -> Path:
        return self.options.state_dir or default_state_dir()

    def _ledger_note(self, iccid: str | None, text: str) -> None:
        if iccid is None:
            return
        with AttemptLedger.open(self._state_dir, iccid) as ledger:
            ledger.note("confirmation", f"simharness pin on {self.device.name}: {text}")

    def _say(self, text: str) -> None:
        if self._out is not None:
            print(text, file=self._out)


def _blocked(status: PinStatus) -> bool:
    return status.pin1 == 0 or status.sim_state == "SIM PUK"


def _risk(options: PinOptions) -> str:
    parts = []
    if options.allow_last_attempt:
        parts.append("--allow-last-attempt (a wrong PIN may block PIN1)")
    if options.allow_puk_attempt:
        parts.append("--allow-puk-attempt (10 wrong PUKs destroy the SIM)")
    return " and ".join(parts)


def _counters(device: PinDevice) -> dict[str, int | None]:
    try:
        status = device.status()
    except HarnessError:
        return {}
    return {"pin1": status.pin1, "puk1": status.puk1}


def _next_for(status: PinStatus) -> list[str]:
    if status.puk1 == 0:
        return ["the PUK is exhausted: the SIM is blocked for good; ask the operator for a new one"]
    if status.pin1 == 0:
        return ["PIN1 is blocked: `simharness pin unblock` with the PUK from the card carrier"]
    if status.pin1_enabled is False:
        return ["PIN1 lock is off: anyone holding this SIM can use it; `simharness pin setup`"]
    if status.pin1 is not None and status.pin1 < PIN_TRIES_FULL:
        return [f"only {status.pin1} PIN1 tries left: the next correct PIN resets the counter"]
    return []
