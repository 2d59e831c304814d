"""What `simharness card info` and the demo show of a SIM: identity and PIN status."""

from __future__ import annotations

from dataclasses import dataclass

from tabulate import tabulate

from harness.errors import HarnessError
from harness.secrets import Secret
from harness.sim.card import SimCard
from harness.sim.pin_service import PinRef, PinState


@dataclass(frozen=True)
class CardReport:
    reader: str
    atr: bytes
    kind: str
    iccid: str
    spn: str
    imsi: str | None  # None: PIN-protected and no PIN given
    msisdn: str | None
    pin1: PinState
    pin2: PinState
    imsi_note: str = ""


def read_card_report(sim: SimCard, pin: Secret | None = None) -> CardReport:
    """Read identity and PIN status; presents PIN1 only if given and the gate allows it."""
    pin1 = sim.pins.state(PinRef.PIN1)
    pin2 = sim.pins.state(PinRef.PIN2)
    imsi = msisdn = None
    note = ""
    if pin1.enabled and not pin1.verified and pin is None:
        note = "PIN1 required (give --pin-env or --pin-file)"
    else:
        if pin1.enabled and not pin1.verified and pin is not None:
            sim.pins.verify(PinRef.PIN1, pin)
            note = "after PIN1 verification"
        try:
            imsi = sim.read_imsi()
            record = sim.read_msisdn()
            msisdn = record.number if record is not None else None
        except HarnessError as exc:
            note = f"unreadable: {exc}"
    return CardReport(
        reader=sim.link.name,
        atr=sim.link.atr,
        kind=sim.kind.value,
        iccid=sim.read_iccid(),
        spn=sim.read_spn().name,
        imsi=imsi,
        msisdn=msisdn,
        pin1=sim.pins.state(PinRef.PIN1),
        pin2=pin2,
        imsi_note=note,
    )


def render_card_report(report: CardReport) -> str:
    def pin_row(state: PinState) -> str:
        enabled = "enabled" if state.enabled else "disabled"
        blocked = ", BLOCKED" if state.blocked else ""
        return f"{enabled}{blocked}, {state.retries} tries left"

    rows = [
        ("reader", report.reader),
        ("ATR", report.atr.hex(" ").upper()),
        ("card", report.kind),
        ("ICCID", report.iccid),
        ("IMSI", report.imsi or "-"),
        ("", report.imsi_note) if report.imsi_note else None,
        ("MSISDN", report.msisdn or "-"),
        ("SPN", report.spn or "-"),
        ("PIN1", pin_row(report.pin1)),
        ("PUK1", f"{report.pin1.puk_retries} tries left"),
        ("PIN2", pin_row(report.pin2)),
        ("PUK2", f"{report.pin2.puk_retries} tries left"),
    ]
    return tabulate([r for r in rows if r is not None], tablefmt="rounded_outline")
