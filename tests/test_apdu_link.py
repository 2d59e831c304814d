"""ApduLink's T=0 handling (61xx, 9Fxx, 6Cxx), tracing, and truncated responses."""

from __future__ import annotations

import pytest

from harness.errors import CodecError, DeviceGoneError, SafetyRefusal, TransportError
from harness.sim.apdu import Apdu, Response
from harness.sim.link import ApduLink
from harness.sim.virtual_link import VirtualLink
from harness.transcript import Direction, Transcript
from harness.virtual.card.uicc import VirtualUicc


class ScriptedLink(ApduLink):
    """Answers from a script and records what was sent."""

    def __init__(self, answers: list[str]) -> None:
        super().__init__()
        self.answers = [bytes.fromhex(a) for a in answers]
        self.sent: list[str] = []

    @property
    def atr(self) -> bytes:
        return b"\x3b\x00"

    def _exchange(self, raw: bytes) -> bytes:
        self.sent.append(raw.hex().upper())
        return self.answers.pop(0)

    def reset(self) -> bytes:
        return self.atr

    def close(self) -> None:
        pass


def test_61xx_is_followed_by_get_response_on_the_same_channel() -> None:
    link = ScriptedLink(["6104", "AABB6102", "CCDD9000"])
    response = link.transmit(Apdu(0x01, 0xA4, 0x00, 0x04, b"\x3f\x00"))
    assert response == Response(0x90, 0x00, bytes.fromhex("AABBCCDD"))
    assert link.sent[1:] == ["01C0000004", "01C0000002"]


def test_9fxx_uses_a_gsm_get_response() -> None:
    link = ScriptedLink(["9F16", "00" * 22 + "9000"])
    response = link.transmit(Apdu(0xA0, 0xA4, 0x00, 0x00, b"\x3f\x00"))
    assert response.sw == 0x9000 and len(response.data) == 22
    assert link.sent[1] == "A0C0000016"


def test_6cxx_resends_with_the_exact_le() -> None:
    link = ScriptedLink(["6C0A", "00112233445566778899" + "9000"])
    response = link.transmit(Apdu(0x00, 0xB0, 0x00, 0x00, le=256))
    assert link.sent == ["00B0000000", "00B000000A"]
    assert len(response.data) == 10


def test_truncated_response_is_a_typed_error() -> None:
    link = ScriptedLink(["90"])
    with pytest.raises(TransportError) as error:
        link.transmit(Apdu(0x00, 0xB0, 0x00, 0x00, le=4))
    assert "truncated" in str(error.value)


def test_tracer_sees_both_directions_masked_in_the_transcript(card: VirtualUicc) -> None:
    transcript = Transcript()
    with VirtualLink(card, tracer=transcript.apdu_tracer()) as link:
        link.transmit(Apdu(0x00, 0x20, 0x00, 0x01, b"9876\xff\xff\xff\xff"), gate_checked=True)
    directions = [e.direction for e in transcript.entries]
    assert directions == [Direction.TX, Direction.RX]
    assert b"9876" not in transcript.entries[0].data
    assert transcript.entries[1].data == bytes.fromhex("63C2")


def test_closed_virtual_link_says_so(card: VirtualUicc) -> None:
    link = VirtualLink(card)
    link.close()
    with pytest.raises(DeviceGoneError):
        link.transmit(Apdu(0x00, 0xA4, 0x00, 0x04, b"\x3f\x00"))


@pytest.mark.parametrize("raw", ["00A4", "00A40004033F00", "00A40004023F0000AA", "00A40004003F00"])
def test_malformed_command_apdus_are_codec_errors(raw: str) -> None:
    with pytest.raises(CodecError):
        Apdu.from_bytes(bytes.fromhex(raw))


def test_apdu_round_trip_of_every_case() -> None:
    for apdu in (
        Apdu(0x00, 0x20, 0x00, 0x01),
        Apdu(0x00, 0xB0, 0x00, 0x00, le=256),
        Apdu(0x00, 0xA4, 0x00, 0x0C, b"\x3f\x00"),
        Apdu(0x00, 0xA4, 0x04, 0x04, b"\xa0\x00", le=0x20),
    ):
        assert Apdu.from_bytes(apdu.to_bytes()) == apdu


def test_pin_commands_with_data_need_the_gate(card: VirtualUicc) -> None:
    """A VERIFY with a value through the bare link is refused: nothing reaches the card."""
    sent: list[bytes] = []
    with VirtualLink(card, tracer=lambda direction, raw: sent.append(raw)) as link:
        for ins in (0x20, 0x24, 0x26, 0x28, 0x2C):
            with pytest.raises(SafetyRefusal):
                link.transmit(Apdu(0x00, ins, 0x00, 0x01, b"0000\xff\xff\xff\xff"))
        assert sent == []
        assert link.transmit(Apdu(0x00, 0x20, 0x00, 0x01)).sw == 0x63C3  # a query is free


def test_get_response_follows_the_logical_channel() -> None:
    link = ScriptedLink(["6102", "AABB9000"])
    link.transmit(Apdu(0x45, 0xA4, 0x00, 0x04, b"\x3f\x00"))
    assert link.sent[1] == "45C0000002"


def test_repr_of_a_pin_apdu_hides_the_pin() -> None:
    text = repr(Apdu(0x00, 0x20, 0x00, 0x01, b"4711\xff\xff\xff\xff"))
    assert "4711" not in text and "masked" in text
