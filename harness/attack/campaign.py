"""PIN attack campaigns: guess a SIM's PIN1, PIN2 or PUK within a safety budget.

What a thief with a stolen SIM would do, done by a lab to prove the defence:
the counter blocks the PIN after 3 wrong guesses and the SIM after 10 wrong
PUKs, and no reset trick (power cycle, card reset, radio off/on, SIM
re-insert) gives a try back.

One gate (DESIGN.md "Safety"): the campaign *decides* the policy and hands it
to the driver (`Target.use_policy`); the driver's gate *enforces* it before each
guess. By default the policy keeps at least 1 PIN try and spends no PUK try.
The floor is lifted only for an explicitly destructive run (`allow_destructive`)
on a card that is virtual (by configuration) or whose ICCID is on the bench's
sacrificial list. Virtual alone is not enough: a bench file that wrongly says
`virtual = true` must not be all it takes to destroy a real SIM.

Every attempt goes into the per-ICCID ledger (harness.attack.ledger)
before it is sent and after the card answered; a run whose card disagrees with
the ledger in the dangerous direction refuses to start. A dry run presents
nothing and writes no ledger: it reads the card's ICCID and counters (free) to say
how many guesses the gate would let through, and prints the plan.
"""

from __future__ import annotations

import itertools
import logging
import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from harness.attack.budget import Budget, CampaignConfig, FloorDecision, decide_floor
from harness.attack.ledger import AttemptLedger, default_state_dir
from harness.attack.report import (
    AttemptRecord,
    CampaignResult,
    Progress,
    StopReason,
    TrickRecord,
)
from harness.attack.strategies import Guess, Strategy, guesses
from harness.attack.target import (
    AttackedSecret,
    Counters,
    ResetTrick,
    Target,
    Verdict,
)
from harness.errors import ConfigError, SafetyRefusal
from harness.secrets import Secret

__all__ = [
    "Budget",
    "CampaignConfig",
    "FloorDecision",
    "decide_floor",
    "plan_campaign",
    "read_plan",
    "run_campaign",
]

log = logging.getLogger(__name__)


def _guess_order(config: CampaignConfig, seed: int) -> Iterator[Guess]:
    return guesses(
        config.strategy,
        digits=config.secret.digits,
        limit=config.budget.max_attempts,
        seed=seed,
    )


_TRICK_WORDS = {
    ResetTrick.POWER_CYCLE: "power-cycle (a modem REBOOTS with its vendor reset command and "
    "re-enumerates; a reader's card is powered off and on)",
    ResetTrick.CARD_RESET: "card-reset (a warm reset of the card in its reader)",
    ResetTrick.RADIO: "radio-off-on (AT+CFUN=4, then AT+CFUN=1)",
    ResetTrick.REINSERT: "sim-reinsert (the SIM taken out and put back; simulators only)",
}


def _possible(config: CampaignConfig, decision: FloorDecision, left: int | None) -> int:
    """How many guesses the gate will let through from `left` tries (None: none)."""
    policy = decision.policy
    if left is None:
        return 0  # the gate refuses while the counter is unreadable
    if config.secret.is_puk:
        if not policy.allow_puk_attempts:
            return 0
        return max(left - policy.puk_floor, 0)
    floor = max(policy.pin_floor, 0 if policy.allow_last_pin_attempt else 1)
    return max(left - floor, 0)


def _plan(
    config: CampaignConfig,
    device: str,
    virtual: bool,
    seed: int,
    state: Path,
    observed: Counters | None,
    iccid: str | None,
    tricks: tuple[ResetTrick, ...],
) -> list[str]:
    decision = decide_floor(config, virtual=virtual, iccid=iccid)
    order = [g.origin for g in _guess_order(config, seed)]
    label = config.secret.label
    lines = [f"PLAN (dry run: no guess is sent) on {device} ({'virtual' if virtual else 'REAL'})"]
    if observed is not None:
        left = observed.of(config.secret)
        possible = min(config.budget.max_attempts, _possible(config, decision, left))
        order = order[:possible]
        shown_left = "unreadable" if left is None else str(left)
        lines.append(
            f"card ICCID {iccid or '?'}: {label} tries left {shown_left} (read, nothing spent)"
        )
        lines.append(
            f"attack {label} by {config.strategy.value}: {possible} attempt(s) possible "
            f"(--max-attempts {config.budget.max_attempts}, the counter and the floor)"
        )
    else:
        lines.append(
            f"attack {label} by {config.strategy.value}, at most "
            f"{config.budget.max_attempts} attempts (counter not read)"
        )
    shown = ", ".join(order[:5]) + (f", ... ({len(order)} in all)" if len(order) > 5 else "")
    lines += [
        f"guesses: {shown or 'none'} (values masked)",
        f"safety: {decision.policy.describe()}",
        "the driver's gate reads the counter before every guess and refuses past the floor",
    ]
    if config.strategy is Strategy.RANDOM:
        lines.append(f"random seed {seed} (pass --seed {seed} to repeat this order)")
    if config.strategy is Strategy.RESET_TRICKS:
        chosen = config.tricks or tricks
        wanted = "; ".join(_TRICK_WORDS[t] for t in chosen) if chosen else "all available"
        lines.append(f"between guesses the real run applies: {wanted}; the counter must not rise")
    lines.append(f"ledger: {state}/<ICCID>.json, checked against the card before the first guess")
    return lines


