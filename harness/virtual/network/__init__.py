"""The virtual network: subscribers, registration, SMSC store-and-forward, operator actions.

Modules: virtual_network (`VirtualNetwork`, the facade a modem registers with),
subscribers (lines and their state), core (attachments and delivery),
smsc (store-and-forward, expiry), dispatch (the delivery worker), otp (the bank's
code service), events (the operator-visible log), clock.
"""

from harness.virtual.network.virtual_network import (
    Clock,
    Delivery,
    Expiry,
    ExternalMessage,
    LineState,
    ManualClock,
    MessageState,
    NetworkError,
    NetworkEvent,
    OtpRecord,
    StoredMessage,
    Subscriber,
    SystemClock,
    Terminal,
    VirtualNetwork,
)

__all__ = [
    "Clock",
    "Delivery",
    "Expiry",
    "ExternalMessage",
    "LineState",
    "ManualClock",
    "MessageState",
    "NetworkError",
    "NetworkEvent",
    "OtpRecord",
    "StoredMessage",
    "Subscriber",
    "SystemClock",
    "Terminal",
    "VirtualNetwork",
]
