"""Property: whatever operators, hands and power switches do, held SMS are never lost and never
reach the wrong SIM.

Random sequences of operator actions (loss report, reactivation, suspension,
SIM swap), SIM moves and power cycles run on a virtual bench while one-time
codes are sent to two lines. At the end every line is made deliverable and
each SIM is read back through the Modem driver (+CMGL on "SM", the SIM
identified by its ICCID): every code is on exactly one SIM, and that SIM
served the code's line — a code sent after the swap never on the old SIM.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.bench.virtual_stage import VirtualOperator
from harness.modem import Modem
from harness.scenarios.evidence import read_storage
from harness.scenarios.interfaces import codes_in
from harness.virtual.bench import (
    NO_PIN_PROFILE,
    REPLACEMENT_PROFILE,
    SimSpec,
    VirtualBench,
    numbered_profile,
)
from harness.virtual.card.profile import load_profile
from harness.virtual.network import NetworkError

BASE = load_profile(NO_PIN_PROFILE)
PROFILES = {
    "victim": BASE,
    "other": numbered_profile(BASE, 5),
    "replacement": dataclasses.replace(load_profile(REPLACEMENT_PROFILE), pin1_enabled=False),
}
LINES = {"L1": BASE.msisdn, "L2": PROFILES["other"].msisdn}
MODEMS = ("m0", "m1", "m2")
SIMS = tuple(PROFILES)

Action = tuple[str, str, str]
actions = st.one_of(
    st.tuples(st.just("move"), st.sampled_from(SIMS), st.sampled_from(MODEMS)),
    st.tuples(st.just("take_out"), st.sampled_from(SIMS), st.just("")),
    st.tuples(st.just("power_cycle"), st.sampled_from(MODEMS), st.just("")),
    st.tuples(
        st.sampled_from(["report_lost", "reactivate", "suspend", "resume", "swap", "otp"]),
        st.sampled_from(sorted(LINES)),
        st.just(""),
    ),
)
# EF.SMS holds 10 messages: more codes than that to one SIM would wait for space, not vanish.
scripts = st.lists(actions, min_size=1, max_size=14).filter(
    lambda acts: sum(a[0] == "otp" for a in acts) <= 8
)


def _do(bench: VirtualBench, operator: VirtualOperator, action: Action) -> bool:
    """Run one action; False when the operator refused it (a line in the wrong state)."""
    kind, what, where = action
    network = bench.network
    try:
        if kind == "move":
            held = bench.holder(where)
            if held is not None and held != what:
                bench.eject(where)
            bench.insert(what, where)
        elif kind == "take_out":
            bench.take_out(what)
        elif kind == "power_cycle":
            bench.power_cycle(what)
        elif kind == "report_lost":
            operator.report_lost(LINES[what], by="owner")
        elif kind == "reactivate":
            operator.reactivate(LINES[what], by="caller")
        elif kind == "suspend":
            network.suspend(LINES[what], by="operator")
        elif kind == "resume":
            network.resume(LINES[what], by="operator")
        elif kind == "swap":
            operator.swap_sim(LINES[what], "replacement" if what == "L1" else "other", by="owner")
    except NetworkError:
        return False
    return True


def _read_every_sim(bench: VirtualBench) -> dict[str, list[str]]:
    """SIM name (identified by the ICCID the modem reads) -> codes in its SMS storage."""
    by_iccid = {p.iccid: name for name, p in PROFILES.items()}
    found: dict[str, list[str]] = {}
    for port in bench.ports.values():
        with Modem(port, default_timeout=3.0) as modem:
            sim = by_iccid[modem.iccid()]
            reading = read_storage(modem, "SM")
            assert reading.readable, reading.error
            found[sim] = [code for m in reading.messages for code in codes_in(m.text)]
    return found


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(script=scripts)
def test_held_sms_are_never_lost_and_never_reach_the_wrong_sim(script: list[Action]) -> None:
    sims = [
        SimSpec("victim", PROFILES["victim"]),
        SimSpec("other", PROFILES["other"]),
        SimSpec("replacement", PROFILES["replacement"], provisioned=False),
    ]
    with VirtualBench(MODEMS, sims, placement={"victim": "m0", "other": "m1"}) as bench:
        operator = VirtualOperator(bench)
        sent: list[tuple[str, str, bool]] = []  # (line, code, sent after the swap)
        swapped = False
        for action in script:
            if action[0] == "otp":
                sent.append((action[1], bench.network.send_otp(LINES[action[1]]), swapped))
            elif _do(bench, operator, action) and action[:2] == ("swap", "L1"):
                swapped = True
        # Make every line deliverable, every SIM readable.
        for number in LINES.values():
            for undo in (operator.reactivate, bench.network.resume):
                with contextlib.suppress(NetworkError):  # already active
                    undo(number, by="operator")
        for sim in SIMS:
            bench.take_out(sim)
        for sim, modem in zip(SIMS, MODEMS, strict=True):
            bench.insert(sim, modem)
        bench.network.settle()
        deadline = time.monotonic() + 3.0
        while True:
            found = _read_every_sim(bench)
            everywhere = [code for codes in found.values() for code in codes]
            if all(code in everywhere for _, code, _ in sent) or time.monotonic() > deadline:
                break
            time.sleep(0.05)

    for line, code, after_swap in sent:
        holders = [sim for sim, codes in found.items() for c in codes if c == code]
        assert len(holders) == 1, f"{line} code on {holders or 'no SIM'} (script {script})"
        (holder,) = holders
        if line == "L2":
            assert holder == "other"
        elif after_swap:
            assert holder == "replacement"
        else:
            assert holder in ("victim", "replacement")
        if holder == "replacement":
            assert swapped
