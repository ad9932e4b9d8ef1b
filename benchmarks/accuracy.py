"""Precision and recall of `stopsignal lint` on hand-labelled real-world files, per rule.

    python benchmarks/accuracy.py --mirror /work/.mirror [--out DIR] [--lookup-images none]

The cases (benchmarks/accuracy/labels.yaml) are files from public repositories the project
did not write, each labelled by hand, from the rules' documentation, with the rules that
should report it and why. They are laid out from local clones (benchmarks/accuracy/layout.py)
and linted one by one, with the default targets.

A rule counts as reported when it reports at warning or error, or, for a rule whose own
severity is info (stop-signal-portability: advice by design), at any severity. Info findings
of the other rules (a verdict lint could not make) count for nothing.

Per rule and per set: found / labelled (recall), false positives / cases without the label,
and precision = found / (found + false positives). The sets: "tuning" is the cases the rules
were improved on; "held out" is the cases marked ``heldout``, labelled before the linter was
run on them, whose figures are the honest ones. Per format: recall over its labelled
findings, and the share of clean cases (no label) that report anything. Cases that disagree
are listed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent / "accuracy"))

from layout import lay_out, load_cases

from stopsignal.config import Config
from stopsignal.engine import lint_paths
from stopsignal.model import Severity

SETS = ("tuning", "held out", "all")


@dataclass
class Tally:
    """One rule's counts over one set of cases."""

    found: int = 0
    missed: int = 0
    false_positives: int = 0
    negatives: int = 0

    def row(self) -> str:
        labelled = self.found + self.missed
        recall = f"{self.found}/{labelled} = {self.found / labelled:.2f}" if labelled else "-"
        reported = self.found + self.false_positives
        precision = f"{self.found / reported:.2f}" if reported else "-"
        fp = f"{self.false_positives}/{self.negatives}" if self.negatives else "-"
        return f"{recall:>14} {fp:>9} {precision:>9}"


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
    return "compose" if _has_services(path) else "kubernetes"


def _has_services(path: Path) -> bool:
    """A compose file named like any YAML file (sawtooth's docker/compose/*.yaml)."""
    import yaml

    try:
        document = next(yaml.safe_load_all(path.read_text(errors="replace")), None)
    except yaml.YAMLError:
        return False
    return isinstance(document, dict) and isinstance(document.get("services"), dict)


def advisory_rules() -> set[str]:
    """Rules whose own severity is info: their findings are the whole of what they say."""
    from stopsignal.rules import RULES

    return {rule.name for rule in RULES if rule.severity is Severity.INFO}


def reported(path: Path, lookup: str) -> set[str]:
    lookup_object = None
    if lookup != "none":
        from stopsignal.engine.lookup import ImageLookup, LookupOptions

        lookup_object = ImageLookup(LookupOptions(mode=lookup))
    result = lint_paths([str(path)], Config(), lookup=lookup_object)
    advisory = advisory_rules()
    return {finding.rule for finding in result.findings
            if finding.severity in (Severity.WARNING, Severity.ERROR)
            or finding.rule in advisory}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, required=True,
                        help="folder of local clones (OWNER+NAME/repo)")
    parser.add_argument("--out", type=Path, default=None, help="where to lay the files out")
    parser.add_argument("--lookup-images", default="none", choices=("none", "local", "registry"))
    args = parser.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="stopsignal-accuracy-"))
    cases = load_cases()
    rules = sorted({rule for case in cases for rule in case["expect"]} | _all_rules())
    tallies = {(rule, name): Tally() for rule in rules for name in SETS}
    by_format: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wrong: list[str] = []
    repos = {case["repo"] for case in cases}
    sizes = dict.fromkeys(SETS, 0)
    for case in cases:
        path = lay_out(args.mirror, out, case)
        expected, found = set(case["expect"]), reported(path, args.lookup_images)
        sets = ("held out" if case.get("heldout") else "tuning", "all")
        for name in sets:
            sizes[name] += 1
        for rule in rules:
            for name in sets:
                tally = tallies[rule, name]
                if rule in expected:
                    tally.found += rule in found
                    tally.missed += rule not in found
                else:
                    tally.negatives += 1
                    tally.false_positives += rule in found
        stats = by_format[format_of(path)]
        stats["cases"] += 1
        stats["tp"] += len(expected & found)
        stats["fn"] += len(expected - found)
        if not expected:
            stats["clean"] += 1
            stats["clean_flagged"] += bool(found)
        if expected != found:
            mark = " [held out]" if case.get("heldout") else ""
            wrong.append(f"  {case['repo']} {case['path']}{mark}: expected "
                         f"{sorted(expected) or '-'}, reported {sorted(found) or '-'} "
                         f"({case['reason']})")
    print(f"{len(cases)} cases from {len(repos)} repositories (lookup-images "
          f"{args.lookup_images}): {sizes['tuning']} tuning, {sizes['held out']} held out")
    for name in SETS:
        print(f"\n{name} ({sizes[name]} cases)")
        print(f"{'rule':26} {'found/labelled':>14} {'FP/clean':>9} {'precision':>9}")
        for rule in rules:
            print(f"{rule:26} {tallies[rule, name].row()}")
    print()
    print(f"{'format':14} {'cases':>5} {'recall':>7} {'clean flagged':>14}")
    total: dict[str, int] = defaultdict(int)
    for fmt, stats in sorted(by_format.items()):
        for key, value in stats.items():
            total[key] += value
        _format_row(fmt, stats)
    _format_row("all", total)
    if wrong:
        print("\ndisagreements:")
        print("\n".join(wrong))
    return 0


def _format_row(name: str, stats: Any) -> None:
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
