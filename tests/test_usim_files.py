"""ADF.USIM carries the files TS 31.102 §4.2 marks mandatory, each with the clause's FID,
SFI, structure, size and access conditions and contents its codec reads back, and EF.UST
announces exactly the services whose files are there."""

from __future__ import annotations

import pytest

from harness.errors import StatusWordError
from harness.safety import SafetyPolicy
from harness.sim.card import SimCard
from harness.sim.ef.location import (
    NO_KEY,
    NOT_UPDATED,
    EccRecord,
    decode_ecc_record,
    decode_fplmn,
    decode_keys,
    decode_li,
    decode_loci,
    decode_psloci,
    decode_smss,
    decode_start,
)
from harness.sim.ef.service import decode_ust
from harness.sim.fcp import decode_fcp
from harness.sim.pin_service import PinRef
from harness.sim.virtual_link import VirtualLink
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc

PROFILE = load_profile(DEFAULT_PROFILE)

# (name, FID, SFI or None, size, PIN needed to read) per TS 31.102 (Rel-17) clause
MANDATORY = [
    ("EF.LI §4.2.1", 0x6F05, 0x02, 2, False),
    ("EF.IMSI §4.2.2", 0x6F07, 0x07, 9, True),
    ("EF.Keys §4.2.3", 0x6F08, 0x08, 33, True),
    ("EF.KeysPS §4.2.4", 0x6F09, 0x09, 33, True),
    ("EF.HPPLMN §4.2.6", 0x6F31, 0x12, 1, True),
    ("EF.UST §4.2.8", 0x6F38, 0x04, 3, True),
    ("EF.ACC §4.2.15", 0x6F78, 0x06, 2, True),
    ("EF.FPLMN §4.2.16", 0x6F7B, 0x0D, 12, True),
    ("EF.LOCI §4.2.17", 0x6F7E, 0x0B, 11, True),
    ("EF.AD §4.2.18", 0x6FAD, 0x03, 4, False),
    ("EF.PSLOCI §4.2.23", 0x6F73, 0x0C, 14, True),
    ("EF.START-HFN §4.2.51", 0x6F5B, 0x0F, 6, True),
    ("EF.THRESHOLD §4.2.52", 0x6F5C, 0x10, 3, True),
    ("EF.NETPAR §4.2.57", 0x6FC4, None, 46, True),
]
# EF.UST service -> the files it makes present (§4.2.8 and each file's clause)
SERVICE_FILES = {10: (0x6F3C, 0x6F43), 12: (0x6F42,), 19: (0x6F46,), 21: (0x6F40,)}


@pytest.fixture
def sim() -> SimCard:
    card = SimCard(VirtualLink(VirtualUicc(PROFILE)), safety=SafetyPolicy.unrestricted("test"))
    card.select_usim()
    return card


def read(sim: SimCard, fid: int) -> bytes:
    sim.select_usim()
    info = sim.select(fid)
    return sim.read_binary(info.size or 0)


@pytest.mark.parametrize(
    ("name", "fid", "sfi", "size", "pin"), MANDATORY, ids=[m[0] for m in MANDATORY]
)
def test_each_mandatory_file_as_the_clause_gives_it(
    sim: SimCard, name: str, fid: int, sfi: int | None, size: int, pin: bool
) -> None:
    info = sim.select(fid)
    fcp = decode_fcp(info.raw)
    assert info.structure == "transparent" and info.size == size, name
    assert fcp.sfi == sfi or (sfi is None and fcp.sfi in (None, 0)), (name, fcp.sfi)
    if pin:
        with pytest.raises(StatusWordError) as refused:
            sim.read_binary(size)
        assert (refused.value.sw1, refused.value.sw2) == (0x69, 0x82)
        sim.pins.verify(PinRef.PIN1, PROFILE.pin1)
        sim.select_usim()
        sim.select(fid)
    assert len(sim.read_binary(size)) == size


def test_contents_are_the_pre_personalised_values(sim: SimCard) -> None:
    sim.pins.verify(PinRef.PIN1, PROFILE.pin1)
    assert decode_li(read(sim, 0x6F05)) == ["en"]
    for fid in (0x6F08, 0x6F09):
        assert decode_keys(read(sim, fid)).ksi == NO_KEY
    assert read(sim, 0x6F31)[0] != 0  # a higher-priority PLMN search period is set
    assert decode_fplmn(read(sim, 0x6F7B)) == []
    loci = decode_loci(read(sim, 0x6F7E))
    assert (loci.tmsi, loci.status) == (b"\xff" * 4, NOT_UPDATED)
    assert decode_psloci(read(sim, 0x6F73)).status == NOT_UPDATED
    start = read(sim, 0x6F5B)
    assert (decode_start(start[:3]), decode_start(start[3:])) == (0, 0)
    assert decode_start(read(sim, 0x6F5C)) == 0xFFFFF
    assert read(sim, 0x6FC4) == b"\xff" * 46
    smss = decode_smss(read(sim, 0x6F43))
    assert smss.memory_available
    acc = int.from_bytes(read(sim, 0x6F78), "big")
    assert acc == 1 << int(PROFILE.imsi[-1]) and not acc & 0x0400  # b3 of byte 1 is 0


def test_ecc_lists_the_emergency_codes_readable_without_pin(sim: SimCard) -> None:
    """§4.2.21: linear fixed, SFI 01, X+4-byte records, READ ALW."""
    info = sim.select(0x6FB7)
    assert info.structure == "linear" and info.record_length == 4
    assert decode_fcp(info.raw).sfi == 0x01
    records = [sim.read_record(n, 4) for n in range(1, (info.record_count or 0) + 1)]
    assert [decode_ecc_record(r) for r in records] == [EccRecord("112"), EccRecord("911")]


def test_ust_announces_exactly_the_services_whose_files_exist(sim: SimCard) -> None:
    sim.pins.verify(PinRef.PIN1, PROFILE.pin1)
    services = decode_ust(read(sim, 0x6F38))
    assert services == set(SERVICE_FILES)
    for service, fids in SERVICE_FILES.items():
        for fid in fids:
            sim.select_usim()
            assert sim.select(fid).fid == fid, (service, hex(fid))
