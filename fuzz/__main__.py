"""`python -m fuzz [--cases N] [--target NAME] [--seed S]`: the long fuzz run.

N cases in all (default 1,000,000), shared out over the targets; each case is a
mutated seed or random bytes (fuzz.mutate). Prints per target the cases run,
how many ended in a typed error, the distinct failures (exception type and
where it was raised) with one reproducing input each, and the slowest case.
Exit status 1 when any target failed.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tabulate import tabulate

from fuzz.mutate import mutate
from fuzz.targets import TARGETS, Target
from harness.errors import HarnessError


@dataclass
class Outcome:
    cases: int = 0
    typed: int = 0
    slowest_s: float = 0.0
    failures: dict[str, tuple[int, bytes, str]] = field(default_factory=dict)  # key -> n, input


def run_target(target: Target, cases: int, seed: int) -> Outcome:
    rng = random.Random(f"{seed}-{target.name}")
    seeds = target.seeds() or [b""]
    outcome = Outcome()
    for _ in range(cases):
        data = mutate(rng, rng.choice(seeds))
        started = time.perf_counter()
        try:
            target.run(data)
        except HarnessError:
            outcome.typed += 1
        except Exception as exc:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            where = f"{Path(frame.filename).name}:{frame.lineno}"
            key = f"{type(exc).__name__} at {where}"
            count, first, text = outcome.failures.get(key, (0, data, str(exc)[:120]))
            outcome.failures[key] = (count + 1, first, text)
        outcome.slowest_s = max(outcome.slowest_s, time.perf_counter() - started)
        outcome.cases += 1
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases in all")
    parser.add_argument("--target", action="append", help="only these targets (repeatable)")
    parser.add_argument("--seed", type=int, default=0, help="run seed (replays exactly)")
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # decoders log what they tolerate; not the point here
    targets = [t for t in TARGETS if not args.target or t.name in args.target]
    if not targets:
        parser.error(f"no such target; known: {', '.join(t.name for t in TARGETS)}")
    per_target = -(-args.cases // len(targets))
    rows = []
    failed = False
    began = time.monotonic()
    for target in targets:
        outcome = run_target(target, per_target, args.seed)
        failures = sum(n for n, _, _ in outcome.failures.values())
        failed = failed or failures > 0
        rows.append(
            [
                target.name,
                f"{outcome.cases:,}",
                f"{outcome.typed:,}",
                failures,
                f"{outcome.slowest_s * 1e3:.1f}",
            ]
        )
        print(f"{target.name}: {outcome.cases:,} cases, {failures} failures", flush=True)
        for key, (count, data, text) in outcome.failures.items():
            print(f"  FAIL {key} x{count}: {text}\n       input {data.hex()}")
    total = sum(int(r[1].replace(",", "")) for r in rows)
    print()
    print(tabulate(rows, headers=["target", "cases", "typed errors", "failures", "slowest ms"]))
    print(f"\n{total:,} cases in {time.monotonic() - began:.0f} s; seed {args.seed}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
