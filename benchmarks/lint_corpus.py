"""Lint speed: the kyverno-policies corpus, against PyYAML's C compose_all in the same run.

Measures, as medians over --runs interleaved rounds:
  * PyYAML C ``compose_all`` of every file lint reads (the baseline; goal <= 1.0x, must 1.5x);
  * ``engine.lint_paths`` in this process;
  * ``stopsignal lint --format json CORPUS`` as a subprocess, with its peak RSS (must <= 150 MiB);
  * one-file lint start-up against ``python -c "import yaml"`` (goal <= 2x).

    python benchmarks/lint_corpus.py [--corpus ../shared/corpus/kyverno-policies] [--runs 3]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "kyverno-policies"
ONE_FILE = ROOT / "examples" / "seed" / "pod-stopsignal-lifecycle.yaml"


def compose_all(files: list[str]) -> int:
    documents = 0
    loader = yaml.CSafeLoader
    for path in files:
        with open(path, "rb") as handle:  # noqa: PTH123 - the baseline reads as plainly as it can
            data = handle.read()
        with contextlib.suppress(yaml.YAMLError):
            documents += sum(1 for _ in yaml.compose_all(data, Loader=loader))
    return documents


def lint_in_process(corpus: str) -> tuple[int, int, int]:
    from stopsignal.config import Config
    from stopsignal.engine import lint_paths

    result = lint_paths([corpus], Config())
    return result.files, result.containers, len(result.findings)


def read_then_lint(corpus: str) -> tuple[float, float]:
    """(seconds reading, seconds in the engine and rules): where lint's time goes."""
    from stopsignal.config import Config
    from stopsignal.engine import lint_results
    from stopsignal.readers import iter_files, read_path

    start = time.perf_counter()
    results = [read_path(path) for path in iter_files([corpus])]
    middle = time.perf_counter()
    lint_results(results, Config())
    return middle - start, time.perf_counter() - middle


def subprocess_run(argv: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one child process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    return elapsed, usage.ru_maxrss / 1024


def stopsignal_argv(*args: str) -> list[str]:
    script = shutil.which("stopsignal") or str(Path(sys.executable).parent / "stopsignal")
    return [script, *args]


# What `stopsignal lint` costs once stopsignal.cli.main routes `lint` to the click-free
# parser (as it does for `signal`): the same entry point, minus click.
FAST = ("import sys; from stopsignal.cli.lint_fast import lint_fast; "
        "sys.exit(lint_fast(sys.argv[1:]))")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--startup-runs", type=int, default=15)
    args = parser.parse_args()

    from stopsignal.readers import iter_files

    files = [path for path in iter_files([args.corpus])
             if path.endswith((".yaml", ".yml"))]
    print(f"corpus: {args.corpus} ({len(files)} YAML files)")
    samples: dict[str, list[float]] = {"compose": [], "lint": [], "cli": [], "read": [],
                                       "rules": []}
    rss: list[float] = []
    lint_in_process(args.corpus)  # warm the page cache and the imports
    for _ in range(args.runs):
        start = time.perf_counter()
        documents = compose_all(files)
        samples["compose"].append(time.perf_counter() - start)
        start = time.perf_counter()
        counts = lint_in_process(args.corpus)
        samples["lint"].append(time.perf_counter() - start)
        elapsed, peak = subprocess_run(stopsignal_argv("lint", "--no-config", "--format", "json",
                                                       args.corpus))
        samples["cli"].append(elapsed)
        rss.append(peak)
        reading, checking = read_then_lint(args.corpus)
        samples["read"].append(reading)
        samples["rules"].append(checking)
    base = statistics.median(samples["compose"])
    print(f"documents composed: {documents}; lint read {counts[0]} files, "
          f"{counts[1]} containers, {counts[2]} findings")
    print(f"{'what':<44} {'median s':>9} {'vs compose':>10}")
    for name, label in (("compose", "PyYAML C compose_all (baseline)"),
                        ("lint", "lint, in process"), ("cli", "stopsignal lint (subprocess)"),
                        ("read", "  of which: readers"), ("rules", "  of which: engine and rules")):
        median = statistics.median(samples[name])
        print(f"{label:<44} {median:>9.3f} {median / base:>9.2f}x")
    print(f"peak RSS of stopsignal lint: {max(rss):.1f} MiB (max of {len(rss)} runs)")

    cases = {"import yaml": [sys.executable, "-c", "import yaml"],
             "lint one file": stopsignal_argv("lint", "--no-config", str(ONE_FILE)),
             "lint one file, click-free": [sys.executable, "-c", FAST, "--no-config",
                                           str(ONE_FILE)]}
    startup: dict[str, list[float]] = {name: [] for name in cases}
    for argv in cases.values():
        subprocess_run(argv)
    for _ in range(args.startup_runs):
        for name, argv in cases.items():
            startup[name].append(subprocess_run(argv)[0])
    yaml_start = statistics.median(startup["import yaml"])
    for name, values in startup.items():
        median = statistics.median(values)
        print(f"start-up: {name:<28} {median * 1000:7.1f} ms {median / yaml_start:6.2f}x")


if __name__ == "__main__":
    main()
