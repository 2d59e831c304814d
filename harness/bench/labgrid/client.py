"""Shared modems through labgrid places: acquire a place, resolve its serial port, release.

A lab that shares modems runs labgrid: exporters publish each modem's serial
port (ser2net, RFC 2217), a coordinator keeps places and who holds them. The
harness is a labgrid client like `labgrid-client` itself: it acquires the place
a bench file names (waiting up to a deadline while someone else holds it),
turns the place's `NetworkSerialPort` into `rfc2217://host:port` for the `Modem`
driver, and releases the place afterwards, also on Ctrl-C and on failure.

The holder identity is labgrid's `host/user` (LG_HOSTNAME / LG_USERNAME). A place
already held by that identity, or one whose holder allowed it (`labgrid-client
allow`), is used as it is and left held: whoever acquired it releases it. Give
each CI job its own LG_USERNAME so two jobs on one host never share a place.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

from harness.bench.labgrid.session import DEFAULT_PORT, CoordinatorSession, grpc_status
from harness.errors import (
    ConfigError,
    CoordinatorError,
    DeviceGoneError,
    PlaceBusyError,
)

__all__ = [
    "LabgridClient",
    "LabgridOptions",
    "SerialEndpoint",
    "coordinator_address",
    "endpoint_from",
]

_RECHECK_S = 1.0  # a waiter re-reads the place at least this often, news or not
_RETRYABLE = frozenset({"FAILED_PRECONDITION", "PERMISSION_DENIED"})  # held / reserved


def coordinator_address(option: str | None = None) -> str:
    """`--lg-coordinator`, else LG_COORDINATOR, else labgrid's default; HOST gets :20408."""
    if os.environ.get("LG_PROXY"):
        raise ConfigError(
            "LG_PROXY is set: reaching the coordinator and ports through an SSH proxy is not "
            "supported by the harness; forward them yourself (ssh -L) and unset LG_PROXY"
        )
    address = (option or os.environ.get("LG_COORDINATOR") or "").strip()
    address = address or f"127.0.0.1:{DEFAULT_PORT}"
    host, sep, port = address.rpartition(":")
    if not sep or "]" in port:  # "host" or "[v6]": labgrid adds its default port
        return f"{address}:{DEFAULT_PORT}"
    if not host or not port.isdigit():
        raise ConfigError(f"labgrid coordinator {address!r}: write it as HOST[:PORT]")
    return address


@dataclass(frozen=True)
class LabgridOptions:
    """How a run reaches labgrid: the front doors' --lg-coordinator and --device-wait."""

    coordinator: str | None = None  # None: LG_COORDINATOR, else labgrid's default
    wait: float = 0.0  # seconds to wait while someone else holds a place
    call_timeout: float = 10.0  # every coordinator call


@dataclass(frozen=True)
class SerialEndpoint:
    """A modem's serial port as an exporter publishes it (`NetworkSerialPort`)."""

    path: str  # exporter/group/NetworkSerialPort/name
    name: str  # the name the place gives it (a named match's rename, else the resource's)
    exporter: str
    host: str
    port: int
    protocol: str  # "rfc2217" (ser2net's telnet mode) or "raw"
    speed: int

    @property
    def url(self) -> str:
        """What `Modem`/`SerialTransport` open: rfc2217:// (or socket:// for raw TCP)."""
        scheme = "rfc2217" if self.protocol == "rfc2217" else "socket"
        return f"{scheme}://{self.host}:{self.port}"


