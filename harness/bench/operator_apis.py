"""The operator's APIs a bank calls, on the virtual bench: in process, or over real HTTP.

"virtual": `VirtualSimSwapCheck` and `VirtualOneTimePasswordSms` call the
operator services directly (fast; what unit tests use). "http": the bench's
API is served on 127.0.0.1 and the bank uses `CamaraClient`, the same client
it would point at an operator's CAMARA endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.errors import ConfigError
from harness.scenarios.interfaces import OneTimePasswordSms, SimSwapCheck
from harness.secrets import Secret
from harness.virtual.bench import VirtualBench

if TYPE_CHECKING:  # the web stack loads only when a stage asks for the operator's APIs
    from harness.virtual.api.camara.services import OtpService, SimSwapService

__all__ = [
    "OPERATOR_API_MODES",
    "OperatorApis",
    "VirtualOneTimePasswordSms",
    "VirtualSimSwapCheck",
    "operator_apis",
]

OPERATOR_API_MODES = ("virtual", "http")
_TOKEN = "virtual-bench"  # noqa: S105 - not a secret: the virtual operator takes any token


class VirtualSimSwapCheck:
    def __init__(self, service: SimSwapService) -> None:
        self._service = service

    def swapped_within(self, msisdn: str, max_age_hours: int) -> bool:
        return self._service.check(msisdn, max_age_hours)


class VirtualOneTimePasswordSms:
    def __init__(self, service: OtpService) -> None:
        self._service = service

    def send_code(self, msisdn: str, message: str) -> str:
        return self._service.send_code(msisdn, message)

    def validate_code(self, authentication_id: str, code: str) -> str | None:
        from harness.virtual.api.camara.errors import CamaraError  # noqa: PLC0415

        try:
            self._service.validate_code(authentication_id, code)
        except CamaraError as exc:
            if exc.status == 400:
                return exc.code
            raise
        return None


@dataclass(frozen=True)
class OperatorApis:
    sim_swap: SimSwapCheck
    otp_sms: OneTimePasswordSms
    where: str  # for the report


@contextmanager
def operator_apis(bench: VirtualBench, mode: str = "virtual") -> Iterator[OperatorApis]:
    from harness.virtual.api.camara.services import (  # noqa: PLC0415
        DEFAULT_MONITORED_DAYS,
        OtpService,
        SimSwapService,
    )

    if mode == "virtual":
        yield OperatorApis(
            VirtualSimSwapCheck(SimSwapService(bench.network, DEFAULT_MONITORED_DAYS)),
            VirtualOneTimePasswordSms(OtpService(bench.network)),
            "CAMARA services of the virtual operator, in process",
        )
        return
    if mode != "http":
        raise ConfigError(f"operator API mode {mode!r}: choose {' or '.join(OPERATOR_API_MODES)}")
    from harness.camara import CamaraClient  # noqa: PLC0415
    from harness.virtual.api.app import create_app  # noqa: PLC0415
    from harness.virtual.api.server import ApiServer  # noqa: PLC0415

    with (
        ApiServer(create_app(bench)) as server,
        CamaraClient(server.url, Secret(_TOKEN)) as client,
    ):
        yield OperatorApis(client, client, f"CAMARA over HTTP at {server.url}")
