"""How fast is `stopsignal fix`, and what does the round trip cost?

Prints medians (seconds) of N runs, with baselines measured in the same run:

* lint:       read + lint every corpus file (what `fix` does first, for every file);
* fix (none): `fix` over the corpus with nothing to fix (lint only, no ruamel);
* render:     giving every container of the files that have containers the systemd
              preStop fix (one in SAMPLE files) through the fix renderer, verified;
* ruamel:     a bare ruamel round trip (load + dump) of the same sample files, the
              floor any comment-preserving fixer pays;
* pyyaml:     PyYAML C compose of the same sample files (what lint's readers pay).

And the worst case of the text splice, a systemd pod whose command has N identical
arguments (``--repeat N``), fixed as a JSON file, as a YAML file and as an in-memory
object (the webhook's path), next to ``difflib.SequenceMatcher`` matching the JSON
file's lines against the fixed lines (what the splice used to run, twice per fix).

Usage: python benchmarks/fix_corpus.py [--runs N] [--sample K] [--repeat N]
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "kyverno-policies"


def _median(runs: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sample", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3000)
    options = parser.parse_args()

    import yaml
    from ruamel.yaml import YAML

    from stopsignal.config import Config
    from stopsignal.engine import lint_paths
    from stopsignal.fixing.apply import render, verify_pass
    from stopsignal.model import SourceKind
    from stopsignal.readers import iter_files, read_path
    from stopsignal.rules.remedies import systemd_fix
    from stopsignal.runtimes import parse_targets

    files = list(iter_files([str(CORPUS)]))
    targets = parse_targets(["openshift@4.9"])
    jobs = []
    for path in files:
        result = read_path(path)
        edits = []
        for container in result.containers:
            if container.source is SourceKind.KUBERNETES and not container.init_container:
                fix = systemd_fix(dataclasses.replace(container, command=("/sbin/init",)),
                                  targets)
                if fix is not None and fix.edits and fix.edits[0] not in edits:
                    edits.append(fix.edits[0])
        if edits and not result.errors:
            jobs.append((path, Path(path).read_text(encoding="utf-8"), edits))
    sample = jobs[::options.sample]
    texts = [text for _, text, _ in sample]

    def fix_nothing() -> None:
        import contextlib

        from stopsignal.cli import main

        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")  # fix writes bytes to stdout
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()), \
                contextlib.suppress(SystemExit):
            main(["fix", "--diff", str(CORPUS)])

    def render_sample() -> None:
        for path, text, edits in sample:
            verify_pass(path, text, render(path, text, edits), edits, "bench")

    def ruamel_sample() -> None:
        rt = YAML(typ="rt")
        for text in texts:
            rt.dump_all(list(rt.load_all(text)), io.StringIO())

    def pyyaml_sample() -> None:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        for text in texts:
            list(yaml.compose_all(text, Loader=loader))

    print(f"corpus: {len(files)} files, {len(jobs)} with containers; sample: {len(sample)} "
          f"files, {sum(len(e) for _, _, e in sample)} containers; median of {options.runs}")
    rows = [
        ("lint (whole corpus)", lambda: lint_paths([str(CORPUS)], Config())),
        ("fix --diff, nothing to fix (whole corpus)", fix_nothing),
        ("render + verify systemd fix (sample)", render_sample),
        ("baseline: ruamel load+dump (sample)", ruamel_sample),
        ("baseline: PyYAML C compose (sample)", pyyaml_sample),
    ]
    results = {}
    for label, work in rows:
        results[label] = _median(options.runs, work)
        print(f"{label:45s} {results[label]:8.3f} s", flush=True)
    ratio = results[rows[2][0]] / results[rows[3][0]]
    print(f"render+verify / bare ruamel round trip: {ratio:.2f}x")
    repetitive(options.runs, options.repeat)
    sys.stdout.flush()


def repetitive(runs: int, repeat: int) -> None:
    import difflib
    import json

    import yaml

    from stopsignal.fixing import fix_object, fix_text
    from stopsignal.fixing.bind import target_linter
    from stopsignal.runtimes import default_targets

    lint = target_linter(default_targets())
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "big"},
           "spec": {"containers": [{"name": "app", "image": "localhost/stopsignal-systemd",
                                    "command": ["/sbin/init", *["--x"] * repeat]}]}}
    as_json = json.dumps(pod, indent=2) + "\n"
    as_yaml = yaml.safe_dump(pod, sort_keys=False)
    fixed = fix_text("pod.json", as_json, lint).text
    assert fixed != as_json

    def old_diff() -> None:
        old, new = as_json.split("\n"), fixed.split("\n")
        difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()

    print(f"a systemd pod with {repeat} repeated arguments ({len(as_json)} bytes of JSON)")
    for label, work in [
        ("fix_text, JSON file", lambda: fix_text("pod.json", as_json, lint)),
        ("fix_text, YAML file", lambda: fix_text("pod.yaml", as_yaml, lint)),
        ("fix_object (webhook)", lambda: fix_object(pod, lint=lint)),
        ("baseline: difflib.SequenceMatcher, JSON lines", old_diff),
    ]:
        print(f"{label:45s} {_median(runs, work):8.3f} s", flush=True)


if __name__ == "__main__":
    main()
