"""Virtual modem units without a port: command-line parsing, fault knobs, SMS extents."""

from __future__ import annotations

import pytest

from harness.errors import ConfigError
from harness.sms.extent import tpdu_extent
from harness.sms.vectors import PDU_VECTORS, PduVector
from harness.virtual.modem import FaultConfig
from harness.virtual.modem.at_syntax import Arg, AtSyntaxError, Kind, parse_line
from harness.virtual.modem.faults import OutputShaper
from harness.virtual.modem.sms.format import at_stat, split_body


def test_a_line_without_at_is_ignored_and_prefix_is_case_insensitive() -> None:
    assert parse_line("hello") is None
    assert parse_line("at") == []
    assert [c.name for c in parse_line("xx aT+cpin?") or []] == ["+CPIN"]


def test_basic_and_extended_commands_share_a_line() -> None:
    commands = parse_line('ATE0V1&FS7=30;+CMEE=1;+CPIN="1234";^CPIN?;#PCT;!ICCID?;+CPINR=?')
    assert commands is not None
    assert [(c.name, c.kind) for c in commands] == [
        ("E", Kind.ACTION),
        ("V", Kind.ACTION),
        ("&F", Kind.ACTION),
        ("S7", Kind.SET),
        ("+CMEE", Kind.SET),
        ("+CPIN", Kind.SET),
        ("^CPIN", Kind.READ),
        ("#PCT", Kind.ACTION),
        ("!ICCID", Kind.READ),
        ("+CPINR", Kind.TEST),
    ]
    assert commands[0].args == (Arg("0"),)
    assert commands[5].args == (Arg("1234", quoted=True),)


def test_arguments_keep_commas_inside_quotes_and_empty_fields() -> None:
    (command,) = parse_line('AT+CMGS="+1555,1",145,,"x;y"') or []
    assert command.args == (Arg("+1555,1", True), Arg("145"), Arg(""), Arg("x;y", True))
    assert command.arg(2) is None


def test_dial_takes_the_rest_of_the_line_and_bad_lines_raise() -> None:
    (dial,) = parse_line("ATD112;") or []
    assert (dial.name, dial.args[0].text) == ("D", "112;")
    with pytest.raises(AtSyntaxError):
        parse_line('AT+CPIN="1234')
    with pytest.raises(AtSyntaxError):
        parse_line("AT=")


def test_fault_config_parses_knobs_and_names_a_bad_one() -> None:
    config = FaultConfig.parse(["split_writes=1", "latency_ms=20", "drop_bytes=0.5", "seed=7"])
    assert (config.split_writes, config.latency_ms, config.drop_bytes, config.seed) == (
        True,
        20,
        0.5,
        7,
    )
    with pytest.raises(ConfigError, match=r"unknown fault knob 'jitter'.*split_writes"):
        FaultConfig.parse(["jitter=3"])
    with pytest.raises(ConfigError, match="latency_ms"):
        FaultConfig.parse(["latency_ms=soon"])
    with pytest.raises(ConfigError, match="probability"):
        FaultConfig.parse(["garbage=2"])
    with pytest.raises(ConfigError, match="KNOB=VALUE"):
        FaultConfig.parse(["split_writes"])


def test_shaper_is_deterministic_per_seed() -> None:
    faults = FaultConfig(drop_bytes=0.3, garbage=0.5, seed=11)
    data = b"\r\n+CPIN: READY\r\n\r\nOK\r\n" * 4
    first = [OutputShaper(faults).shape(data, 0.0) for _ in range(2)]
    assert first[0] == first[1]
    assert first[0] != OutputShaper(FaultConfig(drop_bytes=0.3, garbage=0.5, seed=12)).shape(
        data, 0.0
    )


def test_split_and_latency_schedule_chunks_in_order() -> None:
    chunks = OutputShaper(FaultConfig(split_writes=True, latency_ms=2)).shape(b"OK", 10.0)
    assert [c for _, c in chunks] == [b"O", b"K"]
    assert chunks[0][0] == pytest.approx(10.002) and chunks[1][0] == pytest.approx(10.004)


@pytest.mark.parametrize("vector", PDU_VECTORS, ids=lambda v: v.name)
def test_tpdu_extent_finds_the_end_of_every_vector_in_a_padded_record(vector: PduVector) -> None:
    raw = bytes.fromhex(vector.hex)
    smsc, tpdu = split_body(raw + b"\xff" * 40)
    assert smsc + tpdu == raw
    assert len(tpdu) == vector.tpdu_length
    assert tpdu_extent(tpdu + b"\xff") == len(tpdu)


def test_record_status_bytes_map_to_stat() -> None:
    assert [at_stat(b) for b in (0x03, 0x01, 0x07, 0x05, 0x0D, 0x1D)] == [0, 1, 2, 3, 3, 3]
