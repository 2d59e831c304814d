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

from harness.errors import HarnessError, PinBlockedError
from harness.modem import Modem, SimState
from harness.safety import SafetyPolicy, Spend
from harness.transcript import Transcript
from harness.transport import ByteStream

__all__ = ["CounterGate"]

_CPIN = re.compile(r"\+CPIN\s*=", re.IGNORECASE)
_FACILITY = re.compile(r"\+C(?:LCK|PWD)\s*=\s*\"?([A-Za-z0-9]{2})", re.IGNORECASE)
_CSIM_INS = re.compile(r"\+CSIM\s*=\s*\d+\s*,\s*\"?[0-9A-Fa-f]{2}([0-9A-Fa-f]{2})", re.IGNORECASE)


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
    """Which counter a secret-bearing line spends (unknown lines: PIN1, the common case)."""
    facility = _FACILITY.search(command)
    if facility is not None and facility.group(1).upper() == "P2":
        return Spend.PIN, "pin2", "PIN2"
    csim = _CSIM_INS.search(command)
    if csim is not None and csim.group(1).upper() == "2C":
        return Spend.PUK, "puk1", "PUK1"
    if _CPIN.search(command):
        state = modem.sim_state()
        if state is SimState.SIM_PUK:
            return Spend.PUK, "puk1", "PUK1"
        if state is SimState.SIM_PUK2:
            return Spend.PUK, "puk2", "PUK2"
        if state is SimState.SIM_PIN2:
            return Spend.PIN, "pin2", "PIN2"
    return Spend.PIN, "pin1", "PIN1"
