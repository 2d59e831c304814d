"""The fuzz targets: name, seeds, and what one case runs (see fuzz/__init__.py)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from fuzz.card import card_seeds, run_card
from harness.at.framer import LineFramer
from harness.at.parsers import (
    parse_cds,
    parse_cdsi,
    parse_cfun,
    parse_clck,
    parse_cmgl,
    parse_cmgr,
    parse_cmt,
    parse_cmti,
    parse_cops,
    parse_cops_scan,
    parse_cpin,
    parse_cpinr,
    parse_cpms,
    parse_cpms_test,
    parse_crsm,
    parse_csim,
    parse_csq,
    parse_pin_retries,
    parse_registration,
)
from harness.at.parsers.sms import MessageHeader
from harness.attack.ledger import AttemptLedger
from harness.bench import load_bench
from harness.modem.sms import decode_message
from harness.sim.apdu import Apdu, Response
from harness.sim.ef.dir import decode_dir_record
from harness.sim.ef.identity import decode_iccid, decode_imsi, decode_msisdn
from harness.sim.ef.service import decode_ad, decode_spn, decode_sst, decode_ust
from harness.sim.ef.sms import decode_sms_record, decode_smsp
from harness.sim.fcp import VECTORS as FCP_VECTORS
from harness.sim.fcp import decode_fcp
from harness.sim.gsm_response import VECTORS as GSM_VECTORS
from harness.sim.gsm_response import decode_gsm_df_status, decode_gsm_ef_status
from harness.sim.tlv import decode_tlvs
from harness.sms.integrity import pdu_problem
from harness.sms.pdu import SmsPdu
from harness.sms.vectors import PDU_VECTORS
from harness.virtual.card.profile import DEFAULT_PROFILE
from harness.virtual.card.uicc import VirtualUicc

REPO = Path(__file__).resolve().parents[1]
ICCID = "8988211000000000018"


@dataclass(frozen=True)
class Target:
    name: str
    seeds: Callable[[], list[bytes]]
    run: Callable[[bytes], object]


def _select(funcs: tuple[Callable[[bytes], object], ...]) -> Callable[[bytes], object]:
    """First byte picks the function, the rest is its input."""

    def run(data: bytes) -> object:
        if not data:
            return None
        return funcs[data[0] % len(funcs)](data[1:])

    return run


# --- device replies -------------------------------------------------------------------

EF_DECODERS: tuple[Callable[[bytes], object], ...] = (
    decode_iccid,
    decode_imsi,
    decode_msisdn,
    decode_spn,
    decode_ad,
    decode_sst,
    decode_ust,
    decode_sms_record,
    decode_smsp,
    decode_dir_record,
    decode_tlvs,
)


def _gsm(data: bytes) -> object:
    return (
        decode_gsm_df_status(data)
        if data[6:7] in (b"\x01", b"\x02")
        else (decode_gsm_ef_status(data))
    )


def _apdu(data: bytes) -> object:
    return Apdu.from_bytes(data), Response.from_bytes(data) if len(data) >= 2 else None


def _framer(data: bytes) -> object:
    framer = LineFramer()
    step = (data[0] % 7 + 1) if data else 1
    events = [framer.feed(data[i : i + step]) for i in range(0, len(data), step)]
    return events, framer.flush()


LINE_PARSERS: tuple[Callable[[str], object], ...] = (
    parse_cds,
    parse_cdsi,
    parse_cfun,
    parse_clck,
    parse_cmgl,
    parse_cmgr,
    parse_cmt,
    parse_cmti,
    parse_cops,
    parse_cops_scan,
    parse_cpin,
    parse_cpinr,
    parse_cpms,
    parse_cpms_test,
    parse_crsm,
    parse_csim,
    parse_csq,
    parse_registration,
    lambda line: parse_pin_retries(line.split("\n")),
)


def _at_parsers(data: bytes) -> object:
    if not data:
        return None
    return LINE_PARSERS[data[0] % len(LINE_PARSERS)](data[1:].decode("latin-1"))


def _sms_pdu(data: bytes) -> object:
    with_smsc = not (data[:1] and data[0] & 0x80)
    pdu = SmsPdu.from_bytes(data[1:], with_smsc=with_smsc) if data else None
    return pdu, pdu_problem(data[1:].hex(), None)


def _sms_line(data: bytes) -> object:
    """What the driver does with a +CMT/+CMGR header and its PDU line, from the wire."""
    header, _, pdu = data.decode("latin-1").partition("\n")
    parsed = parse_cmgr(header) if header.startswith("+CMGR") else parse_cmt(header)
    if not isinstance(parsed, MessageHeader):
        return parsed
    return decode_message(parsed, pdu, "SM").intact


@cache
def _at_seeds() -> list[bytes]:
    lines: list[bytes] = []
    for path in sorted((REPO / "fixtures" / "transcripts").rglob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("<- "):
                lines.append(line[3:].encode("utf-8", "replace"))
    return lines


def _framer_seeds() -> list[bytes]:
    lines = _at_seeds()
    return [b"\r\n".join(lines[i : i + 5]) + b"\r\n" for i in range(0, len(lines), 5)]


def _parser_seeds() -> list[bytes]:
    out = []
    for line in _at_seeds():
        for index, _ in enumerate(LINE_PARSERS):
            if index < 18 and line.startswith(b"+"):
                out.append(bytes((index,)) + line)
    return out[:2000]


def _sms_line_seeds() -> list[bytes]:
    return [f"+CMT: ,{v.tpdu_length}\n{v.hex}".encode() for v in PDU_VECTORS] + [
        f"+CMGR: 0,,{v.tpdu_length}\n{v.hex}".encode() for v in PDU_VECTORS
    ]


# --- files a user hands in ------------------------------------------------------------


@cache
def _scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="simharness-fuzz-"))


def _in_file(name: str, data: bytes) -> Path:
    path = _scratch() / name
    path.write_bytes(data)
    return path


def _ledger(data: bytes) -> object:
    state = _scratch() / "ledger"
    state.mkdir(exist_ok=True)
    (state / f"{ICCID}.json").write_bytes(data)
    with AttemptLedger.open(state, ICCID) as ledger:
        ledger.check_start({"pin1": 2, "puk1": 10}, resync=True)
        ledger.begin_run(target="fuzz")
        index = ledger.begin_attempt(1, "pin1", 2)
        ledger.finish_attempt(index, verdict="wrong", code="63C1", counters={"pin1": 1})
        ledger.end_run("done")
    return None


def _ledger_seeds() -> list[bytes]:
    state = Path(tempfile.mkdtemp(prefix="simharness-fuzz-seed-"))
    with AttemptLedger.open(state, ICCID) as ledger:
        ledger.check_start({"pin1": 3, "puk1": 10})
        ledger.begin_run(target="card", virtual=False)
        index = ledger.begin_attempt(1, "pin1", 3)
        ledger.finish_attempt(index, verdict="wrong", code="63C2", counters={"pin1": 2})
        ledger.begin_attempt(2, "pin1", 2)
        ledger._run = None  # a run killed mid-attempt leaves a pending one
    return [(state / f"{ICCID}.json").read_bytes()]


def _card_state(data: bytes) -> object:
    card = VirtualUicc.from_files(DEFAULT_PROFILE, _in_file("state.json", data))
    card.power_on()
    return card.transmit(bytes.fromhex("0020000100"))


def _card_state_seeds() -> list[bytes]:
    path = Path(tempfile.mkdtemp(prefix="simharness-fuzz-seed-")) / "state.json"
    card = VirtualUicc.from_files(DEFAULT_PROFILE, path)
    card.power_on()
    card.transmit(bytes.fromhex("002000010830303030FFFFFFFF"))  # one wrong PIN, persisted
    return [path.read_bytes()] if path.exists() else [json.dumps({}).encode()]


def _profile(data: bytes) -> object:
    return VirtualUicc.from_files(_in_file("profile.toml", data))


def _profile_seeds() -> list[bytes]:
    shipped = files("harness.data").joinpath("sims").iterdir()
    return [
        item.read_bytes()
        for item in sorted(shipped, key=lambda item: item.name)
        if item.name.endswith(".toml")
    ]


def _bench(data: bytes) -> object:
    return load_bench(_in_file("lab.toml", data))


BENCH_SEED = b"""
sacrificial_iccids = ["8988211000000000018"]

