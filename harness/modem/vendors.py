"""Vendor profiles: what differs between modem families, as data plus small hooks.

Each profile is proven by a recorded reply (fixtures/transcripts/<vendor>/) and
sourced from docs/sources.md §1.9 (ICCID), §2.1-2.3 (retry counters, SIM hot-plug) and
docs/sources.md §R (quirks). The driver never tests a vendor name: it reads the
fields below, so a new family is one more entry in `PROFILES`.

Retry counters are read by the methods in `retry_order`, first to last; a
method that fails or leaves a counter unknown hands over to the next one
(harness.modem.retries).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import Enum

from harness.at.parsers import CpinCode, PinRetries, parse_pin_retries
from harness.errors import ConfigError


class RetryMethod(Enum):
    """Ways to read PIN/PUK counters without spending an attempt."""

    CPINR = "cpinr"  # 27.007 §8.65 AT+CPINR (docs/sources.md §1.4)
    VENDOR = "vendor"  # the profile's own command (docs/sources.md §2.1)
    CSIM = "csim"  # empty VERIFY/UNBLOCK over AT+CSIM (docs/sources.md §2.2)


RetryParser = Callable[[Sequence[str], CpinCode | None], PinRetries]


def _any_dialect(lines: Sequence[str], pending: CpinCode | None) -> PinRetries:
    return parse_pin_retries(lines, pending=pending)


@dataclass(frozen=True)
class VendorProfile:
    """One modem family. `manufacturer`/`model` are regexes searched (case-insensitive)
    in the +CGMI / +CGMM answers (see `detect_vendor`)."""

    name: str
    title: str
    manufacturer: str | None = None
    model: str | None = None
    retry_order: tuple[RetryMethod, ...] = (RetryMethod.CPINR, RetryMethod.CSIM)
    retry_command: str | None = None
    retry_prefixes: tuple[str, ...] = ()
    retry_parser: RetryParser = _any_dialect
    retry_needs_pending: bool = False  # the answer counts the password +CPIN? asks for
    iccid_command: str | None = None
    iccid_prefix: str | None = None
    reset_command: str = "AT+CFUN=1,1"
    sim_urcs: tuple[str, ...] = ("+CPIN:",)
    csim_lock: bool = False  # Telit: AT+CSIM=1 before a +CSIM session, AT+CSIM=0 after
    cpin_info_grace: float | None = None  # Wavecom answers +CPIN? without OK
    busy_codes: frozenset[int] = frozenset({14, 515})  # +CME codes worth a bounded retry
    busy_retry_s: float = 10.0
    reboot_s: float = 60.0  # how long a reset may take until AT answers again
    notes: tuple[str, ...] = field(default=())

    def matches_manufacturer(self, text: str) -> bool:
        return _search(self.manufacturer, text)

    def matches_model(self, text: str) -> bool:
        return _search(self.model, text)


def _search(pattern: str | None, text: str) -> bool:
    return pattern is not None and re.search(pattern, text.strip(), re.IGNORECASE) is not None


GENERIC = VendorProfile(
    name="generic",
    title="3GPP TS 27.007 modem",
    notes=("+CPINR, then empty VERIFY/UNBLOCK over +CSIM; ICCID by +CRSM READ BINARY 2FE2",),
)

PROFILES: dict[str, VendorProfile] = {
    profile.name: profile
    for profile in (
        VendorProfile(
            name="quectel",
            title="Quectel EG25/EC25",
            manufacturer=r"quectel",
            model=r"^E[CG]2\d|^BG9\d",
            retry_order=(RetryMethod.VENDOR, RetryMethod.CPINR, RetryMethod.CSIM),
            retry_command="AT+QPINC?",
            retry_prefixes=("+QPINC:",),
            iccid_command="AT+QCCID",
            iccid_prefix="+QCCID:",
            sim_urcs=("+CPIN:", "+QUSIM:", "+QSIMSTAT:"),
        ),
        VendorProfile(
            name="simcom",
            title="SIMCom SIM7600",
            manufacturer=r"simcom|sim\s*tech",
            model=r"^SIM\d{3,4}|SIMCOM_SIM",
            retry_order=(RetryMethod.VENDOR, RetryMethod.CPINR, RetryMethod.CSIM),
            retry_command="AT+SPIC",
            retry_prefixes=("+SPIC:",),
            iccid_command="AT+CICCID",
            iccid_prefix="+ICCID:",
            reset_command="AT+CRESET",
        ),
        VendorProfile(
            name="huawei",
            title="Huawei ME909",
            manufacturer=r"huawei",
            model=r"^ME9\d\d|^MU\d{3}",
            retry_order=(RetryMethod.VENDOR, RetryMethod.CPINR, RetryMethod.CSIM),
            retry_command="AT^CPIN?",
            retry_prefixes=("^CPIN:",),
            iccid_command="AT^ICCID?",
            iccid_prefix="^ICCID:",
            reset_command="AT^RESET",
            sim_urcs=("+CPIN:", "^SIMST:"),
        ),
        VendorProfile(
            name="sierra",
            title="Sierra Wireless EM7455",
            manufacturer=r"sierra",
            model=r"^EM7\d{3}|^MC7\d{3}",
            retry_order=(RetryMethod.VENDOR, RetryMethod.CSIM, RetryMethod.CPINR),
            retry_command="AT+CPINC?",
            retry_prefixes=("+CPINC:",),
            iccid_command="AT!ICCID?",
            iccid_prefix="!ICCID:",
            reset_command="AT!RESET",
            sim_urcs=("+CPIN:", "+SIM:"),
        ),
        VendorProfile(
            name="telit",
            title="Telit LE910",
            manufacturer=r"telit",
            model=r"^LE910|^LE866|^ME910",
            retry_order=(RetryMethod.CPINR, RetryMethod.CSIM, RetryMethod.VENDOR),
            retry_command="AT#PCT",
            retry_prefixes=("#PCT:",),
            retry_needs_pending=True,
            iccid_command="AT#CCID",
            iccid_prefix="#CCID:",
            reset_command="AT#REBOOT",
            sim_urcs=("+CPIN:", "#QSS:"),
            csim_lock=True,
        ),
        VendorProfile(
            name="ublox",
            title="u-blox TOBY/SARA",
            manufacturer=r"u-?blox",
            model=r"^TOBY|^SARA|^LARA|^LISA",
            retry_order=(RetryMethod.VENDOR, RetryMethod.CPINR, RetryMethod.CSIM),
            retry_command="AT+UPINCNT",
            retry_prefixes=("+UPINCNT:",),
            iccid_command="AT+CCID",
            iccid_prefix="+CCID:",
            reset_command="AT+CFUN=16",
            sim_urcs=("+CPIN:", "+UUSIMSTAT:"),
        ),
        VendorProfile(
            name="wavecom",
            title="Wavecom (Sierra) MULTIBAND 900E 1800",
            manufacturer=r"wavecom",
            model=r"multiband",
            retry_order=(RetryMethod.VENDOR, RetryMethod.CSIM),
            retry_command="AT+CPINC?",
            retry_prefixes=("+CPINC:",),
            iccid_command="AT+CCID",
            iccid_prefix="+CCID:",
            sim_urcs=("+CPIN:", "+WIND:"),
            cpin_info_grace=0.15,
        ),
        GENERIC,
    )
}


def profile_named(name: str) -> VendorProfile:
    """The profile called `name`; ConfigError listing the known names otherwise."""
    try:
        return PROFILES[name.lower()]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ConfigError(f"unknown modem vendor {name!r}; known: {known}") from None


def detect_vendor(manufacturer: str, model: str) -> VendorProfile:
    """The profile whose manufacturer pattern matches +CGMI, else the one whose model
    pattern matches +CGMM (rebadged modules), else GENERIC."""
    for matches in (VendorProfile.matches_manufacturer, VendorProfile.matches_model):
        for profile in PROFILES.values():
            text = manufacturer if matches is VendorProfile.matches_manufacturer else model
            if profile is not GENERIC and matches(profile, text):
                return profile
    return GENERIC
