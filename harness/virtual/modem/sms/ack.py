"""Phase 2+ acknowledgement of messages routed to the terminal (TS 27.005 §3.2.1, §3.4.4).

With `+CSMS=1` the ME no longer acknowledges an SMS-DELIVER routed as `+CMT`
(+CNMI <mt>=2/3) or an SMS-STATUS-REPORT routed as `+CDS` (<ds>=1) by itself:
the TE must answer `+CNMA`. The rules followed here, from §3.4.4 and the <mt>=2 /
<ds>=1 notes of +CNMI (§3.4.1), which say the same:

* the TA sends no further +CMT/+CDS before the previous one is acknowledged
  (later ones wait here, in order, and go out one per acknowledgement);
* if no acknowledgement comes within the network timeout, the ME answers the
  network as TS 24.011 specifies (RP-ERROR) and the TA turns routing to the TE
  off by setting both <mt> and <ds> of +CNMI to 0;
* `+CNMA` with nothing awaiting acknowledgement fails with +CMS ERROR 340.

Modelling choice (the air interface hands a message over synchronously, so
the network has already counted it delivered): after an RP-ERROR, what the
SC's later retry would bring is done by the ME at once — an SMS-DELIVER is
stored in <mem3> (indicated `+CMTI` after a `+CNMA=2`, silently after the
timeout, as the retry would arrive with <mt>=0); a status report is dropped,
as <ds>=0 would drop the retry.

The timeout is checked whenever the firmware next runs a command or takes a
message, which is when a host could observe it.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Protocol

__all__ = ["ACK_TIMEOUT_S", "AckWindow", "Routed"]

# TS 24.011 §10 timer TR2M (the MS waiting for its SM-TL to acknowledge): 12-20 s;
# best knowledge of the exact bounds; Telit documents 17 s for its modules.
ACK_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Routed:
    """One +CMT or +CDS indication as sent to the TE, with the message it carries."""

    text: str  # the whole indication, header and PDU/text lines
    body: bytes  # SMSC field + TPDU, for storing it after an RP-ERROR
    is_report: bool


class AckHost(Protocol):
    """What the window needs of the SMS service: send an indication, store, report."""

    def indicate(self, text: str) -> None: ...
    def store_unacknowledged(self, routed: Routed, *, announce: bool) -> None: ...
    def routing_off(self) -> None: ...


class AckWindow:
    """The one routed message awaiting +CNMA, and those the TA holds behind it."""

    def __init__(self, host: AckHost, timeout: float = ACK_TIMEOUT_S) -> None:
        self.host = host
        self.timeout = timeout
        self._awaiting: Routed | None = None
        self._deadline = 0.0
        self._queue: deque[Routed] = deque()

    @property
    def awaiting(self) -> Routed | None:
        return self._awaiting

    def clear(self) -> None:
        """Power cycle, ATZ or +CSMS=0: nothing is owed any more."""
        self._awaiting = None
        self._queue.clear()

    def route(self, routed: Routed) -> None:
        """Send it now, or hold it until the one before is acknowledged."""
        self.check()
        if self._awaiting is not None:
            self._queue.append(routed)
            return
        self._send(routed)

    def acknowledge(self, positive: bool) -> bool:
        """+CNMA (RP-ACK) or +CNMA=2 (RP-ERROR); False when nothing awaited one."""
        self.check()
        routed = self._awaiting
        if routed is None:
            return False
        self._awaiting = None
        if not positive:
            self.host.store_unacknowledged(routed, announce=True)
        if self._queue:
            self._send(self._queue.popleft())
        return True

    def check(self, now: float | None = None) -> None:
        """The network timeout: RP-ERROR for all held, and routing to the TE turned off."""
        if self._awaiting is None:
            return
        if (time.monotonic() if now is None else now) < self._deadline:
            return
        missed = [self._awaiting, *self._queue]
        self.clear()
        self.host.routing_off()
        for routed in missed:
            self.host.store_unacknowledged(routed, announce=False)

    def _send(self, routed: Routed) -> None:
        self._awaiting = routed
        self._deadline = time.monotonic() + self.timeout
        self.host.indicate(routed.text)
