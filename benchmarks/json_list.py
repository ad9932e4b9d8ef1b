"""A large JSON List: 150,000 pods in one document, as ``json.dumps`` writes it (18.7 MB).

Issue 10, point 12: such a List took 52 s and 1.3 GB (composed by libyaml) and then failed.
JSON is now read by ``readers/jsonwalk.py``; this prints, as medians of interleaved rounds:

  * baseline: ``python -c "json.loads(...)"`` of the file (wall, CPU, peak RSS);
  * ``stopsignal lint --format json --lookup-images none FILE`` (--jobs 1): wall, CPU,
    peak RSS (the child's ``ru_maxrss``);
  * in a child: the CPU time of ``json.loads``, ``jsonwalk.validate`` and ``read_path``;
  * with ``--yaml``: PyYAML's C ``compose`` of the same text (minutes; once).

Every 100th pod runs systemd as PID 1, so findings are reported and rendered too.

    python benchmarks/json_list.py [--pods 150000] [--runs 3] [--yaml]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lint_corpus import MIB, child_env, run_child, stopsignal_argv, timed


def pod_list(pods: int) -> str:
    """A List of ``pods`` small pods (one in 100 with systemd as PID 1), one line."""
    items = []
    for index in range(pods):
        container: dict[str, object] = {"name": "c", "image": "x"}
        if index % 100 == 0:
            container["command"] = ["/sbin/init"]
        items.append({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{index}"},
                      "spec": {"containers": [container]}})
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": items})


def _in_process(path: str) -> None:
    """Print the CPU time of json.loads, jsonwalk.validate and read_path, as JSON."""
    from stopsignal.readers import jsonwalk, read_path

    data = Path(path).read_bytes()
    times = {"loads": timed(functools.partial(json.loads, data))[1],
             "validate": timed(functools.partial(jsonwalk.validate, data.decode()))[1]}
    _, times["read"], result = timed(functools.partial(read_path, path))
    print(json.dumps({**times, "containers": len(result.containers)}))  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=150_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--yaml", action="store_true", help="also time libyaml's compose")
    parser.add_argument("--write", help=argparse.SUPPRESS)  # the List, in a child
    parser.add_argument("--in-process", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.write:
        Path(options.write).write_text(pod_list(options.pods))
        return
    if options.in_process:
        _in_process(options.in_process)
        return
    # This process stays small: the List is written, and read in-process, by children.
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "list.json"
        env = child_env(bytecode=True, cache=str(Path(scratch) / "pycache"))
        me = [sys.executable, __file__, "--pods", str(options.pods)]
        subprocess.run([*me, "--write", str(path)], check=True, env=env)
        loads = [sys.executable, "-c",
                 f"import json; json.loads(open({str(path)!r}, 'rb').read())"]
        lint = stopsignal_argv("lint", "--format", "json", "--lookup-images", "none",
                               "--jobs", "1", "--fail-on", "never", str(path))
        rows: dict[str, list[tuple[float, float, float]]] = {"loads": [], "lint": []}
        inner: dict[str, list[float]] = {"loads": [], "validate": [], "read": []}
        containers = 0
        for _ in range(options.runs):
            rows["loads"].append(run_child(loads, env))
            rows["lint"].append(run_child(lint, env))
            measured = json.loads(subprocess.run([*me, "--in-process", str(path)], env=env,
                                                 check=True, capture_output=True).stdout)
            containers = measured.pop("containers")
            for key, value in measured.items():
                inner[key].append(value)
        size = path.stat().st_size
        print(f"{options.pods:,} pods, {size / 1e6:.1f} MB ({size / MIB:.1f} MiB), one line; "
              f"{containers:,} containers read; medians of {options.runs} rounds; "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"{'what':<44}{'wall s':>8}{'CPU s':>8}{'peak RSS MiB':>14}")
        base = statistics.median(row[1] for row in rows["loads"])
        for name, label in (("loads", "python: json.loads(file) (baseline)"),
                            ("lint", "stopsignal lint --jobs 1")):
            wall = statistics.median(row[0] for row in rows[name])
            cpu = statistics.median(row[1] for row in rows[name])
            peak = max(row[2] for row in rows[name])
            print(f"{label:<44}{wall:>8.2f}{cpu:>8.2f}{peak:>14.1f}   {cpu / base:.1f}x CPU")
        print("in a child, CPU s:")
        for name, label in (("loads", "json.loads"), ("validate", "jsonwalk.validate"),
                            ("read", "read_path (every container)")):
            print(f"{label:<44}{'':>8}{statistics.median(inner[name]):>8.2f}")
        if options.yaml:
            import yaml

            script = ("import sys, yaml; yaml.compose(open(sys.argv[1], 'rb').read(), "
                      "Loader=yaml.CSafeLoader)")
            wall, cpu, peak = run_child([sys.executable, "-c", script, str(path)], env)
            print(f"{'PyYAML ' + yaml.__version__ + ' C compose (before)':<44}"
                  f"{wall:>8.2f}{cpu:>8.2f}{peak:>14.1f}")


if __name__ == "__main__":
    main()
