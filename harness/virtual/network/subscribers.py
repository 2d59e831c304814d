"""Subscribers of the virtual network: one line per MSISDN, bound to one SIM (ICCID + IMSI).

A line is found by any of its three identities. A SIM swap binds a new SIM to
the same number and retires the old one for good: its IMSI is remembered only
to say why its attach is denied. The registry is a plain data structure; the
network's lock guards it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import Enum

from harness.errors import HarnessError

__all__ = [
    "LineState",
    "NetworkError",
    "Subscriber",
    "SubscriberRegistry",
    "msisdn_key",
]


class NetworkError(HarnessError):
    """An operator action the network refuses: unknown line, wrong state, identity in use."""


class LineState(Enum):
    """Operator state of a line. Only an ACTIVE line registers and receives SMS."""

    ACTIVE = "active"
    LOST = "lost"  # reported lost: barred, its SIM denied, MT SMS held
    SUSPENDED = "suspended"  # administrative hold (e.g. unpaid): same effect, undone by resume


@dataclass(frozen=True)
class Subscriber:
    """One line: the number, the SIM bound to it now, its operator state."""

    msisdn: str  # as provisioned, e.g. "+15555550118"
    imsi: str
    iccid: str
    state: LineState = LineState.ACTIVE

    @property
    def key(self) -> str:
        return msisdn_key(self.msisdn)


def msisdn_key(number: str) -> str:
    """The digits of a number, so "+1555…", "1555…" and " +1 555…" name the same line."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if not digits:
        raise NetworkError(f"{number!r} is not a phone number (no digits)")
    return digits


def _digits(kind: str, value: str, lo: int, hi: int) -> str:
    if not value.isascii() or not value.isdigit() or not lo <= len(value) <= hi:
        raise NetworkError(f"{kind} {value!r} must be {lo}-{hi} digits")
    return value


class SubscriberRegistry:
    """Lines by MSISDN, with IMSI and ICCID indexes and the SIMs retired by swaps."""

    def __init__(self) -> None:
        self._lines: dict[str, Subscriber] = {}
        self._by_imsi: dict[str, str] = {}
        self._by_iccid: dict[str, str] = {}
        self._retired: dict[str, str] = {}  # IMSI or ICCID of a swapped-out SIM -> MSISDN key

    def lines(self) -> list[Subscriber]:
        return list(self._lines.values())

    def add(self, msisdn: str, imsi: str, iccid: str) -> Subscriber:
        key = msisdn_key(msisdn)
        if key in self._lines:
            raise NetworkError(f"line {msisdn} is already provisioned")
        _digits("IMSI", imsi, 6, 15)
        _digits("ICCID", iccid, 18, 20)
        self._check_free(imsi, iccid)
        line = Subscriber(msisdn=msisdn, imsi=imsi, iccid=iccid)
        self._lines[key] = line
        self._by_imsi[imsi] = key
        self._by_iccid[iccid] = key
        return line

    def get(self, msisdn: str) -> Subscriber:
        line = self._lines.get(msisdn_key(msisdn))
        if line is None:
            raise NetworkError(f"no line {msisdn} on this network; provision it first")
        return line

    def find(self, msisdn: str) -> Subscriber | None:
        return self._lines.get(msisdn_key(msisdn))

    def by_imsi(self, imsi: str) -> Subscriber | None:
        key = self._by_imsi.get(imsi)
        return self._lines[key] if key is not None else None

    def by_iccid(self, iccid: str) -> Subscriber | None:
        key = self._by_iccid.get(iccid)
        return self._lines[key] if key is not None else None

    def retired_from(self, identity: str) -> Subscriber | None:
        """The line a swapped-out SIM (by IMSI or ICCID) used to serve."""
        key = self._retired.get(identity)
        return self._lines[key] if key is not None else None

    def set_state(self, msisdn: str, state: LineState) -> Subscriber:
        line = dataclasses.replace(self.get(msisdn), state=state)
        self._lines[line.key] = line
        return line

    def bind(self, msisdn: str, imsi: str, iccid: str) -> tuple[Subscriber, Subscriber]:
        """Bind a new SIM to the line; return (old, new). The old SIM is retired for good."""
        old = self.get(msisdn)
        _digits("IMSI", imsi, 6, 15)
        _digits("ICCID", iccid, 18, 20)
        self._check_free(imsi, iccid)
        new = dataclasses.replace(old, imsi=imsi, iccid=iccid)
        del self._by_imsi[old.imsi]
        del self._by_iccid[old.iccid]
        self._retired[old.imsi] = self._retired[old.iccid] = old.key
        self._by_imsi[imsi] = self._by_iccid[iccid] = new.key
        self._lines[new.key] = new
        return old, new

    def _check_free(self, imsi: str, iccid: str) -> None:
        for kind, value, index in (("IMSI", imsi, self._by_imsi), ("ICCID", iccid, self._by_iccid)):
            if value in index:
                raise NetworkError(
                    f"{kind} {value} already serves line {self._lines[index[value]].msisdn}"
                )
            if value in self._retired:
                owner = self._lines[self._retired[value]].msisdn
                raise NetworkError(
                    f"{kind} {value} belongs to a SIM retired from line {owner} by a swap"
                )
