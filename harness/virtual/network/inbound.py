"""Mobile-terminated SMS from outside the network: a person's number or a bank's name.

Stored in the SMSC for the line (TS 23.040 §3.2.5: delivered once the SIM is
reachable) with the originator in TP-OA, which must fit: a number, or an
alphanumeric name of at most 11 GSM septets (§9.1.2.5).
"""

from __future__ import annotations

from datetime import timedelta

from harness.sms.address import Address, encode_address
from harness.sms.tpdu import SmsDeliver
from harness.sms.userdata import UserData
from harness.virtual.network.core import NetworkCore
from harness.virtual.network.smsc import StoredMessage
from harness.virtual.network.subscribers import msisdn_key

__all__ = ["message_key", "originator", "store_from_outside"]


def message_key(message: StoredMessage) -> str:
    return msisdn_key(message.msisdn)


def originator(sender: str) -> Address:
    """TP-OA for `sender`; CodecError when it does not fit."""
    stripped = sender.strip()
    if stripped and stripped.lstrip("+").isdigit():
        address = Address.parse(stripped)
    else:
        address = Address.alphanumeric(stripped)
    encode_address(address)
    return address


def store_from_outside(
    core: NetworkCore,
    msisdn: str,
    text: str,
    sender: str,
    validity: timedelta | None,
    *,
    action: str,
) -> StoredMessage:
    """Queue `text` from `sender` for line `msisdn` and log `action`; not yet delivered."""
    address = originator(sender)
    user_data = UserData(text=text)
    with core.lock:
        line = core.lines.get(msisdn)
        now = core.clock.now()
        deliver = SmsDeliver(originator=address, timestamp=now, user_data=user_data)
        expires = now + validity if validity is not None else None
        message = core.smsc.store(line.key, line.msisdn, deliver, received=now, expires=expires)
        core.event(sender, action, line.msisdn, f"message {message.id}")
    return message
