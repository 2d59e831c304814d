"""File selection and access on the virtual card, shared by both personalities.

Failures are raised as `CardFault`, which carries the status word for each
personality (TS 102 221 §10.2.1 for CLA 00, TS 51.011 §9.4 for CLA A0), so the
rules live here once and each command handler only picks its column.
"""

from __future__ import annotations

from dataclasses import dataclass

from harness.sim.status_words import Sw
from harness.virtual.card.fs import DedicatedFile, Level, LinearEf, Node, TransparentEf
from harness.virtual.card.layout import CardTree
from harness.virtual.card.pins import PinBank, SecretId


class CardFault(Exception):
    """A command refused by the card; `uicc`/`gsm` are the status words to answer."""

    def __init__(self, uicc: int, gsm: int) -> None:
        super().__init__(f"{uicc:04X}/{gsm:04X}")
        self.uicc = uicc
        self.gsm = gsm


NOT_FOUND = (Sw.FILE_NOT_FOUND, Sw.GSM_FILE_NOT_FOUND)
SECURITY = (Sw.SECURITY_NOT_SATISFIED, Sw.GSM_ACCESS_NOT_FULFILLED)
NO_EF = (Sw.NO_EF_SELECTED, Sw.GSM_NO_EF_SELECTED)
INCOMPATIBLE = (Sw.INCOMPATIBLE_FILE_STRUCTURE, Sw.GSM_FILE_INCONSISTENT)
RECORD_NOT_FOUND = (Sw.RECORD_NOT_FOUND, Sw.GSM_OUT_OF_RANGE)
BAD_OFFSET = (Sw.WRONG_P1P2, Sw.GSM_OUT_OF_RANGE)
BAD_P1P2 = (Sw.WRONG_P1P2_6A86, Sw.GSM_INCORRECT_P1P2)


def fault(pair: tuple[int, int]) -> CardFault:
    return CardFault(*pair)


@dataclass
class Cursor:
    """What one logical channel has selected (volatile)."""

    df: DedicatedFile
    ef: TransparentEf | LinearEf | None = None
    record: int = 0  # current record number, 0 = none

    @property
    def node(self) -> Node:
        return self.ef if self.ef is not None else self.df

    def move_to(self, node: Node) -> None:
        if isinstance(node, DedicatedFile):
            self.df, self.ef = node, None
        else:
            assert node.parent is not None
            self.df, self.ef = node.parent, node  # type: ignore[assignment]
        self.record = 0


def current_application(tree: CardTree, df: DedicatedFile) -> DedicatedFile | None:
    node: DedicatedFile | None = df
    while node is not None:
        if node.aid is not None:
            return node
        node = node.parent
    return None


def select_fid(tree: CardTree, cursor: Cursor, fid: int) -> Node:
    """Selection by FID from the current DF (TS 102 221 §8.4.1, 51.011 §6.5):
    the MF, the current DF, its children, its parent, the parent's child DFs,
    and 7FFF for the current application."""
    df = cursor.df
    if fid == 0x3F00:
        return tree.mf
    if fid == 0x7FFF:
        app = current_application(tree, df)
        if app is None:
            raise fault(NOT_FOUND)
        return app
    if fid == df.fid and df.aid is None:
        return df
    if fid in df.children:
        return df.children[fid]
    parent = df.parent
    if parent is not None:
        if fid == parent.fid:
            return parent
        sibling = parent.children.get(fid)
        if isinstance(sibling, DedicatedFile):
            return sibling
    raise fault(NOT_FOUND)


def select_path(tree: CardTree, start: DedicatedFile, path: bytes) -> Node:
    """Path selection (P1=08 from the MF, P1=09 from the current DF): each step a child."""
    if not path or len(path) % 2:
        raise CardFault(Sw.WRONG_LENGTH, Sw.GSM_INCORRECT_P3)
    node: Node = start
    for i in range(0, len(path), 2):
        fid = int.from_bytes(path[i : i + 2], "big")
        if not isinstance(node, DedicatedFile):
            raise fault(NOT_FOUND)
        if fid == 0x7FFF:
            app = current_application(tree, node)
            if app is None:
                raise fault(NOT_FOUND)
            node = app
            continue
        child = node.children.get(fid)
        if child is None:
            raise fault(NOT_FOUND)
        node = child
    return node


def select_aid(tree: CardTree, aid: bytes) -> DedicatedFile:
    """By DF name: a (possibly truncated) AID prefix, first occurrence (102 221 §11.1.1.2)."""
    if not 1 <= len(aid) <= 16:
        raise CardFault(Sw.WRONG_LENGTH, Sw.GSM_INCORRECT_P3)
    for app in tree.applications:
        if app.aid is not None and app.aid.startswith(aid):
            return app
    raise fault(NOT_FOUND)


_LEVEL_SECRET = {Level.PIN1: SecretId.PIN1, Level.PIN2: SecretId.PIN2, Level.ADM1: SecretId.ADM1}


def require(pins: PinBank, level: Level) -> None:
    if level is Level.ALW:
        return
    if level is Level.NEV or not pins.satisfied(_LEVEL_SECRET[level]):
        raise fault(SECURITY)


def binary_ef(cursor: Cursor, sfi: int | None = None) -> TransparentEf:
    ef = _ef(cursor, sfi)
    if not isinstance(ef, TransparentEf):
        raise fault(INCOMPATIBLE)
    return ef


def record_ef(cursor: Cursor, sfi: int | None = None) -> LinearEf:
    ef = _ef(cursor, sfi)
    if not isinstance(ef, LinearEf):
        raise fault(INCOMPATIBLE)
    return ef


def _ef(cursor: Cursor, sfi: int | None) -> TransparentEf | LinearEf:
    """The current EF, or the EF with that SFI in the current DF (which becomes current)."""
    if sfi is None:
        if cursor.ef is None:
            raise fault(NO_EF)
        return cursor.ef
    node = cursor.df.child_by_sfi(sfi)
    if not isinstance(node, TransparentEf | LinearEf):
        raise fault(NOT_FOUND)
    if node is not cursor.ef:
        cursor.move_to(node)
    return node


def resolve_record(cursor: Cursor, ef: LinearEf, number: int, mode: int) -> int:
    """Record addressing (102 221 §11.1.5 / 51.011 §9.2.4): 02 next, 03 previous, 04 absolute."""
    count = ef.record_count
    if mode == 0x04:
        target = cursor.record if number == 0 else number
        if not 1 <= target <= count:
            raise fault(RECORD_NOT_FOUND)
    elif mode == 0x02:
        target = cursor.record + 1 if cursor.record else 1
        if target > count:
            raise fault(RECORD_NOT_FOUND)
    elif mode == 0x03:
        target = cursor.record - 1 if cursor.record else count
        if target < 1:
            raise fault(RECORD_NOT_FOUND)
    else:
        raise fault(BAD_P1P2)
    cursor.record = target
    return target
