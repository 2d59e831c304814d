"""Modems in labgrid places: acquire a place, resolve its serial port, release it.

Modules: client (`LabgridClient`: acquire with a deadline naming the holder,
resolve a NetworkSerialPort to `rfc2217://host:port`), session (labgrid's asyncio
client session driven from synchronous code, a deadline on every call), lease
(hold a place for a block or for a whole run). labgrid itself is imported only
when a bench names a place.
"""

from harness.bench.labgrid.client import (
    LabgridClient,
    LabgridOptions,
    SerialEndpoint,
    coordinator_address,
    endpoint_from,
)

__all__ = [
    "LabgridClient",
    "LabgridOptions",
    "SerialEndpoint",
    "coordinator_address",
    "endpoint_from",
]
