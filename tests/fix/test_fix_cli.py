"""`stopsignal fix` at the command line: exit codes, stdin/stdout, the Helm wrapper."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cli_runner import invoke

from .test_fix_engine import ALIASED

REPO = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent / "cases"
STREAM = CASES / "multi-document" / "stream.yaml"
STREAM_FIXED = CASES / "multi-document" / "stream.yaml.expected"


def _run(*args: str, stdin: bytes | None = None) -> tuple[int, bytes, str]:
    result = invoke(["fix", *args], input=stdin)
    return result.exit_code, result.stdout_bytes, result.stderr


@pytest.mark.parametrize("args", [(), ("-", "pod.yaml"), ("--engine", "nosuch@1", "x.yaml")])
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    code, _, err = _run(*args)
    assert code == 2
    assert err.startswith("stopsignal: error: ")


def test_unreadable_stdin_exits_2_and_writes_nothing() -> None:
    code, out, err = _run("-", stdin=b"kind: Pod\nspec: [unclosed\n")
    assert code == 2 and out == b""
    assert "cannot read the manifest stream" in err


def test_a_failed_verification_on_stdin_writes_nothing() -> None:
    code, out, err = _run("--engine", "openshift@4.9", "-", stdin=ALIASED.encode())
    assert code == 1 and out == b""
    assert "would also change" in err and "nothing was written" in err


def test_stdin_with_unfixable_findings_still_passes_the_stream_through() -> None:
    source = (CASES / "httpget-prestop-display-only" / "pod.yaml").read_bytes()
    code, out, err = _run("--engine", "openshift@4.9", "-", stdin=source)
    assert code == 0  # a post-renderer must not fail the release for what it cannot fix
    assert out == source
    assert "No safe fix" in err


def test_remaining_findings_exit_1_and_clean_files_exit_0(tmp_path: Path) -> None:
    unfixable = tmp_path / "pod.yaml"
    shutil.copyfile(CASES / "httpget-prestop-display-only" / "pod.yaml", unfixable)
    assert _run("--engine", "openshift@4.9", str(unfixable))[0] == 1
    fixable = tmp_path / "stream.yaml"
    shutil.copyfile(STREAM, fixable)
    code, out, _ = _run("--engine", "openshift@4.9", str(fixable))
    assert code == 0
    assert b"Fixed 2 findings in 1 file; 0 remain." in out
    assert fixable.read_bytes() == STREAM_FIXED.read_bytes()


def test_unsafe_fixes_wait_for_the_flag(tmp_path: Path) -> None:
    target = tmp_path / "Containerfile"
    shutil.copyfile(CASES / "containerfile-shell-form-unsafe" / "Containerfile", target)
    code, out, _ = _run(str(target))
    assert code == 1 and b"fixable with --unsafe-fixes" in out
    assert target.read_bytes() == (CASES / "containerfile-shell-form-unsafe" /
                                   "Containerfile").read_bytes()


def test_helm_post_renderer_wrapper() -> None:
    executable = shutil.which("stopsignal", path=str(Path(sys.executable).parent))
    assert executable is not None
    env = dict(os.environ, STOPSIGNAL=executable, STOPSIGNAL_FIX_ARGS="--engine openshift@4.9")
    done = subprocess.run([str(REPO / "scripts" / "helm-post-renderer")], input=STREAM.read_bytes(),
                          capture_output=True, env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == STREAM_FIXED.read_bytes()


def test_image_configs_join_as_in_lint(tmp_path: Path) -> None:
    """With the image's STOPSIGNAL known, openshift@4.10 needs no fix; unknown, it gets one."""
    config = tmp_path / "image.json"
    config.write_text('[{"Id": "1", "RepoTags": ["localhost/stopsignal-systemd:latest"], '
                      '"Config": {"Entrypoint": ["/sbin/init"], "StopSignal": "SIGRTMIN+3"}}]')
    pod = tmp_path / "pod.yaml"
    shutil.copyfile(REPO / "examples" / "seed" / "pod-stopsignal-systemd.yaml", pod)
    code, out, _ = _run("--diff", "--engine", "openshift@4.10", "--image-config", str(config),
                        str(pod))
    assert (code, out) == (0, b"")
    code, out, _ = _run("--diff", "--engine", "openshift@4.10", str(pod))
    assert code == 1 and b"kill -s 37 1" in out
