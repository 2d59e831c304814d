"""How the CLI verbs reach a running bench's HTTP API (`simulate` or `modem serve`).

The address comes from `--api URL`, else the environment variable
SIMHARNESS_API, else the state file the running bench wrote (see
harness.virtual.api.state_file). Every call has a deadline; an error body
becomes a HarnessError with the API's own message.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from harness.errors import ConfigError, HarnessError, HarnessTimeout
from harness.virtual.api.state_file import API_ENV, read_api_url

if TYPE_CHECKING:
    pass

__all__ = ["BenchApi", "add_api_option", "resolve_api"]

_TIMEOUT_S = 15.0


def add_api_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--api",
        metavar="URL",
        help=f"the bench's API (default: ${API_ENV}, else the address a running "
        "`simharness simulate` / `modem serve` recorded)",
    )


def resolve_api(explicit: str | None) -> str:
    if explicit:
        return explicit.rstrip("/")
    from_env = os.environ.get(API_ENV, "").strip()
    if from_env:
        return from_env.rstrip("/")
    recorded, path = read_api_url()
    if recorded is None:
        raise ConfigError(
            f"no running virtual bench found (nothing live in {path}); start "
            "`simharness simulate` or `simharness modem serve` in another terminal, or give "
            f"--api URL / {API_ENV}=URL"
        )
    return recorded


class BenchApi:
    def __init__(self, url: str) -> None:
        import httpx  # noqa: PLC0415 - loaded only by the verbs that talk HTTP

        self.url = url
        self._http = httpx.Client(base_url=url, timeout=_TIMEOUT_S)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> BenchApi:
        return cls(resolve_api(args.api))

    def get(self, path: str, **params: Any) -> Any:
        return self._call("GET", path, params=params or None)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._call("POST", path, json=body if body is not None else {})

    def stream_events(self, since: int = 0) -> Iterator[dict[str, Any]]:
        """Follow /events/stream (Server-Sent Events) until the bench stops."""
        import httpx  # noqa: PLC0415

        try:
            with self._http.stream(
                "GET", "/events/stream", params={"since": since}, timeout=None
            ) as response:
                for line in response.iter_lines():
                    if line.startswith("data: "):
                        yield json.loads(line[6:])
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        import httpx  # noqa: PLC0415

        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TimeoutException:
            raise HarnessTimeout(
                f"{method} {self.url}{path}: no answer within {_TIMEOUT_S} s"
            ) from None
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        if response.status_code >= 400:
            try:
                message = response.json().get("message", response.text)
            except ValueError:
                message = response.text
            raise HarnessError(f"{method} {path}: {response.status_code}: {message}")
        return response.json() if response.content else None

    def _unreachable(self, exc: Exception) -> HarnessError:
        return HarnessError(
            f"cannot reach the bench API at {self.url} ({type(exc).__name__}); is "
            "`simharness simulate` (or `modem serve`) still running?"
        )
