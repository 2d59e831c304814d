"""Request and response bodies of the CAMARA APIs, as their definitions give them.

Strict types: a `maxAge` of "240" (a string) is INVALID_ARGUMENT, as the schema
says `integer`. Field names are the definitions' (camelCase).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StrictInt, StrictStr

__all__ = [
    "PHONE_NUMBER_PATTERN",
    "CheckSimSwapInfo",
    "CreateCheckSimSwap",
    "CreateSimSwapDate",
    "ErrorInfo",
    "SendCodeBody",
    "SendCodeResponse",
    "SimSwapInfo",
    "SubscriptionStatusRequest",
    "SubscriptionStatusResponse",
    "ValidateCodeBody",
]

PHONE_NUMBER_PATTERN = r"^\+[1-9][0-9]{4,14}$"  # E.164 with a leading +

PhoneNumber = Annotated[
    StrictStr,
    Field(
        pattern=PHONE_NUMBER_PATTERN, description="E.164 number with '+'", examples=["+15555550118"]
    ),
]


class ErrorInfo(BaseModel):
    status: int
    code: str
    message: str


class CreateSimSwapDate(BaseModel):
    phoneNumber: PhoneNumber | None = None


class CreateCheckSimSwap(BaseModel):
    phoneNumber: PhoneNumber | None = None
    maxAge: Annotated[StrictInt, Field(ge=1, le=2400, description="hours")] = 240


class SimSwapInfo(BaseModel):
    latestSimChange: datetime | None = Field(
        description="RFC 3339 with time zone; null: no change within monitoredPeriod"
    )
    monitoredPeriod: int | None = Field(default=None, description="days")


class CheckSimSwapInfo(BaseModel):
    swapped: bool


class SubscriptionStatusRequest(BaseModel):
    phoneNumber: PhoneNumber | None = None


class SubscriptionStatusResponse(BaseModel):
    voiceSmsIn: Literal["active", "suspended"]
    voiceSmsOut: Literal["active", "suspended"]
    dataService: Literal["active", "suspended", "throttled"]


class SendCodeBody(BaseModel):
    phoneNumber: PhoneNumber
    message: Annotated[StrictStr, Field(max_length=160, pattern=r"\{\{code\}\}")]


class SendCodeResponse(BaseModel):
    authenticationId: Annotated[str, Field(max_length=36)]


class ValidateCodeBody(BaseModel):
    authenticationId: Annotated[StrictStr, Field(max_length=36)]
    code: Annotated[StrictStr, Field(max_length=10)]
