"""Paths as users give them: trailing slashes, and files lint does not read (skipped)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_runner import invoke

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
@pytest.mark.parametrize("given", ["examples/seed/", "examples/seed//", "examples/seed"])
def test_trailing_slashes_are_not_repeated(fmt: str, given: str,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    done = invoke(["lint", "--no-config", "--format", fmt, "--engine",
                   "openshift@4.9", given])
    assert done.exit_code == 1, done.output
    assert "seed//" not in done.output
    assert "examples/seed/pod-stopsignal-systemd.yaml" in done.output


def test_the_root_directory_is_not_doubled(tmp_path: Path) -> None:
    from stopsignal.readers import iter_files

    (tmp_path / "pod.yaml").write_text("kind: Pod\n")
    assert list(iter_files([f"{tmp_path}///"])) == [f"{tmp_path}/pod.yaml"]


def test_skipped_files_are_counted_and_named_with_v(tmp_path: Path) -> None:
    (tmp_path / "values.yaml").write_text("replicas: 2\n")
    (tmp_path / "pod.yaml").write_text("kind: Pod\nspec:\n  containers:\n  - name: a\n"
                                       "    image: busybox\n")
    quiet = invoke(["lint", "--no-config", str(tmp_path)])
    assert quiet.output == "no findings in 1 container, 2 files; 1 skipped.\n"
    verbose = invoke(["lint", "--no-config", "-v", str(tmp_path)])
    assert verbose.output == (f"{tmp_path}/values.yaml: skipped: not a Kubernetes, compose, "
                              "Containerfile or image config file\n"
                              "no findings in 1 container, 2 files; 1 skipped.\n")
