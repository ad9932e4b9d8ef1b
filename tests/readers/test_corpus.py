"""No crash on real input: every file of real-world manifests reads cleanly (tests/corpora.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from corpora import Corpus, corpus_params
from stopsignal.model import SourceKind
from stopsignal.readers import iter_files, read_path

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("corpus", corpus_params())
def test_every_corpus_file_reads_without_an_exception(corpus: Corpus) -> None:
    files = list(iter_files([str(corpus.root)]))
    assert len(files) == corpus.files  # every *.yaml/*.yml, hidden test directories included
    containers = 0
    kinds: dict[SourceKind | None, int] = {}
    for name in files:
        result = read_path(name)  # read_path never raises; an internal error is a bug
        assert not result.errors, result.errors  # the corpus is all valid YAML
        containers += len(result.containers)
        kinds[result.kind] = kinds.get(result.kind, 0) + 1
    assert containers >= corpus.min_containers
    assert kinds[SourceKind.KUBERNETES] >= corpus.min_kubernetes


@pytest.mark.timeout(120)
@pytest.mark.parametrize("corpus", corpus_params())
def test_the_prefilter_misses_no_container(corpus: Corpus) -> None:
    """Compare, file by file, with a plain walk of the fully loaded YAML."""
    files = list(iter_files([str(corpus.root)]))
    assert len(files) == corpus.files
    for name in files:
        expected = 0
        with Path(name).open("rb") as handle:
            for document in yaml.load_all(handle, Loader=LOADER):
                expected += _count(document, 0)
        assert len(read_path(name).containers) == expected, name


SPEC_PATHS = {"Pod": ["spec"], "PodTemplate": ["template", "spec"],
              "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"]}
TEMPLATED = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController",
             "Job", "DeploymentConfig"}


def _count(document: object, depth: int) -> int:
    if not isinstance(document, dict) or depth > 4:
        return 0
    kind = document.get("kind")
    if not isinstance(kind, str):
        return 0
    if kind == "Template" or kind.endswith("List"):
        items = document.get("objects" if kind == "Template" else "items") or []
        return sum(_count(item, depth + 1) for item in items) if isinstance(items, list) else 0
    path = SPEC_PATHS.get(kind, ["spec", "template", "spec"] if kind in TEMPLATED else None)
    if path is None:
        return 0
    node: object = document
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        return 0
    return sum(len(node.get(key) or []) for key in ("containers", "initContainers")
               if isinstance(node.get(key), list))
