"""The line to one modem: opening, the init sequence, commands with busy retry, SIM state.

`ModemSession` is the base every operation module (pins, network, sms, power)
builds on; `harness.modem.driver.Modem` puts them together. It owns the
transport (when it opened it from a URL or path), the AtChannel over it, and
the vendor profile, and it rebuilds the channel after the port re-enumerates.

Init sequence: ATE0, AT+CMEE=1 (numeric +CME codes), then +CGMI/+CGMM to pick
the vendor profile unless one was configured. Qualcomm/ZTE sticks refuse even
ATE0 with CME 11 while the PIN is pending (docs/sources.md §R), so refusals there
are logged, not fatal. Input is never flushed: what arrives between commands
is a URC and stays with the channel.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from types import TracebackType
from typing import Self

from harness.at import AtChannel, AtResponse, Urc
from harness.at.parsers import CpinCode, parse_cpin
from harness.errors import (
    AtCommandError,
    CmeError,
    CmsError,
    CodecError,
    HarnessError,
    HarnessTimeout,
    SafetyRefusal,
    TransportError,
)
from harness.modem.identity import first_text
from harness.modem.states import SimState, state_from_cme, state_from_cpin_code
from harness.modem.vendors import GENERIC, VendorProfile, detect_vendor, profile_named
from harness.safety import SafetyPolicy
from harness.secrets import mask_text, shown_command
from harness.transcript import Transcript
from harness.transport import ByteStream, LineSettings, SerialTransport

log = logging.getLogger(__name__)

_CMS_BUSY = frozenset({314})  # SIM busy (27.005)
_CPIN_CODES = {state.value: state_from_cpin_code(state) for state in CpinCode}
_BUSY_FIRST_PAUSE_S = 0.05
_BUSY_MAX_PAUSE_S = 0.5


class UrcLog:
    """The last URCs of one family, with a condition to wait for a newer one.

    Handlers run on whichever thread holds the channel's input (its reader between
    commands, the caller during one), so this only appends and notifies.
    """

    def __init__(self, size: int = 64) -> None:
        self._cond = threading.Condition()
        self._items: deque[Urc] = deque(maxlen=size)
        self._count = 0

    def __call__(self, urc: Urc) -> None:
        with self._cond:
            self._items.append(urc)
            self._count += 1
            self._cond.notify_all()

    @property
    def count(self) -> int:
        with self._cond:
            return self._count

    def wait_newer(self, count: int, timeout: float) -> bool:
        """True as soon as more than `count` URCs were logged; False after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._count <= count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def drain(self) -> list[Urc]:
        with self._cond:
            items = list(self._items)
            self._items.clear()
            return items


