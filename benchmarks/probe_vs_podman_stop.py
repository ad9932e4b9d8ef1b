"""Benchmark: `stopsignal probe --engine podman` against a bare `podman run -d` + `podman stop`.

Both stop the same image gracefully, systemd as PID 1 (podman's systemd mode and the
model both pick SIGRTMIN+3), in the same run, alternating, several repetitions. The default
image is the offline base (systemd and nginx): the seed image adds a service that takes a
second to stop, which would only dilute the overhead being measured.

The probe does more than podman: it waits for PID 1 to listen and for systemd to finish
booting, then sends the signal itself, watches the exit, collects the logs and removes the
container. Prints medians and the ratio (goal <= 1.5x).

    .venv/bin/python benchmarks/probe_vs_podman_stop.py [--reps 7] [--image IMAGE]

Build the images first: `stopsignal demo --build-only`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ENV = dict(os.environ)
# Measure stopsignal as installed: with compiled bytecode (a private cache, filled by the
# first repetition), even where the shell sets PYTHONDONTWRITEBYTECODE.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
ENV["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="stopsignal-pycache-")
ENV.setdefault("CONTAINERS_CONF", str(REPO / "containers" / "containers.conf"))


def podman(*args: str) -> str:
    done = subprocess.run(["podman", *args], env=ENV, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def bare(image: str, *, boot: bool = False) -> tuple[float, float, int]:
    """Seconds for run + stop, seconds for run + stop + rm, and the exit code.

    With ``boot``, wait for systemd to finish booting before the stop, as the probe does.
    """
    start = time.perf_counter()
    name = podman("run", "-d", "-t", "--label", "io.stopsignal.bench=1", image, "/sbin/init")
    if boot:
        subprocess.run(["podman", "exec", name, "systemctl", "is-system-running", "--wait"],
                       env=ENV, capture_output=True, check=False)
    podman("stop", "-t", "10", name)
    stopped = time.perf_counter() - start
    code = int(podman("inspect", "--format", "{{.State.ExitCode}}", name))
    before_rm = time.perf_counter()
    podman("rm", name)
    return stopped, stopped + time.perf_counter() - before_rm, code


def probe(image: str) -> tuple[float, bool]:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "stopsignal", "probe", "--json", "--image",
                           image, "--engine", "podman@4.3", "--grace", "10", "--",
                           "/sbin/init"], cwd=REPO, env=ENV,
                          capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    [result] = json.loads(done.stdout)["containers"]
    return seconds, bool(result["graceful"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    parser.add_argument("--image", default="localhost/debian-systemd:bookworm")
    args = parser.parse_args()
    podman("image", "exists", args.image)  # build it with `stopsignal demo --build-only`
    bare(args.image)  # warm caches once for both sides
    probe(args.image)
    bare_stop: list[float] = []
    bare_rm: list[float] = []
    booted_rm: list[float] = []
    probed: list[float] = []
    for _ in range(args.reps):
        stop_s, rm_s, code = bare(args.image)
        assert code == 0, f"bare podman stop was not graceful (exit {code})"
        bare_stop.append(stop_s)
        bare_rm.append(rm_s)
        _, booted_s, code = bare(args.image, boot=True)
        assert code == 0, f"podman stop after boot was not graceful (exit {code})"
        booted_rm.append(booted_s)
        seconds, graceful = probe(args.image)
        assert graceful, "the probe did not see a graceful stop"
        probed.append(seconds)
    med_stop, med_rm, med_boot, med_probe = (
        statistics.median(v) for v in (bare_stop, bare_rm, booted_rm, probed))
    print(f"image {args.image}, {args.reps} repetitions, medians:")
    print(f"  podman run -d + podman stop          {med_stop:6.3f} s")
    print(f"  podman run -d + podman stop + rm     {med_rm:6.3f} s")
    print(f"  ... + wait for systemd boot first    {med_boot:6.3f} s  (what the probe does)")
    print(f"  stopsignal probe --engine podman     {med_probe:6.3f} s  (CLI start to exit, "
          "container removed)")
    print(f"  ratio probe / (run + stop)           {med_probe / med_stop:6.2f}x")
    print(f"  ratio probe / (run + stop + rm)      {med_probe / med_rm:6.2f}x  (goal <= 1.5x)")
    print(f"  ratio probe / (run + boot + stop + rm) {med_probe / med_boot:4.2f}x")


if __name__ == "__main__":
    main()
