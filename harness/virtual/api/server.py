"""uvicorn on a background thread, bound to 127.0.0.1 on a free port, stopped on request.

The socket is bound here (port 0 lets the kernel pick) and handed to uvicorn,
so the address is known before the first request and no other host can reach
it. uvicorn installs no signal handlers off the main thread; the owner stops it.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from harness.errors import HarnessError, HarnessTimeout

__all__ = ["LOOPBACK", "ApiServer"]

LOOPBACK = "127.0.0.1"
_START_TIMEOUT_S = 10.0
_STOP_TIMEOUT_S = 5.0


class ApiServer:
    """`with ApiServer(app) as server: server.url` -> "http://127.0.0.1:PORT"."""

    def __init__(self, app: FastAPI, *, port: int = 0) -> None:
        self.app = app
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.url = ""

    def start(self) -> str:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((LOOPBACK, self._port))
        except OSError as exc:
            sock.close()
            raise HarnessError(
                f"cannot listen on {LOOPBACK}:{self._port} for the API ({exc}); "
                "choose another port or 0 for a free one"
            ) from None
        self._socket = sock
        port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="simharness-api", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + _START_TIMEOUT_S
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise HarnessTimeout(f"the API server did not start within {_START_TIMEOUT_S} s")
            time.sleep(0.01)
        self.url = f"http://{LOOPBACK}:{port}"
        return self.url

    def stop(self) -> None:
        self.app.state.stopping = True  # event streams end at their next poll
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(_STOP_TIMEOUT_S)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def __enter__(self) -> ApiServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
