"""Holding labgrid places: for one `with` block, or from first use to the end of a run.

`lease_place` holds a place for a `with` body (a CLI command, one test);
`HeldPlaces` keeps every place a run touches from its first use to `close()`
(a pytest session), on one coordinator session, re-acquiring a place that
stopped being ours in between. Both release only what this run acquired, on
every way out: an exception, Ctrl-C, or an acquire interrupted before its answer
(a release from our identity is a no-op while someone else holds the place).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from harness.bench.labgrid.client import LabgridClient, LabgridOptions, SerialEndpoint
from harness.errors import ConfigError, CoordinatorError

log = logging.getLogger(__name__)

__all__ = ["HeldPlaces", "PlaceLease", "lease_place"]


@dataclass(frozen=True)
class PlaceLease:
    """A place this run may use, the port it resolved to, and whether it acquired it."""

    place: str
    coordinator: str
    identity: str  # host/user the coordinator records as holder
    endpoint: SerialEndpoint
    acquired_here: bool  # False: it was already ours (or allowed), so it is not released

    @property
    def url(self) -> str:
        return self.endpoint.url

    @property
    def exporter_host(self) -> str:
        """Where the modem is plugged in: the exporter's name and the port's host."""
        return f"{self.endpoint.exporter} ({self.endpoint.host})"


@contextmanager
def lease_place(
    place: str,
    *,
    resource: str | None = None,
    coordinator: str | None = None,
    wait: float = 0.0,
    call_timeout: float = 10.0,
) -> Iterator[PlaceLease]:
    """Hold `place` for the `with` body and yield its serial port; release it afterwards.

    Released on every way out (an exception, Ctrl-C) unless it was ours before; that
    includes an acquire interrupted before its answer arrived (a release from our
    identity is a no-op while someone else holds the place).
    """
    with LabgridClient(coordinator, call_timeout=call_timeout) as client:
        held_before = client.is_ours(client.place(place))
        try:
            client.acquire(place, wait=wait)
            endpoint = client.serial_endpoint(place, resource)
            yield PlaceLease(place, client.address, client.identity, endpoint, not held_before)
        except BaseException:
            if not held_before:
                _release_quietly(client, place)  # the error in flight is the one to show
            raise
        if not held_before:
            client.release(place)


def _release_quietly(client: LabgridClient, place: str) -> None:
    try:
        client.release(place)
    except (ConfigError, CoordinatorError) as exc:
        log.warning("could not release labgrid place %r: %s", place, exc)


class HeldPlaces:
    """The places one run holds, acquired on first use and released by `close()`."""

    def __init__(self, options: LabgridOptions | None = None) -> None:
        self.options = options or LabgridOptions()
        self._client: LabgridClient | None = None
        self._acquired: set[str] = set()  # places this run acquired (and so releases)

    def lease(
        self, place: str, resource: str | None = None, *, wait: float | None = None
    ) -> PlaceLease:
        """The place's serial port; the place is acquired (waiting up to `wait`, else
        `options.wait`) unless it is ours already."""
        client = self._connect()
        ours_before = place in self._acquired or client.is_ours(client.place(place))
        try:
            if client.acquire(place, wait=self.options.wait if wait is None else wait):
                self._acquired.add(place)
        except BaseException:
            if not ours_before:
                _release_quietly(client, place)
            raise
        endpoint = client.serial_endpoint(place, resource)
        return PlaceLease(place, client.address, client.identity, endpoint, place in self._acquired)

    @property
    def acquired(self) -> frozenset[str]:
        """The places this run acquired and still means to release."""
        return frozenset(self._acquired)

    def release(self, place: str) -> None:
        """Release `place` now if this run acquired it (e.g. under the device's lock)."""
        if place in self._acquired and self._client is not None:
            self._acquired.discard(place)
            _release_quietly(self._client, place)

    def close(self) -> None:
        """Release every place this run acquired, then end the coordinator session."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            for place in sorted(self._acquired):
                _release_quietly(client, place)
            self._acquired.clear()
        finally:
            client.close()

    def __enter__(self) -> HeldPlaces:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _connect(self) -> LabgridClient:
        if self._client is None:
            self._client = LabgridClient(
                self.options.coordinator, call_timeout=self.options.call_timeout
            )
        return self._client
