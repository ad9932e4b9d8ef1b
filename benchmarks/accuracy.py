"""Recall and false-positive rate of `stopsignal lint` on hand-labelled real-world files.

    python benchmarks/accuracy.py --mirror /work/.mirror [--out DIR] [--lookup-images none]

The cases (benchmarks/accuracy/labels.yaml) are files from public repositories the project
did not write, each labelled by hand, from the rules' documentation, with the rules that
should report it (at warning or error) and why. They are laid out from local clones
(benchmarks/accuracy/layout.py) and linted one by one, with the default targets.

Per rule: recall = labelled findings reported / labelled findings; false-positive rate =
cases reporting the rule without the label / cases without the label. Per format: recall
over its labelled findings, and the share of clean cases (no label) that report anything.
Info findings (portability advice) count for neither. Cases marked ``heldout`` were
labelled after the rest had been used to improve the rules; they get a line of their own.
Cases that disagree are listed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "accuracy"))

from layout import lay_out, load_cases

from stopsignal.config import Config
from stopsignal.engine import lint_paths
from stopsignal.model import Severity


def format_of(path: Path) -> str:
    from stopsignal.model import SourceKind
    from stopsignal.readers.files import kind_by_name

    if path.is_dir():
        return "kustomize" if any((path / name).is_file() for name in (
            "kustomization.yaml", "kustomization.yml", "Kustomization")) else "helm"
    kind = kind_by_name(str(path))
    if kind is SourceKind.CONTAINERFILE:
        return "containerfile"
    if kind is SourceKind.COMPOSE or path.name.startswith(("compose.", "docker-compose")):
        return "compose"
    return "kubernetes"


def reported(path: Path, lookup: str) -> set[str]:
    lookup_object = None
    if lookup != "none":
        from stopsignal.engine.lookup import ImageLookup, LookupOptions

        lookup_object = ImageLookup(LookupOptions(mode=lookup))
    result = lint_paths([str(path)], Config(), lookup=lookup_object)
    return {finding.rule for finding in result.findings
            if finding.severity in (Severity.WARNING, Severity.ERROR)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, required=True,
                        help="folder of local clones (OWNER+NAME/repo)")
    parser.add_argument("--out", type=Path, default=None, help="where to lay the files out")
    parser.add_argument("--lookup-images", default="none", choices=("none", "local", "registry"))
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="stopsignal-accuracy-"))
    cases = load_cases()
    tp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    negatives: dict[str, int] = defaultdict(int)
    by_format: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wrong: list[str] = []
    heldout: dict[str, int] = defaultdict(int)
    rules = sorted({rule for case in cases for rule in case["expect"]} | _all_rules())
    repos = {case["repo"] for case in cases}
    for case in cases:
        path = lay_out(args.mirror, out, case)
        fmt = format_of(path)
        expected, found = set(case["expect"]), reported(path, args.lookup_images)
        stats = by_format[fmt]
        stats["cases"] += 1
        for rule in rules:
            if rule in expected:
                (tp if rule in found else fn)[rule] += 1
                stats["tp" if rule in found else "fn"] += 1
            else:
                negatives[rule] += 1
                fp[rule] += rule in found
        if not expected:
            stats["clean"] += 1
            stats["clean_flagged"] += bool(found)
        if case.get("heldout"):
            heldout["cases"] += 1
            heldout["tp"] += len(expected & found)
            heldout["fn"] += len(expected - found)
            heldout["clean"] += not expected
            heldout["clean_flagged"] += not expected and bool(found)
        if expected != found:
            wrong.append(f"  {case['repo']} {case['path']}: expected {sorted(expected) or '-'}, "
                         f"reported {sorted(found) or '-'} ({case['reason']})")
    print(f"{len(cases)} cases from {len(repos)} repositories (lookup-images {args.lookup_images})")
    print()
    print(f"{'rule':26} {'labelled':>8} {'recall':>7} {'FP rate':>8}")
    for rule in rules:
        labelled = tp[rule] + fn[rule]
        recall = f"{tp[rule] / labelled:.2f}" if labelled else "-"
        rate = f"{fp[rule] / negatives[rule]:.3f}" if negatives[rule] else "-"
        print(f"{rule:26} {labelled:8} {recall:>7} {rate:>8}  ({fp[rule]} FP)")
    print()
    print(f"{'format':14} {'cases':>5} {'recall':>7} {'clean flagged':>14}")
    total: dict[str, int] = defaultdict(int)
    for fmt, stats in sorted(by_format.items()):
        for key, value in stats.items():
            total[key] += value
        _row(fmt, stats)
    _row("all", total)
    if heldout["cases"]:
        _row("held out", heldout)
    if wrong:
        print("\ndisagreements:")
        print("\n".join(wrong))
    return 0


def _row(name: str, stats: Any) -> None:
    labelled = stats["tp"] + stats["fn"]
    recall = f"{stats['tp'] / labelled:.2f}" if labelled else "-"
    flagged = (f"{stats['clean_flagged']}/{stats['clean']} = "
               f"{stats['clean_flagged'] / stats['clean']:.3f}" if stats["clean"] else "-")
    print(f"{name:14} {stats['cases']:5} {recall:>7} {flagged:>14}")


def _all_rules() -> set[str]:
    from stopsignal.rules import RULES

    return {rule.name for rule in RULES}


if __name__ == "__main__":
    sys.exit(main())