class ModemSession:
    """One modem behind a URL, a device path or a ByteStream; use as a context manager.

    target: "/dev/serial/by-id/...", "socket://host:port", "rfc2217://...", "loop://",
        or an open ByteStream (which the session then owns and closes).
    vendor: a profile name or VendorProfile; wins over detection.
    safety: the one safety gate for PIN/PUK attempts (default: strict).
    """

    def __init__(
        self,
        target: str | ByteStream,
        *,
        vendor: str | VendorProfile | None = None,
        safety: SafetyPolicy | None = None,
        transcript: Transcript | None = None,
        settings: LineSettings | None = None,
        default_timeout: float = 5.0,
        name: str | None = None,
    ) -> None:
        self._target = target
        self._settings = settings or LineSettings()
        self._transport: SerialTransport | None = None
        self._stream: ByteStream | None = None
        self._channel: AtChannel | None = None
        self._transcript = transcript
        self._default_timeout = default_timeout
        self._configured = profile_named(vendor) if isinstance(vendor, str) else vendor
        self.profile: VendorProfile = self._configured or GENERIC
        self.safety = safety or SafetyPolicy.strict()
        self.name = name or (target if isinstance(target, str) else "modem")
        self.manufacturer: str | None = None
        self.model: str | None = None
        self.sim_events = UrcLog()
        self.boot_events = UrcLog()  # the profile's start-up URCs (harness.modem.power)
        self.registration_events = UrcLog()
        self._lock = threading.RLock()
        self._sms_ready = False  # PDU mode and indications set since the last (re)start
        self._csim_holders = 0

    # ---- lifetime ---------------------------------------------------------------

    def open(self) -> Self:
        """Open the line, run the init sequence and pick the vendor profile (idempotent)."""
        with self._lock:
            if self._channel is not None:
                return self
            if isinstance(self._target, str):
                transport = SerialTransport(self._target, self._settings)
                transport.open()
                self._transport, self._stream = transport, transport
            else:
                self._stream = self._target
            try:
                self._attach(self._stream)
                self.initialise()
            except BaseException:
                self.close()
                raise
            return self

    def close(self) -> None:
        """Close the channel and the line (idempotent)."""
        with self._lock:
            channel, self._channel = self._channel, None
            if channel is not None:
                channel.close()
            elif self._stream is not None:
                self._stream.close()
            self._stream = None
            self._transport = None

    def __enter__(self) -> Self:
        return self.open()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def at(self) -> AtChannel:
        """The AT channel (for URC handlers and commands the driver does not wrap)."""
        channel = self._channel
        if channel is None:
            raise TransportError(f"{self.name}: the modem is not open; use `with Modem(...)`")
        return channel

    @property
    def transcript(self) -> Transcript | None:
        return self._transcript

    def _attach(self, stream: ByteStream) -> None:
        channel = AtChannel(
            stream,
            transcript=self._transcript,
            default_timeout=self._default_timeout,
            name=self.name,
        )
        self._watch_profile_urcs(channel)
        for prefix in ("+CREG:", "+CGREG:", "+CEREG:", "+C5GREG:"):
            channel.on_urc(prefix, self.registration_events)
        self._channel = channel

    def _watch_profile_urcs(self, channel: AtChannel) -> None:
        """Start-up URCs first (a handler's first match wins), then the SIM URCs; a
        start-up URC that is also a SIM URC (u-blox +UUSIMSTAT) is logged as both."""
        for prefix in self.profile.boot_urcs:
            channel.on_urc(prefix, self._on_boot_urc)
        for prefix in self.profile.sim_urcs:
            channel.on_urc(prefix, self.sim_events)

    def _on_boot_urc(self, urc: Urc) -> None:
        self.boot_events(urc)
        if any(urc.line.startswith(prefix) for prefix in self.profile.sim_urcs):
            self.sim_events(urc)

    def reattach(self, deadline_s: float) -> None:
        """After the port vanished (USB re-enumeration): reopen it and a new channel."""
        with self._lock:
            old, self._channel = self._channel, None
            if old is not None:
                old.close()
            if self._transport is None:
                raise TransportError(
                    f"{self.name}: the line failed and a ByteStream cannot be reopened; "
                    f"open the modem by URL or path to survive a re-enumeration"
                )
            self._transport.reopen(deadline_s)
            self._stream = self._transport
            self._attach(self._transport)

    def initialise(self) -> None:
        """ATE0, AT+CMEE=1 and vendor detection (also after a reset: echo comes back)."""
        for cmd in ("ATE0", "AT+CMEE=1"):
            try:
                self.command(cmd)
            except (CmeError, AtCommandError) as exc:
                log.warning("%s: %s refused during init (%s); continuing", self.name, cmd, exc)
        self._sms_ready = False
        # After a reset the modem is back at its defaults: URC settings and the SMS
        # memory selection must be sent again, not assumed.
        self._registration_urcs_on = False
        self._read_memory: str | None = None
        if self._configured is not None:
            return
        try:
            self.manufacturer = first_text(self.command("AT+CGMI").lines, "+CGMI:")
            self.model = first_text(self.command("AT+CGMM").lines, "+CGMM:")
        except (CmeError, AtCommandError, CodecError) as exc:
            log.warning("%s: no +CGMI/+CGMM (%s); using the generic profile", self.name, exc)
            return
        previous = self.profile
        self.profile = detect_vendor(self.manufacturer, self.model)
        if self.profile is not previous and self._channel is not None:
            self._watch_profile_urcs(self._channel)
        log.info(
            "%s: %s %s -> profile %s", self.name, self.manufacturer, self.model, self.profile.name
        )

    # ---- commands -----------------------------------------------------------------

    def command(
        self,
        cmd: str,
        *,
        prefixes: tuple[str, ...] = (),
        timeout: float | None = None,
        pdu: str | None = None,
        info_grace: float | None = None,
        retry_busy: bool = True,
        gate_checked: bool = False,
    ) -> AtResponse:
        """One AT command. A busy answer (+CME 14/515, +CMS 314; e.g. right after
        AT+CFUN=1) is retried within the profile's budget when `retry_busy`.

        A command that presents a PIN or PUK (+CPIN=, +CLCK/+CPWD with a password, a
        VERIFY... over +CSIM) spends an attempt: it is refused unless the caller passed
        the safety gate (`gate_checked=True`, as PinOps does), and never retried."""
        if mask_text(cmd) != cmd:
            if not gate_checked:
                raise SafetyRefusal(
                    f"{self.name}: {shown_command(cmd)} would spend a PIN/PUK attempt without "
                    f"the counter check; use the Modem's PIN methods (unlock, unblock, "
                    f"set_pin_lock, change_pin), which read the counter first"
                )
            retry_busy = False
        channel = self.at
        deadline = time.monotonic() + self.profile.busy_retry_s
        pause = _BUSY_FIRST_PAUSE_S
        while True:
            try:
                return channel.command(
                    cmd, prefixes=prefixes, timeout=timeout, pdu=pdu, info_grace=info_grace
                )
            except (CmeError, CmsError) as exc:
                if not (retry_busy and self._busy(exc)) or time.monotonic() + pause > deadline:
                    raise
                log.debug("%s: busy (%s); retrying in %.2f s", self.name, exc, pause)
            # A pause with nothing to wait for: the modem only says "busy", no event.
            self.sim_events.wait_newer(self.sim_events.count, pause)
            pause = min(pause * 2, _BUSY_MAX_PAUSE_S)

    def _busy(self, exc: CmeError | CmsError) -> bool:
        if isinstance(exc, CmsError):
            return exc.code in _CMS_BUSY
        return exc.code in self.profile.busy_codes

    def try_command(
        self, cmd: str, *, prefixes: tuple[str, ...] = (), timeout: float | None = None
    ) -> AtResponse | None:
        """A command whose refusal is an answer (unsupported, not allowed): None then."""
        try:
            return self.command(cmd, prefixes=prefixes, timeout=timeout)
        except (CmeError, CmsError, AtCommandError) as exc:
            log.debug("%s: %s refused: %s", self.name, shown_command(cmd), exc)
            return None

    # ---- +CSIM sessions (Telit: AT+CSIM=1 before, AT+CSIM=0 after; docs/sources.md §1.10) --

    def csim_acquire(self) -> None:
        with self._lock:
            if self.profile.csim_lock and self._csim_holders == 0:
                self.command("AT+CSIM=1", prefixes=())
            self._csim_holders += 1

    def csim_release(self) -> None:
        with self._lock:
            self._csim_holders = max(self._csim_holders - 1, 0)
            if not self.profile.csim_lock or self._csim_holders:
                return
            try:
                self.command("AT+CSIM=0", prefixes=())
            except HarnessError as exc:
                log.warning("%s: AT+CSIM=0 (unlock) failed: %s", self.name, exc)

    # ---- SIM state (needed by pins, power and the +CSIM link alike) ---------------

    def sim_state(self) -> SimState:
        """+CPIN? as a SimState; CME 10/13 (absent/failure) are states, not errors."""
        try:
            response = self.command(
                "AT+CPIN?", prefixes=("+CPIN:",), info_grace=self.profile.cpin_info_grace
            )
        except CmeError as exc:
            state = state_from_cme(exc.code)
            if state is None:
                raise
            return state
        for line in response.lines:
            if line.startswith("+CPIN:"):
                # The common spellings by dictionary; quirks (quotes, case) by the parser.
                known = _CPIN_CODES.get(line[6:].strip())
                return known if known is not None else state_from_cpin_code(parse_cpin(line))
        raise CodecError(f"{self.name}: AT+CPIN? answered without a +CPIN line")

    def wait_sim_settled(self, timeout: float) -> SimState:
        """Poll +CPIN? until the SIM stops starting up; a SIM URC wakes the poll early."""
        deadline = time.monotonic() + timeout
        pause = _BUSY_FIRST_PAUSE_S
        while True:
            seen = self.sim_events.count
            state = self.sim_state()
            if state.settled:
                return state
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HarnessTimeout(
                    f"{self.name}: the SIM was still starting up after {timeout:g} s "
                    f"(+CPIN? says {state.value}); check that the SIM is seated"
                )
            self.sim_events.wait_newer(seen, min(pause, remaining))
            pause = min(pause * 2, _BUSY_MAX_PAUSE_S)


def is_refusal(exc: HarnessError) -> bool:
    """True for answers that mean "not supported / not allowed here" (try the next way)."""
    return isinstance(exc, (CmeError, CmsError, AtCommandError, CodecError))
