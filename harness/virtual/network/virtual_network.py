"""The virtual network: subscribers, registration, an SMSC with store-and-forward, operator actions.

It is the device side a virtual modem registers with (the `Network` protocol
of harness.virtual.modem.network): a modem calls `attach(imsi, modem)` only
after reading the IMSI off its SIM with real APDUs, so a PIN-locked SIM is
never attached and an SMS sent to its number waits here, undelivered.

What the network answers a SIM, and pushes to a modem already attached when
it changes (+CREG/+CEREG URCs through `modem.set_registration`):

* registered, home (1) - the SIM bound to an ACTIVE line, with coverage;
* denied (3) - an unknown or swapped-out SIM, or a LOST/SUSPENDED line;
* searching (2) - no coverage (`set_coverage(False)`).

A modem whose attach was denied is not pushed anything later: like a phone
told "illegal MS" (24.301 cause #3) it tries again on its own next attempt
(power cycle, SIM re-inserted, +CFUN=1, +COPS=0, PIN entered).

Messages are delivered at most once, in order, and only to the modem attached
with the SIM bound to the destination line (`core`). A modem's own
calls (attach, submit) never deliver inline: they schedule the line for the
worker thread (`dispatch`); operator actions and `send_otp` deliver
on the caller's thread before they return. Never call an operator action
from a modem's I/O thread.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from types import TracebackType

from harness.at.parsers.registration import RegStatus
from harness.sms.pdu import SmsPdu
from harness.sms.tpdu import SmsSubmit
from harness.virtual.card.profile import CardProfile
from harness.virtual.network.clock import Clock, SystemClock
from harness.virtual.network.core import REPORT_DELAY_S, Attachment, NetworkCore, Terminal
from harness.virtual.network.dispatch import Dispatcher
from harness.virtual.network.events import EventLog, NetworkEvent
from harness.virtual.network.inbound import message_key, store_from_outside
from harness.virtual.network.otp import (
    CODE_LABEL,
    DEFAULT_SENDER,
    OtpLedger,
    OtpRecord,
    otp_text,
)
from harness.virtual.network.sim_changes import latest_sim_change
from harness.virtual.network.smsc import (
    Delivery,
    Expiry,
    ExternalMessage,
    MessageState,
    Smsc,
    StoredMessage,
)
from harness.virtual.network.subscribers import (
    LineState,
    NetworkError,
    Subscriber,
    msisdn_key,
)

__all__ = ["VirtualNetwork"]


class VirtualNetwork:
    """One operator's network. `background=False` delivers on `settle()` instead of a thread."""

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        operator_name: str = "Harness Test",
        plmn: str = "00101",
        default_validity: timedelta = timedelta(days=3),
        otp_rng: random.Random | None = None,
        background: bool = True,
        report_delay: float = REPORT_DELAY_S,
    ) -> None:
        """`report_delay`: seconds between a delivery and the status report it owes the
        sender (0 = the "burst" fault: the +CDS lands with the recipient's +CMTI)."""
        self.operator_name = operator_name  # +COPS
        self.plmn = plmn
        self.clock: Clock = clock if clock is not None else SystemClock()
        self._core = NetworkCore(self.clock, Smsc(default_validity), report_delay=report_delay)
        self._otps = OtpLedger(otp_rng)
        self._dispatch = Dispatcher(self._core.flush, background=background, name="virtual-network")
        self._core.wake_at = self._dispatch.schedule_at

    # --- lifetime ------------------------------------------------------------------
    def close(self) -> None:
        self._dispatch.close()

    def __enter__(self) -> VirtualNetwork:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def settle(self, timeout: float = 5.0) -> None:
        """Wait until the deliveries modems asked for (attach, submit) are done."""
        self._dispatch.settle(timeout)

    # --- the modem-facing protocol (called from modem I/O threads) -------------------
    def attach(self, imsi: str, modem: Terminal) -> RegStatus:
        """A modem read `imsi` off its SIM and asks to register: the <stat> it shows."""
        core = self._core
        with core.lock:
            for other in [a for a in core.attached.values() if a.modem is modem]:
                del core.attached[other.imsi]  # one modem, one IMSI
            status = core.status_for(imsi)
            line = core.lines.by_imsi(imsi)
            if status.registered and line is not None:
                core.attached[imsi] = Attachment(modem, imsi, status)
                core.event("network", "attach", line.msisdn, f"IMSI {imsi}, SIM {line.iccid}")
            else:
                core.attached.pop(imsi, None)  # the modem forgets a denied attach, so do we
                core.event("network", f"attach-{status.name.lower()}", *core.why(imsi))
        if line is not None and status.registered:
            self._dispatch.schedule(line.key)
        return status

    def detach(self, imsi: str) -> None:
        core = self._core
        with core.lock:
            if core.attached.pop(imsi, None) is None:
                return
            line = core.lines.by_imsi(imsi) or core.lines.retired_from(imsi)
            core.event("network", "detach", line.msisdn if line else None, f"IMSI {imsi}")

    def submit(self, imsi: str, pdu: SmsPdu, modem: Terminal) -> None:
        """A mobile-originated SMS-SUBMIT: queued for a subscriber, or recorded as sent out."""
        core = self._core
        with core.lock:
            sender = core.lines.by_imsi(imsi)
            attachment = core.attached.get(imsi)
            if sender is None or attachment is None or not attachment.status.registered:
                core.event("network", "submit-rejected", *core.why(imsi))
                return
            if not isinstance(pdu.tpdu, SmsSubmit):
                core.event("network", "submit-rejected", sender.msisdn, "not an SMS-SUBMIT")
                return
            wake = core.route_submit(sender, pdu.tpdu)
        self._dispatch.schedule(wake)

    # --- provisioning --------------------------------------------------------------
    def provision(
        self, profile: CardProfile, *, by: str = "operator", activated: datetime | None = None
    ) -> Subscriber:
        """A line for the SIM a card profile describes (its MSISDN, IMSI and ICCID)."""
        return self.provision_line(
            profile.msisdn, imsi=profile.imsi, iccid=profile.iccid, by=by, activated=activated
        )

    def provision_line(
        self,
        msisdn: str,
        *,
        imsi: str,
        iccid: str,
        by: str = "operator",
        activated: datetime | None = None,
    ) -> Subscriber:
        """A new line; `activated` back-dates it (a subscriber of long standing), else now.

        The activation is the line's first SIM change (CAMARA SIM Swap counts a new
        subscription as a swap), so a line activated a minute ago reads as swapped.
        """
        with self._core.lock:
            now = self.clock.now()
            if activated is not None and activated > now:
                raise NetworkError(f"activation {activated.isoformat()} is in the future")
            line = self._core.lines.add(msisdn, imsi, iccid)
            self._core.event(
                by,
                "provision",
                line.msisdn,
                f"IMSI {imsi}, SIM {iccid}",
                at=activated,
                bound_iccid=iccid,
            )
            return line

    # --- operator actions ------------------------------------------------------------
    def report_lost(self, msisdn: str, *, by: str = "operator") -> Subscriber:
        """Bar the line: its SIM is denied (an attached modem is told) and SMS are held."""
        allowed = (LineState.ACTIVE, LineState.SUSPENDED)
        return self._change_state(msisdn, LineState.LOST, allowed, "report-lost", by)

    def reactivate(self, msisdn: str, *, by: str = "operator") -> Subscriber:
        """Unbar a lost line for the same SIM; held SMS go to it while it is registered."""
        return self._change_state(msisdn, LineState.ACTIVE, (LineState.LOST,), "reactivate", by)

    def suspend(self, msisdn: str, *, by: str = "operator") -> Subscriber:
        """An administrative hold: denied and held like a lost line, undone by `resume`."""
        return self._change_state(msisdn, LineState.SUSPENDED, (LineState.ACTIVE,), "suspend", by)

    def resume(self, msisdn: str, *, by: str = "operator") -> Subscriber:
        return self._change_state(msisdn, LineState.ACTIVE, (LineState.SUSPENDED,), "resume", by)

    def swap_sim(
        self,
        msisdn: str,
        new: CardProfile | None = None,
        *,
        iccid: str | None = None,
        imsi: str | None = None,
        by: str = "operator",
    ) -> Subscriber:
        """Bind a new SIM (a profile, or ICCID + IMSI) to the number; the old one is denied.

        A LOST line becomes ACTIVE (the barred card is no longer bound); a SUSPENDED
        line stays suspended. Held SMS go to the new SIM once it registers.
        """
        if new is not None:
            if iccid is not None or imsi is not None:
                raise NetworkError("swap_sim takes a card profile or iccid + imsi, not both")
            if msisdn_key(new.msisdn) != msisdn_key(msisdn):
                raise NetworkError(
                    f"the new card's profile has MSISDN {new.msisdn}, not {msisdn}; "
                    "give it the line's number"
                )
            iccid, imsi = new.iccid, new.imsi
        if iccid is None or imsi is None:
            raise NetworkError("swap_sim needs the new SIM: a card profile, or iccid and imsi")
        core = self._core
        with core.lock:
            core.wait_quiet(core.lines.get(msisdn).key)
            old, line = core.lines.bind(msisdn, imsi, iccid)
            if line.state is LineState.LOST:
                line = core.lines.set_state(msisdn, LineState.ACTIVE)
            core.event(
                by,
                "swap-sim",
                line.msisdn,
                f"SIM {old.iccid} -> {iccid} (IMSI {imsi})",
                bound_iccid=iccid,
            )
            pushes = core.reconcile()
        core.push(pushes)
        core.flush(line.key)
        return line

    def set_coverage(self, available: bool, *, by: str = "network") -> None:
        """Take the radio network down (attached modems show 'searching') or back up."""
        core = self._core
        with core.lock:
            while core.busy:
                core.wait_quiet(next(iter(core.busy)))
            core.coverage = available
            core.event(by, "coverage-on" if available else "coverage-off")
            pushes = core.reconcile()
            keys = core.smsc.keys_with_mail()
        core.push(pushes)
        for key in keys:
            core.flush(key)

    def _change_state(
        self, msisdn: str, state: LineState, allowed: tuple[LineState, ...], action: str, by: str
    ) -> Subscriber:
        core = self._core
        with core.lock:
            core.wait_quiet(core.lines.get(msisdn).key)
            line = core.lines.get(msisdn)
            if line.state not in allowed:
                verb = action.replace("-", " ")
                raise NetworkError(f"cannot {verb} line {line.msisdn}: it is {line.state.value}")
            line = core.lines.set_state(msisdn, state)
            core.event(by, action, line.msisdn, f"SIM {line.iccid}")
            pushes = core.reconcile()
        core.push(pushes)
        core.flush(line.key)
        return line

    # --- the OTP service -------------------------------------------------------------
    def send_otp(
        self,
        msisdn: str,
        *,
        sender: str = DEFAULT_SENDER,
        validity: timedelta | None = None,
        template: str | None = None,
    ) -> str:
        """Send a fresh six-digit code from alphanumeric `sender`; returns the code.

        template: the text with `{{code}}` where the code goes (CAMARA one-time-password-sms
        send-code); default "Your verification code is NNNNNN".
        """
        code = self._otps.new_code()
        text = otp_text(code) if template is None else template.replace(CODE_LABEL, code)
        message = store_from_outside(self._core, msisdn, text, sender, validity, action="otp")
        with self._core.lock:
            self._otps.add(OtpRecord(message.msisdn, sender, message.received, message.id, code))
        self._core.flush(message_key(message))
        return code

    def send_sms(
        self, msisdn: str, text: str, *, sender: str, validity: timedelta | None = None
    ) -> StoredMessage:
        """An SMS from outside the network (a person's number, or an alphanumeric name) to
        subscriber `msisdn`: stored, then delivered as soon as the line's SIM is registered."""
        message = store_from_outside(self._core, msisdn, text, sender, validity, action="sms-in")
        self._core.flush(message_key(message))
        return message

    def check_otp(self, code: str, msisdn: str | None = None) -> OtpRecord | None:
        """The OTP record a captured `code` matches (sent to `msisdn`, if given), or None."""
        with self._core.lock:
            return self._otps.match(code, msisdn)

    @property
    def otps(self) -> list[OtpRecord]:
        with self._core.lock:
            return list(self._otps.records)

    # --- the SMSC ----------------------------------------------------------------------
    def expire_due(self) -> list[StoredMessage]:
        """Drop every queued message whose validity ended by the clock's now; those dropped."""
        core = self._core
        wake: list[str] = []
        with core.lock:
            now = self.clock.now()
            gone: list[StoredMessage] = []
            for key in core.smsc.keys_with_mail():
                in_flight = core.smsc.head(key) if key in core.busy else None
                gone += core.expire(key, now, wake, keep=in_flight)
        for key in wake:  # expiry reports owed to originators
            core.flush(key)
        return gone

    def queued(self, msisdn: str) -> list[StoredMessage]:
        with self._core.lock:
            return self._core.smsc.queued(msisdn_key(msisdn))

    def message_state(self, message_id: int) -> MessageState:
        with self._core.lock:
            return self._core.smsc.state(message_id)

    def messages(self) -> list[tuple[StoredMessage, MessageState]]:
        """Every message the SMSC ever stored, with where it stands now."""
        with self._core.lock:
            return self._core.smsc.all_messages()

    def deliveries(self, msisdn: str | None = None) -> list[Delivery]:
        with self._core.lock:
            done = list(self._core.smsc.deliveries)
        if msisdn is None:
            return done
        return [d for d in done if msisdn_key(d.message.msisdn) == msisdn_key(msisdn)]

    @property
    def expiries(self) -> list[Expiry]:
        with self._core.lock:
            return list(self._core.smsc.expiries)

    @property
    def external_messages(self) -> list[ExternalMessage]:
        with self._core.lock:
            return list(self._core.smsc.external)

    # --- looking things up --------------------------------------------------------------
    def subscriber(self, msisdn: str) -> Subscriber:
        with self._core.lock:
            return self._core.lines.get(msisdn)

    def subscriber_by_imsi(self, imsi: str) -> Subscriber | None:
        with self._core.lock:
            return self._core.lines.by_imsi(imsi)

    def subscriber_by_iccid(self, iccid: str) -> Subscriber | None:
        with self._core.lock:
            return self._core.lines.by_iccid(iccid)

    def subscribers(self) -> list[Subscriber]:
        with self._core.lock:
            return self._core.lines.lines()

    def registration_of(self, imsi: str) -> RegStatus | None:
        """What the network last told the modem attached with `imsi`; None when none is."""
        with self._core.lock:
            attachment = self._core.attached.get(imsi)
            return attachment.status if attachment is not None else None

    def latest_sim_change(self, msisdn: str) -> datetime | None:
        """When a SIM was last bound to the line (its activation or latest swap)."""
        with self._core.lock:
            self._core.lines.get(msisdn)  # NetworkError for a number not on this network
        return latest_sim_change(self._core.log.all(), msisdn)

    @property
    def log(self) -> EventLog:
        return self._core.log

    @property
    def events(self) -> tuple[NetworkEvent, ...]:
        return self._core.log.all()
