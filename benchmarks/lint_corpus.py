"""Lint speed: the kyverno-policies corpus against PyYAML's C compose_all, and start-up.

Issue 4, "Speed": lint the corpus no slower than PyYAML's C ``compose_all`` of the same
files (goal 1.0x, must 1.5x) with peak RSS at most 150 MiB, and lint one file in at
most 2.5x ``python -c "import yaml"``. Everything is measured in the same run, in
interleaved rounds, and medians are printed, as wall time and as CPU time (user +
system, children included): the machine is shared, and CPU time is what load
disturbs least.

  * baseline: PyYAML C ``compose_all`` of every file lint reads, in this process;
  * ``stopsignal lint --format json CORPUS`` as a subprocess, ``--jobs 1`` and auto
    (one process per CPU): its peak RSS is the sum of every process's peak (VmHWM,
    polled from /proc), an upper bound (forked workers share pages);
  * the readers alone and the engine and rules alone, in this process (``--split``);
  * start-up: ``stopsignal lint --lookup-images none FILE`` against ``python -c "import yaml"``
    and bare Python (as ``startup.py``), and the same lint with its default image lookups.

Child processes use cached bytecode, as an installed package does (pip compiles it):
PYTHONDONTWRITEBYTECODE is dropped for them and PYTHONPYCACHEPREFIX points at a
temporary directory, so the source tree gets no __pycache__. ``--no-bytecode`` measures
them without it (every stopsignal module compiled from source on every run).

    python benchmarks/lint_corpus.py [--corpus DIR] [--runs 5] [--startup-runs 21] [--split]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "kyverno-policies"
ONE_FILE = ROOT / "examples" / "seed" / "pod-stopsignal-systemd.yaml"
MIB = 1024 * 1024


def compose_all(files: list[str]) -> int:
    documents = 0
    loader = yaml.CSafeLoader
    for path in files:
        with open(path, "rb") as handle:  # noqa: PTH123 - the baseline reads as plainly as it can
            data = handle.read()
        with contextlib.suppress(yaml.YAMLError):
            documents += sum(1 for _ in yaml.compose_all(data, Loader=loader))
    return documents


def timed(work: Callable[[], object]) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds of this process, result)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    value = work()
    return time.perf_counter() - start, time.process_time() - start_cpu, value


class TreePeak(threading.Thread):
    """Polls /proc for a process and its descendants; remembers each one's VmHWM."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peaks: dict[int, int] = {}  # pid -> peak RSS in bytes
        self.running = True

    def run(self) -> None:
        while self.running:
            for pid in self._tree(self.pid):
                peak = self._hwm(pid)
                if peak:
                    self.peaks[pid] = max(self.peaks.get(pid, 0), peak)
            time.sleep(0.002)

    def _tree(self, pid: int) -> list[int]:
        found = [pid]  # lint forks from its main thread: that task lists the children
        for child in self._read(f"/proc/{pid}/task/{pid}/children").split():
            found.extend(self._tree(int(child)))
        return found

    @staticmethod
    def _read(path: str) -> str:
        try:
            with open(path) as handle:  # noqa: PTH123
                return handle.read()
        except OSError:
            return ""

    def _hwm(self, pid: int) -> int:
        for line in self._read(f"/proc/{pid}/status").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0


def run_child(argv: list[str], env: dict[str, str], *,
              watch: bool = False) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds incl. its children, peak RSS MiB summed over its tree)."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=env, cwd=ROOT)
    watcher = TreePeak(process.pid) if watch else None
    if watcher:
        watcher.start()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    peak = usage.ru_maxrss * 1024
    if watcher:
        watcher.running = False
        watcher.join()
        peak = max(peak, sum(watcher.peaks.values()))
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed with status {status}")
    return elapsed, usage.ru_utime + usage.ru_stime, peak / MIB


def stopsignal_argv(*args: str) -> list[str]:
    script = shutil.which("stopsignal") or str(Path(sys.executable).parent / "stopsignal")
    return [script, *args]


def child_env(bytecode: bool, cache: str) -> dict[str, str]:
    env = dict(os.environ)
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def row(label: str, walls: list[float], cpus: list[float], base: tuple[float, float]) -> None:
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"{label:<40} {wall:8.3f} {wall / base[0]:6.2f}x {cpu:8.3f} {cpu / base[1]:6.2f}x")


