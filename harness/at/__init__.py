"""The AT engine: framing, final result codes, URCs, the command channel, parsers.

    with AtChannel(stream, name="/dev/serial/by-id/usb-Quectel...-if02") as at:
        state = parse_cpin(at.command("AT+CPIN?").lines[0])

Modules: framer (bytes -> lines/prompts), response (final codes, AtResponse),
urc (URC rule, handlers, queue), commands (per-command prefixes and deadlines),
codes (+CME/+CMS tables), intake (framing and routing of what was read),
reader (who reads the input, and when), channel (AtChannel), parsers
(information lines).
"""

from harness.at.channel import AtChannel
from harness.at.response import AtResponse, Final, FinalKind, parse_final
from harness.at.urc import Urc

__all__ = ["AtChannel", "AtResponse", "Final", "FinalKind", "Urc", "parse_final"]
