"""Typed errors. Each message names what failed and what to do next, never a secret.

Every error the harness raises derives from `HarnessError`, so a caller (the
CLI, the pytest plugin, a scenario) can catch one family and print its text.
"""

from __future__ import annotations


class HarnessError(Exception):
    """Base of every error sim-harness raises on purpose."""


class ConfigError(HarnessError):
    """A bench file, profile or option is missing or invalid."""


class ProfileError(ConfigError):
    """A SIM profile file has a missing or invalid field."""


class CodecError(HarnessError, ValueError):
    """Bytes or text that do not decode (wrong length, odd hex, bad field)."""


class PinFormatError(HarnessError, ValueError):
    """A PIN/PUK/ADM value of the wrong shape; the value itself is never quoted."""


class TransportError(HarnessError):
    """The line to a device failed (serial port, PC/SC reader, vpcd socket)."""


class PortBusyError(TransportError):
    """Another process holds the port or reader exclusively."""


class DeviceGoneError(TransportError):
    """The reader, card or port vanished mid-operation (removed, re-enumerated)."""


class HarnessTimeout(HarnessError):
    """A deadline passed with no (complete) answer."""


class StatusWordError(HarnessError):
    """A card answered with a status word the caller did not accept.

    Carries SW1/SW2, their meaning and the command name (never its data, which
    may hold a PIN).
    """

    def __init__(self, sw1: int, sw2: int, meaning: str, command: str) -> None:
        self.sw1 = sw1
        self.sw2 = sw2
        self.meaning = meaning
        self.command = command
        super().__init__(f"{command}: card answered {sw1:02X}{sw2:02X} ({meaning})")

    @property
    def sw(self) -> int:
        return (self.sw1 << 8) | self.sw2


class SafetyRefusal(HarnessError):
    """An operation would spend a PIN/PUK attempt the safety budget does not allow."""


class AtTimeout(HarnessTimeout):
    """An AT command got no final result code before its deadline.

    Names the command (secrets masked), the deadline and the bytes received so far.
    """

    def __init__(self, command: str, deadline_s: float, received: bytes) -> None:
        self.command = command
        self.deadline_s = deadline_s
        self.received = received
        tail = received[-200:]
        super().__init__(
            f"{command}: no final result code within {deadline_s:g} s; "
            f"received so far: {tail!r}. Check the port, the baud rate, and that the "
            f"modem is powered and not rebooting."
        )


class AtCommandError(HarnessError):
    """A plain ERROR (or a vendor's COMMAND NOT SUPPORT) with no code."""

    def __init__(self, command: str, final: str) -> None:
        self.command = command
        self.final = final
        super().__init__(f"{command}: modem answered {final}")


class CmeError(HarnessError):
    """+CME ERROR (TS 27.007 §9.2): equipment / SIM error with its number and text."""

    def __init__(self, code: int | None, text: str, command: str) -> None:
        self.code = code
        self.text = text
        self.command = command
        number = "" if code is None else f"{code} "
        super().__init__(f"{command}: +CME ERROR {number}({text})")


class CmsError(HarnessError):
    """+CMS ERROR (TS 27.005 §3.2.5): SMS service error with its number and text."""

    def __init__(self, code: int | None, text: str, command: str) -> None:
        self.code = code
        self.text = text
        self.command = command
        number = "" if code is None else f"{code} "
        super().__init__(f"{command}: +CMS ERROR {number}({text})")


class WrongPinError(HarnessError):
    """A PIN/PUK/ADM value was rejected; the counter went down to `retries_left`."""

    def __init__(self, what: str, retries_left: int | None, command: str) -> None:
        self.what = what
        self.retries_left = retries_left
        self.command = command
        left = "an unknown number of" if retries_left is None else str(retries_left)
        attempts = "attempt" if retries_left == 1 else "attempts"
        if retries_left == 0 and "PUK" in what:
            hint = f"{what} is exhausted: the SIM is blocked for good, replace it"
        elif retries_left == 0:
            hint = f"{what} is now blocked; unblock it with the PUK (`simharness pin unblock`)"
        else:
            hint = "check the value before trying again"

        super().__init__(f"{command}: wrong {what}, {left} {attempts} left; {hint}")


class PinBlockedError(HarnessError):
    """The PIN (or its PUK) is blocked: no attempt is possible."""

    def __init__(self, what: str, command: str) -> None:
        self.what = what
        self.command = command
        hint = (
            "the PUK is exhausted: the SIM is blocked for good, replace it"
            if "PUK" in what
            else "unblock it with the PUK (`simharness pin unblock`)"
        )
        super().__init__(f"{command}: {what} is blocked; {hint}")


class PinStateError(HarnessError):
    """The operation contradicts the PIN's state (e.g. VERIFY or CHANGE while it is disabled)."""


class SmsIntegrityError(HarnessError):
    """A received SMS arrived damaged (lengths, user data, concatenation) and no intact
    copy could be read: it is never handed back as good."""


class SmsLostError(HarnessError):
    """An SMS the modem announced is gone from its storage (or cannot be looked for)."""


class SmsNotFoundError(HarnessError):
    """AT+CMGR found no message at that index (an empty storage slot)."""


class CoordinatorError(TransportError):
    """The labgrid coordinator is unreachable, stopped answering, or refused a call."""


class PlaceBusyError(PortBusyError):
    """A shared labgrid place stayed held by someone else past the wait deadline.

    Names the place and its holder (`host/user`, as labgrid records it) so the
    user knows whom to ask, and how long the harness waited.
    """

    def __init__(self, place: str, holder: str, waited_s: float, coordinator: str) -> None:
        self.place = place
        self.holder = holder
        self.waited_s = waited_s
        self.coordinator = coordinator
        super().__init__(
            f"labgrid place {place!r} is held by {holder} (coordinator {coordinator}); "
            f"waited {waited_s:g} s. Ask them to release it (`labgrid-client -p {place} "
            f"release`), wait longer (--device-wait), or pick another place"
        )
