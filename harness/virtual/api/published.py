"""Serve a bench's API for the life of a `with` block: print its address, record it for the
CLI verbs (state_file), and take both back at the end."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from harness.virtual.api.app import create_app
from harness.virtual.api.server import ApiServer
from harness.virtual.api.state_file import clear_api_url, write_api_url
from harness.virtual.bench import VirtualBench

__all__ = ["published_api"]


@contextmanager
def published_api(bench: VirtualBench, out: TextIO, *, port: int = 0) -> Iterator[str]:
    with ApiServer(create_app(bench), port=port) as server:
        path = write_api_url(server.url)
        print(f"API {server.url} (OpenAPI document: {server.url}/openapi.json)", file=out)
        print(
            f"  the CLI finds it through {path} (or --api / SIMHARNESS_API)", file=out, flush=True
        )
        try:
            yield server.url
        finally:
            clear_api_url()
