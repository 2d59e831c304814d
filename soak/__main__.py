"""`python -m soak [--rounds N] [--knob NAME]`: every fault knob of the virtual modem, in turn.

Per knob, N rounds; each round starts a virtual modem wearing that fault on a
pty (the SIM, its EEPROM and its stored SMS carry over), opens the Modem driver
by a stable link and runs: PIN unlock, three received SMS (the network delivers,
`wait_for_sms` reads) and one sent SMS with its status report (routed, +CDS).
Printed per knob:

- operations, and how many ended in a typed error (HarnessError): allowed;
- hangs: an operation that outlived its deadline by far (must be 0);
- SMS lost: a message the modem accepted that the driver neither handed back
  nor left in storage (checked at the end of the round on a fault-free modem
  over the same SIM; must be 0);
- SMS corrupted and accepted: handed back as good with a text that is not the
  one sent, either way, or a status report for another message (must be 0).
Exit status 1 when any of the last three is not 0.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tabulate import tabulate

from harness.errors import HarnessError
from harness.modem import Modem
from harness.safety import SafetyPolicy
from harness.sms.address import Address
from harness.sms.tpdu import SmsDeliver
from harness.sms.userdata import UserData
from harness.virtual.card.profile import DEFAULT_PROFILE, load_profile
from harness.virtual.card.uicc import VirtualUicc
from harness.virtual.modem import FaultConfig, VirtualModem

PROFILE = load_profile(DEFAULT_PROFILE)
SENDER = Address.parse("+15550001111")
RECIPIENT = "+15550002222"
# Beyond every deadline an operation has: commands 2 s, the SMS wait 3 s (plus a
# reconnection, 10 s), +CMGS 60 s after its PDU (the network's time, TS 27.005 §3.5.1).
HANG_S = 75.0
RECEIVED_PER_ROUND = 3

KNOB_SETTINGS: dict[str, Callable[[random.Random], Any]] = {
    "split_writes": lambda rng: True,
    "merge_writes": lambda rng: True,
    "latency_ms": lambda rng: rng.choice((5, 20, 50)),
    "drop_bytes": lambda rng: rng.choice((0.005, 0.01, 0.02)),
    "garbage": lambda rng: rng.choice((0.05, 0.1, 0.2)),
    "urc_burst": lambda rng: rng.randint(1, 3),
    "urc_in_response": lambda rng: True,
    "urc_after_prompt": lambda rng: True,
    "echo_ignores_ate0": lambda rng: True,
    "verbose_cmee": lambda rng: True,
    "disconnect_on_command": lambda rng: rng.randint(1, 24),
    "reboot_on_command": lambda rng: rng.randint(1, 24),
    "status_report_burst": lambda rng: True,
}


@dataclass
class Tally:
    operations: int = 0
    typed_errors: int = 0
    hangs: int = 0
    sms_lost: int = 0
    corrupted_accepted: int = 0
    not_delivered: int = 0
    notes: list[str] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)  # this round's events, shown on a loss

    @property
    def bad(self) -> bool:
        return bool(self.hangs or self.sms_lost or self.corrupted_accepted)


def timed(tally: Tally, what: str, call: Callable[[], Any]) -> tuple[bool, Any]:
    """Run one operation with a watchdog; (finished, result or the typed error)."""
    box: dict[str, Any] = {}

    def body() -> None:
        try:
            box["result"] = call()
        except HarnessError as exc:
            box["error"] = exc
        except Exception as exc:
            box["crash"] = exc

    tally.operations += 1
    tally.trace.append(what)
    worker = threading.Thread(target=body, daemon=True)
    worker.start()
    worker.join(HANG_S)
    if worker.is_alive():
        tally.hangs += 1
        tally.notes.append(f"{what}: still running after {HANG_S:g} s")
        return False, None
    if "crash" in box:
        tally.notes.append(f"{what}: untyped {box['crash']!r}")
        raise box["crash"]
    if "error" in box:
        tally.typed_errors += 1
        tally.trace.append(f"  -> {type(box['error']).__name__}: {str(box['error'])[:160]}")
        return False, box["error"]
    return True, box.get("result")


def deliver(device: VirtualModem, text: str) -> bool:
    """The network hands the modem a message; it retries while the modem is not ready."""
    deadline = time.monotonic() + 3.0
    message = SmsDeliver(SENDER, datetime.now(UTC).replace(microsecond=0), UserData(text))
    while time.monotonic() < deadline:
        if device.deliver_sms(message):
            return True
        time.sleep(0.05)
    return False


def one_round(card: VirtualUicc, faults: FaultConfig, tally: Tally, rng: random.Random) -> None:
    tally.trace = [f"round with {faults}"]
    accepted: list[str] = []
    returned: list[str] = []
    with tempfile.TemporaryDirectory(prefix="simharness-soak-") as tmp:
        link = Path(tmp) / "modem"
        with VirtualModem(card, faults=faults) as device:
            device.start_pty(link)
            modem = Modem(str(link), default_timeout=2.0, safety=SafetyPolicy.unrestricted("soak"))
            ok, _ = timed(tally, "open", modem.open)
            if not ok:
                return
            try:
                _round_body(device, modem, tally, rng, accepted, returned)
            finally:
                timed(tally, "close", modem.close)
    _account(card, tally, accepted, returned)


def _round_body(
    device: VirtualModem,
    modem: Modem,
    tally: Tally,
    rng: random.Random,
    accepted: list[str],
    returned: list[str],
) -> None:
    for _ in range(3):  # the unlock may meet the fault; try again as a user would
        ok, _ = timed(tally, "unlock", lambda: modem.unlock(PROFILE.pin1))
        if ok:
            break
    timed(tally, "sms set-up", modem.enable_sms_indications)
    for _ in range(RECEIVED_PER_ROUND):
        text = f"Your code is {rng.randrange(10**6):06d}"
        if not deliver(device, text):
            # A reboot asks for the PIN again: no registration, no SMS. Unlock, retry.
            timed(tally, "unlock", lambda: modem.unlock(PROFILE.pin1))
            if not deliver(device, text):
                tally.not_delivered += 1
                continue
        accepted.append(text)
        tally.trace.append(f"delivered {text!r}")
        ok, message = timed(tally, "wait_for_sms", lambda: modem.wait_for_sms(3.0))
        if not ok:
            continue
        if message.text not in accepted:
            tally.corrupted_accepted += 1
            tally.notes.append(f"received {message.text!r}, sent one of {accepted}")
            continue
        returned.append(message.text)
        tally.trace.append(f"  -> {message.text!r} at {message.memory} #{message.index}")
        if message.index is not None:
            index = message.index
            timed(tally, "delete", lambda index=index: modem.delete_sms(index))
    # Status reports come routed (+CDS, acknowledged with +CNMA, TS 27.005 §3.4.4): the
    # stored mode above (+CNMI <ds>=0) announces none.
    routed, _ = timed(tally, "route to terminal", modem.route_sms_to_terminal)
    text = f"reply {rng.randrange(10**6):06d}"
    before = len(device.sent_messages)
    ok, references = timed(
        tally, "send_sms", lambda: modem.send_sms(RECIPIENT, text, status_report=True)
    )
    sent = device.sent_messages[before:]
    for pdu in sent:
        if getattr(pdu.tpdu, "text", None) != text:
            tally.corrupted_accepted += 1
            tally.notes.append(f"modem sent {getattr(pdu.tpdu, 'text', None)!r}, not {text!r}")
    if ok and routed:
        _check_report(modem, tally, references)


def _check_report(modem: Modem, tally: Tally, references: list[int]) -> None:
    """The status report asked for arrives (or a typed error says why) and is for the
    message just sent: a report for another one, taken as this one's, is a false verdict."""
    ok, message = timed(tally, "status report", lambda: modem.wait_for_status_report(5.0))
    report = message.status_report if ok else None
    if ok and (
        report is None
        or report.message_reference not in references
        or str(report.recipient) != RECIPIENT
    ):
        tally.corrupted_accepted += 1
        tally.notes.append(f"status report {report!r} is not for {RECIPIENT} TP-MR {references}")


