"""Network registration and signal: +CREG/+CGREG/+CEREG, +CSQ, +COPS (TS 27.007 §7.2, §10.1.20,
§8.5, §7.3; docs/sources.md §1.7, §1.8).

A modem registers on some of the three domains only (an LTE-only module has
no +CREG, an old GSM one no +CEREG), so each is asked and a refusal means
"not this domain". `wait_for_registration` wakes on the registration URCs it
turns on and polls as a fallback: a URC tells that something changed, the
read command tells what.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from harness.at.parsers import (
    CurrentOperator,
    Registration,
    RegStatus,
    SignalQuality,
    parse_cops,
    parse_csq,
    parse_registration,
)
from harness.errors import AtCommandError, CmeError, CodecError, HarnessTimeout
from harness.modem.session import ModemSession

DOMAINS = ("+CREG", "+CGREG", "+CEREG")
_POLL_S = 1.0
_UNSUPPORTED_CME = frozenset({4})  # 27.007 §9.2: operation not supported


@dataclass(frozen=True)
class RegistrationState:
    """One read of each domain; None where the modem has no such command."""

    cs: Registration | None = None  # +CREG, circuit switched (SMS over CS)
    ps: Registration | None = None  # +CGREG, GPRS
    eps: Registration | None = None  # +CEREG, LTE

    @property
    def domains(self) -> tuple[Registration, ...]:
        return tuple(r for r in (self.cs, self.ps, self.eps) if r is not None)

    @property
    def registered(self) -> bool:
        return any(r.stat.registered for r in self.domains)

    @property
    def status(self) -> RegStatus:
        """The best status over all domains (registered beats searching beats the rest)."""
        stats = [r.stat for r in self.domains]
        for wanted in (lambda s: s.registered, lambda s: s is RegStatus.SEARCHING):
            found = [s for s in stats if wanted(s)]
            if found:
                return found[0]
        return stats[0] if stats else RegStatus.UNKNOWN


class NetworkOps(ModemSession):
    """Registration, operator and signal."""

    _unsupported_domains: frozenset[str] = frozenset()
    _registration_urcs_on = False

    def registration(self) -> RegistrationState:
        """Read +CREG?, +CGREG? and +CEREG? (domains the modem refuses are None)."""
        found: dict[str, Registration | None] = {}
        for domain in DOMAINS:
            found[domain] = None
            if domain in self._unsupported_domains:
                continue
            try:
                response = self.command(f"AT{domain}?", prefixes=(f"{domain}:",))
            except (AtCommandError, CmeError) as exc:
                # Only "no such command" is for good; a refusal while the SIM PIN is
                # pending (CME 11/12...) is asked again once the SIM is unlocked.
                if isinstance(exc, AtCommandError) or exc.code in _UNSUPPORTED_CME:
                    self._unsupported_domains = self._unsupported_domains | {domain}
                continue
            lines = response.with_prefix(f"{domain}:")
            if lines:
                found[domain] = parse_registration(lines[0], solicited=True)
        return RegistrationState(found["+CREG"], found["+CGREG"], found["+CEREG"])

    def enable_registration_urcs(self) -> None:
        """Turn on +CREG/+CGREG/+CEREG URCs with location (n=2); refusals are ignored,
        and it is tried again next time unless one domain accepted."""
        accepted = False
        for domain in DOMAINS:
            if domain not in self._unsupported_domains:
                accepted |= self.try_command(f"AT{domain}=2") is not None
        self._registration_urcs_on = accepted

    def wait_for_registration(self, timeout: float = 60.0) -> RegistrationState:
        """Until any domain is registered (home, roaming, SMS-only...); HarnessTimeout
        with the last state otherwise."""
        if not self._registration_urcs_on:
            self.enable_registration_urcs()
        deadline = time.monotonic() + timeout
        while True:
            seen = self.registration_events.count
            state = self.registration()
            if state.registered:
                return state
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HarnessTimeout(
                    f"{self.name}: not registered within {timeout:g} s (last status: "
                    f"{state.status.name.lower()}). Check the SIM state (a PIN-locked SIM "
                    f"never registers), the antenna and the operator's barring."
                )
            self.registration_events.wait_newer(seen, min(_POLL_S, remaining))

    def signal(self) -> SignalQuality:
        """AT+CSQ: rssi/ber, with dBm and RXQUAL (None when unknown, 99)."""
        response = self.command("AT+CSQ", prefixes=("+CSQ:",))
        return parse_csq(_one(response.with_prefix("+CSQ:"), self.name, "AT+CSQ"))

    def operator(self) -> CurrentOperator:
        """AT+COPS? (mode, format, name, access technology)."""
        response = self.command("AT+COPS?", prefixes=("+COPS:",))
        return parse_cops(_one(response.with_prefix("+COPS:"), self.name, "AT+COPS?"))


def _one(lines: list[str], name: str, cmd: str) -> str:
    if not lines:
        raise CodecError(f"{name}: {cmd} answered without its information line")
    return lines[0]
