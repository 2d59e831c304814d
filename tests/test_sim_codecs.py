"""Edge cases and bad input for the SIM file codecs, plus property round-trips."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.errors import CodecError
from harness.sim.bcd import (
    decode_dialling_bcd,
    decode_swapped_bcd,
    encode_dialling_bcd,
    encode_swapped_bcd,
)
from harness.sim.ef.dir import AppRecord, decode_dir_record, encode_dir_record
from harness.sim.ef.identity import (
    MsisdnRecord,
    alpha_id_body,
    decode_alpha_id,
    decode_iccid,
    decode_imsi,
    decode_msisdn,
    encode_alpha_id,
    encode_iccid,
    encode_imsi,
    encode_msisdn,
    luhn_ok,
)
from harness.sim.ef.service import (
    AdminData,
    Spn,
    decode_ad,
    decode_spn,
    decode_sst,
    decode_ust,
    encode_ad,
    encode_spn,
    encode_sst,
    encode_ust,
)
from harness.sim.ef.sms import (
    Smsp,
    SmsRecord,
    SmsStatus,
    decode_sms_record,
    decode_smsp,
    encode_sms_record,
    encode_smsp,
)
from harness.sim.fcp import NO_SFI, Fcp, FileKind, PinStatus, decode_fcp, encode_fcp
from harness.sim.gsm_response import (
    ChvStatus,
    GsmAccess,
    GsmDfStatus,
    GsmEfStatus,
    GsmStructure,
    decode_gsm_df_status,
    decode_gsm_ef_status,
    encode_gsm_df_status,
    encode_gsm_ef_status,
)
from harness.sim.tlv import decode_tlvs, encode_tlv, find_tlv

h = bytes.fromhex


# --- BCD ---------------------------------------------------------------------------------


def test_bcd_pads_with_f_to_the_field_length() -> None:
    assert encode_swapped_bcd("123", 4) == h("21F3FFFF")
    assert encode_swapped_bcd("", 2) == h("FFFF")
    assert decode_swapped_bcd(h("21F3FFFF")) == "123"
    assert decode_swapped_bcd(h("FFFF")) == ""


@pytest.mark.parametrize(
    ("digits", "length"), [("12345", 2), ("12a4", 4), ("1٣", 2), ("1", -1), ("*1", 2)]
)
def test_bcd_encode_rejects_bad_digits_and_overflow(digits: str, length: int) -> None:
    with pytest.raises(CodecError):
        encode_swapped_bcd(digits, length)


@pytest.mark.parametrize("raw", ["1A", "B1", "1F", "F121", "FF21"])
def test_bcd_decode_rejects_a_to_e_and_digits_after_the_end_mark(raw: str) -> None:
    with pytest.raises(CodecError):
        decode_swapped_bcd(h(raw))


def test_dialling_bcd_aliases_and_expansion_digit() -> None:
    assert encode_dialling_bcd("1P2,3", 3) == encode_dialling_bcd("1p2p3", 3) == h("C1C2F3")
    assert decode_dialling_bcd(h("C1C2F3")) == "1p2p3"
    with pytest.raises(CodecError, match="expansion"):
        decode_dialling_bcd(h("E1"))
    with pytest.raises(CodecError):
        encode_dialling_bcd("12+3", 3)


@given(st.text(alphabet="0123456789*#p?", max_size=20))
def test_dialling_bcd_round_trip(number: str) -> None:
    assert decode_dialling_bcd(encode_dialling_bcd(number, 10)) == number


# --- TLV ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "8202",  # value cut off
        "82",  # length missing
        "5F",  # second tag byte missing
        "5F8101",  # three-byte tag
        "8181",  # long length cut off
        "83830000010000",  # unsupported length form 83
        "0001AA",  # 00 is no tag
        "8001AAFF8001BB",  # FF padding followed by data
    ],
)
def test_tlv_truncated_or_malformed_raises(raw: str) -> None:
    with pytest.raises(CodecError):
        decode_tlvs(h(raw))


def test_tlv_trailing_ff_padding_is_skipped_and_find_returns_first() -> None:
    items = decode_tlvs(h("8001AA8001BB8300FFFFFF"))
    assert items == [(0x80, b"\xaa"), (0x80, b"\xbb"), (0x83, b"")]
    assert find_tlv(items, 0x80) == b"\xaa"
    assert find_tlv(items, 0x84) is None
    assert decode_tlvs(h("FFFF")) == []


@pytest.mark.parametrize("tag", [0x1F, 0x5F, 0xFF, 0x0, 0x5F80, 0x8001, 0x10000])
def test_tlv_encode_rejects_bad_tags(tag: int) -> None:
    with pytest.raises(CodecError):
        encode_tlv(tag, b"")


def test_tlv_length_forms_are_minimal() -> None:
    assert encode_tlv(0x80, bytes(127))[:2] == h("807F")
    assert encode_tlv(0x80, bytes(128))[:3] == h("808180")
    assert encode_tlv(0x80, bytes(256))[:4] == h("80820100")
    with pytest.raises(CodecError):
        encode_tlv(0x80, bytes(0x10000))


# --- FCP ---------------------------------------------------------------------------------

_EF_IMSI = h("621F82024121 83026F07 A506D00120D2010F 8A0105 8B036F0603 80020009 880138")


def test_fcp_unknown_tags_are_kept_and_written_after_the_known_ones() -> None:
    raw = h("620F 86020102 82024121 83026F07 9F6500")
    fcp = decode_fcp(raw)
    assert fcp.other == ((0x86, h("0102")), (0x9F65, b""))
    assert fcp.kind is FileKind.TRANSPARENT and fcp.fid == 0x6F07
    assert fcp.life_cycle is None and fcp.sfi is None
    assert encode_fcp(fcp) == h("620F 82024121 83026F07 86020102 9F6500")


def test_fcp_tolerates_trailing_padding_after_the_template() -> None:
    assert decode_fcp(_EF_IMSI + b"\xff\xff").size == 9


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("6203 83026F", "value of 2 bytes"),  # truncated inner object
        ("6220 82024121", "only"),  # truncated template
        ("6F03 820141", "single FCP template"),  # FCI, not FCP
        ("6204 83026F07", "no file descriptor"),
        ("6208 82024121 82024121", "twice"),
        ("6204 82024221", "record EF without record data"),
        ("6207 82054121000A05", "record data on a non-record"),
        ("6204 82020921", "not a supported file type"),  # internal EF
        ("6207 82024121 88013F", "SFI"),  # b3..b1 not zero
        ("6207 82024121 880100", "SFI"),  # SFI 0
        ("6207 82024121 83016F", "FID"),
        ("6208 82024121 8B026F06", "8B"),
        ("6209 82027821 C603 830101", "PS_DO"),
        ("620B 82027821 C605 9000 830101", "PS_DO"),
    ],
)
def test_fcp_bad_templates_raise_codec_error(raw: str, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        decode_fcp(h(raw))


def test_fcp_ps_do_spans_two_bytes_after_eight_pins() -> None:
    pins = tuple(PinStatus(ref, ref in (1, 9)) for ref in range(1, 10))
    fcp = Fcp(fid=0x3F00, kind=FileKind.DF, pin_statuses=pins)
    raw = encode_fcp(fcp)
    assert h("90028080") in raw
    assert decode_fcp(raw) == fcp


def test_fcp_no_sfi_is_88_00_and_sfi_absent_is_no_tag() -> None:
    base = Fcp(fid=0x6F3C, kind=FileKind.TRANSPARENT, size=10)
    assert encode_fcp(base).endswith(h("8002000A"))
    assert encode_fcp(Fcp(fid=0x6F3C, kind=FileKind.TRANSPARENT, sfi=NO_SFI)).endswith(h("8800"))
    assert encode_fcp(Fcp(fid=0x6F07, kind=FileKind.TRANSPARENT, sfi=7)).endswith(h("880138"))


@pytest.mark.parametrize(
    "fcp",
    [
        Fcp(fid=0x6F07, kind=FileKind.TRANSPARENT, sfi=31),
        Fcp(fid=0x6F07, kind=FileKind.TRANSPARENT, record_length=10),
        Fcp(fid=0x6F3C, kind=FileKind.LINEAR_FIXED, record_length=176),
        Fcp(fid=0x6F3C, kind=FileKind.CYCLIC, record_length=4, record_count=256),
        Fcp(fid=0x10000, kind=FileKind.DF),
        Fcp(fid=None, kind=FileKind.DF, aid=bytes(17)),
        Fcp(fid=0x3F00, kind=FileKind.DF, pin_statuses=(PinStatus(0x100, True),)),
        Fcp(fid=0x6F07, kind=FileKind.TRANSPARENT, size=-1),
        Fcp(fid=0x6F07, kind=FileKind.TRANSPARENT, arr=(0x6F06, 1), arr_by_se=(0x6F06, ((1, 2),))),
        Fcp(fid=0x6F07, kind=FileKind.TRANSPARENT, arr_by_se=(0x6F06, ())),
    ],
)
def test_fcp_encode_rejects_impossible_values(fcp: Fcp) -> None:
    with pytest.raises(CodecError):
        encode_fcp(fcp)


def test_fcp_ber_tlv_and_non_shareable_descriptors() -> None:
    ber = Fcp(fid=0x6F01, kind=FileKind.BER_TLV, life_cycle=None)
    assert encode_fcp(ber) == h("6208 82027921 83026F01")
    private = Fcp(
        fid=0x6F01,
        kind=FileKind.CYCLIC,
        record_length=4,
        record_count=5,
        shareable=False,
        life_cycle=None,
    )
    assert encode_fcp(private) == h("620B 82050621000405 83026F01")
    assert decode_fcp(encode_fcp(private)) == private


_PIN = st.builds(PinStatus, st.integers(0, 0xFF), st.booleans(), st.none() | st.integers(0, 0xFF))
_OTHER_TAG = st.sampled_from([0x85, 0x86, 0x87, 0xA1, 0xC7, 0x9F65])


@st.composite
def _fcps(draw: st.DrawFn) -> Fcp:
    kind = draw(st.sampled_from(list(FileKind)))
    security = draw(st.sampled_from(["none", "arr", "se", "compact", "expanded"]))
    return Fcp(
        fid=draw(st.none() | st.integers(0, 0xFFFF)),
        kind=kind,
        size=draw(st.none() | st.integers(0, 1 << 24)),
        record_length=draw(st.integers(0, 0xFFFF)) if kind.is_record else None,
        record_count=draw(st.integers(0, 0xFF)) if kind.is_record else None,
        aid=draw(st.none() | st.binary(min_size=1, max_size=16)),
        life_cycle=draw(st.none() | st.integers(0, 0xFF)),
        sfi=draw(st.none() | st.just(NO_SFI) | st.integers(1, 30)),
        arr=draw(st.tuples(st.integers(0, 0xFFFF), st.integers(0, 0xFF)))
        if security == "arr"
        else None,
        arr_by_se=(
            draw(st.integers(0, 0xFFFF)),
            tuple(
                draw(
                    st.lists(
                        st.tuples(st.integers(0, 0xFF), st.integers(0, 0xFF)),
                        min_size=1,
                        max_size=3,
                    )
                )
            ),
        )
        if security == "se"
        else None,
        security_compact=draw(st.binary(max_size=6)) if security == "compact" else None,
        security_expanded=draw(st.binary(max_size=6)) if security == "expanded" else None,
        pin_statuses=tuple(draw(st.lists(_PIN, max_size=10))),
        total_size=draw(st.none() | st.integers(0, 1 << 24)),
        proprietary=draw(st.binary(max_size=20)),
        shareable=draw(st.booleans()),
        other=tuple(draw(st.lists(st.tuples(_OTHER_TAG, st.binary(max_size=8)), max_size=3))),
    )


@given(_fcps())
def test_fcp_round_trip(fcp: Fcp) -> None:
    assert decode_fcp(encode_fcp(fcp)) == fcp


# --- GSM GET RESPONSE --------------------------------------------------------------------

_ICCID_EF = h("0000000A2FE204000FA0AA01020000")


def test_gsm_ef_transparent_may_omit_byte_15() -> None:
    assert decode_gsm_ef_status(_ICCID_EF[:14]).record_length is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (_ICCID_EF[:13], "at least 14"),
        (_ICCID_EF[:6] + b"\x02" + _ICCID_EF[7:], "not an EF"),
        (_ICCID_EF[:13] + b"\x02\x00", "structure"),
        (_ICCID_EF[:13] + b"\x01", "record length"),
    ],
)
def test_gsm_ef_bad_responses_raise(raw: bytes, message: str) -> None:
    with pytest.raises(CodecError, match=message):
        decode_gsm_ef_status(raw)


def test_gsm_ef_status_flags() -> None:
    status = GsmEfStatus(
        fid=0x6F3B,
        size=20,
        structure=GsmStructure.CYCLIC,
        record_length=4,
        access=GsmAccess(1, 2, 1, 0xA, 0xA),
        invalidated=True,
        readable_when_invalidated=True,
        increase_allowed=True,
    )
    raw = encode_gsm_ef_status(status)
    assert raw == h("000000146F3B0440 1210AA 04 02 03 04")
    assert decode_gsm_ef_status(raw) == status


@pytest.mark.parametrize(
    "status",
    [
        GsmEfStatus(0x2FE2, 10, GsmStructure.TRANSPARENT, 5, GsmAccess(0, 0xF, 0, 0, 0)),
        GsmEfStatus(0x6F3C, 10, GsmStructure.LINEAR_FIXED, None, GsmAccess(1, 1, 0, 0, 0)),
        GsmEfStatus(0x6F3C, 10, GsmStructure.LINEAR_FIXED, 176, GsmAccess(16, 1, 0, 0, 0)),
        GsmEfStatus(0x6F3C, 0x10000, GsmStructure.TRANSPARENT, None, GsmAccess(1, 1, 0, 0, 0)),
    ],
)
def test_gsm_ef_encode_rejects_impossible_values(status: GsmEfStatus) -> None:
    with pytest.raises(CodecError):
        encode_gsm_ef_status(status)


_DF = GsmDfStatus(
    fid=0x7F20,
    is_mf=False,
    free_memory=0,
    chv1_disabled=False,
    child_dfs=0,
    child_efs=9,
    chv_count=4,
    chv1=ChvStatus(True, 3),
    unblock_chv1=ChvStatus(True, 10),
    chv2=ChvStatus(True, 3),
    unblock_chv2=ChvStatus(False, 0),
)


def _df(**changes: Any) -> GsmDfStatus:
    return replace(_DF, **changes)


def test_gsm_df_chv_bytes_and_disabled_flag() -> None:
    raw = encode_gsm_df_status(_df(chv1_disabled=True, chv1=ChvStatus(True, 1)))
    assert len(raw) == 22
    assert raw[12] == 9 and raw[13] == 0x81
    assert raw[18:22] == h("818A8300")
    decoded = decode_gsm_df_status(raw + h("008A8A"))
    assert decoded.chv1 == ChvStatus(True, 1) and decoded.chv1_disabled
    assert decoded.extra == h("008A8A")


@pytest.mark.parametrize(
    "status",
    [_df(chv1=ChvStatus(True, 16)), _df(characteristics=0x81), _df(child_efs=256)],
)
def test_gsm_df_encode_rejects_impossible_values(status: GsmDfStatus) -> None:
    with pytest.raises(CodecError):
        encode_gsm_df_status(status)


def test_gsm_df_decode_rejects_short_and_ef_responses() -> None:
    raw = encode_gsm_df_status(_df())
    with pytest.raises(CodecError, match="at least 22"):
        decode_gsm_df_status(raw[:21])
    with pytest.raises(CodecError, match="not an MF"):
        decode_gsm_df_status(_ICCID_EF + bytes(7))


# --- alpha identifiers, ICCID, IMSI, MSISDN ----------------------------------------------


def test_alpha_ucs2_81_and_82_forms_decode() -> None:
    # TS 102 221 annex A examples: half-page base pointer and 16-bit base pointer
    assert decode_alpha_id(h("8103135395A6FFFF")) == "S\u0995\u09a6"
    assert decode_alpha_id(h("820505302D82D32D31")) == "-\u0532\u0583-1"


@pytest.mark.parametrize("raw", ["81051353", "8203", "41FF42", "41C2", "80D800FFFF"])
def test_alpha_bad_bytes_raise(raw: str) -> None:
    with pytest.raises(CodecError):
        decode_alpha_id(h(raw))


def test_alpha_prefers_gsm_and_falls_back_to_ucs2() -> None:
    assert encode_alpha_id("A{", 4) == h("411B28FF")
    assert decode_alpha_id(h("411B28FF")) == "A{"
    assert encode_alpha_id("Ж", 4) == h("800416FF")
    assert decode_alpha_id(h("80004100")) == "A"  # odd trailing byte ignored
    with pytest.raises(CodecError, match="needs 5 bytes"):
        encode_alpha_id("ЖЖ", 4)
    with pytest.raises(CodecError, match="UCS2"):
        alpha_id_body("\U0001f600")


def test_iccid_19_and_20_digits() -> None:
    assert encode_iccid("8988211000000430010") == h("988812010000400310F0")
    assert encode_iccid("89882110000004300101") == h("98881201000040031010")
    assert decode_iccid(h("98881201000040031010")) == "89882110000004300101"
    assert luhn_ok("89014103211118510720")
    assert not luhn_ok("89014103211118510721")
    assert not luhn_ok("8901410321111851072x")


@pytest.mark.parametrize(
    "iccid", ["898821100000043001", "988821100000043001012", "9988211000000430010"]
)
def test_iccid_encode_rejects_wrong_length_or_prefix(iccid: str) -> None:
    with pytest.raises(CodecError):
        encode_iccid(iccid)


@pytest.mark.parametrize(
    "raw", ["988812010000400310", "9888120100004003FFFF", "98881201000040031A10"]
)
def test_iccid_decode_rejects_bad_content(raw: str) -> None:
    with pytest.raises(CodecError):
        decode_iccid(h(raw))


def test_imsi_unpersonalised_and_malformed() -> None:
    with pytest.raises(CodecError, match="IMSI not personalised"):
        decode_imsi(b"\xff" * 9)
    for raw in [
        "092982608200002080FF",  # length byte beyond 8
        "082182608200002080",  # even parity flag with 15 digits
        "08298260820000208F",  # odd parity flag but F-padded
        "082A82608200002080",  # identity type 2 (IMEI-like)
        "08",  # too short
        "0829826082",  # length byte longer than the data
    ]:
        with pytest.raises(CodecError):
            decode_imsi(h(raw))


@pytest.mark.parametrize("imsi", ["12345", "1234567890123456", "22806280000020x"])
def test_imsi_encode_rejects_bad_length_or_digits(imsi: str) -> None:
    with pytest.raises(CodecError):
        encode_imsi(imsi)


def test_msisdn_free_record_and_alpha_only_record() -> None:
    assert decode_msisdn(b"\xff" * 28) is None
    rec = MsisdnRecord("Office", "")
    raw = encode_msisdn(rec, 20)
    assert raw == h("4F6666696365") + b"\xff" * 14
    assert decode_msisdn(raw) == rec


def test_msisdn_ssc_digits_and_ucs2_alpha() -> None:
    rec = MsisdnRecord("Связь", "*100#", ton_npi=0x81)
    raw = encode_msisdn(rec, 26)
    assert raw[:12] == h("80 0421 0432 044F 0437 044C FF")
    assert raw[12:] == h("04 81 1A00FB FFFFFFFFFFFFFF FF FF")
    assert decode_msisdn(raw) == rec


@pytest.mark.parametrize(
    ("rec", "length"),
    [
        (MsisdnRecord("", "123"), 13),
        (MsisdnRecord("Too long", "123"), 20),
        (MsisdnRecord("", "+123", ton_npi=0x81), 14),
        (MsisdnRecord("", "123", ton_npi=0x91), 14),
        (MsisdnRecord("", "1" * 21), 14),
        (MsisdnRecord("", "+"), 14),
        (MsisdnRecord("", "12-3"), 14),
    ],
)
def test_msisdn_encode_rejects_bad_records(rec: MsisdnRecord, length: int) -> None:
    with pytest.raises(CodecError):
        encode_msisdn(rec, length)


@pytest.mark.parametrize(
    "raw", ["0C81" + "11" * 10 + "FFFF", "0281" + "FF" * 10 + "FFFF", "FF" * 13]
)
def test_msisdn_decode_rejects_bad_records(raw: str) -> None:
    with pytest.raises(CodecError):
        decode_msisdn(h(raw))


_DIGITS = "0123456789"


@given(st.text(alphabet=_DIGITS, min_size=17, max_size=18))
def test_iccid_round_trip(tail: str) -> None:
    iccid = "89" + tail
    assert decode_iccid(encode_iccid(iccid)) == iccid


@given(st.text(alphabet=_DIGITS, min_size=6, max_size=15))
def test_imsi_round_trip(imsi: str) -> None:
    raw = encode_imsi(imsi)
    assert len(raw) == 9
    assert decode_imsi(raw) == imsi


@given(
    alpha=st.text(st.characters(max_codepoint=0xFFFE, exclude_categories=("Cs",)), max_size=12),
    international=st.booleans(),
    digits=st.text(alphabet="0123456789*#p?", min_size=1, max_size=20),
    spare=st.integers(0, 6),
    ccp=st.integers(0, 0xFF),
    ext=st.integers(0, 0xFF),
)
def test_msisdn_round_trip(
    *, alpha: str, international: bool, digits: str, spare: int, ccp: int, ext: int
) -> None:
    number = ("+" if international else "") + digits
    rec = MsisdnRecord(alpha, number, 0x91 if international else 0x81, ccp, ext)
    length = 14 + len(alpha_id_body(alpha)) + spare
    assert decode_msisdn(encode_msisdn(rec, length)) == rec


# --- EF.SPN, EF.AD, service tables -------------------------------------------------------


def test_spn_and_ad_reject_bad_sizes() -> None:
    with pytest.raises(CodecError):
        decode_spn(bytes(16))
    with pytest.raises(CodecError, match="field has 16"):
        encode_spn(Spn("A very long operator"))
    with pytest.raises(CodecError):
        decode_ad(h("000000"))
    with pytest.raises(CodecError):
        encode_ad(AdminData(mnc_length=4))
    assert decode_ad(h("0000000300FF")) == AdminData(0, b"\x00\x00", 3)


def test_service_tables() -> None:
    # SST: allocated but not activated (01) does not count as available
    assert decode_sst(h("0D00")) == {2}
    assert decode_ust(h("8001")) == {8, 9}
    assert encode_ust({8, 9}, 2) == h("8001")
    for bad in ({0}, {9}):
        with pytest.raises(CodecError):
            encode_sst(bad, 2)
    with pytest.raises(CodecError):
        encode_ust({17}, 2)


# --- EF.SMS, EF.SMSP ---------------------------------------------------------------------


def test_sms_record_lengths_and_sc_address() -> None:
    with pytest.raises(CodecError):
        decode_sms_record(bytes(175))
    with pytest.raises(CodecError):
        encode_sms_record(SmsRecord(SmsStatus.MT_READ, bytes(176)))
    rec = decode_sms_record(encode_sms_record(SmsRecord(SmsStatus.MO_SENT, h("0491214300"))))
    assert len(rec.body) == 175
    assert rec.sc_address_raw == h("0491214300")
    assert rec.tpdu_padded == b"\xff" * 170
    free = decode_sms_record(b"\x00" + b"\xff" * 175)
    assert free.is_free
    with pytest.raises(CodecError, match="SC address length"):
        _ = free.sc_address_raw


def test_smsp_bad_records() -> None:
    with pytest.raises(CodecError):
        decode_smsp(bytes(27))
    with pytest.raises(CodecError):
        encode_smsp(Smsp(), 27)
    sc_too_long = h("FD" + "FF" * 12 + "0C91" + "11" * 10 + "FFFFFF")
    with pytest.raises(CodecError, match="SC address length"):
        decode_smsp(sc_too_long)
    alphanumeric_da = h("FE" + "06D061F118FFFFFFFFFFFFFF" + "FF" * 12 + "FFFFFF")
    with pytest.raises(CodecError, match="alphanumeric"):
        decode_smsp(alphanumeric_da)
    with pytest.raises(CodecError):
        encode_smsp(Smsp(pid=256), 28)


def test_smsp_absent_fields_are_ff_and_ignored() -> None:
    raw = encode_smsp(Smsp(validity=0xA7), 28)
    assert raw == h("EF") + b"\xff" * 26 + h("A7")
    garbage_in_absent_fields = h("EF") + bytes(26) + h("A7")
    assert decode_smsp(garbage_in_absent_fields) == Smsp(validity=0xA7)


# --- EF.DIR ------------------------------------------------------------------------------


def test_dir_empty_record_and_bad_records() -> None:
    assert decode_dir_record(b"\xff" * 32) is None
    with pytest.raises(CodecError, match="no AID"):
        decode_dir_record(h("6104 50024142") + b"\xff" * 10)
    with pytest.raises(CodecError, match=r"5\.\.16"):
        decode_dir_record(h("6106 4F04A0000000") + b"\xff" * 10)
    with pytest.raises(CodecError, match="one template"):
        decode_dir_record(h("4F05A000000087") + b"\xff" * 10)
    with pytest.raises(CodecError, match="record length"):
        encode_dir_record(AppRecord(bytes(16), "USIM"), 20)


def test_dir_record_without_label() -> None:
    rec = AppRecord(h("A0000000871002"), "")
    raw = encode_dir_record(rec, 16)
    assert raw == h("61094F07A0000000871002") + b"\xff" * 5
    assert decode_dir_record(raw) == rec
