"""Bodies of the bench-control API (what a test suite in another language sends and reads)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

__all__ = [
    "CardMove",
    "EventOut",
    "LineAction",
    "ModemOut",
    "OtpIn",
    "OtpOut",
    "ReaderOut",
    "SimOut",
    "SmsIn",
    "SmsOut",
    "SubscriberOut",
    "SwapIn",
]

Number = Annotated[str, Field(min_length=1, max_length=20, examples=["+15555550118"])]


class SubscriberOut(BaseModel):
    msisdn: str
    imsi: str
    iccid: str
    state: str  # active | lost | suspended


class ModemOut(BaseModel):
    name: str
    personality: str
    imei: str
    port: str = Field(description="the symlink a host opens; it follows reboots")
    pty: str | None = Field(description="the pseudo-terminal behind it now")
    tcp_port: int | None = Field(description="127.0.0.1 TCP port, when served on TCP")
    sim: str | None


class SimOut(BaseModel):
    name: str
    msisdn: str
    iccid: str
    imsi: str
    provisioned: bool
    where: str | None = Field(description="'modem NAME', 'reader SLOT' or null (bench top)")


class ReaderOut(BaseModel):
    slot: int
    name: str
    sim: str | None


class SmsIn(BaseModel):
    to: Number
    text: Annotated[str, Field(min_length=1, max_length=160)]
    sender: Annotated[str, Field(min_length=1, max_length=20)] = "+15550001111"


class SmsOut(BaseModel):
    message_id: int
    to: str
    state: str  # queued | delivered | expired


class OtpIn(BaseModel):
    to: Number
    sender: Annotated[str, Field(min_length=1, max_length=11)] = "HarnessBank"


class OtpOut(BaseModel):
    to: str
    sender: str
    code: str = Field(description="the code sent: what the bank knows")


class LineAction(BaseModel):
    phoneNumber: Number
    by: Annotated[str, Field(min_length=1, max_length=40)] = "api"


class SwapIn(LineAction):
    sim: str = Field(description="the bench SIM (by name) the number moves onto")


class CardMove(BaseModel):
    modem: str | None = None
    reader: int | None = Field(default=None, ge=0, le=1)


class EventOut(BaseModel):
    index: int
    at: datetime
    actor: str
    action: str
    msisdn: str | None
    detail: str