def plan_campaign(
    config: CampaignConfig,
    *,
    device: str,
    virtual: bool,
    state_dir: Path | None = None,
    observed: Counters | None = None,
    iccid: str | None = None,
    tricks: tuple[ResetTrick, ...] = (),
) -> CampaignResult:
    """The plan of a campaign. It presents nothing; given the counters and ICCID a caller
    read (free), it says how many guesses the gate will actually let through."""
    seed = config.seed if config.seed is not None else secrets.randbelow(2**31)
    state = state_dir or default_state_dir()
    decision = decide_floor(config, virtual=virtual, iccid=iccid)
    return CampaignResult(
        device=device,
        iccid=iccid,
        virtual=virtual,
        secret=config.secret,
        strategy=_strategy_label(config, seed),
        policy=decision.policy.describe(),
        lifted=False,
        stop=StopReason.DRY_RUN,
        plan=_plan(config, device, virtual, seed, state, observed, iccid, tricks),
        start=observed,
    )


def read_plan(
    target: Target, config: CampaignConfig, *, state_dir: Path | None = None
) -> CampaignResult:
    """A dry run on an open target: reads its ICCID, counters and tricks (all free), then
    plans; nothing is presented and no ledger is written."""
    return plan_campaign(
        config,
        device=target.name,
        virtual=target.virtual,
        state_dir=state_dir,
        observed=target.counters(config.secret),
        iccid=target.iccid(),
        tricks=target.tricks(),
    )


def run_campaign(
    target: Target,
    config: CampaignConfig,
    *,
    state_dir: Path | None = None,
    progress: TextIO | None = None,
    clock: Callable[[], float] = time.time,
) -> CampaignResult:
    """Run (or, with `config.dry_run`, only plan) one campaign on `target`."""
    if config.dry_run:
        return read_plan(target, config, state_dir=state_dir)
    state = state_dir or default_state_dir()
    seed = config.seed if config.seed is not None else secrets.randbelow(2**31)
    order = _guess_order(config, seed)  # a bad strategy/secret pair fails before any I/O
    new_pin = _new_pin(config, target.virtual)
    tricks = _tricks(target, config)
    iccid = target.iccid()
    decision = decide_floor(config, virtual=target.virtual, iccid=iccid)
    previous_policy = target.use_policy(decision.policy)
    try:
        result = CampaignResult(
            device=target.name,
            iccid=iccid,
            virtual=target.virtual,
            secret=config.secret,
            strategy=_strategy_label(config, seed),
            policy=decision.policy.describe(),
            lifted=decision.lifted,
            stop=StopReason.EXHAUSTED,
        )
        with AttemptLedger.open(state, iccid) as ledger:
            result.ledger = str(ledger.path)
            start = target.counters(config.secret)
            result.start = result.end = start
            check = ledger.check_start(start.named(config.secret), resync=config.resync_ledger)
            result.warnings += check.warnings
            if check.resolved_pending:
                pending = check.resolved_pending
                result.warnings.append(f"previous run stopped mid-attempt: {pending}")
            ledger.begin_run(
                target=config.secret.value,
                strategy=result.strategy,
                device=target.name,
                virtual=target.virtual,
                destructive=config.allow_destructive,
                floor_lifted=decision.lifted,
                policy=result.policy,
            )
            if start.of(config.secret) == 0:
                result.stop = StopReason.ALREADY_BLOCKED
                ledger.end_run(result.stop.name.lower())
                return result
            target.prepare(config.secret)
            meter = Progress(config.budget.max_attempts, progress, f"{config.secret.label}")
            try:
                _attack(target, config, order, tricks, new_pin, ledger, result, meter, clock)
            except BaseException as exc:  # an attempt left "pending": the next run resolves it
                ledger.end_run(f"aborted: {type(exc).__name__}")
                raise
            else:
                ledger.end_run(result.stop.name.lower())
            finally:
                meter.close()
        return result
    finally:
        target.use_policy(previous_policy)  # a lifted floor never outlives its run


