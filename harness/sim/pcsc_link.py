"""`PcscLink`: an ApduLink to a card in a PC/SC reader (pyscard's scard layer over pcscd).

The reader is chosen by exact name, index or regular expression; the card is
opened exclusively under T=0, so no other program interleaves APDUs (or spends
PIN attempts) while a test runs. PC/SC failures become typed errors that say
what to do next.
"""

from __future__ import annotations

import re
import time
from typing import Any

from smartcard import scard

from harness.errors import DeviceGoneError, HarnessTimeout, PortBusyError, TransportError
from harness.sim.link import ApduLink, ApduTracer

ReaderSelector = str | int | re.Pattern[str]
_PCI_T0 = scard.SCARD_PCI_T0

_GONE = {
    scard.SCARD_W_REMOVED_CARD,
    scard.SCARD_E_NO_SMARTCARD,
    scard.SCARD_E_READER_UNAVAILABLE,
    scard.SCARD_W_UNPOWERED_CARD,
    scard.SCARD_W_UNRESPONSIVE_CARD,
    scard.SCARD_E_UNKNOWN_READER,
}
_NO_SERVICE = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED}


def _message(code: int) -> str:
    return f"{scard.SCardGetErrorMessage(code).strip()} (0x{code & 0xFFFFFFFF:08X})"


def list_readers() -> list[str]:
    """Reader names known to pcscd, or [] when there are none."""
    context = _establish()
    try:
        code, names = scard.SCardListReaders(context, [])
        if code == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        _check(code, "list readers")
        return list(names)
    finally:
        scard.SCardReleaseContext(context)


def _establish() -> Any:
    code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if code in _NO_SERVICE:
        raise TransportError(
            f"PC/SC service not available ({_message(code)}): start pcscd "
            "(`pcscd` as root, or `systemctl start pcscd.socket`)"
        )
    _check(code, "establish PC/SC context")
    return context


def _check(code: int, what: str, reader: str = "") -> None:
    if code == scard.SCARD_S_SUCCESS:
        return
    where = f"reader '{reader}': " if reader else ""
    if code == scard.SCARD_E_SHARING_VIOLATION:
        raise PortBusyError(
            f"{where}{what}: the card is in use by another program ({_message(code)}); "
            "close it (e.g. pcsc_scan, a browser, gpg-agent) and retry"
        )
    if code in _GONE:
        raise DeviceGoneError(
            f"{where}{what}: the card or reader went away ({_message(code)}); "
            "re-insert the card and reconnect"
        )
    if code in _NO_SERVICE:
        raise TransportError(f"{where}{what}: pcscd stopped ({_message(code)}); restart it")
    if code == scard.SCARD_E_PROTO_MISMATCH:
        raise TransportError(
            f"{where}{what}: the card does not offer T=0 ({_message(code)}); "
            "SIM cards speak T=0, check that this is a SIM"
        )
    raise TransportError(f"{where}{what}: {_message(code)}")


