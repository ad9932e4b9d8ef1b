"""systemd-container-env: the image's ENV, the pod's env, and the fix that appends an entry."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
POD = REPO / "examples" / "seed" / "pod-stopsignal-systemd.yaml"
INSPECT = REPO / "tests" / "lint" / "data" / "stopsignal-systemd.inspect.json"
CONTAINERD = ("kubernetes@1.30,containerd@1.7",)


def rules(path: Path, *image_configs: str) -> list[tuple[str, str]]:
    from cli_runner import invoke

    args = ["--engine", CONTAINERD[0], "--select", "systemd-container-env", "--format", "json"]
    for item in image_configs:
        args += ["--image-config", item]
    result = invoke(["lint", *args, str(path)])
    assert result.exit_code in (0, 1), result.output
    report = json.loads(result.output)
    assert report["errors"] == []
    return [(f["rule"], f["severity"]) for f in report["findings"]]


def test_an_image_that_sets_env_container_is_clean() -> None:
    config = json.loads(INSPECT.read_text())
    assert "container=oci" in config[0]["Config"]["Env"]
    assert rules(POD, f"nginx={INSPECT}") == []


def test_a_known_image_without_it_is_a_warning(tmp_path: Path) -> None:
    config = json.loads(INSPECT.read_text())
    config[0]["Config"]["Env"] = [e for e in config[0]["Config"]["Env"]
                                  if not e.startswith("container=")]
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(config))
    # A warning: whether systemd hangs also depends on the node and systemd's version.
    assert rules(POD, f"nginx={bare}") == [("systemd-container-env", "warning")]


def test_fix_appends_to_env_and_keeps_the_rest(tmp_path: Path) -> None:
    from cli_runner import invoke

    source = REPO / "tests" / "rules" / "fixtures" / "systemd-container-env" / "fire-other-env.yaml"
    target = tmp_path / "pod.yaml"
    target.write_text(source.read_text())
    result = invoke(["fix", "--engine", CONTAINERD[0], "--select",
                     "systemd-container-env", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text()
    assert text.startswith(source.read_text().rstrip("\n"))  # nothing before changed
    assert text.endswith("        - name: TZ\n          value: UTC\n"
                         "        - name: container\n          value: oci\n")
    assert rules(target) == []


def test_fix_creates_env_when_there_is_none(tmp_path: Path) -> None:
    from cli_runner import invoke

    target = tmp_path / "pod.yaml"
    target.write_text(POD.read_text())
    result = invoke(["fix", "--engine", CONTAINERD[0], "--select",
                     "systemd-container-env", str(target)])
    assert result.exit_code == 0, result.output
    assert "      env:\n        - name: container\n          value: oci\n" in target.read_text()
    assert rules(target) == []


def test_the_last_of_repeated_pod_entries_decides(tmp_path: Path) -> None:
    """As the kubelet builds the environment (runtimes.environment)."""
    config = json.loads(INSPECT.read_text())
    config[0]["Config"]["Env"] = [e for e in config[0]["Config"]["Env"]
                                  if not e.startswith("container=")]
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(config))
    entries = {"marked": ("", "oci"), "cleared": ("oci", "")}
    found = {}
    for name, (first, last) in entries.items():
        pod = tmp_path / f"{name}.yaml"
        pod.write_text(POD.read_text() + "      env:\n"
                       f"        - {{name: container, value: '{first}'}}\n"
                       f"        - {{name: container, value: '{last}'}}\n")
        found[name] = rules(pod, f"nginx={bare}")
    assert found == {"marked": [], "cleared": [("systemd-container-env", "warning")]}