def _attack(
    target: Target,
    config: CampaignConfig,
    order: Iterator[Guess],
    tricks: tuple[ResetTrick, ...],
    new_pin: Secret | None,
    ledger: AttemptLedger,
    result: CampaignResult,
    meter: Progress,
    clock: Callable[[], float],
) -> None:
    secret, iccid = config.secret, result.iccid or ""
    rotation = itertools.cycle(tricks) if tricks else None
    before = result.start or Counters(None, None)
    for n, guess in enumerate(order, start=1):
        index = ledger.begin_attempt(n, secret.counter_name, before.of(secret))
        started = clock()
        outcome = target.present(secret, guess.value, new_pin)
        after = before if outcome.verdict is Verdict.REFUSED else target.counters(secret)
        correct_here = outcome.verdict is Verdict.CORRECT and target.virtual
        ledger.finish_attempt(
            index,
            verdict=outcome.verdict.value,
            code=outcome.code,
            counters=after.named(secret),
            revealed=guess.value if correct_here else None,
        )
        result.attempts.append(
            AttemptRecord(n, guess.value, outcome, before.of(secret), after.of(secret), started)
        )
        result.end = after
        meter.update(n, f"{secret.label} tries left {after.of(secret)}")
        stop = _stop_after(outcome.verdict, after, secret)
        if stop is not None:
            result.stop, result.detail = stop, outcome.detail if stop is StopReason.ERROR else ""
            if stop is StopReason.GUARD:
                log.info("%s: %s", target.name, outcome.detail)
            if stop is StopReason.FOUND:
                result.found = guess.value
                if new_pin is not None and target.virtual and config.new_pin is None:
                    shown = new_pin.reveal()  # a virtual card's PIN, set by this run
                    result.warnings.append(f"the found PUK set {secret.pin_ref.label} to {shown}")
            break
        if rotation is not None:
            after = _trick(target, next(rotation), n, after, ledger, result, iccid)
        before = after
    else:
        result.stop = (
            StopReason.BUDGET
            if len(result.attempts) >= config.budget.max_attempts
            else StopReason.EXHAUSTED
        )
    if tricks and result.stop in (StopReason.BLOCKED, StopReason.DESTROYED):
        for trick in tricks:  # a block must survive every trick too
            result.end = _trick(
                target, trick, len(result.attempts), result.end, ledger, result, iccid
            )


def _stop_after(verdict: Verdict, after: Counters, secret: AttackedSecret) -> StopReason | None:
    if verdict is Verdict.CORRECT:
        return StopReason.FOUND
    if verdict is Verdict.REFUSED:
        return StopReason.GUARD
    if verdict is Verdict.ERROR:
        return StopReason.ERROR
    if after.puk == 0 and secret.is_puk:
        return StopReason.DESTROYED
    if verdict is Verdict.BLOCKED or after.of(secret) == 0:
        return StopReason.DESTROYED if secret.is_puk else StopReason.BLOCKED
    return None


def _tricks(target: Target, config: CampaignConfig) -> tuple[ResetTrick, ...]:
    if config.strategy is not Strategy.RESET_TRICKS:
        return ()
    available = target.tricks()
    wanted = config.tricks or available
    missing = [t.value for t in wanted if t not in available]
    if missing:
        raise ConfigError(
            f"{target.name}: reset trick(s) {', '.join(missing)} not available here "
            f"(available: {', '.join(t.value for t in available)})"
        )
    return tuple(wanted)


def _trick(
    target: Target,
    trick: ResetTrick,
    n: int,
    before: Counters | None,
    ledger: AttemptLedger,
    result: CampaignResult,
    iccid: str,
) -> Counters:
    """Apply one trick, re-identify the card (a re-insert must bring the same SIM back,
    or the safety decision made for its ICCID no longer holds), read the counters."""
    target.apply(trick)
    now = target.iccid()
    if now != iccid:
        raise SafetyRefusal(
            f"{target.name}: after {trick.value} the card's ICCID is {now}, not {iccid}; "
            f"the campaign stops (its safety floor was decided for the first card)"
        )
    after = target.counters(result.secret)
    record = TrickRecord(n, trick.value, before or Counters(None, None), after)
    result.tricks.append(record)
    ledger.record_trick(trick.value, after.named(result.secret), record.survived)
    return after


def _strategy_label(config: CampaignConfig, seed: int) -> str:
    random_order = config.strategy is Strategy.RANDOM
    return config.strategy.value + (f" (seed {seed})" if random_order else "")


def _new_pin(config: CampaignConfig, virtual: bool) -> Secret | None:
    """The PIN a found PUK sets: given, or (virtual cards only) a random one."""
    if not config.secret.is_puk:
        return None
    if config.new_pin is not None:
        return config.new_pin
    if virtual:
        return Secret(f"{secrets.randbelow(10**4):04d}")
    raise ConfigError(
        "a PUK campaign on a real card needs the new PIN a found PUK would set "
        "(--new-pin-env VAR or --new-pin-file FILE); otherwise the SIM could not be used after"
    )
