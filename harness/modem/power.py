"""Radio and reset: +CFUN (TS 27.007 §8.2; docs/sources.md §1.6) and the vendor's reset command.

A reset ends with the modem answering AT again and its SIM settled. On the
way the port may vanish (a USB modem re-enumerates; the transport's reopen()
brings it back), and the modem forgets ATE0/+CMEE (the init sequence runs
again) and its SIM forgets that the PIN was entered (the card's counters do
not change: DESIGN.md, card state is EEPROM).
"""

from __future__ import annotations

import logging
import time

from harness.at.parsers import parse_cfun
from harness.errors import (
    AtCommandError,
    AtTimeout,
    CmeError,
    CodecError,
    HarnessTimeout,
    TransportError,
)
from harness.modem.session import ModemSession
from harness.modem.states import SimState

log = logging.getLogger(__name__)

_RESET_ANSWER_S = 5.0  # some modems reboot before their OK is out
_PROBE_S = 1.0
_BOOT_GRACE_S = 0.2  # after the reset's OK, before probing (a boot URC cuts it short)


class PowerOps(ModemSession):
    """Functionality level and reset."""

    def radio(self, on: bool) -> None:
        """AT+CFUN=1 (full) or AT+CFUN=4 (flight mode: no TX/RX, SIM kept)."""
        self.command(f"AT+CFUN={1 if on else 4}")

    def functionality(self) -> int:
        """AT+CFUN?: 0 minimum, 1 full, 4 flight mode, ... (27.007 §8.2)."""
        response = self.command("AT+CFUN?", prefixes=("+CFUN:",))
        lines = response.with_prefix("+CFUN:")
        if not lines:
            raise CodecError(f"{self.name}: AT+CFUN? answered without +CFUN")
        return parse_cfun(lines[0])

    def power_cycle(self, timeout: float | None = None) -> SimState:
        """Reset the modem (profile's command, else AT+CFUN=1,1), wait until it answers
        and its SIM has settled; returns the SIM state (e.g. SIM PIN again)."""
        limit = timeout if timeout is not None else self.profile.reboot_s
        deadline = time.monotonic() + limit
        seen = self.sim_events.count
        self._send_reset()
        # Give the modem a moment to go down; a SIM/boot URC ends the wait early.
        self.sim_events.wait_newer(seen, _BOOT_GRACE_S)
        self._wait_for_at(deadline, limit)
        self.initialise()
        return self.wait_sim_settled(max(deadline - time.monotonic(), _PROBE_S))

    def _send_reset(self) -> None:
        commands = [self.profile.reset_command]
        if self.profile.reset_command != "AT+CFUN=1,1":
            commands.append("AT+CFUN=1,1")
        for cmd in commands:
            try:
                self.command(cmd, timeout=_RESET_ANSWER_S, retry_busy=False)
                return
            except (CmeError, AtCommandError) as exc:
                log.info("%s: %s refused (%s)", self.name, cmd, exc)
            except (AtTimeout, TransportError) as exc:
                log.info("%s: %s: no answer (%s); assuming it is rebooting", self.name, cmd, exc)
                return
        raise AtCommandError(f"{self.name}: {' / '.join(commands)}", "no reset command accepted")

    def _wait_for_at(self, deadline: float, limit: float) -> None:
        """Probe with AT until it answers; reopen the port if it vanished."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HarnessTimeout(
                    f"{self.name}: no answer to AT within {limit:g} s after the reset; check "
                    f"power and the port (`ls /dev/serial/by-id/`)"
                )
            try:
                self.at.command("AT", timeout=min(_PROBE_S, remaining))
                return
            except (AtTimeout, CmeError, AtCommandError):
                continue
            except TransportError:
                self.reattach(max(deadline - time.monotonic(), 0.0))
