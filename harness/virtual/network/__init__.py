"""The virtual network: subscribers, registration, SMSC store-and-forward, operator actions.

Modules: virtual_network (`VirtualNetwork`, the facade a modem registers with),
subscribers (lines and their state), core (attachments and delivery),
smsc (store-and-forward, expiry), dispatch (the delivery worker), otp (the bank's
code service), events (the operator-visible log), clock.
"""

from harness.virtual.network.clock import Clock, ManualClock, SystemClock
from harness.virtual.network.core import Terminal
from harness.virtual.network.events import NetworkEvent
from harness.virtual.network.otp import OtpRecord
from harness.virtual.network.smsc import (
    Delivery,
    Expiry,
    ExternalMessage,
    MessageState,
    StoredMessage,
)
from harness.virtual.network.subscribers import LineState, NetworkError, Subscriber
from harness.virtual.network.virtual_network import VirtualNetwork

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