def corpus(args: argparse.Namespace, env: dict[str, str]) -> None:
    from stopsignal.readers import iter_files

    files = [path for path in iter_files([args.corpus]) if path.endswith((".yaml", ".yml"))]
    print(f"corpus: {args.corpus} ({len(files)} YAML files; {os.cpu_count()} CPUs; "
          f"load average {os.getloadavg()[0]:.1f})")
    cases = {"lint --jobs 1": stopsignal_argv("lint", "--no-config", "--format", "json",
                                              "--jobs", "1", args.corpus),
             "lint (auto jobs)": stopsignal_argv("lint", "--no-config", "--format", "json",
                                                 args.corpus)}
    walls: dict[str, list[float]] = {name: [] for name in ("compose", *cases)}
    cpus: dict[str, list[float]] = {name: [] for name in walls}
    rss: dict[str, list[float]] = {name: [] for name in cases}
    for argv in cases.values():
        run_child(argv, env)  # warm the page cache and the bytecode cache
    documents = 0
    for round_ in range(args.runs):
        order = ["compose", *cases]
        if round_ % 2:
            order.reverse()  # drift in the machine's load hits every case alike
        for name in order:
            if name == "compose":
                wall, cpu, value = timed(lambda: compose_all(files))
                documents = int(str(value))
            else:
                wall, cpu, peak = run_child(cases[name], env, watch=True)
                rss[name].append(peak)
            walls[name].append(wall)
            cpus[name].append(cpu)
    base = statistics.median(walls["compose"]), statistics.median(cpus["compose"])
    print(f"documents composed: {documents}; medians of {args.runs} rounds")
    print(f"{'what':<40} {'wall s':>8} {'ratio':>7} {'CPU s':>8} {'ratio':>7}")
    row("PyYAML C compose_all (baseline)", walls["compose"], cpus["compose"], base)
    for name in cases:
        row(f"stopsignal {name}", walls[name], cpus[name], base)
    for name in cases:
        print(f"peak RSS, stopsignal {name}: {max(rss[name]):.1f} MiB (all processes, "
              f"max of {len(rss[name])} runs; must be <= 150)")
    if args.split:
        split(args.corpus, args.runs, base)


def split(corpus_dir: str, runs: int, base: tuple[float, float]) -> None:
    """Where lint's time goes, sequentially: finding and reading files, then the rules."""
    from stopsignal.config import Config
    from stopsignal.engine import lint_results
    from stopsignal.readers import ReadResult, iter_files, read_path

    samples: dict[str, tuple[list[float], list[float]]] = {"read": ([], []), "rules": ([], [])}
    results: list[ReadResult] = [read_path(path) for path in iter_files([corpus_dir])]

    def read() -> None:
        # Each result dropped once read, as lint does (holding 6,000 costs GC passes).
        for path in iter_files([corpus_dir]):
            read_path(path)

    for _ in range(runs):
        wall, cpu, _ = timed(read)
        samples["read"][0].append(wall)
        samples["read"][1].append(cpu)
        wall, cpu, _ = timed(lambda: lint_results(results, Config()))
        samples["rules"][0].append(wall)
        samples["rules"][1].append(cpu)
    row("  in process: iter_files + readers", *samples["read"], base)
    row("  in process: engine and rules", *samples["rules"], base)


def startup(args: argparse.Namespace, env: dict[str, str]) -> None:
    cases = {"python -c pass": [sys.executable, "-c", "pass"],
             "python -c 'import yaml'": [sys.executable, "-c", "import yaml"],
             # The goal is start-up as such; the default also asks the local image store
             # about the pod's image (`podman image inspect`, a process of its own).
             "stopsignal lint --lookup-images none FILE": stopsignal_argv(
                 "lint", "--lookup-images", "none", str(ONE_FILE)),
             "  the same, default lookups": stopsignal_argv("lint", str(ONE_FILE))}
    walls: dict[str, list[float]] = {name: [] for name in cases}
    cpus: dict[str, list[float]] = {name: [] for name in cases}
    for argv in cases.values():
        run_child(argv, env)
    for _ in range(args.startup_runs):
        for name, argv in cases.items():
            wall, cpu, _ = run_child(argv, env)
            walls[name].append(wall)
            cpus[name].append(cpu)
    base = (statistics.median(walls["python -c 'import yaml'"]),
            statistics.median(cpus["python -c 'import yaml'"]))
    print(f"start-up ({ONE_FILE.relative_to(ROOT)}), medians of {args.startup_runs} runs; "
          "lint --lookup-images none must be <= 2.5x import yaml")
    print(f"{'what':<44} {'wall ms':>8} {'ratio':>7} {'CPU ms':>8} {'ratio':>7}")
    for name in cases:
        wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
        print(f"{name:<44} {wall * 1000:8.1f} {wall / base[0]:6.2f}x {cpu * 1000:8.1f} "
              f"{cpu / base[1]:6.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--startup-runs", type=int, default=21)
    parser.add_argument("--split", action="store_true",
                        help="also time the readers and the rules alone, in process")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="children compile every module from source (no .pyc)")
    parser.add_argument("--only", choices=("corpus", "startup"), default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="stopsignal-bench-pyc-") as cache:
        env = child_env(not args.no_bytecode, cache)
        print(f"bytecode for child processes: {'none' if args.no_bytecode else 'cached'}")
        if args.only in (None, "corpus"):
            corpus(args, env)
        if args.only in (None, "startup"):
            startup(args, env)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(this benchmark process: peak RSS {peak:.1f} MiB)")


if __name__ == "__main__":
    main()
