"""What the card says about a file: the FCP template (UICC) or the 51.011 status bytes (GSM).

The PIN status shown in a DF's FCP (C6, PS_DO) and in the GSM DF status bytes
(CHV status, file characteristics b8) is computed from the live PIN state,
as real cards do (onomondo softsim generates PS_DO from the enabled flags).
"""

from __future__ import annotations

from harness.sim.fcp import NO_SFI, Fcp, FileKind, PinStatus, encode_fcp
from harness.sim.gsm_response import (
    ChvStatus,
    GsmAccess,
    GsmDfStatus,
    GsmEfStatus,
    GsmStructure,
    encode_gsm_df_status,
    encode_gsm_ef_status,
)
from harness.sim.key_refs import UICC_ADM1, UICC_PIN1, UICC_PIN2
from harness.virtual.card.access import GSM_NIBBLE, arr_record
from harness.virtual.card.files import current_application
from harness.virtual.card.fs import DedicatedFile, Level, LinearEf, Node, TransparentEf
from harness.virtual.card.layout import CardTree
from harness.virtual.card.pins import PinBank, SecretId

# Key references in C6, in PS_DO bit order (b8 first): PIN1, PIN2 (local), ADM1.
PS_KEY_REFS = ((UICC_PIN1, SecretId.PIN1), (UICC_PIN2, SecretId.PIN2), (UICC_ADM1, SecretId.ADM1))
# Proprietary template A5 for DFs: 80 UICC characteristics 71 (clock stop allowed,
# no preferred level; supply 1.8/3/5 V) as on the real cards of docs/sources.md §4.8.
DF_PROPRIETARY = bytes.fromhex("800171")
FREE_MEMORY = 0x1000


def fcp_for(node: Node, tree: CardTree, pins: PinBank) -> bytes:
    arr_fid = _arr_fid(node, tree)
    arr = (arr_fid, arr_record(node.access))
    if isinstance(node, DedicatedFile):
        statuses = tuple(PinStatus(ref, pins.records[sid].enabled) for ref, sid in PS_KEY_REFS)
        return encode_fcp(
            Fcp(
                fid=None if node.aid is not None else node.fid,
                kind=FileKind.DF,
                aid=node.aid,
                proprietary=DF_PROPRIETARY,
                arr=arr,
                pin_statuses=statuses,
            )
        )
    if isinstance(node, TransparentEf):
        return encode_fcp(
            Fcp(fid=node.fid, kind=FileKind.TRANSPARENT, size=node.size, arr=arr, sfi=_sfi(node))
        )
    assert isinstance(node, LinearEf)
    return encode_fcp(
        Fcp(
            fid=node.fid,
            kind=FileKind.LINEAR_FIXED,
            size=node.record_length * node.record_count,
            record_length=node.record_length,
            record_count=node.record_count,
            arr=arr,
            sfi=_sfi(node),
        )
    )


def gsm_status_for(node: Node, pins: PinBank) -> bytes:
    if isinstance(node, DedicatedFile):
        return encode_gsm_df_status(
            GsmDfStatus(
                fid=node.fid,
                is_mf=node.is_mf,
                free_memory=FREE_MEMORY,
                chv1_disabled=not pins.records[SecretId.PIN1].enabled,
                child_dfs=sum(isinstance(c, DedicatedFile) for c in node.children.values()),
                child_efs=sum(not isinstance(c, DedicatedFile) for c in node.children.values()),
                chv_count=4,
                chv1=_chv(pins, SecretId.PIN1),
                unblock_chv1=_chv(pins, SecretId.PUK1),
                chv2=_chv(pins, SecretId.PIN2),
                unblock_chv2=_chv(pins, SecretId.PUK2),
            )
        )
    access = GsmAccess(
        read=GSM_NIBBLE[node.access.read],
        update=GSM_NIBBLE[node.access.update],
        increase=GSM_NIBBLE[Level.NEV],
        rehabilitate=GSM_NIBBLE[Level.ADM1],
        invalidate=GSM_NIBBLE[Level.ADM1],
    )
    if isinstance(node, TransparentEf):
        return encode_gsm_ef_status(
            GsmEfStatus(
                fid=node.fid,
                size=node.size,
                structure=GsmStructure.TRANSPARENT,
                record_length=0,
                access=access,
            )
        )
    assert isinstance(node, LinearEf)
    return encode_gsm_ef_status(
        GsmEfStatus(
            fid=node.fid,
            size=node.record_length * node.record_count,
            structure=GsmStructure.LINEAR_FIXED,
            record_length=node.record_length,
            access=access,
        )
    )


def _chv(pins: PinBank, sid: SecretId) -> ChvStatus:
    return ChvStatus(initialised=True, retries=pins.records[sid].retries)


def _arr_fid(node: Node, tree: CardTree) -> int:
    """EF.ARR of the application the file lives in (6F06), else the MF's (2F06)."""
    df = node if isinstance(node, DedicatedFile) else node.parent
    assert df is not None
    return 0x6F06 if current_application(tree, df) is not None else 0x2F06


def _sfi(node: Node) -> int:
    """'88 00' when the EF has no SFI: an absent 88 would mean "FID low bits" (§11.1.1.4.8)."""
    return node.sfi if node.sfi is not None else NO_SFI
