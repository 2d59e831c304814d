"""The CAMARA routes: SIM Swap v2, subscription status v0.1, one-time-password SMS v1.

Each router carries the base path its definition's server URL gives. Answers
leave out what is unset (`monitoredPeriod` only when the date is null), as the
definitions' examples do; `validate-code` answers 204 with no body.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, Response

from harness.virtual.api.camara.errors import require_token
from harness.virtual.api.camara.models import (
    CheckSimSwapInfo,
    CreateCheckSimSwap,
    CreateSimSwapDate,
    ErrorInfo,
    SendCodeBody,
    SendCodeResponse,
    SimSwapInfo,
    SubscriptionStatusRequest,
    SubscriptionStatusResponse,
    ValidateCodeBody,
)
from harness.virtual.api.camara.services import OtpService, SimSwapService, subscription_status
from harness.virtual.network import VirtualNetwork

__all__ = ["camara_routers"]

SIM_SWAP_BASE = "/sim-swap/v2"
SUBSCRIPTION_STATUS_BASE = "/subscription-status/v0.1"
OTP_SMS_BASE = "/one-time-password-sms/v1"

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorInfo} for code in (400, 401, 403, 404, 422, 429)
}


def camara_routers(
    network: VirtualNetwork, sim_swap: SimSwapService, otp: OtpService
) -> list[APIRouter]:
    gate = [Depends(require_token)]

    swap = APIRouter(prefix=SIM_SWAP_BASE, tags=["CAMARA SIM Swap 2.1.0"], dependencies=gate)

    @swap.post(
        "/retrieve-date",
        operation_id="retrieveSimSwapDate",
        response_model=SimSwapInfo,
        response_model_exclude_unset=True,
        responses=_ERRORS,
    )
    def retrieve_date(body: CreateSimSwapDate = Body(...)) -> SimSwapInfo:  # noqa: B008
        latest, monitored = sim_swap.retrieve_date(body.phoneNumber)
        if monitored is None:  # monitoredPeriod left unset, so it is left out
            return SimSwapInfo(latestSimChange=latest)
        return SimSwapInfo(latestSimChange=latest, monitoredPeriod=monitored)

    @swap.post(
        "/check", operation_id="checkSimSwap", response_model=CheckSimSwapInfo, responses=_ERRORS
    )
    def check(body: CreateCheckSimSwap = Body(...)) -> CheckSimSwapInfo:  # noqa: B008
        return CheckSimSwapInfo(swapped=sim_swap.check(body.phoneNumber, body.maxAge))

    status = APIRouter(
        prefix=SUBSCRIPTION_STATUS_BASE,
        tags=["CAMARA Subscription Status 0.1.0"],
        dependencies=gate,
    )

    @status.post(
        "/retrive-subscription-status",  # sic: the definition's spelling
        operation_id="retriveSubscriptionStatus",
        response_model=SubscriptionStatusResponse,
        responses=_ERRORS,
    )
    def retrieve_status(body: SubscriptionStatusRequest = Body(...)) -> dict[str, str]:  # noqa: B008
        return subscription_status(network, body.phoneNumber)

    otp_sms = APIRouter(
        prefix=OTP_SMS_BASE, tags=["CAMARA One Time Password SMS 1.1.1"], dependencies=gate
    )

    @otp_sms.post(
        "/send-code", operation_id="sendCode", response_model=SendCodeResponse, responses=_ERRORS
    )
    def send_code(body: SendCodeBody = Body(...)) -> SendCodeResponse:  # noqa: B008
        return SendCodeResponse(authenticationId=otp.send_code(body.phoneNumber, body.message))

    @otp_sms.post(
        "/validate-code",
        operation_id="validateCode",
        status_code=204,
        response_class=Response,
        responses=_ERRORS,
    )
    def validate_code(body: ValidateCodeBody = Body(...)) -> Response:  # noqa: B008
        otp.validate_code(body.authenticationId, body.code)
        return Response(status_code=204)

    return [swap, status, otp_sms]
