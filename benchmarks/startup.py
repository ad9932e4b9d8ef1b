"""CLI start-up: `stopsignal signal 15` against `python -c pass`, in the same run.

Prints the median wall time of each over N runs (interleaved, so machine noise
hits both alike) and their ratio. Goal: under 3x. Commands run as an installed
package does: with compiled bytecode (a temporary cache, filled by a warm-up
run), even where PYTHONDONTWRITEBYTECODE is set. `--no-bytecode` measures
compiling from source on every run instead.

    python benchmarks/startup.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-bytecode", action="store_true",
                        help="compile from source on every run (no bytecode cache)")
    args = parser.parse_args()
    env = dict(os.environ)
    cache = tempfile.mkdtemp(prefix="stopsignal-pycache-")
    if args.no_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    script = shutil.which("stopsignal") or str(Path(sys.executable).parent / "stopsignal")
    cases = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "stopsignal signal 15": [script, "signal", "15"],
        "stopsignal resolve (openshift@4.9)": [script, "resolve", "--engine", "openshift@4.9",
                                               "--stop-signal", "SIGRTMIN+3"],
    }
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for argv in cases.values():  # warm the page cache and the bytecode cache
        timed(argv, env)
    for _ in range(args.runs):
        for name, argv in cases.items():
            samples[name].append(timed(argv, env))
    shutil.rmtree(cache, ignore_errors=True)
    base = statistics.median(samples["python -c pass"])
    print(f"{'command':<38} {'median ms':>10} {'ratio':>7}")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"{name:<38} {median * 1000:>10.1f} {median / base:>6.2f}x")


if __name__ == "__main__":
    main()
