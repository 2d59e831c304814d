"""The bench-control API of a running virtual bench, and the CLI verbs built on it.

Served for real (ApiServer: uvicorn on 127.0.0.1, a free port) over a bench
with two modems; the CLI verbs run in process with `--api` or find the address
through the state file the bench recorded.
"""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path

import httpx
import pytest

from harness.camara import CamaraApiError, CamaraClient
from harness.cli import main
from harness.errors import HarnessError
from harness.secrets import Secret
from harness.sim.pcsc_link import wait_for_card
from harness.virtual.api.app import create_app
from harness.virtual.api.published import published_api
from harness.virtual.api.server import ApiServer
from harness.virtual.api.state_file import read_api_url, state_path
from harness.virtual.bench import ModemSpec, SimSpec, VirtualBench, numbered_profile
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.pcscd import PrivatePcscd
from harness.virtual.simulate import simulate

BASE = load_profile(DEFAULT_PROFILE)
A, B = "+15555550118", "+15555550119"


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[VirtualBench, str]]:
    sims = [SimSpec(f"sim{i}", numbered_profile(BASE, i)) for i in range(2)]
    sims.append(SimSpec("spare", numbered_profile(BASE, 9), provisioned=False))
    with (
        VirtualBench([ModemSpec("m0"), ModemSpec("m1", "quectel", tcp_port=0)], sims) as bench,
        ApiServer(create_app(bench)) as server,
    ):
        yield bench, server.url


def cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(list(argv))
    return code, out.getvalue()


def test_it_listens_on_loopback_only_and_serves_its_openapi_document(
    served: tuple[VirtualBench, str],
) -> None:
    _, url = served
    assert url.startswith("http://127.0.0.1:")
    document = httpx.get(f"{url}/openapi.json", timeout=5).json()
    for path in (
        "/modems",
        "/sms",
        "/operator/report-lost",
        "/events/stream",
        "/sim-swap/v2/check",
    ):
        assert path in document["paths"], path
    assert httpx.get(f"{url}/docs", timeout=5).status_code == 404  # no pages loading CDN scripts


def test_listings_show_ports_numbers_and_places(served: tuple[VirtualBench, str]) -> None:
    bench, url = served
    modems = {m["name"]: m for m in httpx.get(f"{url}/modems", timeout=5).json()}
    assert modems["m0"]["port"] == bench.ports["m0"] and modems["m0"]["pty"].startswith("/dev/pts/")
    assert modems["m1"]["personality"] == "quectel" and modems["m1"]["tcp_port"] > 0
    lines = {s["msisdn"]: s for s in httpx.get(f"{url}/subscribers", timeout=5).json()}
    assert set(lines) == {A, B} and lines[A]["state"] == "active"
    sims = {s["name"]: s for s in httpx.get(f"{url}/sims", timeout=5).json()}
    assert sims["sim1"]["where"] == "modem m1" and sims["spare"]["provisioned"] is False


def test_sms_and_otp_reach_the_network(served: tuple[VirtualBench, str]) -> None:
    bench, url = served
    sent = httpx.post(f"{url}/sms", json={"to": B, "text": "hi", "sender": "Lab"}, timeout=5)
    assert sent.status_code == 201
    message_id = sent.json()["message_id"]
    assert bench.network.messages()[message_id - 1][0].msisdn == B
    otp = httpx.post(f"{url}/otp", json={"to": A}, timeout=5).json()
    assert bench.network.check_otp(otp["code"], A) is not None
    unknown = httpx.post(f"{url}/sms", json={"to": "+4930123456", "text": "x"}, timeout=5)
    assert unknown.status_code == 404 and unknown.json()["code"] == "NOT_FOUND"
    bad = httpx.post(f"{url}/sms", json={"to": B}, timeout=5)
    assert bad.status_code == 400 and bad.json()["code"] == "INVALID_ARGUMENT"


