"""Properties of the virtual card: it never raises, and its PIN state follows a reference model.

The model is the PIN/PUK state machine of TS 102 221 §11.1.9-11.1.13 / TS 51.011 §9.2.9-
9.2.13 as docs/sources.md §4.4/4.5 tabulate it, written independently of harness.virtual.card.pins.
Random sequences mix both personalities (CLA 00 and CLA A0) and power cycles; after every
step the counters seen through UICC empty VERIFY/UNBLOCK (63CX) must equal the model and
the GSM DF status bytes 19-22, and IMSI must be readable exactly when the model says so.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from harness.virtual.card.layout import USIM_AID
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc

PROFILE = load_profile(DEFAULT_PROFILE)
VALID_SW1 = {
    0x61,
    0x62,
    0x63,
    0x67,
    0x68,
    0x69,
    0x6A,
    0x6B,
    0x6C,
    0x6D,
    0x6E,
    0x6F,
    0x90,
    0x91,
    0x92,
    0x93,
    0x94,
    0x98,
    0x9F,
}


@contextmanager
def no_card_failures() -> Iterator[list[logging.LogRecord]]:
    """Collect what the card logs when a handler raised (it then answers 6F00)."""
    records: list[logging.LogRecord] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("harness.virtual.card.uicc")
    handler = Collect(logging.ERROR)
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)
    assert not records, records[0].getMessage()


def check_reply(reply: bytes) -> None:
    assert len(reply) >= 2
    sw1, sw2 = reply[-2], reply[-1]
    assert sw1 in VALID_SW1, reply.hex()
    if len(reply) > 2:
        assert (sw1, sw2) == (0x90, 0x00) or sw1 == 0x61, reply.hex()


# --- the card never raises -----------------------------------------------------------------

FUZZ_CARD = VirtualUicc(PROFILE)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(raw: bytes) -> None:
    with no_card_failures():
        check_reply(FUZZ_CARD.transmit(raw))


CLAS = [0x00, 0x01, 0x03, 0x40, 0x80, 0x81, 0xA0, 0x10, 0xFF]
INSS = [
    0xA4,
    0xB0,
    0xB2,
    0xD6,
    0xDC,
    0xC0,
    0xF2,
    0x70,
    0x20,
    0x24,
    0x26,
    0x28,
    0x2C,
    0x10,
    0x88,
    0x04,
    0x44,
]
DATA = st.one_of(
    st.sampled_from(
        [
            b"\x3f\x00",
            b"\x7f\x20",
            b"\x7f\x10",
            b"\x6f\x07",
            b"\x6f\x3c",
            b"\x2f\x00",
            b"\x2f\xe2",
            b"\x7f\xff",
            b"\x7f\x20\x6f\x07",
            USIM_AID,
            USIM_AID[:7],
            PROFILE.adm1,
            b"1234\xff\xff\xff\xff",
        ]
    ),
    st.binary(max_size=255),
)


@st.composite
def apdus(draw: st.DrawFn) -> bytes:
    header = bytes(
        (
            draw(st.sampled_from(CLAS) | st.integers(0, 255)),
            draw(st.sampled_from(INSS) | st.integers(0, 255)),
            draw(
                st.sampled_from([0x00, 0x01, 0x03, 0x04, 0x08, 0x09, 0x80, 0x82, 0x87])
                | st.integers(0, 255)
            ),
            draw(
                st.sampled_from([0x00, 0x01, 0x02, 0x04, 0x0C, 0x0A, 0x81, 0xF4])
                | st.integers(0, 255)
            ),
        )
    )
    data = draw(st.none() | DATA)
    le = draw(st.none() | st.integers(0, 255))
    body = b"" if not data else bytes((len(data),)) + data
    return header + body + (b"" if le is None else bytes((le,)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(apdus(), st.just(b"reset")), max_size=20))
def test_random_valid_header_apdus(sequence: list[bytes]) -> None:
    card = FUZZ_CARD
    with no_card_failures():
        for raw in sequence:
            if raw == b"reset":
                card.reset()
                continue
            check_reply(card.transmit(raw))


# --- the PIN state machine against a reference model ---------------------------------------

MAX_PIN, MAX_PUK = 3, 10
PINS = ["1234", "0000", "97531", "12345678", "5678"]
BAD_NEW = [
    b"12a4\xff\xff\xff\xff",
    b"123\xff\xff\xff\xff\xff",
    b"\xff" * 8,
    b"12\xff34\xff\xff\xff",
]
UICC_SW = {
    "ok": 0x9000,
    "blocked": 0x6983,
    "disabled": 0x6984,
    "contradiction": 0x6985,
    "not-allowed": 0x6985,
    "bad-format": 0x6A80,
}
GSM_SW = {
    "ok": 0x9000,
    "blocked": 0x9840,
    "disabled": 0x9808,
    "contradiction": 0x9808,
    "not-allowed": 0x9808,
    "bad-format": 0x6A80,
}


def field(digits: str) -> bytes:
    return digits.encode("ascii").ljust(8, b"\xff")


class PinModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.card = VirtualUicc(PROFILE)
        self.card.power_on()
        self.value = {1: PROFILE.pin1, 2: PROFILE.pin2}
        self.puk_value = {1: PROFILE.puk1, 2: PROFILE.puk2}
        self.pin = {1: MAX_PIN, 2: MAX_PIN}
        self.puk = {1: MAX_PUK, 2: MAX_PUK}
        self.enabled = True  # PIN1; PIN2 cannot be disabled
        self.verified: set[int] = set()
        self.may_rise: set[tuple[str, int]] = set()  # counters the last step may raise
        self.seen = {
            ("pin", 1): MAX_PIN,
            ("pin", 2): MAX_PIN,
            ("puk", 1): MAX_PUK,
            ("puk", 2): MAX_PUK,
        }

    # --- APDUs ---------------------------------------------------------------------------
    def send(self, gsm: bool, ins: int, which: int, data: bytes) -> int:
        if gsm:
            p2 = {1: 0x00, 2: 0x02}[which] if ins == 0x2C else which
            cla = 0xA0
        else:
            p2, cla = {1: 0x01, 2: 0x81}[which], 0x00
            if which == 2:  # PIN2 is local to the USIM ADF (TS 102 221 §9.5.1)
                self.card.transmit(bytes.fromhex("00A4040C07A0000000871002"))
        reply = self.card.transmit(bytes((cla, ins, 0x00, p2, len(data))) + data)
        assert len(reply) == 2, reply.hex()
        return int.from_bytes(reply, "big")

    def expect(self, gsm: bool, outcome: str, left: int = 0) -> int:
        if outcome == "wrong":
            if gsm:
                return 0x9804 if left else 0x9840
            return 0x63C0 | left
        return (GSM_SW if gsm else UICC_SW)[outcome]

    # --- model operations ----------------------------------------------------------------
    def check_pin(self, which: int, right: bool) -> tuple[str, int]:
        self.pin[which] -= 1
        if right:
            self.pin[which] = MAX_PIN
            self.verified.add(which)
            self.may_rise = {("pin", which)}
            return "ok", MAX_PIN
        self.verified.discard(which)
        return "wrong", self.pin[which]

    def run(self, gsm: bool, ins: int, which: int, data: bytes, outcome: tuple[str, int]) -> None:
        got = self.send(gsm, ins, which, data)
        assert got == self.expect(gsm, *outcome), (f"{got:04X}", outcome, gsm, hex(ins), which)

    def presented(self, which: int, right: bool) -> bytes:
        return field(self.value[which] if right else self.wrong_for(self.value[which]))

    @staticmethod
    def wrong_for(value: str) -> str:
        return "9999" if value != "9999" else "8888"

    # --- rules ---------------------------------------------------------------------------
    @rule(gsm=st.booleans(), which=st.sampled_from([1, 2]), right=st.booleans())
    def verify(self, gsm: bool, which: int, right: bool) -> None:
        self.may_rise = set()
        data = self.presented(which, right)
        if self.pin[which] == 0:
            outcome = ("blocked", 0)
        elif which == 1 and not self.enabled:
            outcome = ("disabled", 0)
        else:
            outcome = self.check_pin(which, right)
        self.run(gsm, 0x20, which, data, outcome)

    @rule(
        gsm=st.booleans(),
        which=st.sampled_from([1, 2]),
        right=st.booleans(),
        new=st.sampled_from(PINS),
    )
    def change(self, gsm: bool, which: int, right: bool, new: str) -> None:
        self.may_rise = set()
        data = self.presented(which, right) + field(new)
        if self.pin[which] == 0:
            outcome = ("blocked", 0)
        elif which == 1 and not self.enabled:
            outcome = ("disabled", 0)
        else:
            outcome = self.check_pin(which, right)
            if outcome[0] == "ok":
                self.value[which] = new
        self.run(gsm, 0x24, which, data, outcome)

    @rule(
        gsm=st.booleans(), which=st.sampled_from([1, 2]), right=st.booleans(), enable=st.booleans()
    )
    def disable_or_enable(self, gsm: bool, which: int, right: bool, enable: bool) -> None:
        self.may_rise = set()
        data = self.presented(which, right)
        if which == 2:
            outcome = ("not-allowed", 0)
        elif self.pin[1] == 0:
            outcome = ("blocked", 0)
        elif self.enabled == enable:
            outcome = ("contradiction", 0)
        else:
            outcome = self.check_pin(1, right)
            if outcome[0] == "ok":
                self.enabled = enable
        self.run(gsm, 0x28 if enable else 0x26, which, data, outcome)

    @rule(
        gsm=st.booleans(),
        which=st.sampled_from([1, 2]),
        right=st.booleans(),
        new=st.sampled_from(PINS),
    )
    def unblock(self, gsm: bool, which: int, right: bool, new: str) -> None:
        self.may_rise = set()
        puk = self.puk_value[which] if right else "00000000"
        data = field(puk) + field(new)
        if self.puk[which] == 0:
            outcome = ("blocked", 0)
        else:
            self.puk[which] -= 1
            if right:
                self.puk[which] = MAX_PUK
                self.value[which] = new
                self.pin[which] = MAX_PIN
                if which == 1:
                    self.enabled = True
                self.verified.add(which)
                self.may_rise = {("pin", which), ("puk", which)}
                outcome = ("ok", 0)
            else:
                outcome = ("wrong", self.puk[which])
        self.run(gsm, 0x2C, which, data, outcome)

    @rule(
        gsm=st.booleans(),
        which=st.sampled_from([1, 2]),
        right=st.booleans(),
        bad=st.sampled_from(BAD_NEW),
        via_unblock=st.booleans(),
    )
    def malformed_new_pin(
        self, gsm: bool, which: int, right: bool, bad: bytes, via_unblock: bool
    ) -> None:
        """A new PIN that is not 4-8 digits: refused before anything is spent."""
        self.may_rise = set()
        if via_unblock:
            data = field(self.puk_value[which] if right else "00000000") + bad
            outcome = ("blocked", 0) if self.puk[which] == 0 else ("bad-format", 0)
            self.run(gsm, 0x2C, which, data, outcome)
            return
        data = self.presented(which, right) + bad
        if self.pin[which] == 0:
            outcome = ("blocked", 0)
        elif which == 1 and not self.enabled:
            outcome = ("disabled", 0)
        else:
            outcome = ("bad-format", 0)
        self.run(gsm, 0x24, which, data, outcome)

    @rule(cold=st.booleans())
    def power_cycle(self, cold: bool) -> None:
        self.may_rise = set()
        if cold:
            self.card.power_off()
            self.card.power_on()
        else:
            self.card.reset()
        self.verified.clear()

    @rule(
        gsm=st.booleans(),
        which=st.sampled_from([1, 2]),
        count=st.integers(1, 10),
        new=st.sampled_from(PINS),
    )
    def wrong_unblocks(self, gsm: bool, which: int, count: int, new: str) -> None:
        """Bursts of wrong PUKs, so that exhausted PUKs are reached in short runs."""
        for _ in range(count):
            self.unblock(gsm=gsm, which=which, right=False, new=new)

    @precondition(lambda self: self.pin[1] == 0 or self.pin[2] == 0)
    @rule(which=st.sampled_from([1, 2]))
    def right_pin_on_blocked(self, which: int) -> None:
        """A blocked PIN stays blocked whatever is presented."""
        self.verify(gsm=False, which=which, right=True)

    # --- invariants ----------------------------------------------------------------------
    def uicc(self, apdu: str) -> int:
        reply = self.card.transmit(bytes.fromhex(apdu))
        assert len(reply) == 2
        return int.from_bytes(reply, "big")

    @invariant()
    def counters_agree(self) -> None:
        for which, p2 in ((1, "01"), (2, "81")):
            if which == 2:
                self.uicc("00A4040C07A0000000871002")
            sw = self.uicc(f"002000{p2}00")
            enabled = self.enabled or which == 2
            if enabled and which in self.verified:
                assert sw == 0x9000 and self.pin[which] == MAX_PIN
            else:
                assert sw == 0x63C0 | self.pin[which], f"{sw:04X} for PIN{which}"
            assert self.uicc(f"002C00{p2}00") == 0x63C0 | self.puk[which]
        assert self.uicc("A0A40000023F00") == 0x9F16
        status = self.card.transmit(bytes.fromhex("A0C0000016"))
        assert status[-2:] == b"\x90\x00"
        assert tuple(status[18:22]) == (
            0x80 | self.pin[1],
            0x80 | self.puk[1],
            0x80 | self.pin[2],
            0x80 | self.puk[2],
        )
        assert bool(status[13] & 0x80) == (not self.enabled)

    @invariant()
    def counters_only_rise_for_a_reason(self) -> None:
        now = {
            ("pin", 1): self.pin[1],
            ("pin", 2): self.pin[2],
            ("puk", 1): self.puk[1],
            ("puk", 2): self.puk[2],
        }
        for key, value in now.items():
            before = self.seen[key]
            if value > before:
                assert key in self.may_rise, (key, before, value)
            if key[0] == "pin" and before == 0 and value > 0:
                assert ("puk", key[1]) in self.may_rise  # only UNBLOCK leaves blocked
            if key[0] == "puk" and before == 0:
                assert value == 0  # a PUK at 0 is for good
        self.seen = now

    @invariant()
    def imsi_readable_exactly_when_allowed(self) -> None:
        assert self.uicc("00A4040C" + f"{len(USIM_AID):02X}" + USIM_AID.hex()) == 0x9000
        assert self.uicc("00A4000C026F07") == 0x9000
        reply = self.card.transmit(bytes.fromhex("00B0000009"))
        allowed = not self.enabled or 1 in self.verified
        assert reply[-2:] == (b"\x90\x00" if allowed else b"\x69\x82"), reply.hex()


PinModel.TestCase.settings = settings(
    max_examples=200,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestPinModel = PinModel.TestCase
