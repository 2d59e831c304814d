"""The virtual card's file system: DFs, ADFs and EFs with access conditions.

A file's *body* (its bytes or records) is a separate object so that two
directory entries can share one body, as real UICCs link DF.GSM/EF.IMSI and
ADF.USIM/EF.IMSI (TS 31.102 §4.2.2 note: same content through both paths).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import Enum


class Level(Enum):
    """Access-condition levels (TS 102 221 §9.2; 51.011 §9.3 nibble in brackets)."""

    ALW = "ALW"  # always [0]
    PIN1 = "PIN1"  # PIN Appl 1 / CHV1 [1]
    PIN2 = "PIN2"  # second PIN / CHV2 [2]
    ADM1 = "ADM1"  # administrative [A]
    NEV = "NEV"  # never [F]


@dataclass(frozen=True)
class Access:
    """Who may READ and who may UPDATE a file."""

    read: Level
    update: Level


@dataclass
class TransparentBody:
    data: bytearray


@dataclass
class RecordBody:
    record_length: int
    records: list[bytearray]


@dataclass
class Node:
    """A directory entry: an EF or a DF. `parent` is None only for the MF."""

    fid: int
    name: str
    access: Access
    parent: DedicatedFile | None = field(default=None, repr=False)
    sfi: int | None = None


@dataclass
class DedicatedFile(Node):
    """MF, DF or ADF (an ADF has an AID and no fixed FID in paths: 7FFF)."""

    aid: bytes | None = None
    children: dict[int, Node] = field(default_factory=dict, repr=False)

    def add(self, node: Node) -> Node:
        node.parent = self
        self.children[node.fid] = node
        return node

    def child_by_sfi(self, sfi: int) -> Node | None:
        return next((c for c in self.children.values() if c.sfi == sfi), None)

    @property
    def is_mf(self) -> bool:
        return self.parent is None

    def walk(self) -> Iterator[Node]:
        yield self
        for child in self.children.values():
            if isinstance(child, DedicatedFile):
                yield from child.walk()
            else:
                yield child


@dataclass
class TransparentEf(Node):
    body: TransparentBody = field(default_factory=lambda: TransparentBody(bytearray()))

    @property
    def size(self) -> int:
        return len(self.body.data)


@dataclass
class LinearEf(Node):
    body: RecordBody = field(default_factory=lambda: RecordBody(1, []))

    @property
    def record_length(self) -> int:
        return self.body.record_length

    @property
    def record_count(self) -> int:
        return len(self.body.records)


def path_of(node: Node) -> str:
    """A stable, human-readable key for state files: e.g. '3F00/7F20/6F07' or '3F00/ADF1/6F07'."""
    parts: list[str] = []
    current: Node | None = node
    while current is not None:
        if isinstance(current, DedicatedFile) and current.aid is not None:
            parts.append("ADF." + current.name)
        else:
            parts.append(f"{current.fid:04X}")
        current = current.parent
    return "/".join(reversed(parts))