[[device]]
name = "quectel0"
kind = "modem"
port = "/dev/serial/by-id/usb-Quectel_EG25-if02-port0"
vendor = "quectel"

[[device]]
name = "sim-sim"
kind = "reader"
virtual = true
profile = "default.toml"
state = "state/sim-sim.json"

[[device]]
name = "identiv"
kind = "reader"
reader = "/Identiv/"
"""


TARGETS: tuple[Target, ...] = (
    Target("fcp", lambda: [v.encoded for v in FCP_VECTORS], decode_fcp),
    Target("gsm_response", lambda: [v.encoded for v in GSM_VECTORS], _gsm),
    Target(
        "ef_contents",
        lambda: [bytes((i,)) + b"\x98\x10" * 5 for i in range(11)],
        _select(EF_DECODERS),
    ),
    Target("apdu", lambda: [bytes.fromhex("00A40004023F00"), bytes.fromhex("9000")], _apdu),
    Target("simcard", card_seeds, run_card),
    Target("at_framer", _framer_seeds, _framer),
    Target("at_parsers", _parser_seeds, _at_parsers),
    Target("sms_pdu", lambda: [b"\x00" + bytes.fromhex(v.hex) for v in PDU_VECTORS], _sms_pdu),
    Target("sms_modem_line", _sms_line_seeds, _sms_line),
    Target("ledger_file", _ledger_seeds, _ledger),
    Target("card_state_file", _card_state_seeds, _card_state),
    Target("profile_file", _profile_seeds, _profile),
    Target("bench_file", lambda: [BENCH_SEED], _bench),
)
