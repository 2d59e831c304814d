"""The T=0 procedure bytes (ISO/IEC 7816-3 §10.3.4, TS 102 221 §7.3.1.1.4), followed once.

Both sides send APDUs to a card and must follow them the same way: the driver's
ApduLink, and the virtual modem's SIM access (firmware talking to its card).
61xx / 9Fxx (GSM): GET RESPONSE with Le=xx on the command's own channel;
6Cxx: the same command again with Le=xx.
"""

from __future__ import annotations

from collections.abc import Callable

from harness.sim.apdu import Apdu, Response

PROCEDURE_SW1 = frozenset({0x61, 0x6C, 0x9F})
_MAX_CHAINED_GET_RESPONSES = 16


def get_response_cla(cla: int) -> int:
    """GET RESPONSE on the command's own logical channel (TS 102 221 §10.1.1):
    A0 stays A0; channels 0-3 keep b2-b1; channels 4-19 keep 0x40 and b4-b1."""
    if cla == 0xA0:
        return 0xA0
    if cla & 0x40:
        return 0x40 | (cla & 0x0F)
    return cla & 0x03


def follow_procedure_bytes(
    apdu: Apdu, first: Response, send: Callable[[bytes], Response]
) -> Response:
    """The final response to `apdu`, given its `first` answer and a way to `send` more."""
    if first.sw1 not in PROCEDURE_SW1:
        return first  # the common case: nothing to follow
    response = first
    if response.sw1 == 0x6C:
        response = send(apdu.with_le(response.sw2 or 256).to_bytes())
    data = response.data
    for _ in range(_MAX_CHAINED_GET_RESPONSES):
        if response.sw1 not in (0x61, 0x9F):
            break
        get = Apdu(get_response_cla(apdu.cla), 0xC0, 0, 0, le=response.sw2 or 256)
        response = send(get.to_bytes())
        if response.sw1 == 0x6C:
            response = send(get.with_le(response.sw2 or 256).to_bytes())
        data += response.data
    return Response(response.sw1, response.sw2, data)


def exchange_with(transmit: Callable[[bytes], bytes], apdu: Apdu) -> Response:
    """One command over a bytes-in/bytes-out card interface, procedure bytes followed."""

    def send(raw: bytes) -> Response:
        return Response.from_bytes(transmit(raw))

    return follow_procedure_bytes(apdu, send(apdu.to_bytes()), send)
