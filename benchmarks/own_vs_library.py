"""Four modules that do by hand what a library offers, each against that library, in one run.

Every section times both on the same inputs in interleaved rounds and prints medians,
the ratio library/own, and what each produces (the result must be as good, not only
as fast):

* ``parallel``: ``engine.parallel`` (forked workers, the parent one of them) against
  ``concurrent.futures.ProcessPoolExecutor`` (fork context) doing the same chunks,
  linting the kyverno corpus (or the examples when it is absent) with 2 workers;
* ``linediff``: ``fixing.linediff.matching_blocks`` against ``difflib.SequenceMatcher``
  (autojunk off, as a fix needs) and the ``patiencediff`` package, on one fix-sized edit
  of every corpus file and on repetitive files (thousands of equal container arguments),
  with the lines each leaves unmatched (lines the splice must take from the dump);
* ``jsonpatch``: ``fixing.jsonpatch.diff`` against ``jsonpatch.make_patch`` on the webhook's
  objects (the seed pod, a Deployment, a pod of 3,000 containers), fixed by ``fix_object``;
* ``containerfile``: ``readers.containerfile_lex.lex`` against ``dockerfile-parse`` and
  ``dockerfile`` (BuildKit's Go parser), on the project's Containerfiles, with what each
  reads of a heredoc, and the import cost of each in a fresh interpreter.

    python benchmarks/own_vs_library.py [--runs 7] [--only linediff]

``patiencediff``, ``dockerfile-parse`` and ``dockerfile`` are not dependencies; a
section says so and skips that library when it is not installed.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import importlib.util
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "kyverno-policies"


def median_ms(samples: Sequence[float]) -> float:
    return statistics.median(samples) * 1000


def rounds(cases: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Median milliseconds of each case, cases interleaved in each round."""
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for work in cases.values():
        work()  # warm-up
    for round_ in range(runs):
        order = list(cases) if round_ % 2 == 0 else list(reversed(cases))
        for name in order:
            start = time.perf_counter()
            cases[name]()
            samples[name].append(time.perf_counter() - start)
    return {name: median_ms(values) for name, values in samples.items()}


def report(title: str, medians: dict[str, float], base: str) -> None:
    print(f"\n{title}")
    for name, value in medians.items():
        print(f"  {name:<52} {value:10.2f} ms {value / medians[base]:7.2f}x")


def available(module: str) -> bool:
    if importlib.util.find_spec(module) is None:
        print(f"  ({module} is not installed: skipped)")
        return False
    return True


# -- parallel -----------------------------------------------------------------------------

_POOL_STATE: dict[str, Any] = {}


def _pool_chunk(index: int) -> tuple[int, Any]:
    from stopsignal.engine import parallel

    chunks, linter, collect = _POOL_STATE["args"]
    return index, parallel._lint_chunk(chunks[index], linter, collect)


