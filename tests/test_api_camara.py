"""The virtual operator's CAMARA APIs: behaviour from the CAMARA test definitions (feature tags
cited), every response checked against the served OpenAPI document and, where present, the
official definitions (sim-swap 2.1.0, subscription-status 0.1.0, one-time-password-sms 1.1.1)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from camara_support import OFFICIAL, camara_dir, check_official, check_served, official
from fastapi.testclient import TestClient

from harness.virtual.api.app import create_app
from harness.virtual.bench import REPLACEMENT_PROFILE, SimSpec, VirtualBench, numbered_profile
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.network import ManualClock, VirtualNetwork

NUMBER = "+15555550118"
OTHER = "+15555550123"  # numbered_profile(base, 5)
TOKEN = {"Authorization": "Bearer any-token"}
START = datetime.fromisoformat("2026-03-01T09:00:00+00:00")


_DOCUMENTS: list[dict[str, Any]] = []


def _document(client: TestClient) -> dict[str, Any]:
    """The served OpenAPI document, fetched once (it is the same for every bench)."""
    if not _DOCUMENTS:
        _DOCUMENTS.append(client.get("/openapi.json").json())
    return _DOCUMENTS[0]


class Operator:
    """A bench without modems (SMS stay queued), its API, and every response checked."""

    def __init__(self, monitored_days: int | None = 90) -> None:
        self.clock = ManualClock(START)
        self.network = VirtualNetwork(clock=self.clock, background=False)
        base = load_profile(DEFAULT_PROFILE)
        sims = [
            SimSpec("victim", base),
            SimSpec("other", numbered_profile(base, 5)),
            SimSpec.load("replacement", REPLACEMENT_PROFILE, provisioned=False),
        ]
        self.bench = VirtualBench([], sims, network=self.network).start()
        self.app = create_app(self.bench, monitored_days=monitored_days)
        self.client = TestClient(self.app)
        self.document = _document(self.client)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        response = self.client.post(path, json=body, headers=TOKEN if headers is None else headers)
        check_served(self.document, path, body, response)
        if camara_dir() is not None:
            check_official(path, body, response)
        return response

    def swap(self) -> None:
        new = load_profile(REPLACEMENT_PROFILE)
        self.network.swap_sim(NUMBER, iccid=new.iccid, imsi=new.imsi)

    def close(self) -> None:
        self.client.close()
        self.bench.close()
        self.network.close()


@pytest.fixture
def operator() -> Iterator[Operator]:
    op = Operator()
    yield op
    op.close()


def error(response: httpx.Response, status: int, code: str) -> None:
    body = response.json()
    assert (response.status_code, body["status"], body["code"]) == (status, status, code), body
    assert len(body["message"]) > 10  # "contains a user friendly text"


def test_check_follows_the_latest_swap_and_max_age(operator: Operator) -> None:
    check = "/sim-swap/v2/check"
    # check_sim_swap_4 / 6: a line of long standing, never swapped
    assert operator.post(check, {"phoneNumber": NUMBER}).json() == {"swapped": False}
    operator.swap()
    # check_sim_swap_2: swapped now, default maxAge 240 h
    assert operator.post(check, {"phoneNumber": NUMBER}).json() == {"swapped": True}
    operator.clock.advance(timedelta(hours=250))
    assert operator.post(check, {"phoneNumber": NUMBER}).json() == {"swapped": False}
    # check_sim_swap_3: maxAge equal or greater than the swap's age
    assert operator.post(check, {"phoneNumber": NUMBER, "maxAge": 260}).json()["swapped"]
    assert not operator.post(check, {"phoneNumber": NUMBER, "maxAge": 249}).json()["swapped"]
    assert not operator.post(check, {"phoneNumber": OTHER, "maxAge": 2160}).json()["swapped"]


def test_retrieve_date_gives_the_change_or_null_with_the_monitored_period(
    operator: Operator,
) -> None:
    retrieve = "/sim-swap/v2/retrieve-date"
    # retrieve_sim_swap_date_5: activated a year ago, older than the 90 monitored days
    never = operator.post(retrieve, {"phoneNumber": NUMBER}).json()
    assert never == {"latestSimChange": None, "monitoredPeriod": 90}
    operator.swap()
    swapped_at = operator.clock.now()
    operator.clock.advance(timedelta(hours=3))
    # retrieve_sim_swap_date_2: a timestamp, RFC 3339 with a zone; no monitoredPeriod
    answer = operator.post(retrieve, {"phoneNumber": NUMBER}).json()
    assert set(answer) == {"latestSimChange"}
    assert datetime.fromisoformat(answer["latestSimChange"]) == swapped_at
    assert answer["latestSimChange"].endswith(("Z", "+00:00"))


def test_without_a_history_limit_an_unswapped_line_answers_its_activation() -> None:
    op = Operator(monitored_days=None)
    try:
        # retrieve_sim_swap_date_3: never swapped -> the activation date
        answer = op.post("/sim-swap/v2/retrieve-date", {"phoneNumber": NUMBER}).json()
        assert datetime.fromisoformat(answer["latestSimChange"]) == START - timedelta(days=365)
        big = op.post("/sim-swap/v2/check", {"phoneNumber": NUMBER, "maxAge": 2400})
        assert big.json() == {"swapped": False}
    finally:
        op.close()


def test_sim_swap_errors_are_the_camara_ones(operator: Operator) -> None:
    check = "/sim-swap/v2/check"
    # 400.2: above the schema's maximum; 400.3: above the 90-day monitored period
    error(operator.post(check, {"phoneNumber": NUMBER, "maxAge": 100000}), 400, "OUT_OF_RANGE")
    error(operator.post(check, {"phoneNumber": NUMBER, "maxAge": 2161}), 400, "OUT_OF_RANGE")
    # 400.1: maxAge not as the schema says
    for bad in (0, "24", 1.5):
        error(operator.post(check, {"phoneNumber": NUMBER, "maxAge": bad}), 400, "INVALID_ARGUMENT")
    # phone number not E.164 with '+'
    error(operator.post(check, {"phoneNumber": "15555550118"}), 400, "INVALID_ARGUMENT")
    # not a subscriber of this operator
    error(operator.post(check, {"phoneNumber": "+4930123456"}), 404, "IDENTIFIER_NOT_FOUND")
    # 2-legged token and no phoneNumber
    error(operator.post(check, {}), 422, "MISSING_IDENTIFIER")
    # no Authorization header
    error(operator.post(check, {"phoneNumber": NUMBER}, headers={}), 401, "UNAUTHENTICATED")
    error(
        operator.post("/sim-swap/v2/retrieve-date", {"phoneNumber": NUMBER}, headers={}),
        401,
        "UNAUTHENTICATED",
    )


def test_x_correlator_is_echoed_and_checked(operator: Operator) -> None:
    headers = {**TOKEN, "x-correlator": "b4333c46-49c0-4f62-80d7-f0ef930f1c46"}
    ok = operator.post("/sim-swap/v2/check", {"phoneNumber": NUMBER}, headers=headers)
    assert ok.headers["x-correlator"] == headers["x-correlator"]
    failed = operator.post("/sim-swap/v2/check", {"phoneNumber": "bad"}, headers=headers)
    assert failed.headers["x-correlator"] == headers["x-correlator"]
    bad = operator.client.post(
        "/sim-swap/v2/check",
        json={"phoneNumber": NUMBER},
        headers={**TOKEN, "x-correlator": "spaces are not allowed"},
    )
    error(bad, 400, "INVALID_ARGUMENT")
    assert "x-correlator" not in bad.headers


def test_subscription_status_is_what_a_loss_report_sets(operator: Operator) -> None:
    path = "/subscription-status/v0.1/retrive-subscription-status"  # sic, the definition's path
    active = {"voiceSmsIn": "active", "voiceSmsOut": "active", "dataService": "active"}
    assert operator.post(path, {"phoneNumber": NUMBER}).json() == active
    operator.network.report_lost(NUMBER, by="owner")
    assert set(operator.post(path, {"phoneNumber": NUMBER}).json().values()) == {"suspended"}
    operator.network.reactivate(NUMBER, by="owner")
    assert operator.post(path, {"phoneNumber": NUMBER}).json() == active
    error(operator.post(path, {}), 422, "MISSING_IDENTIFIER")
    error(operator.post(path, {"phoneNumber": "+4930123456"}), 404, "IDENTIFIER_NOT_FOUND")


def _send(operator: Operator, number: str = NUMBER) -> tuple[str, str]:
    body = {"phoneNumber": number, "message": "{{code}} is your code for Cool App"}
    response = operator.post("/one-time-password-sms/v1/send-code", body)
    assert response.status_code == 200, response.text
    return response.json()["authenticationId"], operator.network.otps[-1].code


def _validate(operator: Operator, auth_id: str, code: str) -> httpx.Response:
    body = {"authenticationId": auth_id, "code": code}
    return operator.post("/one-time-password-sms/v1/validate-code", body)


def test_otp_code_goes_by_sms_and_validates_once(operator: Operator) -> None:
    auth_id, code = _send(operator)
    assert len(auth_id) <= 36
    (queued,) = operator.network.queued(NUMBER)
    assert queued.tpdu.text == f"{code} is your code for Cool App"  # type: ignore[union-attr]
    wrong = "000000" if code != "000000" else "111111"
    error(_validate(operator, auth_id, wrong), 400, "ONE_TIME_PASSWORD_SMS.INVALID_OTP")
    ok = _validate(operator, auth_id, code)
    assert ok.status_code == 204 and ok.content == b""
    # already used -> no longer valid
    error(_validate(operator, auth_id, code), 400, "ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED")
    error(_validate(operator, "no-such-id", code), 404, "NOT_FOUND")


def test_otp_refusals_expiry_attempts_and_newer_code(operator: Operator) -> None:
    first, first_code = _send(operator)
    second, second_code = _send(operator)  # a newer code supersedes the first
    error(_validate(operator, first, first_code), 400, "ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED")
    wrong = "0000000"
    for _ in range(3):
        error(_validate(operator, second, wrong), 400, "ONE_TIME_PASSWORD_SMS.INVALID_OTP")
    error(
        _validate(operator, second, second_code), 400, "ONE_TIME_PASSWORD_SMS.VERIFICATION_FAILED"
    )
    third, third_code = _send(operator)
    operator.clock.advance(timedelta(minutes=6))
    error(_validate(operator, third, third_code), 400, "ONE_TIME_PASSWORD_SMS.VERIFICATION_EXPIRED")


def test_otp_send_errors(operator: Operator) -> None:
    send = "/one-time-password-sms/v1/send-code"
    no_label = {"phoneNumber": NUMBER, "message": "a message without the code label"}
    error(operator.post(send, no_label), 400, "INVALID_ARGUMENT")
    too_long = {"phoneNumber": NUMBER, "message": "{{code}}" + "x" * 160}
    error(operator.post(send, too_long), 400, "INVALID_ARGUMENT")
    stranger = {"phoneNumber": "+4930123456", "message": "{{code}}"}
    error(operator.post(send, stranger), 404, "NOT_FOUND")
    operator.network.report_lost(NUMBER, by="owner")
    barred = {"phoneNumber": NUMBER, "message": "{{code}}"}
    error(operator.post(send, barred), 403, "ONE_TIME_PASSWORD_SMS.PHONE_NUMBER_BLOCKED")
    error(operator.post(send, barred, headers={}), 401, "UNAUTHENTICATED")
    empty = operator.client.post(send, content=b"", headers=TOKEN)  # missing body
    error(empty, 400, "INVALID_ARGUMENT")


def test_a_response_that_breaks_the_definition_is_caught(operator: Operator) -> None:
    """The checks can fail: a response the definitions forbid is rejected by both."""
    path = "/sim-swap/v2/retrieve-date"
    forged = httpx.Response(200, json={"monitoredPeriod": 90})  # latestSimChange is required
    with pytest.raises(Exception, match=r"(?i)invalid|latestSimChange"):
        check_served(operator.document, path, {"phoneNumber": NUMBER}, forged)
    if camara_dir() is not None:
        with pytest.raises(Exception, match=r"(?i)invalid|latestSimChange"):
            check_official(path, {"phoneNumber": NUMBER}, forged)


def test_the_served_document_names_the_camara_operations(operator: Operator) -> None:
    paths = operator.document["paths"]
    operations = {
        op["operationId"] for path, item in paths.items() for op in item.values() if path != "/"
    }
    assert {
        "retrieveSimSwapDate",
        "checkSimSwap",
        "retriveSubscriptionStatus",
        "sendCode",
        "validateCode",
    } <= operations
    check_schema = operator.document["components"]["schemas"]["CreateCheckSimSwap"]
    max_age = check_schema["properties"]["maxAge"]
    assert (max_age["minimum"], max_age["maximum"], max_age["default"]) == (1, 2400, 240)


def test_the_official_definitions_are_checked_here_or_the_skip_says_why(
    operator: Operator,
) -> None:
    """Every other test checks against the official definitions only when they are present;
    this one skips, naming where it looked, when they are not."""
    for base in OFFICIAL:
        assert official(base) is not None
    operator.swap()
    body = {"phoneNumber": NUMBER}
    check_official(
        "/sim-swap/v2/retrieve-date", body, operator.post("/sim-swap/v2/retrieve-date", body)
    )
    forged = httpx.Response(400, json={"status": 400, "code": "NOT_A_CAMARA_CODE", "message": "x"})
    with pytest.raises(Exception, match=r"(?i)invalid"):
        check_official("/sim-swap/v2/check", body, forged)
