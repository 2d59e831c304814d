"""Traces of the virtual card behind the real PC/SC stack (pcscd + vpcd, vpcd slot 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
from gsmtap_support import GsmtapReceiver
from test_pcsc_stack import READER, SLOT, ServedCard

from harness.safety import SafetyPolicy
from harness.sim.card import SimCard
from harness.sim.gsmtap import SIM_APDU, SIM_ATR, GsmtapSender, decode_header
from harness.sim.pcsc_link import PcscLink, wait_for_card
from harness.sim.pin_service import PinRef
from harness.virtual.card.uicc import ATR, VirtualUicc
from harness.virtual.card_tap import CardTap
from harness.virtual.pcscd import PrivatePcscd
from harness.virtual.vpcd import VpcdBridge

pytestmark = pytest.mark.pcsc


def test_gsmtap_follows_a_pcsc_session(pcscd: PrivatePcscd) -> None:
    receiver = GsmtapReceiver()
    sender = GsmtapSender("127.0.0.1", receiver.port)
    tap = CardTap(VirtualUicc.from_files(), gsmtap=sender)
    bridge = VpcdBridge(tap, slot=SLOT, netns=pcscd.netns)
    bridge.start()
    try:
        wait_for_card(READER, present=True, timeout=10)
        with PcscLink(READER) as link:
            sim = SimCard(link, safety=SafetyPolicy.strict())
            assert sim.pins.retries(PinRef.PIN1) == 3
        packets = receiver.drain()
        subs = [decode_header(p).sub_type for p in packets]
        assert SIM_ATR in subs and SIM_APDU in subs
        atr_at = subs.index(SIM_ATR)
        assert packets[atr_at][16:] == ATR
        bodies = [p[16:] for p, sub in zip(packets, subs, strict=True) if sub == SIM_APDU]
        assert bytes.fromhex("0020000100") + b"\x63\xc3" in bodies  # the empty VERIFY
    finally:
        bridge.stop()
        sender.close()
        receiver.close()
        wait_for_card(READER, present=False, timeout=10)


def test_card_serve_trace_file(pcscd: PrivatePcscd, tmp_path: Path) -> None:
    trace = tmp_path / "apdu.log"
    served = ServedCard(pcscd, "--trace", str(trace))
    try:
        assert str(trace) in served.lines[0]
        wait_for_card(READER, present=True, timeout=10)
        with PcscLink(READER) as link:
            sim = SimCard(link, safety=SafetyPolicy.unrestricted("virtual card"))
            sim.pins.verify(PinRef.PIN1, "1234")
        text = trace.read_text()
    finally:
        served.stop()
        wait_for_card(READER, present=False, timeout=10)
    assert "ATR" in text and "00 20 00 01 08 2A 2A 2A 2A 2A 2A 2A 2A" in text
    assert "31 32 33 34" not in text