def _pool_forked(chunks: Sequence[Sequence[str]], wanted: Sequence[int], linter: Any,
                 workers: int, collect: bool) -> dict[int, Any]:
    """``parallel._forked`` written with concurrent.futures: same chunks, same results."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _POOL_STATE["args"] = (chunks, linter, collect)  # forked workers inherit it
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return dict(pool.map(_pool_chunk, wanted))


def bench_parallel(runs: int) -> None:
    from stopsignal.config import Config
    from stopsignal.engine import lint_paths, parallel
    from stopsignal.readers import iter_files

    where = CORPUS if CORPUS.is_dir() else ROOT / "examples"
    files = list(iter_files([str(where)]))
    own = parallel._forked

    def with_own() -> object:
        parallel._forked = own
        return lint_paths([str(where)], Config(), jobs=2)

    def with_pool() -> object:
        parallel._forked = _pool_forked
        try:
            return lint_paths([str(where)], Config(), jobs=2)
        finally:
            parallel._forked = own

    same = len(with_own().findings) == len(with_pool().findings)  # type: ignore[attr-defined]
    medians = rounds({"own fork pool (parent works too), 2 workers": with_own,
                      "concurrent.futures ProcessPoolExecutor, 2 workers": with_pool,
                      "one process (--jobs 1)": lambda: lint_paths([str(where)], Config(),
                                                                   jobs=1)}, runs)
    report(f"parallel: lint {len(files)} files of {where.name} (same findings: {same})",
           medians, "own fork pool (parent works too), 2 workers")
    imports = import_cost(["concurrent.futures.process"], runs)
    print(f"  import concurrent.futures.process in a fresh interpreter: {imports:.1f} ms")


# -- linediff -----------------------------------------------------------------------------

def _edited(lines: list[str]) -> list[str]:
    """What a fix does to a manifest: one line changed, two inserted, in the middle."""
    middle = len(lines) // 2
    new = list(lines)
    new[middle:middle + 1] = [new[middle] + "  # changed", "        stopSignal: SIGRTMIN+3",
                              "        terminationGracePeriodSeconds: 60"]
    return new


def _unmatched(blocks: Sequence[Sequence[int]], a: Sequence[str], b: Sequence[str]) -> int:
    matched = sum(block[2] for block in blocks)
    return len(a) + len(b) - 2 * matched


def bench_linediff(runs: int) -> None:
    from stopsignal.fixing.linediff import matching_blocks
    from stopsignal.readers import iter_files

    where = CORPUS if CORPUS.is_dir() else ROOT / "examples"
    texts = [Path(path).read_text(encoding="utf-8", errors="replace").split("\n")
             for path in iter_files([str(where)]) if path.endswith((".yaml", ".yml"))]
    pairs = [(lines, _edited(lines)) for lines in texts]
    args = ["        - --flag"] * 3000
    repetitive = {
        "3,000 equal arguments, one inserted": (args, [*args[:1500], "        - --new",
                                                      *args[1500:]]),
        "3,000 equal arguments, one changed at 1/3 and one inserted at 2/3": (
            ["        - a", "        - b"] * 1500,
            [*(["        - a", "        - b"] * 500), "        - c",
             *(["        - a", "        - b"] * 500)[1:],
             "        - d", *(["        - a", "        - b"] * 500)]),
    }

    def sequence_matcher(a: Sequence[str], b: Sequence[str]) -> list[Any]:
        return difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()

    algorithms: dict[str, Callable[[Sequence[str], Sequence[str]], Sequence[Any]]] = {
        "own (prefix/suffix, patience, bounded Myers)": matching_blocks,
        "difflib.SequenceMatcher(autojunk=False)": sequence_matcher,
    }
    if available("patiencediff"):
        import patiencediff

        def patience(a: Sequence[str], b: Sequence[str]) -> list[Any]:
            matcher = patiencediff.PatienceSequenceMatcher(None, a, b)
            return list(matcher.get_matching_blocks())

        algorithms["patiencediff.PatienceSequenceMatcher (C)"] = patience
    base = "own (prefix/suffix, patience, bounded Myers)"

    def over_corpus(algorithm: Callable[[Sequence[str], Sequence[str]], object]) -> object:
        return [algorithm(a, b) for a, b in pairs]

    medians = rounds({name: (lambda algorithm=algorithm: over_corpus(algorithm))  # type: ignore[misc]
                      for name, algorithm in algorithms.items()}, runs)
    report(f"linediff: one fix-sized edit in each of {len(pairs)} files of {where.name}",
           medians, base)
    for name, algorithm in algorithms.items():
        left = sum(_unmatched(algorithm(a, b), a, b) for a, b in pairs)
        print(f"  unmatched lines, {name}: {left} (a fix leaves {4 * len(pairs)})")
    for label, (a, b) in repetitive.items():
        cases = {name: (lambda algorithm=algorithm, a=a, b=b: algorithm(a, b))  # type: ignore[misc]
                 for name, algorithm in algorithms.items()}
        medians = rounds(cases, max(3, runs // 2))
        report(f"linediff: {label}", medians, base)
        for name, algorithm in algorithms.items():
            print(f"  unmatched lines, {name}: {_unmatched(algorithm(a, b), a, b)}")


# -- jsonpatch ----------------------------------------------------------------------------

def _objects() -> dict[str, dict[str, Any]]:
    import yaml

    pod = yaml.safe_load((ROOT / "examples" / "seed" / "pod-stopsignal-systemd.yaml").read_text())
    spec = pod["spec"]
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment",
                  "metadata": {"name": "web", "labels": {"app": "web"}},
                  "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                           "template": {"metadata": {"labels": {"app": "web"}},
                                        "spec": copy.deepcopy(spec)}}}
    big = copy.deepcopy(pod)
    container = spec["containers"][0]
    big["spec"]["containers"] = [dict(copy.deepcopy(container), name=f"c{index}")
                                 for index in range(3000)]
    return {"seed pod (systemd)": pod, "Deployment of it": deployment,
            "pod of 3,000 systemd containers": big}


def bench_jsonpatch(runs: int) -> None:
    import jsonpatch

    from stopsignal.fixing import fix_object
    from stopsignal.fixing.jsonpatch import diff

    for label, obj in _objects().items():
        fixed, findings, _ = fix_object(obj)
        own_ops = diff(obj, fixed)
        library_ops = jsonpatch.make_patch(obj, fixed).patch
        for ops in (own_ops, library_ops):
            assert jsonpatch.apply_patch(obj, ops) == fixed
        medians = rounds({"own diff (add/replace/remove)": lambda o=obj, f=fixed: diff(o, f),
                          "jsonpatch.make_patch": lambda o=obj, f=fixed:
                          jsonpatch.make_patch(o, f)}, runs)
        report(f"jsonpatch: {label} ({len(findings)} findings fixed)", medians,
               "own diff (add/replace/remove)")
        kinds = sorted({op["op"] for op in library_ops})
        print(f"  operations: own {len(own_ops)}, make_patch {len(library_ops)} "
              f"({', '.join(kinds)}); patch bytes: own {len(json.dumps(own_ops))}, "
              f"make_patch {len(json.dumps(library_ops))}")


# -- containerfile ------------------------------------------------------------------------

HEREDOC = "FROM debian\nRUN <<EOT\nset -e\necho hi\nEOT\nCMD [\"/sbin/init\"]\n"


def bench_containerfile(runs: int) -> None:
    from stopsignal.readers.containerfile_lex import lex

    files = sorted({path for pattern in ("Containerfile*", "Dockerfile*")
                    for path in ROOT.glob(f"**/{pattern}")
                    if ".venv" not in path.parts and path.is_file()
                    and not path.name.endswith(".expected")})
    texts = [path.read_text(encoding="utf-8") for path in files] * 20
    cases: dict[str, Callable[[], object]] = {
        "own lex": lambda: [lex(text) for text in texts]}
    readings = {"own lex": [item.keyword for item in lex(HEREDOC).instructions]}
    imports = {"own lex": 0.0}  # part of lint's own start-up
    if available("dockerfile_parse"):
        from dockerfile_parse import DockerfileParser

        def parse_with_dockerfile_parse(text: str) -> list[dict[str, Any]]:
            parser = DockerfileParser(fileobj=io.BytesIO(text.encode()))
            return list(parser.structure)

        cases["dockerfile-parse"] = lambda: [parse_with_dockerfile_parse(text)
                                             for text in texts]
        readings["dockerfile-parse"] = [item["instruction"]
                                        for item in parse_with_dockerfile_parse(HEREDOC)]
        imports["dockerfile-parse"] = import_cost(["dockerfile_parse"], runs)
    if available("dockerfile"):
        import dockerfile

        cases["dockerfile (BuildKit's Go parser)"] = lambda: [dockerfile.parse_string(text)
                                                              for text in texts]
        readings["dockerfile (BuildKit's Go parser)"] = [
            command.cmd.upper() for command in dockerfile.parse_string(HEREDOC)]
        imports["dockerfile (BuildKit's Go parser)"] = import_cost(["dockerfile"], runs)
    medians = rounds(cases, runs)
    report(f"containerfile: {len(files)} Containerfiles x 20", medians, "own lex")
    for name, keywords in readings.items():
        print(f"  {name}: a RUN heredoc reads as {keywords}; "
              f"import {imports[name]:.1f} ms over bare python")


def import_cost(modules: list[str], runs: int) -> float:
    """Median ms that importing ``modules`` adds to a fresh interpreter (cached bytecode)."""
    statement = "; ".join(f"import {module}" for module in modules)
    bare, loaded = [], []
    with tempfile.TemporaryDirectory(prefix="stopsignal-bench-pyc-") as cache:
        env = dict(os.environ, PYTHONPYCACHEPREFIX=cache)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run([sys.executable, "-c", statement], check=True, env=env)
        for _ in range(max(9, runs)):
            for argv, into in (([sys.executable, "-c", "pass"], bare),
                               ([sys.executable, "-c", statement], loaded)):
                start = time.perf_counter()
                subprocess.run(argv, check=True, env=env)
                into.append(time.perf_counter() - start)
    return median_ms(loaded) - median_ms(bare)


SECTIONS = {"parallel": bench_parallel, "linediff": bench_linediff,
            "jsonpatch": bench_jsonpatch, "containerfile": bench_containerfile}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append")
    args = parser.parse_args()
    for name in args.only or list(SECTIONS):
        SECTIONS[name](args.runs)


if __name__ == "__main__":
    main()
