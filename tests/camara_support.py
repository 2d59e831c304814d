"""Responses checked against OpenAPI documents: the app's own, and CAMARA's official ones.

The official definitions (sim-swap 2.1.0, subscription-status 0.1.0,
one-time-password-sms 1.1.1) are not copied into this repository; they are read
from the steering repository's shared/specs/camara/ beside the repository (or
/work/shared, or $SIMHARNESS_CAMARA_DIR), and the checks against them are skipped, saying
so, without it.
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from openapi_core import OpenAPI
from openapi_core.testing import MockRequest, MockResponse

REPO = Path(__file__).resolve().parent.parent
_OVERRIDE = os.environ.get("SIMHARNESS_CAMARA_DIR")  # e.g. a copy elsewhere; "" never matches
CANDIDATES = (
    (Path(_OVERRIDE),)
    if _OVERRIDE is not None
    else (REPO.parent / "shared" / "specs" / "camara", Path("/work/shared/specs/camara"))
)
OFFICIAL = {
    "/sim-swap/v2": "sim-swap/sim-swap.yaml",
    "/subscription-status/v0.1": "subscription-status/subscription-status.yaml",
    "/one-time-password-sms/v1": "one-time-password-sms/one-time-password-sms.yaml",
}
OFFICIAL_ROOT = "http://localhost:9091"  # the definitions' default {apiRoot}


def camara_dir() -> Path | None:
    return next((c for c in CANDIDATES if c.is_dir()), None)


@cache
def official(base: str) -> OpenAPI:
    folder = camara_dir()
    if folder is None:
        pytest.skip(
            "the official CAMARA definitions are not here (looked in "
            + ", ".join(str(c) for c in CANDIDATES)
            + "); only the checks against the served OpenAPI document ran"
        )
    return OpenAPI.from_dict(yaml.safe_load((folder / OFFICIAL[base]).read_text()))


def _mock(
    root: str, path: str, body: Any, response: httpx.Response
) -> tuple[MockRequest, MockResponse]:
    request = MockRequest(
        root, "post", path, data=json.dumps(body), content_type="application/json"
    )
    kind = response.headers.get("content-type")
    answer = MockResponse(
        response.content,
        status_code=response.status_code,
        headers=dict(response.headers),
        content_type=kind.split(";")[0] if kind else None,
    )
    return request, answer


@cache
def _served(text: str) -> OpenAPI:
    return OpenAPI.from_dict(json.loads(text))


def check_served(document: dict[str, Any], path: str, body: Any, response: httpx.Response) -> None:
    """Raises when `response` does not match the app's own OpenAPI document."""
    api = _served(json.dumps(document, sort_keys=True))
    api.validate_response(*_mock("http://testserver", path, body, response))


def check_official(path: str, body: Any, response: httpx.Response) -> None:
    """Raises when `response` does not match the official CAMARA definition (skips without it)."""
    base = next(b for b in OFFICIAL if path.startswith(b + "/"))
    official(base).validate_response(*_mock(OFFICIAL_ROOT, path, body, response))
