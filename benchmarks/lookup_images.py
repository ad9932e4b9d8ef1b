"""What image lookups cost lint: the kyverno-policies corpus with --lookup-images none, local,
and registry with a warm cache, against PyYAML's C compose_all of the same files.

Issue 9's goals: lint stays within 1.5x of compose_all, and ``--lookup-images registry``
with a warm cache adds under 10% to lint. All cases run in the same interleaved rounds;
medians are printed as wall and CPU time (user + system, children included).

The warm cache is a fresh ``XDG_CACHE_HOME`` holding an entry, a config without settings,
for every image reference the corpus makes lint look up (the registry run's work is then
one cache read per reference, as on a developer's machine after the first run). That run
uses ``--offline`` so that no reference this script failed to foresee can send a request
anywhere: with every reference cached, ``--offline`` changes nothing else.

    python benchmarks/lookup_images.py [--corpus DIR] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lint_corpus import DEFAULT_CORPUS, child_env, compose_all, run_child, stopsignal_argv


def image_refs(corpus: str) -> set[str]:
    """The references lint would look up: containers no input describes, external FROMs."""
    from stopsignal.readers import iter_files, read_path

    refs: set[str] = set()
    for path in iter_files([corpus]):
        result = read_path(path)
        for container in result.containers:
            image = container.image_config
            if image is None and container.image:
                refs.add(container.image)
            elif image is not None and image.base:
                refs.add(image.base)
    return refs


def seed(cache_home: str, refs: set[str]) -> None:
    from stopsignal.readers.image_cache import Entry, ImageCache
    from stopsignal.readers.image_cache import cache_home as home
    from stopsignal.readers.registry import host_platform

    os.environ["XDG_CACHE_HOME"] = cache_home
    cache = ImageCache(home())
    platform = "/".join(host_platform())
    for index, ref in enumerate(sorted(refs)):
        digest = f"sha256:{index:064x}"
        cache.put(ref, platform, Entry(digest, {"config": {}}, None))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(DEFAULT_CORPUS))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from stopsignal.readers import iter_files

    files = [path for path in iter_files([args.corpus]) if path.endswith((".yaml", ".yml"))]
    refs = image_refs(args.corpus)
    with tempfile.TemporaryDirectory(prefix="stopsignal-bench-") as folder:
        seed(folder, refs)
        env = child_env(True, str(Path(folder) / "pycache"))
        env["XDG_CACHE_HOME"] = folder
        common = ("lint", "--no-config", "--format", "json", "--jobs", "1")
        cases = {
            "lint --lookup-images none": stopsignal_argv(*common, "--lookup-images", "none",
                                                         args.corpus),
            "lint --lookup-images local": stopsignal_argv(*common, "--lookup-images", "local",
                                                          args.corpus),
            "lint --lookup-images registry (warm)": stopsignal_argv(
                *common, "--lookup-images", "registry", "--offline", args.corpus),
        }
        walls: dict[str, list[float]] = {name: [] for name in ["compose_all", *cases]}
        cpus: dict[str, list[float]] = {name: [] for name in walls}
        run_child(cases["lint --lookup-images none"], env)  # warm the bytecode cache
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            compose_all(files)
            walls["compose_all"].append(time.perf_counter() - start)
            cpus["compose_all"].append(time.process_time() - start_cpu)
            for name, argv in cases.items():
                wall, cpu, _ = run_child(argv, env)
                walls[name].append(wall)
                cpus[name].append(cpu)
    print(f"corpus: {args.corpus} ({len(files)} YAML files, {len(refs)} image references to "
          f"look up; load average {os.getloadavg()[0]:.1f}); medians of {args.runs} rounds")
    base = statistics.median(walls["compose_all"]), statistics.median(cpus["compose_all"])
    none = (statistics.median(walls["lint --lookup-images none"]),
            statistics.median(cpus["lint --lookup-images none"]))
    print(f"{'what':<40} {'wall s':>8} {'ratio':>7} {'CPU s':>8} {'ratio':>7} "
          f"{'vs none (CPU)':>14}")
    for name, times in walls.items():
        wall, cpu = statistics.median(times), statistics.median(cpus[name])
        print(f"{name:<40} {wall:8.3f} {wall / base[0]:6.2f}x {cpu:8.3f} {cpu / base[1]:6.2f}x "
              f"{(cpu / none[1] - 1) * 100:+13.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
