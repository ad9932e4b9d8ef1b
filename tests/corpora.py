"""Real manifests for "no crash on real input" tests: a committed sample, and the whole corpus.

The sample (tests/data/kyverno-sample, see its SOURCE.md) always runs. The whole
kyverno-policies corpus is a benchmark input that is not part of the repository: the same tests
run on it only when it is there ($STOPSIGNAL_CORPUS, else ../shared/corpus/kyverno-policies).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "tests" / "data" / "kyverno-sample"
FULL = Path(os.environ.get("STOPSIGNAL_CORPUS")
            or REPO.parent / "shared" / "corpus" / "kyverno-policies")


class Corpus(NamedTuple):
    root: Path
    files: int  # every *.yaml/*.yml, hidden test directories included
    min_containers: int
    min_kubernetes: int  # files read as Kubernetes objects
    min_fix_jobs: int  # files the renderer test edits (after sampling)
    sample_every: int


SAMPLE_CORPUS = Corpus(SAMPLE, files=15, min_containers=87, min_kubernetes=15,
                       min_fix_jobs=12, sample_every=1)
FULL_CORPUS = Corpus(FULL, files=6172, min_containers=10_000, min_kubernetes=5000,
                     min_fix_jobs=150, sample_every=10)


def corpus_params() -> list[object]:
    """The sample, and the whole corpus (skipped, with the reason, when it is not there)."""
    absent = pytest.mark.skipif(not FULL.is_dir(),
                                reason=f"the kyverno corpus (a benchmark input) is not at {FULL}")
    return [pytest.param(SAMPLE_CORPUS, id="sample"),
            pytest.param(FULL_CORPUS, id="kyverno-full", marks=absent)]
