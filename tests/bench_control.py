"""A control socket for a `VirtualBench` in the test process (tests only).

Hook scripts run by a scenario in another process (tests/hooks/bench_hook.py)
ask it to do what a hand, the operator or the bank does on a real bench: move
a SIM, bar/unbar/swap the line, text a code. One JSON request per connection,
one JSON answer; a Unix socket, so nothing leaves the machine.
"""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from harness.virtual.bench import VirtualBench
from harness.virtual.network.otp import DEFAULT_SENDER

CONTROL_ENV = "SIMHARNESS_TEST_CONTROL"


class BenchControl:
    """Serves requests on `path` for `bench` until closed; `log` keeps each request."""

    def __init__(self, bench: VirtualBench, path: Path) -> None:
        self._bench = bench
        self.path = path
        self.log: list[dict[str, str]] = []
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        self._server.listen(4)
        self._server.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="bench-control", daemon=True)

    def __enter__(self) -> BenchControl:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()
        self.path.unlink(missing_ok=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                request = json.loads(conn.makefile("r").readline())
                self.log.append(request)
                try:
                    answer: dict[str, Any] = {"ok": True, **self._do(request)}
                except Exception as exc:  # the hook reports it
                    answer = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
                conn.sendall(json.dumps(answer).encode() + b"\n")

    def _do(self, request: dict[str, str]) -> dict[str, str]:
        bench, step = self._bench, request["step"]
        if step == "move_sim":
            bench.insert(request["sim"], request["device"])
        elif step == "take_out":
            bench.take_out(request["sim"])
        elif step == "report_lost":
            bench.network.report_lost(request["msisdn"], by=request["by"])
        elif step == "reactivate":
            bench.network.reactivate(request["msisdn"], by=request["by"])
        elif step == "swap_sim":
            bench.network.swap_sim(
                request["msisdn"], bench.profile(request["sim"]), by=request["by"]
            )
        elif step == "send_otp":
            return {"code": bench.network.send_otp(request["msisdn"]), "sender": DEFAULT_SENDER}
        else:
            raise ValueError(f"unknown step {step!r}")
        return {}
