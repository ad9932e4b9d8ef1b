"""CLI start-up: one-file lint against `python -c "import yaml"`; `signal 15` against bare Python.

Prints the median wall and CPU time (user + system) of each command over N runs
(interleaved, so machine noise hits all alike) and its ratios to the baselines,
measured in the same run; on a loaded machine the CPU time is the steadier one.
Goals: `stopsignal lint --lookup-images none FILE` at most 2.5x `python -c "import yaml"`
(the default lint of that file also runs `podman image inspect` when its image is local).
`stopsignal signal 15` and `resolve` are reported against `python -c pass` without a goal of
their own: about a third of them is `import typing`, which every record class needs.

Commands run as an installed package does: with compiled bytecode (a temporary
cache, filled by a warm-up run), even where PYTHONDONTWRITEBYTECODE is set.
`--no-bytecode` measures compiling from source on every run instead.
`--compare SRC` also times the stopsignal source tree SRC (for example an export
of another commit) in the same rounds, for before/after numbers.

    python benchmarks/startup.py [--runs 30] [--compare /tmp/old/src]
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

ROOT = Path(__file__).resolve().parents[1]
ONE_FILE = ROOT / "examples" / "seed" / "pod-stopsignal-systemd.yaml"
NO_LOOKUP = ("--lookup-images", "none")


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system of the child)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, env=env, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # lint exits 1 on findings
        raise SystemExit(f"{' '.join(argv)} failed with exit code {code}")
    return wall, usage.ru_utime + usage.ru_stime


Case = tuple[list[str], dict[str, str]]  # argv, environment


def stopsignal_cases(label: str, env: dict[str, str]) -> dict[str, Case]:
    script = shutil.which("stopsignal") or str(Path(sys.executable).parent / "stopsignal")
    return {
        # Start-up as such: no image lookup. The default also asks the local store about the
        # pod's image (`podman image inspect` when it is there): a process of its own.
        f"stopsignal lint FILE{label}": ([script, "lint", *NO_LOOKUP, str(ONE_FILE)], env),
        f"  the same, default lookups{label}": ([script, "lint", str(ONE_FILE)], env),
        f"stopsignal signal 15{label}": ([script, "signal", "15"], env),
        f"stopsignal resolve{label}": ([script, "resolve", "--engine", "openshift@4.9",
                                        "--stop-signal", "SIGRTMIN+3"], env),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-bytecode", action="store_true",
                        help="compile from source on every run (no bytecode cache)")
    parser.add_argument("--compare", metavar="SRC", default=None,
                        help="also time the stopsignal package under SRC (put first on "
                             "PYTHONPATH), labelled 'compared'")
    parser.add_argument("--compare-lookups", action="store_true",
                        help="the compared tree knows --lookup-images (by default it is "
                             "taken to be older, and linted without the option)")
    args = parser.parse_args()
    env = dict(os.environ)
    cache = tempfile.mkdtemp(prefix="stopsignal-pycache-")
    if args.no_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    else:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    cases: dict[str, Case] = {
        "python -c pass": ([sys.executable, "-c", "pass"], env),
        "python -c 'import yaml'": ([sys.executable, "-c", "import yaml"], env),
    }
    cases.update(stopsignal_cases("", env))
    if args.compare:
        other = dict(env, PYTHONPATH=str(Path(args.compare).resolve()))
        compared = stopsignal_cases(" (compared)", other)
        if not args.compare_lookups:  # a tree from before --lookup-images
            compared = {name: (argv[:2] + argv[4:] if NO_LOOKUP[0] in argv else argv, case)
                        for name, (argv, case) in compared.items()
                        if "default lookups" not in name}
        cases.update(compared)
    walls: dict[str, list[float]] = {name: [] for name in cases}
    cpus: dict[str, list[float]] = {name: [] for name in cases}
    for argv, case_env in cases.values():  # warm the page cache and the bytecode cache
        timed(argv, case_env)
    for _ in range(args.runs):
        for name, (argv, case_env) in cases.items():
            wall, cpu = timed(argv, case_env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    shutil.rmtree(cache, ignore_errors=True)
    print(f"medians of {args.runs} runs, bytecode {'none' if args.no_bytecode else 'cached'}, "
          f"load average {os.getloadavg()[0]:.1f}; goal: lint FILE <= 2.5x import yaml")
    print(f"{'command':<40} {'wall ms':>8} {'/ pass':>7} {'/ yaml':>7} {'CPU ms':>8} "
          f"{'/ pass':>7} {'/ yaml':>7}")
    for name in cases:
        row = [name]
        for samples in (walls, cpus):
            median = statistics.median(samples[name])
            bare = statistics.median(samples["python -c pass"])
            yaml = statistics.median(samples["python -c 'import yaml'"])
            row.append(f"{median * 1000:8.1f} {median / bare:6.2f}x {median / yaml:6.2f}x")
        print(f"{row[0]:<40} {row[1]} {row[2]}")


if __name__ == "__main__":
    main()