def _account(card: VirtualUicc, tally: Tally, accepted: list[str], returned: list[str]) -> None:
    """Every accepted message was handed back or is still stored (fault-free check)."""
    stored: list[str] = []
    with tempfile.TemporaryDirectory(prefix="simharness-soak-") as tmp:
        link = Path(tmp) / "modem"
        with VirtualModem(card) as device:
            device.start_pty(link)
            policy = SafetyPolicy.unrestricted("soak accounting")
            with Modem(str(link), default_timeout=5.0, safety=policy) as modem:
                modem.unlock(PROFILE.pin1)
                modem.set_sms_storage("SM")
                stored = [m.text for m in modem.list_sms() if m.intact]
                modem.delete_all_sms()
    lost = [text for text in accepted if text not in returned and text not in stored]
    for text in lost:
        tally.sms_lost += 1
        tally.notes.append(f"lost: {text!r} (accepted by the modem, not returned, not stored)")
    if lost:
        tally.notes.extend(f"    {event}" for event in tally.trace)
        tally.notes.append(f"    stored at the end: {stored}")


def soak_knob(knob: str, rounds: int, seed: int) -> Tally:
    rng = random.Random(f"{seed}-{knob}")
    card = VirtualUicc(PROFILE)
    tally = Tally()
    for number in range(rounds):
        faults = replace(FaultConfig(seed=rng.randrange(2**31)), **{knob: KNOB_SETTINGS[knob](rng)})
        try:
            one_round(card, faults, tally, rng)
        except HarnessError as exc:
            tally.notes.append(f"round {number}: accounting failed: {exc}")
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6, help="rounds per knob")
    parser.add_argument("--knob", action="append", help="only these knobs (repeatable)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("-v", "--verbose", action="store_true", help="print every note")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)
    knobs = args.knob or list(KNOB_SETTINGS)
    missing = sorted(set(FaultConfig.knobs()) - {"seed"} - set(KNOB_SETTINGS))
    if missing:
        print(f"knobs without a soak setting: {', '.join(missing)}")
        return 1
    rows = []
    bad = False
    for knob in knobs:
        started = time.monotonic()
        tally = soak_knob(knob, args.rounds, args.seed)
        bad = bad or tally.bad
        rows.append(
            [
                knob,
                tally.operations,
                tally.typed_errors,
                tally.hangs,
                tally.sms_lost,
                tally.corrupted_accepted,
                tally.not_delivered,
                f"{time.monotonic() - started:.0f}",
            ]
        )
        print(
            f"{knob}: {tally.operations} operations, {tally.typed_errors} typed errors", flush=True
        )
        for note in tally.notes if (args.verbose or tally.bad) else []:
            print(f"  {note}")
    print()
    headers = [
        "knob",
        "operations",
        "typed errors",
        "hangs",
        "SMS lost",
        "SMS corrupted+accepted",
        "not delivered",
        "s",
    ]
    print(tabulate(rows, headers=headers))
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
