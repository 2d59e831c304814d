"""The virtual modem: the device side of AT (TS 27.007 / 27.005) over a pty or TCP.

It imports codecs and other simulators only, never the drivers (DESIGN.md).
"""

from harness.virtual.modem.device import VirtualModem
from harness.virtual.modem.faults import FaultConfig
from harness.virtual.modem.network import DefaultNetwork, Network, RegStatus
from harness.virtual.modem.personalities import PERSONALITIES, Personality

__all__ = [
    "PERSONALITIES",
    "DefaultNetwork",
    "FaultConfig",
    "Network",
    "Personality",
    "RegStatus",
    "VirtualModem",
]
