"""`CamaraClient`: the calls a bank makes before trusting an SMS code, over HTTP (httpx).

Paths are the definitions' server base paths under the given API root:
`{root}/sim-swap/v2/check`, `/retrieve-date`; `{root}/subscription-status/v0.1/
retrive-subscription-status` (sic); `{root}/one-time-password-sms/v1/send-code`,
`/validate-code`. The access token is a `Secret` (never logged or shown in an
error); every call has a deadline. A CAMARA error body becomes `CamaraApiError`
with its status and code, except the validate-code refusals, which are answers.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx

from harness.errors import HarnessError, HarnessTimeout
from harness.secrets import Secret

__all__ = ["OTP_REFUSALS", "CamaraApiError", "CamaraClient"]

OTP_REFUSALS = (
    "ONE_TIME_PASSWORD_SMS.INVALID_OTP",
    "ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED",
    "ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED",
)


class CamaraApiError(HarnessError):
    """The API answered an error body (`{status, code, message}`) or none that was valid."""

    def __init__(self, operation: str, status: int, code: str, message: str) -> None:
        super().__init__(f"{operation}: {status} {code}: {message}")
        self.status = status
        self.code = code


class CamaraClient:
    """One API root; `token` is sent as a bearer token (2-legged: numbers go in bodies)."""

    def __init__(self, api_root: str, token: Secret, *, timeout_s: float = 10.0) -> None:
        self.api_root = api_root.rstrip("/")
        self._token = token
        self._http = httpx.Client(base_url=self.api_root, timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> CamaraClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- sim-swap v2 ------------------------------------------------------------------
    def swapped_within(self, msisdn: str, max_age_hours: int) -> bool:
        """POST /sim-swap/v2/check: was the SIM changed within `max_age_hours`?"""
        body = self._post(
            "/sim-swap/v2/check", {"phoneNumber": msisdn, "maxAge": max_age_hours}, "checkSimSwap"
        )
        return bool(_field(body, "swapped", bool, "checkSimSwap"))

    def latest_sim_change(self, msisdn: str) -> tuple[datetime | None, int | None]:
        """POST /sim-swap/v2/retrieve-date: (latestSimChange, monitoredPeriod in days)."""
        body = self._post("/sim-swap/v2/retrieve-date", {"phoneNumber": msisdn}, "retrieveDate")
        raw = body.get("latestSimChange")
        when = datetime.fromisoformat(raw) if isinstance(raw, str) else None
        period = body.get("monitoredPeriod")
        return when, period if isinstance(period, int) else None

    # --- subscription-status v0.1 -----------------------------------------------------
    def subscription_status(self, msisdn: str) -> dict[str, str]:
        body = self._post(
            "/subscription-status/v0.1/retrive-subscription-status",
            {"phoneNumber": msisdn},
            "retriveSubscriptionStatus",
        )
        return {k: str(v) for k, v in body.items()}

    # --- one-time-password-sms v1 ----------------------------------------------------
    def send_code(self, msisdn: str, message: str) -> str:
        """POST /send-code: the operator sends `message` ({{code}} replaced); the auth id."""
        body = self._post(
            "/one-time-password-sms/v1/send-code",
            {"phoneNumber": msisdn, "message": message},
            "sendCode",
        )
        return str(_field(body, "authenticationId", str, "sendCode"))

    def validate_code(self, authentication_id: str, code: str) -> str | None:
        """POST /validate-code: None when the code is valid (204), else the refusal code."""
        response = self._send(
            "/one-time-password-sms/v1/validate-code",
            {"authenticationId": authentication_id, "code": code},
            "validateCode",
        )
        if response.status_code == 204:
            return None
        error = _error(response, "validateCode")
        if error.code in OTP_REFUSALS:
            return error.code
        raise error

    # --- plumbing --------------------------------------------------------------------
    def _send(self, path: str, body: dict[str, Any], operation: str) -> httpx.Response:
        headers = {
            "Authorization": f"Bearer {self._token.reveal()}",
            "x-correlator": str(uuid.uuid4()),
        }
        try:
            return self._http.post(path, json=body, headers=headers)
        except httpx.TimeoutException:
            raise HarnessTimeout(
                f"{operation}: no answer from {self.api_root} in time; is the API up?"
            ) from None
        except httpx.HTTPError as exc:
            raise HarnessError(
                f"{operation}: cannot reach {self.api_root} ({type(exc).__name__}); "
                "check the API root URL and that the service runs"
            ) from None

    def _post(self, path: str, body: dict[str, Any], operation: str) -> dict[str, Any]:
        response = self._send(path, body, operation)
        if response.status_code != 200:
            raise _error(response, operation)
        data = response.json()
        if not isinstance(data, dict):
            raise CamaraApiError(operation, response.status_code, "BAD_BODY", "not a JSON object")
        return data


def _error(response: httpx.Response, operation: str) -> CamaraApiError:
    try:
        data = response.json()
        return CamaraApiError(
            operation, int(data["status"]), str(data["code"]), str(data["message"])
        )
    except (ValueError, KeyError, TypeError):
        return CamaraApiError(operation, response.status_code, "NO_ERROR_BODY", response.text[:200])


def _field(body: dict[str, Any], name: str, kind: type[Any], operation: str) -> Any:
    value = body.get(name)
    if not isinstance(value, kind):
        raise CamaraApiError(operation, 200, "BAD_BODY", f"{name} missing or not {kind.__name__}")
    return value
