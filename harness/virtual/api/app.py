"""The HTTP API of a running virtual bench: bench control plus the CAMARA operator APIs.

`create_app(bench)` builds it; `ApiServer` (server.py) serves it on 127.0.0.1.
The OpenAPI document is at `/openapi.json`; the interactive pages (/docs) are
off, as they would load scripts from the internet.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.middleware.base import RequestResponseEndpoint

from harness.virtual.api.camara.errors import (
    CORRELATOR,
    CORRELATOR_PATTERN,
    CamaraError,
    camara_error_handler,
    validation_error_handler,
)
from harness.virtual.api.camara.routes import camara_routers
from harness.virtual.api.camara.services import (
    DEFAULT_MONITORED_DAYS,
    OtpService,
    SimSwapService,
)
from harness.virtual.api.control import control_router
from harness.virtual.bench import VirtualBench

__all__ = ["create_app"]

TITLE = "sim-harness virtual bench"


def create_app(
    bench: VirtualBench, *, monitored_days: int | None = DEFAULT_MONITORED_DAYS
) -> FastAPI:
    """The API over `bench` (started); `monitored_days`: the SIM Swap history kept."""
    app = FastAPI(
        title=TITLE,
        version="1",
        description=(
            "Control a running sim-harness virtual bench (subscribers, modems, SMS, operator "
            "actions, card moves, network events) and the operator APIs a bank calls: CAMARA "
            "sim-swap 2.1.0 (/sim-swap/v2), subscription-status 0.1.0 "
            "(/subscription-status/v0.1) and one-time-password-sms 1.1.1 "
            "(/one-time-password-sms/v1). CAMARA routes take any bearer token as a "
            "two-legged token."
        ),
        docs_url=None,
        redoc_url=None,
    )
    app.state.stopping = False
    app.state.bench = bench
    app.state.sim_swap = SimSwapService(bench.network, monitored_days)
    app.state.otp = OtpService(bench.network)
    app.add_exception_handler(CamaraError, camara_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)

    @app.middleware("http")
    async def echo_correlator(request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        correlator = request.headers.get(CORRELATOR)
        if correlator is not None and CORRELATOR_PATTERN.match(correlator):
            response.headers[CORRELATOR] = correlator
        return response

    @app.get("/", tags=["bench control"])
    def root() -> dict[str, Any]:
        return {
            "service": TITLE,
            "openapi": "/openapi.json",
            "operator": bench.network.operator_name,
        }

    app.include_router(control_router(bench))
    for router in camara_routers(bench.network, app.state.sim_swap, app.state.otp):
        app.include_router(router)
    return app
