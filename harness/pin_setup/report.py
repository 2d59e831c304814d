"""What a `simharness pin ...` command did, as a value: rendered as text or JSON.

Exit codes (also in `simharness pin --help` and the README):
0 done (for setup: proven after a power cycle); 1 setup's proof failed; 2 an error
(device, wrong PIN, SIM state, configuration); 3 refused by the safety gate or the
ICCID confirmation, nothing sent; 4 a weak PIN refused, nothing sent; 130 interrupted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tabulate import tabulate

from harness.errors import HarnessError
from harness.pin_setup.device import PinStatus
from harness.pin_setup.weak import PinJudgement

__all__ = [
    "EXIT_CODES",
    "PinReport",
    "WeakPinRefusal",
    "render_status",
]

EXIT_OK, EXIT_PROOF_FAILED, EXIT_ERROR, EXIT_REFUSED, EXIT_WEAK = 0, 1, 2, 3, 4
EXIT_CODES = (
    "exit status: 0 done (setup: proven after a power cycle); 1 setup's proof failed; "
    "2 error (device, wrong PIN, SIM state, configuration); 3 refused by the safety gate "
    "or the ICCID confirmation, nothing sent; 4 weak PIN refused, nothing sent; "
    "130 interrupted"
)


class WeakPinRefusal(HarnessError):
    """The new PIN breaks a weak-PIN rule; nothing was sent."""

    def __init__(self, judgement: PinJudgement) -> None:
        self.judgement = judgement
        super().__init__(
            f"the new PIN is refused: {judgement.describe()} Nothing was sent "
            f"(--allow-weak accepts it anyway)."
        )


@dataclass
class PinReport:
    command: str
    device: str
    before: PinStatus | None = None
    after: PinStatus | None = None
    steps: list[str] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)
    weak: PinJudgement | None = None
    confirmation: str | None = None
    next_steps: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(passed for _, passed in self.checks)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_PROOF_FAILED

    def as_dict(self) -> dict[str, object]:
        return {
            "command": self.command,
            "device": self.device,
            "ok": self.ok,
            "exit": self.exit_code,
            "before": self.before.as_dict() if self.before else None,
            "after": self.after.as_dict() if self.after else None,
            "steps": self.steps,
            "checks": [{"check": text, "passed": passed} for text, passed in self.checks],
            "weak_pin": self.weak.as_dict() if self.weak else None,
            "confirmation": self.confirmation,
            "next": self.next_steps,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=1)

    def render(self) -> str:
        lines: list[str] = []
        if self.after is not None:
            lines.append(render_status(self.after))
        lines += [f"- {step}" for step in self.steps]
        lines += [f"{'PASS' if passed else 'FAIL'} {text}" for text, passed in self.checks]
        if self.weak is not None and self.weak.weak:
            lines.append(f"note: the PIN now in use is {self.weak.describe()}")
        if self.checks:
            verdict = "proven" if self.ok else "NOT proven"
            lines.append(f"{self.command}: {verdict} on {self.device}")
        lines += [f"next: {text}" for text in self.next_steps]
        return "\n".join(lines)


def render_status(status: PinStatus) -> str:
    def tries(value: int | None) -> str:
        if value is None:
            return "?"
        return f"{value} {'try' if value == 1 else 'tries'}"

    enabled = {True: "enabled", False: "disabled", None: "unknown (not readable here)"}
    rows = [
        ("device", f"{status.device} ({status.kind})"),
        ("ICCID", status.iccid or "- (not readable)"),
        ("SIM state", status.sim_state),
        ("PIN1 lock", enabled[status.pin1_enabled]),
        ("PIN1 / PUK1 left", f"{tries(status.pin1)} / {tries(status.puk1)}"),
        ("PIN2 / PUK2 left", f"{tries(status.pin2)} / {tries(status.puk2)}"),
    ]
    return tabulate(rows, tablefmt="rounded_outline")
