"""Real manifests: the committed kyverno-policies sample, and the whole corpus (6,172 files,
thousands of real-world containers) when it is present (see tests/corpora.py).

1. `stopsignal fix` over a copy of the corpus: every file it does not fix stays
   byte-identical, and a second run changes nothing. (Lint finds next to nothing to
   fix in this corpus, so this mostly proves the fixer leaves other files alone.)
2. The YAML/JSON renderer on real files: every container of a deterministic sample
   of the files (one in ten of the corpus files with containers, all of the sample's)
   is given the systemd preStop fix as if its PID 1 were systemd. Each result must
   verify (parses, data = input + the edits), change only the intended lines (an
   independent check), and be idempotent. Only these files go through the ruamel
   round trip, which keeps the test to seconds (a full round trip of the corpus takes about 34 s).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cli_runner import invoke
from corpora import Corpus, corpus_params
from stopsignal.errors import FixVerificationError
from stopsignal.fixing.apply import render, verify_pass
from stopsignal.model import Edit, SourceKind
from stopsignal.readers import iter_files, read_path
from stopsignal.rules.remedies import systemd_fix
from stopsignal.runtimes import parse_targets

from . import checks

FLAGS = ["--unsafe-fixes", "--add-engine", "openshift@4.9"]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.mark.parametrize("corpus", corpus_params())
def test_fix_leaves_the_corpus_alone_and_settles(corpus: Corpus, tmp_path: Path) -> None:
    root = tmp_path / "kyverno-policies"
    shutil.copytree(corpus.root, root, symlinks=True)
    before = _snapshot(root)
    first = invoke(["fix", *FLAGS, str(root)])
    assert "left unchanged" not in first.stderr, first.stderr  # no failed verification
    after = _snapshot(root)
    assert after.keys() == before.keys(), "no file may appear or disappear"
    for name, old in before.items():
        new = after[name]
        if new != old:  # whatever lint fixed: only its lines
            assert not checks.stray_changes(old.decode(), new.decode(),
                                            containerfile=not name.endswith((".yaml", ".yml",
                                                                             ".json"))), name
    second = invoke(["fix", *FLAGS, str(root)])
    assert "Fixed 0 findings" in second.stdout
    assert _snapshot(root) == after


def _systemd_edits(path: str) -> list[Edit]:
    """The preStop edit for every regular container of a file, as if PID 1 were systemd."""
    result = read_path(path)
    if result.errors:
        return []
    targets = parse_targets(["openshift@4.9"])
    edits: list[Edit] = []
    seen: set[tuple[int, tuple[str | int, ...]]] = set()
    for container in result.containers:
        if container.source is not SourceKind.KUBERNETES or container.init_container:
            continue
        fix = systemd_fix(container._replace(command=("/sbin/init",)), targets)
        if fix is None or not fix.edits:
            continue
        edit = fix.edits[0]
        key = (edit.document, edit.yaml_path)
        if key not in seen:  # an aliased container is one node
            seen.add(key)
            edits.append(edit)
    return edits


def _sample(corpus: Corpus) -> list[tuple[str, list[Edit]]]:
    jobs = []
    for path in iter_files([str(corpus.root)]):
        edits = _systemd_edits(path)
        if edits:
            jobs.append((path, edits))
    return jobs[::corpus.sample_every]


@pytest.mark.parametrize("corpus", corpus_params())
def test_the_renderer_on_real_files(corpus: Corpus) -> None:
    jobs = _sample(corpus)
    assert len(jobs) >= corpus.min_fix_jobs
    problems: dict[str, str] = {}
    for path, edits in jobs:
        text = Path(path).read_bytes().decode()
        try:
            new = render(path, text, edits)
            verify_pass(path, text, new, edits, "systemd preStop")
        except FixVerificationError as error:  # collect them all, report at once
            problems[path] = f"{type(error).__name__}: {error}"
            continue
        if render(path, new, edits) != new:
            problems[path] = "not idempotent"
        stray = checks.stray_changes(text, new)
        if stray:
            problems[path] = f"changed other lines: {stray[:3]}"
    assert not problems