def test_operator_actions_and_their_refusals(served: tuple[VirtualBench, str]) -> None:
    bench, url = served
    lost = httpx.post(f"{url}/operator/report-lost", json={"phoneNumber": A}, timeout=5)
    assert lost.json()["state"] == "lost" and bench.network.subscriber(A).state.value == "lost"
    again = httpx.post(f"{url}/operator/report-lost", json={"phoneNumber": A}, timeout=5)
    assert again.status_code == 409 and "it is lost" in again.json()["message"]
    back = httpx.post(f"{url}/operator/reactivate", json={"phoneNumber": A, "by": "t"}, timeout=5)
    assert back.json()["state"] == "active"
    assert bench.network.log.actions(A)[-2:] == ["report-lost", "reactivate"]


def test_card_moves_and_the_event_log(served: tuple[VirtualBench, str]) -> None:
    bench, url = served
    start = len(bench.network.log)
    out = httpx.post(f"{url}/sims/sim1/remove", timeout=5).json()
    assert out["where"] is None and bench.holder("m1") is None
    full = httpx.post(f"{url}/sims/sim1/insert", json={"modem": "m0"}, timeout=5)
    assert full.status_code == 409 and "already holds" in full.json()["message"]
    back = httpx.post(f"{url}/sims/sim1/insert", json={"modem": "m1"}, timeout=5).json()
    assert back["where"] == "modem m1"
    no_reader = httpx.post(f"{url}/sims/spare/insert", json={"reader": 0}, timeout=5)
    assert no_reader.status_code == 409 and "no card readers" in no_reader.json()["message"]
    httpx.post(f"{url}/sms", json={"to": B, "text": "after the move"}, timeout=5)
    events = httpx.get(f"{url}/events", params={"since": start}, timeout=5).json()
    assert [(e["index"], e["action"], e["msisdn"]) for e in events] == [(start, "sms-in", B)]


def test_the_event_stream_sends_new_events(served: tuple[VirtualBench, str]) -> None:
    bench, url = served
    since = len(bench.network.log)
    got: list[dict[str, object]] = []

    def follow() -> None:
        with httpx.stream("GET", f"{url}/events/stream", params={"since": since}, timeout=5) as r:
            assert r.headers["content-type"].startswith("text/event-stream")
            for line in r.iter_lines():
                if line.startswith("data: "):
                    got.append(json.loads(line[6:]))
                    return

    reader = threading.Thread(target=follow)
    reader.start()
    time.sleep(0.2)
    bench.network.suspend(B, by="stream-test")
    bench.network.resume(B, by="stream-test")
    reader.join(5)
    assert got and got[0]["action"] == "suspend" and got[0]["index"] == since


def test_cli_verbs_talk_to_the_api(served: tuple[VirtualBench, str]) -> None:
    bench, url = served
    code, text = cli("sms", "send", "--to", B, "--text", "from the CLI", "--api", url)
    assert code == 0 and f"to {B}" in text
    code, text = cli("sms", "otp", "--to", A, "--api", url)
    assert code == 0 and bench.network.check_otp(text.split("code ")[-1].strip(), A) is not None
    assert cli("operator", "suspend", B, "--api", url)[1].startswith(f"{B}: suspended")
    code, text = cli("operator", "status", B, "--api", url)
    assert "voiceSmsIn suspended" in text
    assert cli("operator", "resume", B, "--api", url)[0] == 0
    code, text = cli("operator", "reactivate", B, "--api", url)  # it is active: refused
    assert code == 2
    code, text = cli("operator", "swap-sim", A, "--sim", "spare", "--by", "cli", "--api", url)
    assert code == 0 and numbered_profile(BASE, 9).iccid in text
    code, text = cli("operator", "sim-swap", A, "--api", url)
    assert "swapped within 240 h: yes" in text
    code, text = cli("operator", "subscribers", "--api", url)
    assert A in text and B in text
    code, text = cli("bench", "list", "--api", url)
    assert "m0" in text and "quectel" in text and "spare" in text
    code, text = cli("bench", "events", "--api", url)
    assert "swap-sim" in text and "suspend" in text


def test_cli_finds_a_published_bench_and_says_when_there_is_none(
    served: tuple[VirtualBench, str], capsys: pytest.CaptureFixture[str]
) -> None:
    bench, _ = served
    assert read_api_url()[0] is None
    code = main(["operator", "subscribers"])
    assert code == 2 and "no running virtual bench found" in capsys.readouterr().err
    with published_api(bench, io.StringIO()) as url:
        assert read_api_url()[0] == url
        assert A in cli("operator", "subscribers")[1]
    assert not state_path().exists()


