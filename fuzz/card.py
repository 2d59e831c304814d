"""The SimCard target: a card driver over a link whose every answer comes from the input.

Input layout: operation byte, card-kind byte, then answers as <length><bytes>...
(once the input runs out, every answer is 6A82, file not found). Seeds are the
answers the virtual UICC (and its GSM view) really gave to each operation, so
mutations reach FCPs, GSM responses and EF contents, not just the status words.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from harness.errors import TransportError
from harness.safety import SafetyPolicy
from harness.sim.card import SimCard
from harness.sim.fids import CardKind
from harness.sim.link import ApduLink
from harness.sim.pin_service import PinRef
from harness.sim.virtual_link import VirtualLink
from harness.virtual.card.uicc import VirtualUicc

MAX_EXCHANGES = 96
KINDS: tuple[CardKind | None, ...] = (None, CardKind.UICC, CardKind.GSM)

OPERATIONS: tuple[Callable[[SimCard], object], ...] = (
    lambda c: c.kind,
    lambda c: c.read_iccid(),
    lambda c: c.read_imsi(),
    lambda c: c.read_spn(),
    lambda c: c.read_msisdn(),
    lambda c: c.read_sms(),
    lambda c: c.applications(),
    lambda c: c.select([0x3F00, 0x7F20, 0x6F07]),
    lambda c: c.pins.state(),
    lambda c: c.pins.state(PinRef.PIN2),
    lambda c: c.pins.enabled(),
    lambda c: c.pins.verify(PinRef.PIN1, "1234"),
    lambda c: c.pins.unblock(PinRef.PIN1, "12345678", "1234"),
    lambda c: c.read_records([0x3F00, 0x7F10, 0x6F3C]),
)


class ScriptedLink(ApduLink):
    """Answers each APDU with the next scripted answer; 6A82 once they run out."""

    name = "scripted card"

    def __init__(self, answers: list[bytes]) -> None:
        super().__init__()
        self._answers = answers
        self._count = 0

    @property
    def atr(self) -> bytes:
        return b""

    def _exchange(self, raw: bytes) -> bytes:
        self._count += 1
        if self._count > MAX_EXCHANGES:
            raise TransportError("scripted card: too many exchanges for one operation")
        return self._answers.pop(0) if self._answers else b"\x6a\x82"

    def reset(self) -> bytes:
        return b""

    def close(self) -> None:
        pass


def split_answers(data: bytes) -> list[bytes]:
    answers = []
    position = 0
    while position < len(data):
        size = data[position]
        answers.append(data[position + 1 : position + 1 + size])
        position += 1 + size
    return answers


def run_card(data: bytes) -> object:
    if len(data) < 2:
        return None
    operation = OPERATIONS[data[0] % len(OPERATIONS)]
    kind = KINDS[data[1] % len(KINDS)]
    link = ScriptedLink(split_answers(data[2:]))
    card = SimCard(link, kind=kind, safety=SafetyPolicy.unrestricted("fuzzing a scripted link"))
    return operation(card)


class _Recorder(VirtualLink):
    def __init__(self, card: VirtualUicc) -> None:
        super().__init__(card)
        self.answers: list[bytes] = []

    def _exchange(self, raw: bytes) -> bytes:
        answer = super()._exchange(raw)
        self.answers.append(answer)
        return answer


def card_seeds() -> list[bytes]:
    """Each operation's real answers from the virtual card, as UICC and as GSM SIM."""
    seeds = []
    for op_index, operation in enumerate(OPERATIONS):
        for kind_index, kind in enumerate(KINDS):
            recorder = _Recorder(VirtualUicc.from_files())
            card = SimCard(recorder, kind=kind, safety=SafetyPolicy.unrestricted("seed"))
            with contextlib.suppress(Exception):  # a refusal still recorded its answers
                operation(card)
            body = b"".join(bytes((len(a),)) + a for a in recorder.answers if len(a) < 256)
            seeds.append(bytes((op_index, kind_index)) + body)
    return seeds
