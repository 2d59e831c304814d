"""What the virtual operator answers a bank, computed from the network (no HTTP here).

SIM Swap (CAMARA sim-swap 2.1.0): the latest SIM change is read from the
network's event log (activation or swap, see network.sim_changes). The
operator keeps that history for `monitored_days` (None: without limit):
`retrieve-date` then answers `latestSimChange: null` with `monitoredPeriod`
for a change older than that, and `check` refuses a `maxAge` beyond it with
400 OUT_OF_RANGE.

Subscription status (0.1.0): an active line is active in every service; a
line reported lost or suspended is `suspended` in all three.

One-time password SMS (1.1.1): `send-code` sends the message with a fresh
code to the line and returns an authenticationId; `validate-code` accepts the
code once, within `code_ttl`, before `max_attempts` wrong tries; a newer code
for the same number supersedes the older one.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from harness.virtual.api.camara.errors import CamaraError
from harness.virtual.network import LineState, NetworkError, Subscriber, VirtualNetwork
from harness.virtual.network.otp import DEFAULT_SENDER
from harness.virtual.network.subscribers import msisdn_key

__all__ = [
    "DEFAULT_MONITORED_DAYS",
    "MAX_AGE_DEFAULT",
    "OtpService",
    "SimSwapService",
    "subscription_status",
]

DEFAULT_MONITORED_DAYS = 90
MAX_AGE_DEFAULT = 240  # hours, CreateCheckSimSwap.maxAge default


def line_of(network: VirtualNetwork, phone_number: str | None, *, not_found: str) -> Subscriber:
    """The subscriber for a request's phoneNumber (2-legged tokens: it must be given)."""
    if phone_number is None:
        raise CamaraError(422, "MISSING_IDENTIFIER", "The device cannot be identified.")
    try:
        return network.subscriber(phone_number)
    except NetworkError:
        raise CamaraError(
            404, not_found, "The phone number provided is not associated with a customer account"
        ) from None


class SimSwapService:
    def __init__(self, network: VirtualNetwork, monitored_days: int | None) -> None:
        if monitored_days is not None and monitored_days < 1:
            raise ValueError(f"monitored period {monitored_days} days: give at least 1")
        self.network = network
        self.monitored_days = monitored_days

    def retrieve_date(self, phone_number: str | None) -> tuple[datetime | None, int | None]:
        """(latestSimChange, monitoredPeriod): the change, or None + the period."""
        line = line_of(self.network, phone_number, not_found="IDENTIFIER_NOT_FOUND")
        latest = self.network.latest_sim_change(line.msisdn)
        if self.monitored_days is None:
            return latest, None
        horizon = self.network.clock.now() - timedelta(days=self.monitored_days)
        if latest is None or latest < horizon:
            return None, self.monitored_days
        return latest, None

    def check(self, phone_number: str | None, max_age_hours: int) -> bool:
        """Was a SIM bound to the number within the last `max_age_hours` hours?"""
        if self.monitored_days is not None and max_age_hours > self.monitored_days * 24:
            raise CamaraError(
                400,
                "OUT_OF_RANGE",
                f"Check monitor period could not exceed local regulations "
                f"({self.monitored_days} days, {self.monitored_days * 24} hours)",
            )
        line = line_of(self.network, phone_number, not_found="IDENTIFIER_NOT_FOUND")
        latest = self.network.latest_sim_change(line.msisdn)
        since = self.network.clock.now() - timedelta(hours=max_age_hours)
        return latest is not None and latest >= since


def subscription_status(network: VirtualNetwork, phone_number: str | None) -> dict[str, str]:
    """voiceSmsIn / voiceSmsOut / dataService of the line: what a loss report sets."""
    line = line_of(network, phone_number, not_found="IDENTIFIER_NOT_FOUND")
    state = "active" if line.state is LineState.ACTIVE else "suspended"
    return {"voiceSmsIn": state, "voiceSmsOut": state, "dataService": state}


@dataclass
class _Session:
    msisdn_key: str
    code: str
    sent_at: datetime
    attempts: int = 0
    closed: str | None = None  # why it no longer accepts a code


class OtpService:
    """Codes sent with CAMARA send-code, checked with validate-code; thread-safe."""

    def __init__(
        self,
        network: VirtualNetwork,
        *,
        sender: str = DEFAULT_SENDER,
        code_ttl: timedelta = timedelta(minutes=5),
        max_attempts: int = 3,
    ) -> None:
        self.network = network
        self.sender = sender
        self.code_ttl = code_ttl
        self.max_attempts = max_attempts
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()

    def send_code(self, phone_number: str, message: str) -> str:
        """Send `message` with the code in place of {{code}}; the authenticationId."""
        line = line_of(self.network, phone_number, not_found="NOT_FOUND")
        if line.state is not LineState.ACTIVE:
            raise CamaraError(
                403,
                "ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED",
                f"Phone_number is blocked to receive SMS: the line is {line.state.value}.",
            )
        code = self.network.send_otp(line.msisdn, sender=self.sender, template=message)
        auth_id = str(uuid.uuid4())
        key = msisdn_key(line.msisdn)
        with self._lock:
            for session in self._sessions.values():
                if session.msisdn_key == key and session.closed is None:
                    session.closed = "a newer code was sent to the same number"
            self._sessions[auth_id] = _Session(key, code, self.network.clock.now())
        return auth_id

    def validate_code(self, authentication_id: str, code: str) -> None:
        """Accept the code (returns) or raise the CAMARA error that says why not."""
        with self._lock:
            session = self._sessions.get(authentication_id)
            if session is None:
                raise CamaraError(404, "NOT_FOUND", "The specified resource is not found.")
            if session.closed is None and self.network.clock.now() - session.sent_at > (
                self.code_ttl
            ):
                session.closed = "it expired"
            if session.closed is not None:
                raise CamaraError(
                    400,
                    "ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED",
                    f"The authenticationId is no longer valid: {session.closed}",
                )
            if session.attempts >= self.max_attempts:
                raise CamaraError(
                    400,
                    "ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED",
                    "The maximum number of attempts for this authenticationId was exceeded "
                    "without providing a valid OTP",
                )
            if not (code.isascii() and secrets.compare_digest(code, session.code)):
                session.attempts += 1
                raise CamaraError(
                    400,
                    "ONE_TIME_PASSWORD_SMS.INVALID_OTP",
                    "The provided OTP is not valid for this authenticationId",
                )
            session.closed = "it was already used"
