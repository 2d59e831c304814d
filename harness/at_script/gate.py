"""The safety gate for script lines that present a PIN or PUK (DESIGN.md "Safety").

A script is text a person wrote; it must not be a way around the rule every other
path keeps. Before a line that carries a secret (`+CPIN=`, `+CLCK`/`+CPWD` with a
password, a VERIFY/UNBLOCK over `+CSIM`, or any line using a `secret` variable) is
sent, the runner lends the port to the `Modem` driver for a moment: it reads the
counter that line spends (free) with the vendor's way, and the strict policy
refuses the last PIN attempt, any PUK attempt and an unreadable counter. Scripts
never lift the gate; `simharness pin` (with its ICCID confirmation) is the tool for
that. Lending the port runs the driver's init (ATE0, AT+CMEE=1, +CGMI/+CGMM).
"""

from __future__ import annotations

import io
import re

from harness.errors import HarnessError, PinBlockedError, SafetyRefusal
from harness.modem import Modem, SimState
from harness.safety import SafetyPolicy, Spend
from harness.secret_ins import SECRET_INS, UNBLOCK_PIN
from harness.sim.key_refs import UICC_PIN1, UICC_PIN2
from harness.transcript import Transcript
from harness.transport import ByteStream

__all__ = ["CounterGate", "presents_secret"]

_CPIN = re.compile(r"\+CPIN\s*=", re.IGNORECASE)
_FACILITY = re.compile(r"\+C(?:LCK|PWD)\s*=\s*\"?([A-Za-z0-9]{2})", re.IGNORECASE)
_CSIM_HEADER = re.compile(
    r"\+CSIM\s*=\s*\d+\s*,\s*\"?[0-9A-Fa-f]{2}([0-9A-Fa-f]{2})[0-9A-Fa-f]{2}([0-9A-Fa-f]{2})",
    re.IGNORECASE,
)
# Forms that present a secret but that the gate cannot map to one counter: +CGLA (an APDU
# on a logical channel), MMI strings (**04*/**042*/**05*/**052*, TS 22.030 §6.6) by ATD or
# +CUSD, +CPIN2, and vendor PIN commands. Scripts may not send them at all.
_UNCLASSIFIED = re.compile(
    r"\+CGLA\s*=|\*\*0[45]2?\*|\+CPIN2\s*=|\^CPIN\s*=|%CPIN\s*=|\$QCPIN\s*=|\*EPIN\s*=",
    re.IGNORECASE,
)
_SECRET_COMMAND = re.compile(
    r"\+CPIN\s*=|\+CLCK\s*=|\+CPWD\s*=|\+CSIM\s*=|" + _UNCLASSIFIED.pattern, re.IGNORECASE
)
_KEY_REFS = {UICC_PIN1: ("pin1", "puk1", 1), UICC_PIN2: ("pin2", "puk2", 2)}  # TS 102 221 §9.5.1


def presents_secret(line: str) -> bool:
    """Whether a line presents a secret in a form masking may not recognise (MMI strings,
    +CGLA, +CPIN2, vendor PIN commands): such a line goes to the gate, which refuses it."""
    return _UNCLASSIFIED.search(line) is not None


class _Lent:
    """The runner's stream, lent to the driver: closing it gives it back, no more."""

    def __init__(self, stream: ByteStream) -> None:
        self._stream = stream

    def write(self, data: bytes) -> None:
        self._stream.write(data)

    def read(self, timeout: float, max_bytes: int = 4096) -> bytes:
        return self._stream.read(timeout, max_bytes)

    def close(self) -> None:
        """Not closed: the runner goes on with it."""

    def fileno(self) -> int:
        fileno = getattr(self._stream, "fileno", None)
        if fileno is None:
            raise io.UnsupportedOperation("no descriptor")
        return int(fileno())


class CounterGate:
    def __init__(
        self,
        stream: ByteStream,
        *,
        name: str,
        vendor: str | None = None,
        transcript: Transcript | None = None,
    ) -> None:
        self._stream = stream
        self._name = name
        self._vendor = vendor
        self._transcript = transcript

    def check(self, command: str) -> str:
        """Raise `SafetyRefusal` / `PinBlockedError` unless the counter allows `command`;
        returns what was checked, in words (no secret)."""
        with Modem(
            _Lent(self._stream), vendor=self._vendor, transcript=self._transcript, name=self._name
        ) as modem:
            kind, field, what = _spends(modem, command)
            try:
                remaining: int | None = getattr(modem.pin_retries(), field)
            except HarnessError:
                remaining = None
            if remaining == 0:
                raise PinBlockedError(what, f"{self._name}: script line")
            SafetyPolicy.strict().check(kind, what, remaining, self._name)
            return f"{what}: {remaining} tries left"


def _spends(modem: Modem, command: str) -> tuple[Spend, str, str]:
    """Which counter a secret-bearing line spends; SafetyRefusal for a line the gate cannot
    map to exactly one PIN1/PIN2/PUK1/PUK2 counter (it is not sent)."""
    found = _SECRET_COMMAND.findall(command)
    if len(found) > 1:
        raise _refusal("holds more than one PIN/PUK command; put each on its own line")
    if _UNCLASSIFIED.search(command):
        raise _refusal(
            "uses a PIN/PUK form the gate cannot check (+CGLA, an MMI string, +CPIN2 or a "
            'vendor PIN command); use +CPIN, +CLCK/+CPWD "SC"/"P2" or +CSIM instead'
        )
    csim = _CSIM_HEADER.search(command)
    if csim is not None:
        ins, p2 = int(csim.group(1), 16), int(csim.group(2), 16)
        if ins not in SECRET_INS:
            raise _refusal("sends a +CSIM command with a secret that is not a PIN command")
        if p2 not in _KEY_REFS:
            raise _refusal("addresses a key other than PIN1/PIN2 (an ADM key?) over +CSIM")
        pin, puk, number = _KEY_REFS[p2]
        if ins == UNBLOCK_PIN:
            return Spend.PUK, puk, f"PUK{number}"
        return Spend.PIN, pin, f"PIN{number}"
    facility = _FACILITY.search(command)
    if facility is not None:
        code = facility.group(1).upper()
        if code in ("P2", "FD"):  # +CPWD="P2" and +CLCK="FD" (fixed dialling) present PIN2
            return Spend.PIN, "pin2", "PIN2"
        if code != "SC":
            raise _refusal(f'uses facility "{code}", which the gate does not check')
        return Spend.PIN, "pin1", "PIN1"
    if _CPIN.search(command):
        state = modem.sim_state()
        if state is SimState.SIM_PUK:
            return Spend.PUK, "puk1", "PUK1"
        if state is SimState.SIM_PUK2:
            return Spend.PUK, "puk2", "PUK2"
        if state is SimState.SIM_PIN2:
            return Spend.PIN, "pin2", "PIN2"
        return Spend.PIN, "pin1", "PIN1"
    raise _refusal("presents a secret outside +CPIN, +CLCK, +CPWD and +CSIM")


def _refusal(why: str) -> SafetyRefusal:
    return SafetyRefusal(f"script line refused, nothing sent: it {why}")
