"""TP-SCTS (23.040 §9.2.3.11) and TP-VP (23.040 §9.2.3.12); docs/sources.md §5.3, §5.5."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.errors import CodecError
from harness.sms.timestamps import decode_timestamp, encode_timestamp
from harness.sms.validity import (
    VPF_ABSOLUTE,
    VPF_ENHANCED,
    VPF_NONE,
    VPF_RELATIVE,
    AbsoluteValidity,
    EnhancedValidity,
    RelativeValidity,
    decode_validity,
    encode_validity,
    validity_format,
)


def _tz(minutes: int) -> timezone:
    return timezone(timedelta(minutes=minutes))


aware_datetimes = st.builds(
    lambda moment, quarters: moment.replace(microsecond=0, tzinfo=_tz(15 * quarters)),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59)),
    st.integers(-79, 79),
)


@pytest.mark.parametrize(
    ("hex_ts", "expected"),
    [
        ("11101021436500", datetime(2011, 1, 1, 12, 34, 56, tzinfo=_tz(0))),
        ("1110102143650A", datetime(2011, 1, 1, 12, 34, 56, tzinfo=_tz(-300))),
        ("11101021436561", datetime(2011, 1, 1, 12, 34, 56, tzinfo=_tz(240))),
        ("70402132522423", datetime(2007, 4, 12, 23, 25, 42, tzinfo=_tz(480))),
        # "12 Feb 99 05:57:30 GMT+3" example; the century is read as 20xx
        ("99202150750321", datetime(2099, 2, 12, 5, 57, 30, tzinfo=_tz(180))),
    ],
)
def test_known_time_stamps(hex_ts: str, expected: datetime) -> None:
    raw = bytes.fromhex(hex_ts)
    decoded = decode_timestamp(raw)
    assert decoded == expected
    assert decoded.utcoffset() == expected.utcoffset()
    assert encode_timestamp(expected) == raw


def test_negative_zero_zone_reads_as_utc() -> None:
    assert decode_timestamp(bytes.fromhex("11101021436508")).utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("hex_ts", "message"),
    [
        ("1A101021436500", "year octet 1A"),
        ("111010214365A0", "time zone"),
        ("11310021436500", "not a valid date"),  # month 13
        ("111010214365", "truncated"),
    ],
)
def test_bad_time_stamps(hex_ts: str, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        decode_timestamp(bytes.fromhex(hex_ts))


def test_encode_rejects_what_the_field_cannot_hold() -> None:
    with pytest.raises(CodecError, match="no time zone"):
        encode_timestamp(datetime(2020, 1, 1))
    with pytest.raises(CodecError, match=r"outside 2000\.\.2099"):
        encode_timestamp(datetime(1999, 12, 31, tzinfo=_tz(0)))
    with pytest.raises(CodecError, match="quarter hours"):
        encode_timestamp(datetime(2020, 1, 1, tzinfo=_tz(10)))
    with pytest.raises(CodecError, match="quarter hours"):
        encode_timestamp(datetime(2020, 1, 1, tzinfo=_tz(-20 * 60)))


def test_microseconds_are_dropped() -> None:
    moment = datetime(2020, 5, 6, 7, 8, 9, 999_999, tzinfo=_tz(60))
    assert decode_timestamp(encode_timestamp(moment)) == moment.replace(microsecond=0)


@given(aware_datetimes)
def test_time_stamp_round_trip(moment: datetime) -> None:
    decoded = decode_timestamp(encode_timestamp(moment))
    assert decoded == moment
    assert decoded.utcoffset() == moment.utcoffset()


@pytest.mark.parametrize(
    ("value", "duration"),
    [(0, timedelta(minutes=5)), (5, timedelta(minutes=30)), (143, timedelta(hours=12)),
     (144, timedelta(hours=12, minutes=30)), (151, timedelta(hours=16)),
     (167, timedelta(hours=24)), (168, timedelta(days=2)), (169, timedelta(days=3)),
     (196, timedelta(days=30)), (197, timedelta(weeks=5)), (255, timedelta(weeks=63))],
)  # fmt: skip
def test_relative_validity_table(value: int, duration: timedelta) -> None:
    assert RelativeValidity(value).duration == duration
    assert RelativeValidity.from_duration(duration).value == value


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(weeks=63)))
def test_from_duration_never_expires_early(duration: timedelta) -> None:
    chosen = RelativeValidity.from_duration(duration)
    assert chosen.duration >= duration
    assert chosen.value == 0 or RelativeValidity(chosen.value - 1).duration < duration


def test_relative_limits() -> None:
    with pytest.raises(CodecError, match="63 weeks"):
        RelativeValidity.from_duration(timedelta(weeks=64))
    with pytest.raises(CodecError, match=r"0\.\.255"):
        RelativeValidity(256)


def test_enhanced_formats() -> None:
    seconds = EnhancedValidity.build(timedelta(seconds=30), single_shot=True)
    assert seconds.octets == bytes.fromhex("421E0000000000")
    assert (seconds.format, seconds.single_shot, seconds.duration) == (2, True, timedelta(0, 30))
    hhmmss = EnhancedValidity.build(timedelta(hours=50, seconds=7))
    assert hhmmss.octets == bytes.fromhex("03050070000000")
    assert hhmmss.duration == timedelta(hours=50, seconds=7)
    relative = EnhancedValidity.build(timedelta(weeks=10))
    assert relative.octets == bytes.fromhex("01CA0000000000")
    assert relative.duration == timedelta(weeks=10)
    assert EnhancedValidity.build(None).duration is None
    assert EnhancedValidity(bytes.fromhex("82000000000000")).duration is None  # ext + reserved
    with pytest.raises(CodecError, match="7 octets"):
        EnhancedValidity(b"\x00")


def test_validity_field_codec() -> None:
    absolute = AbsoluteValidity(datetime(2011, 1, 1, 12, 34, 56, tzinfo=_tz(0)))
    cases = [
        (None, VPF_NONE, b""),
        (RelativeValidity(0xA9), VPF_RELATIVE, b"\xa9"),
        (absolute, VPF_ABSOLUTE, bytes.fromhex("11101021436500")),
        (EnhancedValidity.build(None), VPF_ENHANCED, bytes(7)),
    ]
    for validity, vpf, raw in cases:
        assert validity_format(validity) == vpf
        assert encode_validity(validity) == raw
        assert decode_validity(vpf, b"\x00" + raw + b"\x99", 1) == (validity, 1 + len(raw))
    for vpf in (VPF_RELATIVE, VPF_ABSOLUTE, VPF_ENHANCED):
        with pytest.raises(CodecError, match="truncated"):
            decode_validity(vpf, b"\x00\x01", 2)
