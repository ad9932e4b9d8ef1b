"""The kyverno-policies corpus (6,172 files, thousands of real-world containers).

1. `stopsignal fix` over a copy of the whole corpus: every file it does not fix stays
   byte-identical, and a second run changes nothing. (Lint finds next to nothing to
   fix in this corpus, so this mostly proves the fixer leaves other files alone.)
2. The YAML/JSON renderer on real files: every container of a deterministic sample
   of the files (one in ten of those with containers) is given the systemd preStop
   fix as if its PID 1 were systemd. Each result must verify (parses, data = input
   + the edits), change only the intended lines (an independent check), and be
   idempotent. Only these files go through the ruamel round trip, which keeps the
   test to seconds (a full round trip of the corpus takes about 34 s).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from stopsignal.cli.app import cli
from stopsignal.errors import FixVerificationError
from stopsignal.fixing.apply import render, verify_pass
from stopsignal.model import Edit, SourceKind
from stopsignal.readers import iter_files, read_path
from stopsignal.rules.remedies import systemd_fix
from stopsignal.runtimes import parse_targets

from . import checks

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "kyverno-policies"
FLAGS = ["--unsafe-fixes", "--add-engine", "openshift@4.9"]
SAMPLE_EVERY = 10


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"the corpus is missing: {CORPUS}")
    return CORPUS


def test_fix_leaves_the_corpus_alone_and_settles(corpus: Path, tmp_path: Path) -> None:
    root = tmp_path / "kyverno-policies"
    shutil.copytree(corpus, root, symlinks=True)
    before = _snapshot(root)
    first = CliRunner().invoke(cli, ["fix", *FLAGS, str(root)], catch_exceptions=False)
    assert "left unchanged" not in first.stderr, first.stderr  # no failed verification
    after = _snapshot(root)
    assert after.keys() == before.keys(), "no file may appear or disappear"
    for name, old in before.items():
        new = after[name]
        if new != old:  # whatever lint fixed: only its lines
            assert not checks.stray_changes(old.decode(), new.decode(),
                                            containerfile=not name.endswith((".yaml", ".yml",
                                                                             ".json"))), name
    second = CliRunner().invoke(cli, ["fix", *FLAGS, str(root)], catch_exceptions=False)
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


def _sample(corpus: Path) -> list[tuple[str, list[Edit]]]:
    jobs = []
    for path in iter_files([str(corpus)]):
        edits = _systemd_edits(path)
        if edits:
            jobs.append((path, edits))
    return jobs[::SAMPLE_EVERY]


def test_the_renderer_on_real_files(corpus: Path) -> None:
    jobs = _sample(corpus)
    assert len(jobs) > 150
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
