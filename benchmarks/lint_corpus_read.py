"""Reading speed: stopsignal's readers vs PyYAML's C compose_all over the same files.

Usage: python benchmarks/lint_corpus_read.py [CORPUS_DIR] [--runs N]

Both sides read the same file list (from ``iter_files``), in the same process,
alternating, and the median of N runs is printed. Peak RSS (ru_maxrss) is that of
the whole process after all runs. The goal is ratio <= 1.0, the limit 1.5.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

import yaml

from stopsignal.readers import iter_files, read_path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "kyverno-policies"


def baseline(files: list[str]) -> int:
    """PyYAML's C composer over every file: the reference cost of parsing this YAML."""
    documents = 0
    for name in files:
        with Path(name).open("rb") as handle:
            data = handle.read()
        for _ in yaml.compose_all(data, Loader=yaml.CSafeLoader):
            documents += 1
    return documents


def readers(files: list[str]) -> tuple[int, int]:
    containers = errors = 0
    for name in files:
        result = read_path(name)
        containers += len(result.containers)
        errors += len(result.errors)
    return containers, errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(DEFAULT_CORPUS))
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    start = time.perf_counter()
    files = list(iter_files([options.corpus]))
    walk_seconds = time.perf_counter() - start
    size = sum(Path(name).stat().st_size for name in files)
    ours: list[float] = []
    theirs: list[float] = []
    ours_cpu: list[float] = []
    theirs_cpu: list[float] = []
    documents = containers = errors = 0
    for run in range(options.runs):
        # Alternate which side goes first, so drift in machine load hits both alike.
        for side in ("theirs", "ours") if run % 2 == 0 else ("ours", "theirs"):
            start, start_cpu = time.perf_counter(), time.process_time()
            if side == "theirs":
                documents = baseline(files)
            else:
                containers, errors = readers(files)
            wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
            (theirs if side == "theirs" else ours).append(wall)
            (theirs_cpu if side == "theirs" else ours_cpu).append(cpu)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ours_median, theirs_median = statistics.median(ours), statistics.median(theirs)
    ours_cpu_median, theirs_cpu_median = statistics.median(ours_cpu), statistics.median(theirs_cpu)
    print(f"corpus: {options.corpus}")
    print(f"files: {len(files)} ({size / 1e6:.2f} MB), found by iter_files in {walk_seconds:.3f} s")
    print(f"yaml.compose_all (CSafeLoader): {theirs_median:.3f} s wall, "
          f"{theirs_cpu_median:.3f} s CPU (medians of {options.runs}), {documents} documents")
    print(f"stopsignal readers:             {ours_median:.3f} s wall, "
          f"{ours_cpu_median:.3f} s CPU (medians of {options.runs}), {containers} containers, "
          f"{errors} read errors")
    print(f"ratio readers/compose_all: {ours_median / theirs_median:.2f}x wall, "
          f"{ours_cpu_median / theirs_cpu_median:.2f}x CPU (goal 1.0, limit 1.5)")
    print(f"peak RSS: {peak_mib:.1f} MiB (limit 150)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
