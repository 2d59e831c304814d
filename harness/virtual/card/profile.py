"""SIM profiles: the TOML files that personalise a virtual card (shipped: harness/data/sims/).

A profile names the card's identity (ICCID, IMSI, MSISDN, SPN), its secrets and
counters, whether PIN1 is enabled, and any stored SMS. One behaviour is a choice:
`[pins] change_wrong_pin_drops_verification` (default false: a wrong old PIN in
CHANGE PIN keeps the verification, TS 102 221 §11.1.10; true: it ends it, as a
Java Card OwnerPIN does). Every field is checked
here so that a bad profile fails at load time with the field and the file named.
Secrets in a profile belong to a *virtual* test card; they are still never logged.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.data import sim_profile
from harness.errors import CodecError, ProfileError
from harness.sim.ef.identity import alpha_id_body
from harness.sim.ef.service import SPN_LENGTH

DEFAULT_PROFILE = sim_profile("default")

# fullmatch: "$" would also accept a trailing newline, which then became part of a PIN.
_DIGITS = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class StoredSms:
    status: int  # EF.SMS status byte (51.011 §10.5.3)
    pdu: bytes  # SC address (RP format) + TPDU, as in the record body


@dataclass(frozen=True)
class CardProfile:
    name: str
    iccid: str
    imsi: str
    msisdn: str
    spn: str
    mnc_length: int = 2
    pin1: str = field(default="1234", repr=False)
    pin2: str = field(default="5678", repr=False)
    puk1: str = field(default="12345678", repr=False)
    puk2: str = field(default="87654321", repr=False)
    adm1: bytes = field(default=b"88888888", repr=False)
    pin1_enabled: bool = True
    # [pins] change_wrong_pin_drops_verification: a wrong old PIN in CHANGE PIN ends the
    # verification obtained before (Java Card OwnerPIN); false keeps it (TS 102 221 §11.1.10)
    change_wrong_pin_drops_verification: bool = False
    retries: dict[str, int] = field(default_factory=dict)  # current counters, by secret name
    max_retries: dict[str, int] = field(default_factory=dict)
    sms_records: int = 10
    stored_sms: tuple[StoredSms, ...] = ()
    smsc: str = "+15550000000"


DEFAULT_MAX_RETRIES = {"pin1": 3, "pin2": 3, "puk1": 10, "puk2": 10, "adm1": 10}
_SMS_STATUS = {"free": 0x00, "read": 0x01, "unread": 0x03, "sent": 0x05, "unsent": 0x07}


def load_profile(path: Path | str) -> CardProfile:
    """Read and validate a profile; `ProfileError` names the file and the field."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProfileError(
            f"SIM profile {path} does not exist; give the path of a profile TOML "
            f"(copy one of the shipped profiles in {DEFAULT_PROFILE.parent} to start)"
        ) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(f"SIM profile {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ProfileError(f"SIM profile {path} cannot be read ({exc.strerror})") from None
    return profile_from_dict(raw, source=str(path))


def profile_from_dict(raw: dict[str, Any], *, source: str = "<profile>") -> CardProfile:
    reader = _FieldReader(raw, source)
    card = reader.table("card")
    pins = reader.table("pins")
    counters = reader.optional_table("retries")
    sms = reader.optional_table("sms")
    max_retries = dict(DEFAULT_MAX_RETRIES)
    max_retries.update(
        {
            k: reader.int_in(counters, f"max_{k}", 1, 15)
            for k in max_retries
            if f"max_{k}" in counters
        }
    )
    retries = {
        k: reader.int_in(counters, k, 0, max_retries[k]) for k in max_retries if k in counters
    }
    stored = tuple(reader.stored_sms(item, i) for i, item in enumerate(sms.get("stored", [])))
    sms_records = reader.int_in(sms, "records", 1, 254) if "records" in sms else 10
    if len(stored) > sms_records:
        raise ProfileError(
            f"{source}: [sms] has {len(stored)} stored messages but records = "
            f"{sms_records}; raise records or remove messages"
        )
    return CardProfile(
        name=reader.text(card, "name", required=False) or Path(source).stem,
        iccid=reader.iccid(card, "iccid"),
        imsi=reader.digits(card, "imsi", 6, 15),
        msisdn=reader.phone(card, "msisdn"),
        spn=reader.spn(card, "spn"),
        mnc_length=reader.int_in(card, "mnc_length", 2, 3) if "mnc_length" in card else 2,
        smsc=reader.phone(card, "smsc") if "smsc" in card else "+15550000000",
        pin1=reader.digits(pins, "pin1", 4, 8),
        pin2=reader.digits(pins, "pin2", 4, 8),
        puk1=reader.digits(pins, "puk1", 8, 8),
        puk2=reader.digits(pins, "puk2", 8, 8),
        adm1=reader.adm(pins, "adm1"),
        pin1_enabled=reader.boolean(pins, "pin1_enabled"),
        change_wrong_pin_drops_verification=(
            reader.boolean(pins, "change_wrong_pin_drops_verification")
            if "change_wrong_pin_drops_verification" in pins
            else False
        ),
        retries=retries,
        max_retries=max_retries,
        sms_records=sms_records,
        stored_sms=stored,
    )


class _FieldReader:
    """Typed access to a TOML document that reports the file and field on error."""

    def __init__(self, raw: dict[str, Any], source: str) -> None:
        self.raw = raw
        self.source = source

    def fail(self, where: str, problem: str) -> ProfileError:
        return ProfileError(f"{self.source}: {where} {problem}")

    def table(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name)
        if not isinstance(value, dict):
            raise self.fail(f"[{name}]", "table is missing")
        return value

    def optional_table(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(f"[{name}]", "must be a table")
        return value

    def _get(self, table: dict[str, Any], key: str) -> Any:
        if key not in table:
            raise self.fail(f"field '{key}'", "is missing")
        return table[key]

    def digits(self, table: dict[str, Any], key: str, lo: int, hi: int) -> str:
        value = self._get(table, key)
        if not isinstance(value, str) or not _DIGITS.fullmatch(value) or not lo <= len(value) <= hi:
            # The value itself is not quoted: it may be a secret.
            raise self.fail(f"field '{key}'", f"must be a string of {lo}-{hi} digits")
        return value

    def iccid(self, table: dict[str, Any], key: str) -> str:
        """19-20 digits starting with 89, the telecom industry identifier (ITU-T E.118),
        as encode_iccid requires; checked here so the error names the field."""
        value = self.digits(table, key, 19, 20)
        if not value.startswith("89"):
            raise self.fail(f"field '{key}'", "must start with 89 (ITU-T E.118)")
        return value

    def spn(self, table: dict[str, Any], key: str) -> str:
        """At most 16 bytes once coded (TS 31.102 §4.2.12): a GSM extension character
        takes two, and a UCS2 name 1 + 2 per character."""
        value = self.text(table, key, required=False, max_len=16) or ""
        try:
            fits = len(alpha_id_body(value)) <= SPN_LENGTH - 1
        except CodecError:  # a character outside UCS2 (e.g. an emoji)
            fits = False
        if not fits:
            raise self.fail(f"field '{key}'", "does not fit the 16 bytes of EF.SPN once coded")
        return value

    def phone(self, table: dict[str, Any], key: str) -> str:
        value = self._get(table, key)
        if not isinstance(value, str) or not re.fullmatch(r"\+?[0-9]{1,20}", value):
            raise self.fail(f"field '{key}'", "must be digits with an optional leading '+'")
        return value

    def text(
        self, table: dict[str, Any], key: str, *, required: bool = True, max_len: int = 64
    ) -> str | None:
        if key not in table and not required:
            return None
        value = self._get(table, key)
        if not isinstance(value, str) or len(value) > max_len:
            raise self.fail(f"field '{key}'", f"must be text of at most {max_len} characters")
        return value

    def int_in(self, table: dict[str, Any], key: str, lo: int, hi: int) -> int:
        value = self._get(table, key)
        if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
            raise self.fail(f"field '{key}'", f"must be an integer from {lo} to {hi}")
        return value

    def boolean(self, table: dict[str, Any], key: str) -> bool:
        value = self._get(table, key)
        if not isinstance(value, bool):
            raise self.fail(f"field '{key}'", "must be true or false")
        return value

    def adm(self, table: dict[str, Any], key: str) -> bytes:
        """ADM1: 8 digits (sent as ASCII) or 16 hex digits (a raw 8-byte key)."""
        value = self._get(table, key)
        if isinstance(value, str) and re.fullmatch(r"[0-9]{8}", value):
            return value.encode("ascii")
        if isinstance(value, str) and re.fullmatch(r"[0-9A-Fa-f]{16}", value):
            return bytes.fromhex(value)
        raise self.fail(f"field '{key}'", "must be 8 digits or 16 hex digits")

    def stored_sms(self, item: Any, index: int) -> StoredSms:
        where = f"[[sms.stored]] #{index + 1}"
        if not isinstance(item, dict):
            raise self.fail(where, "must be a table with 'status' and 'pdu'")
        status = item.get("status")
        if status not in _SMS_STATUS:
            raise self.fail(where, f"status must be one of {sorted(_SMS_STATUS)}")
        pdu = item.get("pdu")
        try:
            body = bytes.fromhex(pdu) if isinstance(pdu, str) else None
        except ValueError:
            body = None
        if not body or len(body) > 175:
            raise self.fail(where, "pdu must be hex (SC address + TPDU) of at most 175 bytes")
        return StoredSms(_SMS_STATUS[status], body)