class LabgridClient:
    """Acquire, resolve and release places on one coordinator; a context manager."""

    def __init__(self, address: str | None = None, *, call_timeout: float = 10.0) -> None:
        self.address = coordinator_address(address)
        self._session = CoordinatorSession(self.address, call_timeout=call_timeout)
        self._pb2 = self._session.lg.pb2

    @property
    def identity(self) -> str:
        return self._session.identity

    def place(self, name: str) -> Any:
        """The coordinator's current view of place `name`; `ConfigError` if there is none."""
        self._session.refresh()
        place = self._session.places.get(name)
        if place is None:
            known = ", ".join(sorted(self._session.places)) or "none"
            raise ConfigError(
                f"labgrid coordinator {self.address} has no place {name!r} (places: {known}); "
                f"create it with `labgrid-client -p {name} create` and `add-match`"
            )
        return place

    def holder(self, name: str) -> str | None:
        """`host/user` holding the place, or None when it is free."""
        acquired = self.place(name).acquired
        return str(acquired) if acquired else None

    def is_ours(self, place: Any) -> bool:
        return bool(place.acquired) and (
            place.acquired == self.identity or self.identity in place.allowed
        )

    def acquire(self, name: str, *, wait: float = 0.0) -> bool:
        """Acquire place `name`, waiting up to `wait` seconds while someone else holds it.

        Returns True when this call acquired it, False when it already was ours (or
        its holder allowed us). Past the deadline: `PlaceBusyError` naming the holder;
        a place whose resources are all gone: `DeviceGoneError`.
        """
        deadline = time.monotonic() + max(0.0, wait)
        while True:
            self._session.clear_changed()  # before reading: no news is lost in between
            place = self.place(name)
            if self.is_ours(place):
                return False
            refusal = ""
            if not place.acquired and self._unmatched(place) is None:
                try:
                    self._session.rpc("AcquirePlace", self._pb2.AcquirePlaceRequest(placename=name))
                    return True
                except CoordinatorError:
                    raise
                except Exception as exc:
                    if grpc_status(exc) not in _RETRYABLE:
                        raise self._refused("acquire", name, exc) from None
                    refusal = str(getattr(exc, "details", lambda: "")())
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._busy(name, wait, refusal)
            self._session.wait_changed(min(remaining, _RECHECK_S))

    def release(self, name: str) -> None:
        """Release the place if this identity holds it (the coordinator ignores it otherwise)."""
        request = self._pb2.ReleasePlaceRequest(placename=name, fromuser=self.identity)
        try:
            self._session.rpc("ReleasePlace", request)
        except CoordinatorError:
            raise
        except Exception as exc:
            raise self._refused("release", name, exc) from None

    def serial_endpoint(
        self, name: str, resource: str | None = None, *, wait: float = 5.0
    ) -> SerialEndpoint:
        """The serial port of a place we hold; `resource` picks one when it has several.

        An exporter starts ser2net for a USB port only once the place is acquired, so
        the port number may follow a moment later: wait up to `wait` seconds for it.
        """
        deadline = time.monotonic() + wait
        while True:
            self._session.clear_changed()
            place = self.place(name)
            if not self.is_ours(place):
                raise ConfigError(
                    f"labgrid place {name!r} is not held by {self.identity} "
                    f"(holder: {place.acquired or 'nobody'}); acquire it first"
                )
            path, label = self._pick_serial(place, resource)
            endpoint, problem = self._endpoint(path, label)
            if endpoint is not None:
                return endpoint
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DeviceGoneError(
                    f"labgrid place {name!r}: {'/'.join(path)} {problem}; check the exporter "
                    f"`{path[0]}` (is it running, is the modem plugged in?)"
                )
            self._session.wait_changed(min(remaining, _RECHECK_S))

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> LabgridClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- inside ----------------------------------------------------------------------------
    def _unmatched(self, place: Any) -> str | None:
        """A match of the place that no live resource satisfies (its exporter is gone)."""
        match = place.unmatched(self._session.resource_paths())
        return None if match is None else str(match)

    def _busy(self, name: str, waited: float, refusal: str) -> Exception:
        place = self.place(name)
        if place.acquired:
            return PlaceBusyError(name, str(place.acquired), waited, self.address)
        missing = self._unmatched(place)
        if missing is not None:
            return DeviceGoneError(
                f"labgrid place {name!r}: no exporter offers {missing} (waited {waited:g} s); "
                f"check that the exporter runs and the modem is plugged in"
            )
        holders = self._resource_holders(place)
        if holders:
            return PlaceBusyError(name, holders, waited, self.address)
        return PlaceBusyError(name, refusal or "a reservation", waited, self.address)

    def _resource_holders(self, place: Any) -> str:
        """'place P (host/user)' for each place holding a resource this place matches."""
        held = []
        for exporter, group, cls, rname in self._session.resource_paths():
            entry = self._session.resources[exporter][group][rname]
            other = entry.acquired
            if other and other != place.name and place.hasmatch((exporter, group, cls, rname)):
                owner = self._session.places.get(other)
                who = owner.acquired if owner is not None and owner.acquired else "?"
                held.append(f"place {other} ({who})")
        return ", ".join(sorted(set(held)))

    def _pick_serial(self, place: Any, resource: str | None) -> tuple[tuple[str, ...], str]:
        found: dict[str, tuple[str, ...]] = {}
        for raw in place.acquired_resources:
            path = tuple(str(part) for part in raw)
            if path[2] != "NetworkSerialPort":
                continue
            match = place.getmatch(path)
            found[match.rename if match is not None and match.rename else path[3]] = path
        if not found:
            raise ConfigError(
                f"labgrid place {place.name!r} has no serial port (NetworkSerialPort); "
                f"add the modem's with `labgrid-client -p {place.name} add-match "
                f"EXPORTER/GROUP/NetworkSerialPort`"
            )
        names = ", ".join(sorted(found))
        if resource is None:
            if len(found) > 1:
                raise ConfigError(
                    f"labgrid place {place.name!r} has several serial ports ({names}); "
                    f'name one with `resource = "..."` in the bench file'
                )
            return next(iter(found.values())), next(iter(found))
        if resource not in found:
            raise ConfigError(
                f"labgrid place {place.name!r} has no serial port named {resource!r}; "
                f"it has {names}"
            )
        return found[resource], resource

    def _endpoint(self, path: tuple[str, ...], label: str) -> tuple[SerialEndpoint | None, str]:
        exporter, group, _cls, rname = path
        entry = self._session.resources.get(exporter, {}).get(group, {}).get(rname)
        return endpoint_from(path, label, entry)

    def _refused(self, what: str, name: str, exc: BaseException) -> CoordinatorError:
        details = getattr(exc, "details", None)
        text = details() if callable(details) else str(exc)
        return CoordinatorError(
            f"labgrid coordinator {self.address} refused to {what} place {name!r}: "
            f"{grpc_status(exc) or type(exc).__name__}: {text}"
        )


def endpoint_from(
    path: tuple[str, ...], label: str, entry: Any
) -> tuple[SerialEndpoint | None, str]:
    """A resource entry as a `SerialEndpoint`, or None and why it is not usable yet."""
    if entry is None or not entry.data.get("cls"):
        return None, "is gone (its exporter disconnected)"
    if not entry.avail:
        return None, "is not available (unplugged at the exporter?)"
    params = entry.params
    if params.get("extra", {}).get("proxy_required"):
        raise ConfigError(
            f"{'/'.join(path)} is reachable only through an SSH proxy "
            f"({params['extra'].get('proxy')}), which the harness does not set up; "
            f"run it on a host that reaches {params.get('host')} directly"
        )
    if params.get("port") is None:
        return None, "has no TCP port yet (ser2net not started)"
    endpoint = SerialEndpoint(
        path="/".join(path),
        name=label,
        exporter=path[0],
        host=str(params["host"]),
        port=int(params["port"]),
        protocol=str(params.get("protocol", "rfc2217")),
        speed=int(params.get("speed", 115200)),
    )
    return endpoint, ""
