"""`stopsignal probe` input errors: exit 2 with one line, never a traceback (no podman needed)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_runner import invoke


@pytest.mark.parametrize(("args", "message"), [
    (["--process"], "needs a command"),
    ([], "give one MANIFEST"),
    (["a.yaml", "b.yaml"], "give one MANIFEST"),
    (["/nonexistent/pod.yaml"], "cannot read"),
    (["--grace", "-1", "--process", "--", "true"], "--grace"),
    (["--process", "--engine", "nosuch@1", "--", "true"], "unknown engine"),
    (["--process", "--image", "localhost/anything", "--", "true"], "give no MANIFEST or --image"),
    (["--process", "--on", "cri", "--", "true"], "--on cri does not apply"),
    (["--process", "--on", "docker", "--", "true"], "--on docker does not apply"),
])
def test_bad_input_exits_2(args: list[str], message: str) -> None:
    result = invoke(["probe", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_manifest_that_is_not_utf8_or_stdin_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_bytes(b"kind: Pod\nmetadata: {name: \xff}\n")
    result = invoke(["probe", str(path)])
    assert result.exit_code == 2
    assert result.stderr == f"stopsignal: error: {path}:2: not UTF-8 text (byte 27)\n"
    result = invoke(["probe", "-"], input="kind: Pod\n")
    assert result.exit_code == 2
    assert "not stdin ('-')" in result.stderr and len(result.stderr.splitlines()) == 1


def test_a_manifest_without_pods_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "cm.yaml"
    path.write_text("kind: ConfigMap\nmetadata: {name: x}\n")
    result = invoke(["probe", str(path)])
    assert result.exit_code == 2
    assert "cm.yaml: no Pod or workload" in result.output


def test_without_podman_it_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    result = invoke(["probe", "--image", "localhost/anything"])
    assert result.exit_code == 2
    assert "podman is not installed" in result.output
    assert "apt-get install -y podman runc" in result.output


def test_a_rejected_container_is_reported_and_not_run() -> None:
    result = invoke(["probe", "--process", "--engine", "podman@4.3", "--stop-signal",
                     "SIGFOO", "--json", "--", "sleep", "100"])
    assert result.exit_code == 1
    [container] = json.loads(result.stdout)["containers"]
    assert container["outcome"] == "rejected"
    assert container["note"].startswith("not run:")
    assert container["timeline"] == [] and container["exit_code"] is None


@pytest.mark.parametrize(("command", "option"), [("probe", "--svg"), ("demo", "--html")])
def test_a_report_into_a_missing_folder_is_refused_before_running(tmp_path: Path, command: str,
                                                                   option: str) -> None:
    target = tmp_path / "missing" / "report"
    extra = ["--process", "--", "sleep", "100"] if command == "probe" else []
    result = invoke([command, option, str(target), *extra])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (f"stopsignal: error: argument {option}: '{target}': no directory "
                             f"'{target.parent}' (see 'stopsignal {command} --help')\n")
