"""lint --jobs: forked workers give exactly the sequential result, images joined across chunks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import IO

import pytest

from stopsignal.config import Config
from stopsignal.engine import LintResult, lint_paths, lint_results, parallel
from stopsignal.readers import iter_files, read_path
from stopsignal.report import renderer

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SEED = EXAMPLES / "seed"

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="parallel lint needs fork")


def snapshot(result: LintResult) -> tuple[object, ...]:
    """Everything a report can show, rendered, plus the counts."""
    return (renderer("json")(result, verbose=True), renderer("text")(result, verbose=True),
            result.files, result.containers, result.suppressed, result.skipped,
            result.findings, result.errors)


def reference(path: Path, config: Config) -> LintResult:
    """Every file read first, then linted: the semantics chunks must reproduce."""
    return lint_results([read_path(name) for name in iter_files([str(path)])], config)


def test_jobs_do_not_change_the_result() -> None:
    config = Config(engines=("openshift@4.9", "docker", "kubernetes@1.30,containerd@1.7"))
    sequential = snapshot(reference(EXAMPLES, config))
    assert sequential[6], "the examples must have findings for this test to mean anything"
    for jobs in (1, 2, 3, None):
        assert snapshot(lint_paths([str(EXAMPLES)], config, jobs=jobs)) == sequential


def test_images_join_across_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pod and the Containerfile naming its image land in different chunks."""
    for name in ("pod-stopsignal-systemd.yaml", "Containerfile.stopsignal-systemd"):
        shutil.copy(SEED / name, tmp_path / name)
    # Unrelated files in between, so chunks hold one file each and workers race.
    for index in range(6):
        (tmp_path / f"m{index}.yaml").write_text(
            f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{index}}}\n"
            f"spec:\n  containers:\n  - name: c\n    image: busybox\n")
    config = Config(engines=("openshift@4.9",))
    sequential = reference(tmp_path, config)
    alone = lint_paths([str(tmp_path / "pod-stopsignal-systemd.yaml")], config, jobs=1)
    assert snapshot(sequential) != snapshot(alone)  # the join matters here
    passes: list[int] = []
    real = parallel._run

    def counted(*args: object, **kwargs: object) -> list[parallel.Part]:
        passes.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "_run", counted)
    for jobs in (1, 2, 4):
        passes.clear()
        assert snapshot(lint_paths([str(tmp_path)], config, jobs=jobs)) == snapshot(sequential)
        assert len(passes) == 2  # the pod's chunk was linted again, with the image known


def test_image_config_json_joins_across_chunks(tmp_path: Path) -> None:
    shutil.copy(EXAMPLES / "lint" / "image" / "stopsignal-37.inspect.json", tmp_path / "a.json")
    (tmp_path / "z.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: demo}\nspec:\n  containers:\n"
        "  - name: demo\n    image: localhost/stopsignal-demo-37\n")
    config = Config(engines=("openshift@4.9", "docker"))
    sequential = reference(tmp_path, config)
    for jobs in (1, 2):
        assert snapshot(lint_paths([str(tmp_path)], config, jobs=jobs)) == snapshot(sequential)


def test_a_dead_worker_costs_time_not_results(monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    real = parallel._lint_chunk

    def dying(*args: object, **kwargs: object) -> parallel.Part:
        if os.getpid() != parent:
            os._exit(3)  # a worker killed mid-run (OOM killer, a signal)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel, "_lint_chunk", dying)
    config = Config()
    expected = snapshot(reference(EXAMPLES, config))
    assert snapshot(lint_paths([str(EXAMPLES)], config, jobs=3)) == expected


def test_workers_for() -> None:
    assert parallel.workers_for(1, 10_000) == 1
    assert parallel.workers_for(None, parallel.MIN_FILES - 1) == 1  # auto: too few files
    assert 1 <= parallel.workers_for(None, 10_000) <= parallel.MAX_AUTO_JOBS
    assert parallel.workers_for(3, 2) == 2  # never more workers than files
    assert parallel.workers_for(8, 1) == 1


def test_jobs_option() -> None:
    from stopsignal.cli.app import command_parser

    def jobs(*argv: str) -> object:
        return command_parser("lint").parse(argv).jobs

    assert jobs("-j", "2", "a.yaml") == 2
    assert jobs("--jobs=3", "a.yaml") == 3
    assert jobs("a.yaml") is None
    for bad in ("0", "-1", "x", "1.5"):
        with pytest.raises(SystemExit) as exit_:
            jobs("--jobs", bad, "a.yaml")
        assert exit_.value.code == 2


def test_jobs_zero_is_a_usage_error() -> None:
    from cli_runner import invoke

    outcome = invoke(["lint", "--jobs", "0", str(SEED)])
    assert outcome.exit_code == 2 and "--jobs" in outcome.stderr


def test_no_fork_to_spare_means_fewer_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", refused)
    expected = snapshot(reference(EXAMPLES, Config()))
    assert snapshot(lint_paths([str(EXAMPLES)], Config(), jobs=3)) == expected


def test_a_worker_cut_short_while_writing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A truncated result is not trusted: the parent lints those chunks itself."""
    import pickle

    real = pickle.dumps

    def cut(obj: object, file: IO[bytes], protocol: int | None = None) -> None:
        file.write(real(obj, protocol)[:10])  # only forked workers send their parts
        file.flush()
        os._exit(0)

    monkeypatch.setattr(pickle, "dump", cut)
    expected = snapshot(reference(EXAMPLES, Config()))
    assert snapshot(lint_paths([str(EXAMPLES)], Config(), jobs=2)) == expected
