"""Parsers for information lines, one module per command family.

Each parser takes one line (or the lines of one answer) and returns a typed
value, or raises harness.errors.CodecError quoting the line it could not read.
"""

from harness.at.parsers.network import (
    CurrentOperator,
    NetworkEntry,
    SignalQuality,
    parse_cfun,
    parse_cops,
    parse_cops_scan,
    parse_csq,
)
from harness.at.parsers.pin import (
    CpinCode,
    CpinrEntry,
    LockStatus,
    parse_clck,
    parse_cpin,
    parse_cpinr,
)
from harness.at.parsers.registration import Registration, RegStatus, parse_registration
from harness.at.parsers.retries import (
    PinRetries,
    parse_pin_retries,
    retries_from_spic,
    retries_from_status_word,
)
from harness.at.parsers.sim_access import SimResponse, parse_crsm, parse_csim
from harness.at.parsers.sms import (
    MemoryUsage,
    MessageHeader,
    MessageStatus,
    StoredIndication,
    TextStatusReport,
    parse_cds,
    parse_cdsi,
    parse_cmgl,
    parse_cmgr,
    parse_cmt,
    parse_cmti,
    parse_cpms,
    parse_cpms_test,
)

__all__ = [
    "CpinCode",
    "CpinrEntry",
    "CurrentOperator",
    "LockStatus",
    "MemoryUsage",
    "MessageHeader",
    "MessageStatus",
    "NetworkEntry",
    "PinRetries",
    "RegStatus",
    "Registration",
    "SignalQuality",
    "SimResponse",
    "StoredIndication",
    "TextStatusReport",
    "parse_cds",
    "parse_cdsi",
    "parse_cfun",
    "parse_clck",
    "parse_cmgl",
    "parse_cmgr",
    "parse_cmt",
    "parse_cmti",
    "parse_cops",
    "parse_cops_scan",
    "parse_cpin",
    "parse_cpinr",
    "parse_cpms",
    "parse_cpms_test",
    "parse_crsm",
    "parse_csim",
    "parse_csq",
    "parse_pin_retries",
    "parse_registration",
    "retries_from_spic",
    "retries_from_status_word",
]
