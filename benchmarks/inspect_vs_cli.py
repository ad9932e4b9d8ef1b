"""Benchmark: `stopsignal inspect --all` of N running containers against the engine's own list.

N cheap containers (`sleep infinity` on the offline base image) are started, then, in the
same run, alternating, several repetitions: the engine's CLI listing them (`podman ps`,
or `docker ps` with --engine docker) and `stopsignal inspect --all --json` as a user runs
it (a new process: start-up, the engine's list and inspect, procfs for every PID 1, the
verdicts). Prints medians and the ratio (goal <= 2x), then removes the containers.

A second baseline is the list, then the engine's inspect of those containers, one after
the other in a shell: the stop signal and timeout are in no list. It is a reference only:
for podman, stopsignal reads them from podman's state DB (``stopsignal.inspect.podman_state``);
for Docker, it asks the daemon's Engine API the same questions directly, without the CLI's
processes (``stopsignal.inspect.docker_api``).

    .venv/bin/python benchmarks/inspect_vs_cli.py [--containers 100] [--reps 7]
        [--engine podman|docker]

The base image comes from `scripts/setup-podman.sh`; for Docker, `scripts/setup-engines.sh`
loads the images and DOCKER_HOST must point at the daemon.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENV = dict(os.environ)
# Measure stopsignal as installed: with compiled bytecode (a private cache, filled by the
# first repetition), even where the shell sets PYTHONDONTWRITEBYTECODE.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
ENV["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="stopsignal-pycache-")
ENV.setdefault("CONTAINERS_CONF", str(REPO / "containers" / "containers.conf"))
IMAGES = {"podman": "localhost/debian-systemd:bookworm",
          "docker": "localhost/stopsignal-systemd-nostopsignal"}
DOCKER = "/usr/bin/docker" if Path("/usr/bin/docker").exists() else "docker"


def engine_cli(engine: str) -> list[str]:
    return ["podman"] if engine == "podman" else [DOCKER]


def timed(argv: list[str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds (user + system, with every process it ran), stdout."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=ENV, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # said now: removing the containers can take long
        print(f"{' '.join(argv[:4])}... failed: {done.stderr.strip()[-500:]}", file=sys.stderr,
              flush=True)
        sys.exit(2)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return seconds, cpu, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=100)
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--engine", choices=["podman", "docker"], default="podman")
    options = parser.parse_args()
    cli = engine_cli(options.engine)
    label = f"io.stopsignal.bench=inspect-{uuid.uuid4().hex[:6]}"
    entrypoint = ["--entrypoint", "sleep"] if options.engine == "docker" else []
    names: list[str] = []
    print(f"starting {options.containers} containers ({options.engine}, sleep infinity)...",
          file=sys.stderr)
    try:
        for _ in range(options.containers):
            done = subprocess.run([*cli, "run", "-d", "--network", "none", "--label", label,
                                   *entrypoint, IMAGES[options.engine],
                                   *([] if entrypoint else ["sleep"]), "infinity"],
                                  env=ENV, capture_output=True, text=True, check=True)
            names.append(done.stdout.strip())
        inspect = [sys.executable, "-m", "stopsignal", "inspect", "--all", "--json", "--on",
                   options.engine]
        listing = [*cli, "ps"]
        what = "container inspect" if options.engine == "podman" else "inspect"
        # Other people's containers may go between the list and the inspect: the inspect
        # then fails for that one only, which must not end the benchmark.
        both = ["sh", "-c", f'{cli[0]} {what} $({cli[0]} ps -q) >/dev/null 2>&1 || true']
        timed(inspect)  # fills the bytecode cache (and the podman version inspect remembers)
        ours: list[tuple[float, float]] = []
        theirs: list[tuple[float, float]] = []
        calls: list[tuple[float, float]] = []
        for _ in range(options.reps):
            seconds, cpu, out = timed(inspect)
            ours.append((seconds, cpu))
            theirs.append(timed(listing)[:2])
            calls.append(timed(both)[:2])
        seen = json.loads(out)["containers"]
        ids = {entry["id"] for entry in seen}
        verdicts = {entry["verdict"] for entry in seen if entry["id"] in set(names)}
        assert set(names) <= ids, "inspect missed containers"
    finally:
        # Ten at a time: Docker 20.10 once deadlocked (libnetwork) removing 100 at once.
        for first in range(0, len(names), 10):
            subprocess.run([*cli, "rm", "-f", *(["-t", "0"] if options.engine == "podman"
                                                else []), *names[first:first + 10]],
                           env=ENV, capture_output=True, check=False)
    mine, base, floor = (statistics.median(wall for wall, _ in runs)
                         for runs in (ours, theirs, calls))
    cpu_mine, cpu_base, cpu_floor = (statistics.median(cpu for _, cpu in runs)
                                     for runs in (ours, theirs, calls))
    print(f"{options.containers} running {options.engine} containers, {options.reps} reps, "
          f"median wall (CPU: user + system, with the processes each ran) (inspect saw "
          f"{len(seen)} containers; ours: {sorted(verdicts)})")
    print(f"  {' '.join(listing)}: {base:.3f} s (CPU {cpu_base:.3f} s)")
    print(f"  {cli[0]} ps, then {cli[0]} {what} of them: {floor:.3f} s "
          f"({floor / base:.2f}x; CPU {cpu_floor:.3f} s)")
    print(f"  stopsignal inspect --all --json: {mine:.3f} s (CPU {cpu_mine:.3f} s)")
    print(f"  ratio: {mine / base:.2f}x (goal <= 2x; CPU {cpu_mine / cpu_base:.2f}x); "
          f"{mine / floor:.2f}x the list and inspect")


if __name__ == "__main__":
    main()