def test_simulate_prints_the_api_address(tmp_path: Path) -> None:
    out = io.StringIO()
    stop = threading.Event()
    runner = threading.Thread(
        target=simulate, kwargs={"modems": 1, "out": out, "stop": stop, "link_dir": tmp_path}
    )
    runner.start()
    try:
        deadline = time.monotonic() + 15
        while "API http://127.0.0.1:" not in out.getvalue():
            assert time.monotonic() < deadline, out.getvalue()
            time.sleep(0.05)
        url = out.getvalue().split("API ")[1].split()[0]
        assert httpx.get(f"{url}/subscribers", timeout=5).json()[0]["msisdn"] == A
    finally:
        stop.set()
        runner.join(10)
    assert "bench stopped" in out.getvalue()
    with pytest.raises(httpx.HTTPError):
        httpx.get(f"{url}/subscribers", timeout=1)


def test_the_served_document_is_a_valid_openapi_document(served: tuple[VirtualBench, str]) -> None:
    from openapi_spec_validator import validate

    _, url = served
    document = httpx.get(f"{url}/openapi.json", timeout=5).json()
    validate(document)  # raises on an invalid document
    assert document["openapi"].startswith("3.")


def test_the_camara_client_reports_errors_without_its_token(
    served: tuple[VirtualBench, str],
) -> None:
    bench, url = served
    token = "s3cret-token-value"
    with CamaraClient(url, Secret(token)) as client:
        with pytest.raises(CamaraApiError) as unknown:
            client.swapped_within("+4930123456", 240)
        assert unknown.value.code == "IDENTIFIER_NOT_FOUND" and token not in str(unknown.value)
        with pytest.raises(CamaraApiError, match="OUT_OF_RANGE"):
            client.swapped_within(B, 2400)
        auth = client.send_code(B, "{{code}} is your code")
        assert client.validate_code(auth, "not-it") == "ONE_TIME_PASSWORD_SMS.INVALID_OTP"
        code = bench.network.otps[-1].code
        assert client.validate_code(auth, code) is None
        with pytest.raises(CamaraApiError, match="NOT_FOUND"):
            client.validate_code("no-such-attempt", code)
        assert client.subscription_status(B)["voiceSmsIn"] == "active"
    with CamaraClient("http://127.0.0.1:9", Secret(token), timeout_s=2) as closed:
        with pytest.raises(HarnessError, match="cannot reach") as down:
            closed.swapped_within(B, 240)
        assert token not in str(down.value)


@pytest.mark.pcsc
def test_a_sim_goes_into_a_reader_slot_through_the_api(pcscd: PrivatePcscd) -> None:
    """Slot 1 (slot 0 belongs to the session's card); the card is then seen over PC/SC."""
    sims = [SimSpec("victim", numbered_profile(BASE, 3))]
    with (
        VirtualBench(["owner"], sims, pcscd=pcscd) as bench,
        ApiServer(create_app(bench)) as server,
    ):
        moved = httpx.post(f"{server.url}/sims/victim/insert", json={"reader": 1}, timeout=15)
        assert moved.json()["where"] == "reader 1"
        readers = {r["slot"]: r for r in httpx.get(f"{server.url}/readers", timeout=5).json()}
        assert readers[1]["sim"] == "victim" and readers[1]["name"] == "Virtual PCD 00 01"
        wait_for_card(readers[1]["name"], present=True, timeout=10)
        back = httpx.post(f"{server.url}/sims/victim/insert", json={"modem": "owner"}, timeout=15)
        assert back.json()["where"] == "modem owner"
        wait_for_card(readers[1]["name"], present=False, timeout=10)


def test_a_remote_operator_api_needs_a_real_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The placeholder token is only for the local virtual bench; nothing is sent elsewhere."""
    monkeypatch.delenv("CAMARA_TOKEN", raising=False)
    api = "https://operator.example.invalid/camara"
    assert main(["operator", "sim-swap", "+15555550118", "--api", api]) == 2
    assert "set CAMARA_TOKEN" in capsys.readouterr().err