def select_reader(names: list[str], selector: ReaderSelector) -> str:
    """Pick one reader by exact name, 0-based index or regular expression."""
    if isinstance(selector, int):
        if 0 <= selector < len(names):
            return names[selector]
    elif isinstance(selector, re.Pattern):
        matches = [n for n in names if selector.search(n)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise TransportError(
                f"reader pattern {selector.pattern!r} matches {len(matches)} readers "
                f"({', '.join(matches)}); make it more specific"
            )
    elif selector in names:
        return selector
    shown = ", ".join(repr(n) for n in names) or "none"
    raise TransportError(
        f"no reader {selector!r}; readers present: {shown}. Check the reader is plugged in "
        "(pcsc_scan -r) or use an index or a regular expression"
    )


class PcscLink(ApduLink):
    """Exclusive T=0 connection to the card in one reader."""

    def __init__(
        self,
        reader: ReaderSelector = 0,
        *,
        tracer: ApduTracer | None = None,
        connect_timeout: float = 5.0,
    ) -> None:
        super().__init__(tracer)
        self._context = _establish()
        self._card: Any = None
        try:
            code, names = scard.SCardListReaders(self._context, [])
            if code == scard.SCARD_E_NO_READERS_AVAILABLE:
                names = []
            else:
                _check(code, "list readers")
            self.reader = select_reader(list(names), reader)
            self.name = self.reader
            self._connect(connect_timeout)
        except BaseException:
            self.close()
            raise

    def _connect(self, timeout: float) -> None:
        """Connect, waiting up to `timeout` for a card that is being inserted."""
        deadline = time.monotonic() + timeout
        while True:
            code, card, _protocol = scard.SCardConnect(
                self._context, self.reader, scard.SCARD_SHARE_EXCLUSIVE, scard.SCARD_PROTOCOL_T0
            )
            if code == scard.SCARD_S_SUCCESS:
                self._card = card
                return
            if (
                code
                not in (
                    scard.SCARD_E_NO_SMARTCARD,
                    scard.SCARD_W_REMOVED_CARD,
                    scard.SCARD_W_UNPOWERED_CARD,
                )
                or time.monotonic() >= deadline
            ):
                if code == scard.SCARD_E_NO_SMARTCARD:
                    raise HarnessTimeout(
                        f"reader '{self.reader}': no card within {timeout:g} s; insert the SIM"
                    )
                _check(code, "connect", self.reader)
            time.sleep(0.05)

    @property
    def atr(self) -> bytes:
        code, _reader, _state, _protocol, atr = scard.SCardStatus(self._handle())
        _check(code, "read ATR", self.reader)
        return bytes(atr)

    @property
    def handle(self) -> Any:
        """The raw PC/SC card handle (for baselines and vendor escapes)."""
        return self._handle()

    def _handle(self) -> Any:
        if self._card is None:
            raise DeviceGoneError(f"reader '{self.name}': link closed; open a new PcscLink")
        return self._card

    def _exchange(self, raw: bytes) -> bytes:
        card = self._card if self._card is not None else self._handle()
        code, response = scard.SCardTransmit(card, _PCI_T0, list(raw))
        _check(code, "transmit", self.reader)
        return bytes(response)

    def reset(self) -> bytes:
        code, _protocol = scard.SCardReconnect(
            self._handle(),
            scard.SCARD_SHARE_EXCLUSIVE,
            scard.SCARD_PROTOCOL_T0,
            scard.SCARD_RESET_CARD,
        )
        _check(code, "reset card", self.reader)
        return self.atr

    def cold_reset(self) -> bytes:
        """SCardReconnect with SCARD_UNPOWER_CARD: the reader cuts VCC, then powers the
        card up again (ISO 7816-3 cold reset)."""
        code, _protocol = scard.SCardReconnect(
            self._handle(),
            scard.SCARD_SHARE_EXCLUSIVE,
            scard.SCARD_PROTOCOL_T0,
            scard.SCARD_UNPOWER_CARD,
        )
        _check(code, "power-cycle card", self.reader)
        return self.atr

    def close(self) -> None:
        if self._card is not None:
            scard.SCardDisconnect(self._card, scard.SCARD_LEAVE_CARD)
            self._card = None
        if self._context is not None:
            scard.SCardReleaseContext(self._context)
            self._context = None


def wait_for_card(reader: str, *, present: bool, timeout: float) -> None:
    """Block until pcscd sees a card in `reader` (present=True) or the slot empty.

    pcscd notices insertions and removals by polling (vpcd: every ~0.4 s), so a
    caller that swaps cards waits here instead of racing the daemon.
    """
    context = _establish()
    try:
        deadline = time.monotonic() + timeout
        state = scard.SCARD_STATE_UNAWARE
        while True:
            remaining_ms = int(max(0.0, deadline - time.monotonic()) * 1000)
            code, states = scard.SCardGetStatusChange(context, remaining_ms, [(reader, state)])
            if code == scard.SCARD_E_TIMEOUT:
                break
            _check(code, "wait for card", reader)
            _name, event, _atr = states[0]
            has_card = bool(event & scard.SCARD_STATE_PRESENT)
            if has_card == present:
                return
            state = event & ~scard.SCARD_STATE_CHANGED
            if time.monotonic() >= deadline:
                break
    finally:
        scard.SCardReleaseContext(context)
    wanted = "a card" if present else "the card to be removed"
    raise HarnessTimeout(f"reader '{reader}': waited {timeout:g} s for {wanted}")
