"""Run an AT script (harness.at_script.language) over a port with pexpect.

Lines are read with pexpect's expect loop (`TransportSpawn`) one at a time; each is
recorded in the transcript as it is read, with the secrets masked: a line sent with
a secret is recorded from its template (``${PIN}`` -> ``****``), its echo likewise,
and any other occurrence of a secret value is replaced too (over-masking a number
that happens to equal a PIN is the safe side). Lines that carry a secret pass the
counter gate (harness.at_script.gate) before they are sent.

`expect` skips lines until one matches; it fails at its deadline, or at once when a
final error result (ERROR, +CME ERROR, +CMS ERROR, COMMAND NOT SUPPORT, NO CARRIER)
arrives that its pattern does not match. `wait-urc` is the same without the error
rule. `show-until` prints the lines it passes over. `expect-not` watches for its
quiet time and puts back the lines it read, so a following `expect` still sees them.
The run stops at the first step that does not hold: exit status 0 only if every
step held.
"""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from pexpect import EOF, TIMEOUT

from harness.at_script.gate import presents_secret
from harness.at_script.language import (
    Expect,
    ExpectNot,
    Fail,
    Print,
    Script,
    Send,
    ShowUntil,
    Sleep,
    Step,
    WaitUrc,
    references,
    substitute,
)
from harness.at_script.spawn import TransportSpawn
from harness.errors import ConfigError, DeviceGoneError, HarnessError, SafetyRefusal
from harness.secrets import MASK, Secret, mask_text
from harness.transcript import Channel, Direction, Transcript
from harness.transport import ByteStream

__all__ = ["ScriptFailure", "ScriptResult", "check_secrets", "run_script"]

_LINE = re.compile(r"([^\r\n]*)\r?\n")
_PROMPT = re.compile(r"> ")
_FINAL_ERROR = re.compile(r"^(ERROR|\+CME ERROR:.*|\+CMS ERROR:.*|COMMAND NOT SUPPORT|NO CARRIER)$")
_SHOWN_MASK = MASK.strip('"')
_MIN_SECRET = 4  # the shortest PIN; a shorter value would mask ordinary text ("12")
_TAIL = 5
_QUIET_S = 0.1  # a line this long silent has nothing more on its way
_SETTLE_MAX_S = 2.0


class ScriptFailure(HarnessError):
    """A step did not hold; the message names the file, the line and what was seen."""


@dataclass
class ScriptResult:
    script: str
    steps_held: int = 0
    printed: list[str] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)  # captured; never a secret


Gate = Callable[[str], str]
"""Checks a secret-bearing line before it is sent; raises to refuse."""


def run_script(
    script: Script,
    stream: ByteStream,
    *,
    secrets: dict[str, Secret],
    transcript: Transcript | None = None,
    out: TextIO | None = None,
    gate: Gate | None = None,
) -> ScriptResult:
    """Run every step; `ScriptFailure` at the first that does not hold (and before the
    first, for a missing secret), `ConfigError` for a secret too short to mask."""
    check_secrets(script, secrets)
    return _Run(script, stream, secrets, transcript, out, gate).all()


def check_secrets(script: Script, secrets: dict[str, Secret]) -> None:
    """Every secret the script names has a value, and one long enough to mask."""
    missing = sorted(set(script.secrets) - set(secrets))
    if missing:
        raise ScriptFailure(f"{script.name}: no value for secret(s) {', '.join(missing)}")
    short = sorted(name for name, value in secrets.items() if len(value.reveal()) < _MIN_SECRET)
    if short:
        raise ConfigError(
            f"{script.name}: secret(s) {', '.join(short)} shorter than {_MIN_SECRET} "
            f"characters; a PIN has 4-8 digits and a PUK 8 (TS 102 221 §9.5.1), and a "
            f"shorter value could not be masked by value in output and transcripts. "
            f"Check the environment variable."
        )


