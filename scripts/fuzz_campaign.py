"""A long fuzz campaign over the targets of tests/fuzz (every parser, lint, fix, review).

Each target gets inputs from a seeded ``random.Random`` (the same fragments as the
hypothesis tests, cheaper per input) until it has run ``--inputs`` of them or
``--seconds`` have passed, whichever comes first. A failing input is printed (repr)
with its traceback and the campaign goes on; the exit code is 1 if any failed.

    python scripts/fuzz_campaign.py [--targets signals,engines] [--inputs 1000000]
        [--seconds 600] [--seed 1] [--json]

Targets run in the order given, one process: run several campaigns side by side to use
more cores.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "fuzz"))
from fuzz_targets import TARGETS, generate


def campaign(name: str, inputs: int, seconds: float, seed: int) -> dict[str, Any]:
    target = TARGETS[name]
    rng = random.Random(f"{seed}:{name}")
    failures: list[dict[str, str]] = []
    started = time.monotonic()
    deadline = started + seconds
    count = 0
    while count < inputs:
        if count % 256 == 0 and time.monotonic() > deadline:
            break
        text = generate(rng, target.fragments, target.max_parts)
        count += 1
        try:
            target.check(text)
        except Exception:  # noqa: BLE001 - every escape is a finding, reported below
            if len(failures) < 20:
                failures.append({"input": repr(text)[:2000],
                                 "error": traceback.format_exc(limit=6)[-3000:]})
                sys.stderr.write(f"{name}: FAILED on {text!r:.300}\n{failures[-1]['error']}\n")
    elapsed = time.monotonic() - started
    return {"target": name, "inputs": count, "seconds": round(elapsed, 1),
            "inputs_per_second": round(count / elapsed, 1) if elapsed else None,
            "failures": len(failures), "examples": failures[:3]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--inputs", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=600.0, help="per target")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    names = [name for name in args.targets.split(",") if name]
    unknown = set(names) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}; known: {', '.join(TARGETS)}")
    results = []
    for name in names:
        result = campaign(name, args.inputs, args.seconds, args.seed)
        results.append(result)
        if not args.json:
            print(f"{name:14} {result['inputs']:>10,} inputs {result['seconds']:>8} s "
                  f"{result['inputs_per_second'] or 0:>10,.0f}/s  failures {result['failures']}",
                  flush=True)
    if args.json:
        print(json.dumps(results, indent=2))
    return 1 if any(result["failures"] for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
