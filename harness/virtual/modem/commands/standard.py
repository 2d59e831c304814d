"""The standard command set of the virtual modem: 27.007 general and SIM commands, 27.005 SMS.

Assembled here and handed to each `Firmware` by the device, so that the command
modules (general, packet, pin, sim, sms) depend on the firmware and the
firmware depends on none of them. A personality adds its vendor commands on top.
"""

from __future__ import annotations

from harness.virtual.modem.commands.general import COMMANDS as GENERAL_COMMANDS
from harness.virtual.modem.commands.packet import COMMANDS as PACKET_COMMANDS
from harness.virtual.modem.commands.sim import COMMANDS as SIM_COMMANDS
from harness.virtual.modem.commands.sms import COMMANDS as SMS_COMMANDS
from harness.virtual.modem.firmware import CommandTable

__all__ = ["STANDARD_COMMANDS"]

STANDARD_COMMANDS = CommandTable(
    handlers={**GENERAL_COMMANDS, **PACKET_COMMANDS, **SIM_COMMANDS, **SMS_COMMANDS},
    sms=frozenset(SMS_COMMANDS),
)
