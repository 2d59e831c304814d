"""A labgrid coordinator session driven from synchronous code, every call bounded.

labgrid's `ClientSession` is asyncio + grpc.aio: one bidirectional stream keeps
its `places` and `resources` caches current through a message pump task. Here
its event loop runs in a daemon thread of its own, so the pump keeps running
(and gRPC keepalives are answered) while the caller blocks in serial I/O, and
each call waits on a future with a deadline. labgrid's own calls carry no gRPC
deadline, so every RPC made here passes one.

Only this module and `harness.bench.labgrid` import labgrid, and only when a
bench names a place: the harness runs without labgrid installed.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import threading
from collections.abc import Coroutine
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from harness.errors import ConfigError, CoordinatorError

log = logging.getLogger(__name__)

T = TypeVar("T")

__all__ = ["DEFAULT_PORT", "CoordinatorSession", "grpc_status", "load_labgrid"]

DEFAULT_PORT = 20408  # labgrid-coordinator's default, which HOST alone means (labgrid docs)
_INSTALL_HINT = "install it with `pip install 'sim-harness[labgrid]'` (labgrid 26)"


def load_labgrid() -> Any:
    """The labgrid client modules, or a `ConfigError` saying how to install them."""
    try:
        import grpc  # noqa: PLC0415 - optional dependency, loaded only for a place
        from labgrid.remote import client, common  # noqa: PLC0415
        from labgrid.remote.generated import (  # noqa: PLC0415
            labgrid_coordinator_pb2,
            labgrid_coordinator_pb2_grpc,
        )
    except ImportError as exc:
        raise ConfigError(
            f"the bench names a labgrid place but labgrid is not importable ({exc}); "
            f"{_INSTALL_HINT}"
        ) from None
    return argparse.Namespace(
        grpc=grpc,
        client=client,
        common=common,
        pb2=labgrid_coordinator_pb2,
        pb2_grpc=labgrid_coordinator_pb2_grpc,
    )


def grpc_status(exc: BaseException) -> str | None:
    """The gRPC status name of an RPC error (e.g. "FAILED_PRECONDITION"), else None."""
    code = getattr(exc, "code", None)
    if not callable(code):
        return None
    try:
        return str(code().name)
    except (AttributeError, TypeError):
        return None


def _session_class(lg: Any) -> Any:
    """A `ClientSession` with its own gRPC connection and a change signal.

    grpc shares one TCP connection between channels with the same target and
    options, and the coordinator keys client streams by peer address, so a second
    session in one process would be refused; a local subchannel pool gives each
    session its own connection. `changed` is set on every place or resource
    update, so a waiter wakes on the coordinator's news instead of polling.
    """

    class _Session(lg.client.ClientSession):  # type: ignore[misc]
        def __attrs_post_init__(self) -> None:
            super().__attrs_post_init__()
            self.unused_channel: Any = self.channel  # lazy, never connected; closed with ours
            self.channel: Any = lg.grpc.aio.insecure_channel(
                target=self.address,
                options=[
                    ("grpc.keepalive_time_ms", 7500),  # labgrid's own values
                    ("grpc.keepalive_timeout_ms", 10000),
                    ("grpc.http2.ping_timeout_ms", 10000),
                    ("grpc.http2.max_pings_without_data", 0),
                    ("grpc.use_local_subchannel_pool", 1),
                ],
            )
            self.stub = lg.pb2_grpc.CoordinatorStub(self.channel)
            self.changed = threading.Event()

        async def on_place_changed(self, place_pb2: Any) -> None:
            await super().on_place_changed(place_pb2)
            self.changed.set()

        async def on_place_deleted(self, name: str) -> None:
            await super().on_place_deleted(name)
            self.changed.set()

        async def on_resource_changed(self, *args: Any) -> None:
            await super().on_resource_changed(*args)
            self.changed.set()

    return _Session


class CoordinatorSession:
    """One client stream to a labgrid coordinator, as `host/user` (LG_HOSTNAME/LG_USERNAME).

    `call_timeout` bounds every RPC and every wait for the coordinator's echo.
    A session never reconnects (labgrid's does not): once the stream is lost
    every call raises `CoordinatorError`, and the caller opens a new one.
    """

    def __init__(self, address: str, *, call_timeout: float = 10.0) -> None:
        self.lg = load_labgrid()
        self.address = address
        self.call_timeout = call_timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"labgrid-{address}", daemon=True
        )
        self._thread.start()
        session_class = _session_class(self.lg)

        async def start() -> Any:
            session = session_class(
                address=address, loop=asyncio.get_running_loop(), args=argparse.Namespace()
            )
            await session.start()
            return session

        try:
            self._session = self.run(start(), what="connect")
        except CoordinatorError:
            self._stop_loop()
            raise
        except self.lg.client.Error as exc:  # ServerError: nothing answers at that address
            self._stop_loop()
            raise CoordinatorError(
                f"labgrid coordinator at {address} is unreachable ({exc}); check "
                f"--lg-coordinator / LG_COORDINATOR and that labgrid-coordinator runs there"
            ) from None
        except BaseException:
            self._stop_loop()
            raise
        self.identity = f"{self._session.gethostname()}/{self._session.getuser()}"

    # -- plumbing ------------------------------------------------------------------------
    def run(self, coro: Coroutine[Any, Any, T], *, what: str) -> T:
        """Run `coro` on the session's loop; `CoordinatorError` past the call deadline."""
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(self.call_timeout)
        except FutureTimeout:
            future.cancel()
            raise CoordinatorError(
                f"labgrid coordinator at {self.address} did not answer {what} within "
                f"{self.call_timeout:g} s; check that it runs and is reachable"
            ) from None

    def rpc(self, method: str, request: Any) -> Any:
        """One coordinator RPC with a deadline, then a sync so the caches show its effect."""
        self._check_alive()

        async def call() -> Any:
            reply = await getattr(self._session.stub, method)(request, timeout=self.call_timeout)
            await self._session.sync_with_coordinator()
            return reply

        return self.run(call(), what=method)

    def refresh(self) -> None:
        """Round-trip to the coordinator so every earlier update is in the caches."""
        self._check_alive()
        if not self.run(self._session.sync_with_coordinator(), what="a sync"):
            self._check_alive()

    def _check_alive(self) -> None:
        if self._session.stopping.is_set():
            raise CoordinatorError(
                f"lost the connection to the labgrid coordinator at {self.address}; "
                f"check that it still runs, then start again"
            )

    # -- the caches (read after refresh()) -------------------------------------------------
    @property
    def places(self) -> dict[str, Any]:
        return dict(self._session.places)

    @property
    def resources(self) -> dict[str, dict[str, dict[str, Any]]]:
        return dict(self._session.resources)

    def resource_paths(self) -> list[tuple[str, str, str, str]]:
        """exporter/group/cls/name of every live resource (a deleted one keeps no `cls`)."""
        return [
            (exporter, group, entry.cls, name)
            for exporter, groups in self.resources.items()
            for group, entries in groups.items()
            for name, entry in entries.items()
            if entry.data.get("cls")
        ]

    def clear_changed(self) -> None:
        self._session.changed.clear()

    def wait_changed(self, timeout: float) -> bool:
        """Block until the coordinator reports a place or resource change, or `timeout`."""
        return bool(self._session.changed.wait(max(0.0, timeout)))

    # -- lifetime --------------------------------------------------------------------------
    def close(self) -> None:
        """End the stream and close the channels; bounded, idempotent."""
        if not self._thread.is_alive():
            return
        session = self._session

        async def shut() -> None:
            await session.stop()
            await session.close()
            await session.unused_channel.close()

        try:
            self.run(shut(), what="close")
        except CoordinatorError as exc:
            log.debug("closing the labgrid session: %s (ignored)", exc)
        finally:
            self._stop_loop()

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=self.call_timeout)
        if not self._thread.is_alive():
            self._loop.close()
