"""`CsimLink`: an ApduLink through a modem's AT+CSIM (TS 27.007 §8.17), so `SimCard`
works on a SIM inside a modem exactly as on one in a reader.

The APDU travels as hex, `AT+CSIM=<hex chars>,"<apdu>"`, and comes back as
`+CSIM: <len>,"<data+SW>"`; the T=0 procedure bytes (61xx, 6Cxx, 9Fxx) are left
to `ApduLink.transmit`. The AT channel masks the data of VERIFY/CHANGE/...
APDUs in transcripts and errors. Telit wants AT+CSIM=1 before such a session
and AT+CSIM=0 after it (the link does both). 27.007 has no command for the ATR,
so `atr` is empty; `reset()` resets the modem (and with it the SIM).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from harness.errors import HarnessError, TransportError
from harness.modem.retries import csim_exchange
from harness.modem.session import ModemSession
from harness.sim.link import ApduLink, ApduTracer

log = logging.getLogger(__name__)


class CsimLink(ApduLink):
    """APDUs over AT+CSIM of an open modem; close() releases the Telit lock."""

    name = "modem (AT+CSIM)"

    def __init__(
        self,
        session: ModemSession,
        *,
        reset: Callable[[], object] | None = None,
        tracer: ApduTracer | None = None,
    ) -> None:
        super().__init__(tracer)
        self._session: ModemSession | None = session
        self._reset = reset
        self.name = f"{session.name} (AT+CSIM)"
        session.csim_acquire()

    @property
    def atr(self) -> bytes:
        return b""

    def _live(self) -> ModemSession:
        if self._session is None:
            raise TransportError(f"{self.name}: link closed; open a new one with modem.sim_link()")
        return self._session

    def _exchange(self, raw: bytes) -> bytes:
        # Only reached through transmit_raw, which refuses an ungated PIN APDU.
        return csim_exchange(self._live(), raw.hex().upper(), gate_checked=True)

    def reset(self) -> bytes:
        """Reset the modem (the only way to reset its SIM over AT); returns the empty ATR."""
        session = self._live()
        if self._reset is None:
            raise HarnessError(f"{self.name}: no reset available for this link")
        self._reset()
        if session.profile.csim_lock:  # the reset dropped the lock: take it again
            session.command("AT+CSIM=1", prefixes=())
        return self.atr

    def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.csim_release()