class _Run:
    def __init__(
        self,
        script: Script,
        stream: ByteStream,
        secrets: dict[str, Secret],
        transcript: Transcript | None,
        out: TextIO | None,
        gate: Gate | None,
    ) -> None:
        self.script = script
        self.spawn = TransportSpawn(stream)
        self.secrets = secrets
        self.transcript = transcript
        self.out = out
        self.gate = gate
        self.result = ScriptResult(script.name)
        self.values: dict[str, str] = {k: v.reveal() for k, v in secrets.items()}
        self.shown: dict[str, str] = dict.fromkeys(secrets, _SHOWN_MASK)
        self.pending: deque[str] = deque()
        self.seen: deque[str] = deque(maxlen=_TAIL)  # masked, for failure messages
        self.echoes: dict[str, str] = {}  # raw sent line -> its masked form

    def all(self) -> ScriptResult:
        for step in self.script.steps:
            self.step(step)
            self.result.steps_held += 1
        return self.result

    # --- steps -----------------------------------------------------------------------
    def step(self, step: Step) -> None:
        if isinstance(step, Send):
            self.send(step)
        elif isinstance(step, (Expect, WaitUrc)):
            self.expect(step)
        elif isinstance(step, ExpectNot):
            self.expect_not(step)
        elif isinstance(step, ShowUntil):
            self.show_until(step)
        elif isinstance(step, Sleep):
            time.sleep(step.seconds)
        elif isinstance(step, Print):
            text = self.mask(substitute(step.text, self.shown_values()))
            self.result.printed.append(text)
            if self.out is not None:
                print(text, file=self.out)
        elif isinstance(step, Fail):
            raise self.failure(step, substitute(step.message, self.shown_values()))

    def send(self, step: Send) -> None:
        raw = substitute(step.text, self.values)
        shown = self.mask(substitute(step.text, self.shown_values()))
        if (
            any(name in self.secrets for name in references(step.text))
            or mask_text(raw) != raw
            or presents_secret(raw)
        ):
            if self.gate is None:  # no counter check, no secret on the line
                raise SafetyRefusal(
                    f"{self.script.name}: a line presents a PIN/PUK but this run has no counter "
                    "gate; run the script with `simharness script run` (nothing sent)"
                )
            self.settle()
            self.gate(raw)
        self.echoes[raw] = shown
        self.record(Direction.TX, shown + "\r")
        self.spawn.send(raw + "\r")

    def expect(self, step: Expect | WaitUrc) -> None:
        pattern = re.compile(substitute(step.pattern, self.values, escape=True))
        deadline = time.monotonic() + step.timeout
        while True:
            line = self.next_line(deadline)
            if line is None:
                what = "URC" if isinstance(step, WaitUrc) else "line"
                raise self.failure(
                    step,
                    step.message or f"no {what} matched /{step.pattern}/ within {step.timeout:g} s",
                )
            match = pattern.search(line)
            if match is not None:
                captured = {k: v or "" for k, v in match.groupdict().items()}
                self.values.update(captured)
                self.result.variables.update({k: self.mask(v) for k, v in captured.items()})
                return
            if isinstance(step, Expect) and _FINAL_ERROR.match(line):
                raise self.failure(
                    step,
                    step.message or f"the modem answered {self.mask(line)!r}, not /{step.pattern}/",
                )

    def show_until(self, step: ShowUntil) -> None:
        pattern = re.compile(substitute(step.pattern, self.values, escape=True))
        deadline = time.monotonic() + step.timeout
        while (line := self.next_line(deadline)) is not None:
            if pattern.search(line):
                return
            if _FINAL_ERROR.match(line):
                answer = f"the modem answered {self.mask(line)!r}, not /{step.pattern}/"
                raise self.failure(step, step.message or answer)
            shown = self.mask(self.echoes.get(line, line))
            self.result.printed.append(shown)
            if self.out is not None:
                print(shown, file=self.out)
        raise self.failure(
            step, step.message or f"no line matched /{step.pattern}/ within {step.timeout:g} s"
        )

    def expect_not(self, step: ExpectNot) -> None:
        pattern = re.compile(substitute(step.pattern, self.values, escape=True))
        deadline = time.monotonic() + step.quiet
        read: list[str] = []
        try:
            while (line := self.next_line(deadline)) is not None:
                read.append(line)
                if pattern.search(line):
                    raise self.failure(
                        step, step.message or f"{self.mask(line)!r} matched /{step.pattern}/"
                    )
        finally:
            self.pending.extendleft(reversed(read))

    # --- lines -----------------------------------------------------------------------
    def settle(self) -> None:
        """Before lending the port to the driver: read (and record) what is still on its
        way until the line is quiet, so no late answer is taken for the driver's."""
        self.pending.clear()
        end = time.monotonic() + _SETTLE_MAX_S
        while time.monotonic() < end:
            if self.next_line(time.monotonic() + _QUIET_S) is None:
                break
        self.pending.clear()
        self.spawn.buffer = ""

    def next_line(self, deadline: float) -> str | None:
        """The next non-empty line (or the "> " prompt), None at the deadline."""
        if self.pending:
            return self.pending.popleft()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            index = self.spawn.expect([_LINE, _PROMPT, TIMEOUT, EOF], timeout=remaining)
            if index == 3:
                raise DeviceGoneError(f"{self.script.name}: the port closed mid-script")
            if index == 2:
                return None
            line = self.spawn.match.group(1) if index == 0 else "> "
            line = line.rstrip("\r")
            self.record(Direction.RX, line + ("\r\n" if index == 0 else ""))
            if line.strip():
                return line

    def record(self, direction: Direction, text: str) -> None:
        bare = text.rstrip("\r\n")
        shown = self.echoes.get(bare, bare) if direction is Direction.RX else bare
        shown = self.mask(shown)
        if direction is Direction.RX and shown:
            self.seen.append(shown)
        if self.transcript is not None:
            data = (shown + text[len(bare) :]).encode("latin-1")
            self.transcript.record(Channel.AT, direction, data, "script")

    def mask(self, text: str) -> str:
        for value in self.secrets.values():  # each at least _MIN_SECRET long (run_script)
            text = text.replace(value.reveal(), _SHOWN_MASK)
        return mask_text(text)

    def shown_values(self) -> dict[str, str]:
        return {**self.values, **self.shown}

    def failure(self, step: Step, message: str) -> ScriptFailure:
        tail = " | ".join(self.seen) or "nothing"
        return ScriptFailure(
            f"{self.script.name}:{step.line}: {self.mask(message)} (last lines: {tail})"
        )
