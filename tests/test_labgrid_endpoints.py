"""A labgrid resource entry becomes the serial port the `Modem` opens, or says why not yet."""

from __future__ import annotations

import pytest

pytest.importorskip(
    "labgrid.remote.client", reason="labgrid not installed (pip install 'sim-harness[labgrid]')"
)

from harness.bench.labgrid import endpoint_from
from harness.errors import ConfigError

PATH = ("benchpc3", "eg25-a", "NetworkSerialPort", "USBSerialPort")


def entry(**data: object) -> object:
    from labgrid.remote.common import ResourceEntry

    return ResourceEntry(dict(data))


@pytest.mark.parametrize(
    ("resource", "problem"),
    [
        (None, "is gone"),
        (entry(), "is gone"),  # the exporter deleted it: no cls left
        (entry(cls="NetworkSerialPort", params={"host": "h", "port": 1}), "not available"),
        (
            entry(cls="NetworkSerialPort", params={"host": "h", "port": None}, avail=True),
            "no TCP port yet",
        ),
    ],
)
def test_a_serial_resource_that_is_not_usable_yet_says_why(resource: object, problem: str) -> None:
    endpoint, why = endpoint_from(PATH, "USBSerialPort", resource)
    assert endpoint is None
    assert problem in why


def test_a_published_serial_resource_becomes_an_rfc2217_url() -> None:
    params = {"host": "benchpc3", "port": 51234, "speed": 115200, "extra": {"proxy": "x"}}
    resource = entry(cls="NetworkSerialPort", params=params, avail=True)
    endpoint, _ = endpoint_from(PATH, "at", resource)
    assert endpoint is not None
    assert endpoint.url == "rfc2217://benchpc3:51234"  # ser2net's default protocol
    assert (endpoint.exporter, endpoint.name) == ("benchpc3", "at")
    proxied = {**params, "extra": {"proxy": "gw", "proxy_required": True}}
    with pytest.raises(ConfigError, match="SSH proxy"):
        endpoint_from(PATH, "at", entry(cls="NetworkSerialPort", params=proxied, avail=True))
