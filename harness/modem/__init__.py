"""The modem driver: one API for real and virtual modems (TS 27.007 / 27.005 + vendor profiles).

    from harness.modem import Modem, SimState
    with Modem("socket://localhost:7000", safety=policy) as modem:
        modem.sim_state(); modem.pin_retries(); modem.unlock(pin)

Modules: session (line, init, commands, SIM state), vendors (profiles), retries
(counter reading), pins, network, sms, power, identity, csim_link (SimCard over
AT+CSIM), replay (recorded conversations as a ByteStream), driver (`Modem`).
"""

from harness.at.parsers import MessageStatus, PinRetries
from harness.modem.csim_link import CsimLink
from harness.modem.driver import Modem
from harness.modem.identity import ModemIdentity
from harness.modem.network import RegistrationState
from harness.modem.replay import ReplayMismatch, ReplayScript, ReplayStream
from harness.modem.sms import LongMessage, SmsMessage
from harness.modem.states import SimState
from harness.modem.vendors import PROFILES, RetryMethod, VendorProfile, detect_vendor

__all__ = [
    "PROFILES",
    "CsimLink",
    "LongMessage",
    "MessageStatus",
    "Modem",
    "ModemIdentity",
    "PinRetries",
    "RegistrationState",
    "ReplayMismatch",
    "ReplayScript",
    "ReplayStream",
    "RetryMethod",
    "SimState",
    "SmsMessage",
    "VendorProfile",
    "detect_vendor",
]
