"""Bench control over HTTP: who is on the network, where every card is, and the hand,
operator and SMS sender a test would otherwise script in Python.

Errors use the same `{status, code, message}` body as the CAMARA routes: 404
NOT_FOUND for an unknown number, SIM or modem; 409 CONFLICT for an action the
state forbids (reactivating an active line, inserting into a full modem).
The event stream is Server-Sent Events (`text/event-stream`), one JSON event
per `data:` line, starting at `?since=N`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from harness.errors import ConfigError
from harness.virtual.api.camara.errors import CamaraError
from harness.virtual.api.control_models import (
    CardMove,
    EventOut,
    LineAction,
    ModemOut,
    OtpIn,
    OtpOut,
    ReaderOut,
    SimOut,
    SmsIn,
    SmsOut,
    SubscriberOut,
    SwapIn,
)
from harness.virtual.bench import VirtualBench
from harness.virtual.network import NetworkError, Subscriber
from harness.virtual.network.events import NetworkEvent

__all__ = ["control_router"]

_POLL_S = 0.1


def _line(sub: Subscriber) -> SubscriberOut:
    return SubscriberOut(msisdn=sub.msisdn, imsi=sub.imsi, iccid=sub.iccid, state=sub.state.value)


def _event(index: int, event: NetworkEvent) -> EventOut:
    return EventOut(
        index=index,
        at=event.at,
        actor=event.actor,
        action=event.action,
        msisdn=event.msisdn,
        detail=event.detail,
    )


def control_router(bench: VirtualBench) -> APIRouter:
    router = APIRouter(tags=["bench control"])
    network = bench.network

    def known_line(number: str) -> Subscriber:
        try:
            return network.subscriber(number)
        except NetworkError as exc:
            raise CamaraError(404, "NOT_FOUND", str(exc)) from None

    def known_sim(name: str) -> None:
        if name not in bench.sim_names():
            raise CamaraError(
                404, "NOT_FOUND", f"no SIM {name!r}; the bench has {bench.sim_names()}"
            )

    def conflict(exc: Exception) -> CamaraError:
        return CamaraError(409, "CONFLICT", str(exc))

    @router.get("/subscribers", response_model=list[SubscriberOut])
    def subscribers() -> list[SubscriberOut]:
        return [_line(s) for s in network.subscribers()]

    @router.get("/modems", response_model=list[ModemOut])
    def modems() -> list[ModemOut]:
        return [ModemOut(**vars(info)) for info in bench.modem_infos()]

    @router.get("/sims", response_model=list[SimOut])
    def sims() -> list[SimOut]:
        out = []
        for name in bench.sim_names():
            spec = bench.sim_spec(name)
            p = spec.profile
            out.append(
                SimOut(
                    name=name,
                    msisdn=p.msisdn,
                    iccid=p.iccid,
                    imsi=p.imsi,
                    provisioned=spec.provisioned,
                    where=bench.where(name),
                )
            )
        return out

    @router.get("/readers", response_model=list[ReaderOut])
    def readers() -> list[ReaderOut]:
        held = {slot: bench.reader_holder(slot) for slot in bench.readers}
        return [ReaderOut(slot=s, name=n, sim=held[s]) for s, n in bench.readers.items()]

    @router.post("/sms", response_model=SmsOut, status_code=201)
    def send_sms(body: SmsIn) -> SmsOut:
        line = known_line(body.to)
        try:
            message = network.send_sms(line.msisdn, body.text, sender=body.sender)
        except (NetworkError, ValueError) as exc:  # CodecError: a sender that does not fit
            raise CamaraError(400, "INVALID_ARGUMENT", str(exc)) from None
        state = network.message_state(message.id).value
        return SmsOut(message_id=message.id, to=line.msisdn, state=state)

    @router.post("/otp", response_model=OtpOut, status_code=201)
    def send_otp(body: OtpIn) -> OtpOut:
        line = known_line(body.to)
        try:
            code = network.send_otp(line.msisdn, sender=body.sender)
        except (NetworkError, ValueError) as exc:
            raise CamaraError(400, "INVALID_ARGUMENT", str(exc)) from None
        return OtpOut(to=line.msisdn, sender=body.sender, code=code)

    def line_action(name: str, body: LineAction) -> SubscriberOut:
        line = known_line(body.phoneNumber)
        action = getattr(network, name.replace("-", "_"))
        try:
            return _line(action(line.msisdn, by=body.by))
        except NetworkError as exc:
            raise conflict(exc) from None

    for verb in ("report-lost", "reactivate", "suspend", "resume"):

        def handler(body: LineAction, verb: str = verb) -> SubscriberOut:
            return line_action(verb, body)

        router.add_api_route(
            f"/operator/{verb}",
            handler,
            methods=["POST"],
            response_model=SubscriberOut,
            name=f"operator {verb}",
            summary=f"Operator action: {verb} (customer service)",
        )

    @router.post("/operator/swap-sim", response_model=SubscriberOut)
    def swap_sim(body: SwapIn) -> SubscriberOut:
        line = known_line(body.phoneNumber)
        known_sim(body.sim)
        profile = bench.profile(body.sim)
        try:
            return _line(
                network.swap_sim(line.msisdn, iccid=profile.iccid, imsi=profile.imsi, by=body.by)
            )
        except NetworkError as exc:
            raise conflict(exc) from None

    @router.post("/sims/{name}/insert", response_model=SimOut)
    def insert(name: str, body: CardMove) -> SimOut:
        known_sim(name)
        if (body.modem is None) == (body.reader is None):
            raise CamaraError(400, "INVALID_ARGUMENT", "give exactly one of modem or reader")
        try:
            if body.modem is not None:
                if body.modem not in bench.ports:
                    raise CamaraError(404, "NOT_FOUND", f"no modem {body.modem!r}")
                bench.insert(name, body.modem)
            else:
                assert body.reader is not None
                bench.to_reader(name, body.reader)
        except ConfigError as exc:
            raise conflict(exc) from None
        return next(s for s in sims() if s.name == name)

    @router.post("/sims/{name}/remove", response_model=SimOut)
    def remove(name: str) -> SimOut:
        known_sim(name)
        bench.take_out(name)
        return next(s for s in sims() if s.name == name)

    @router.get("/events", response_model=list[EventOut])
    def events(since: int = Query(0, ge=0)) -> list[EventOut]:
        return [_event(since + i, e) for i, e in enumerate(network.log.since(since))]

    @router.get(
        "/events/stream",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def stream(request: Request, since: int = Query(0, ge=0)) -> StreamingResponse:
        return StreamingResponse(_follow(request, since), media_type="text/event-stream")

    async def _follow(request: Request, index: int) -> AsyncIterator[str]:
        while not getattr(request.app.state, "stopping", False):
            for event in network.log.since(index):
                data: dict[str, Any] = _event(index, event).model_dump(mode="json")
                yield f"id: {index}\nevent: network\ndata: {json.dumps(data)}\n\n"
                index += 1
            if await request.is_disconnected():
                return
            await asyncio.sleep(_POLL_S)

    return router
