"""CAMARA error responses (Commonalities 0.6): `{status, code, message}`, x-correlator echoed.

`CamaraError` is raised by services and routes; the app turns it, and FastAPI's
request validation errors, into that body. Validation maps onto the codes the
CAMARA test definitions expect: a malformed field is 400 INVALID_ARGUMENT, a
`maxAge` above its maximum is 400 OUT_OF_RANGE (sim-swap check feature 400.2).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from fastapi import Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

__all__ = [
    "CORRELATOR",
    "CamaraError",
    "camara_error_handler",
    "error_body",
    "require_token",
    "validation_error_handler",
]

CORRELATOR = "x-correlator"
CORRELATOR_PATTERN = re.compile(r"^[a-zA-Z0-9-_:;.\/<>{}]{0,256}$")


class CamaraError(Exception):
    """An API error with its HTTP status, CAMARA code and a message a person can act on."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def error_body(status: int, code: str, message: str) -> dict[str, Any]:
    return {"status": status, "code": code, "message": message}


def _respond(request: Request, status: int, code: str, message: str) -> JSONResponse:
    response = JSONResponse(error_body(status, code, message), status_code=status)
    correlator = request.headers.get(CORRELATOR)
    if correlator is not None and CORRELATOR_PATTERN.match(correlator):
        response.headers[CORRELATOR] = correlator
    return response


async def camara_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CamaraError)
    return _respond(request, exc.status, exc.code, exc.message)


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors: Sequence[Any] = exc.errors()
    for error in errors:
        field = error.get("loc", ())[-1:] or ("",)
        if field[0] == "maxAge" and error.get("type") == "less_than_equal":
            return _respond(request, 400, "OUT_OF_RANGE", "maxAge must be at most 2400 hours")
    parts = []
    for error in errors[:3]:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "request body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    message = "Client specified an invalid argument, request body or query param: " + "; ".join(
        parts
    )
    return _respond(request, 400, "INVALID_ARGUMENT", message)


def require_token(
    authorization: str | None = Header(default=None, include_in_schema=False),
    x_correlator: str | None = Header(default=None, alias=CORRELATOR),
) -> None:
    """The bearer-token gate of a CAMARA route, and the x-correlator check.

    The virtual operator accepts any non-empty bearer token and treats it as a
    two-legged token (the number comes from the request body); without one the
    answer is 401 UNAUTHENTICATED, as the CAMARA test definitions expect.
    """
    if x_correlator is not None and not CORRELATOR_PATTERN.match(x_correlator):
        raise CamaraError(400, "INVALID_ARGUMENT", "x-correlator does not match its pattern")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise CamaraError(
            401,
            "UNAUTHENTICATED",
            "Request not authenticated due to missing, invalid, or expired credentials. "
            "Send 'Authorization: Bearer <token>' (the virtual operator accepts any token).",
        )
